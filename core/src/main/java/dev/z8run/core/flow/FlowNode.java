package dev.z8run.core.flow;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One node instance of a flow.
 *
 * @param id unique within its flow
 * @param type a node-type name from the {@link dev.z8run.core.registry.NodeTypeRegistry}
 * @param name label shown on the canvas, may be empty
 * @param x canvas position
 * @param y canvas position
 * @param disabled a disabled node is kept in the document but not deployed; wires touching it are
 *     dropped by the planner
 * @param config the node's configuration as plain JSON values ({@code Map}, {@code List}, {@code
 *     String}, {@code Number}, {@code Boolean}, {@code null}), key order preserved
 */
public record FlowNode(
    String id,
    String type,
    String name,
    double x,
    double y,
    boolean disabled,
    Map<String, Object> config) {
  public FlowNode {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(type, "type");
    name = name == null ? "" : name;
    config = config == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(config));
  }
}
