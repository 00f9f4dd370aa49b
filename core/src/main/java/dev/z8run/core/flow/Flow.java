package dev.z8run.core.flow;

import java.util.List;
import java.util.Objects;

/**
 * A flow document as the editor and the API exchange it: nodes on a canvas and the wires between
 * their ports. Immutable; {@link FlowCodec} reads and writes it as JSON.
 *
 * @param id stable identifier, unique per store
 * @param name what the person called it
 * @param description free text, may be empty
 * @param nodes node instances in document order
 * @param wires connections from an output port to an input port
 */
public record Flow(
    String id, String name, String description, List<FlowNode> nodes, List<Wire> wires) {
  public Flow {
    Objects.requireNonNull(id, "id");
    name = name == null ? "" : name;
    description = description == null ? "" : description;
    nodes = List.copyOf(nodes);
    wires = List.copyOf(wires);
  }
}
