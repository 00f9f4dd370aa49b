package dev.z8run.core.flow;

import java.util.List;

/**
 * z8run's editor state as its editor saved it: React Flow's {@code canvas_nodes} and {@code
 * canvas_edges}, kept as plain JSON values so that z8run's editor gets back exactly what it saved
 * (positions, icons, port lists, its own fields). A flow keeps a canvas only while its nodes and
 * wires are the ones derived from it: saving nodes or wires in this server's own form drops the
 * canvas, and it is made again from the nodes when asked for.
 *
 * @param nodes z8run's canvas nodes ({@code {"id","type":"z8node","position","data"}})
 * @param edges z8run's canvas edges ({@code {"source","target","sourceHandle","targetHandle"}})
 */
public record Canvas(List<Object> nodes, List<Object> edges) {
  public Canvas {
    nodes = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(nodes));
    edges = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(edges));
  }
}
