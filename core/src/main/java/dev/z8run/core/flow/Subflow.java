package dev.z8run.core.flow;

import java.util.List;
import java.util.Objects;

/**
 * A subflow definition, as Node-RED's: a flow of its own with at most one input and any number of
 * outputs, used inside flows as a node of type {@code subflow:<id>} (an <em>instance</em>). Each
 * instance has the definition's nodes of its own, and its env properties override the definition's
 * defaults. {@link Subflows#expand} replaces every instance by its nodes when the flow is deployed:
 * the engine never sees a subflow.
 *
 * @param id unique within its flow (among nodes, groups and subflows); instances have type {@code
 *     subflow:<id>}
 * @param name what the palette shows
 * @param description free text, may be empty
 * @param inputs 0 or 1: whether instances have an input port
 * @param in where a message on the input goes: inner nodes and their input ports (empty with no
 *     input, or an input wired to nothing)
 * @param out for each output port of the subflow, the inner nodes' output ports that feed it; a
 *     link whose node is the subflow's own id feeds the output straight from the input
 * @param env env properties and their defaults, which instances may override
 * @param nodes the inner nodes (their ids are unique within the subflow)
 * @param wires between inner nodes
 */
public record Subflow(
    String id,
    String name,
    String description,
    int inputs,
    List<PortLink> in,
    List<List<PortLink>> out,
    List<EnvProperty> env,
    List<FlowNode> nodes,
    List<Wire> wires) {
  /** The prefix of an instance's node type; the rest is the subflow's id. */
  public static final String TYPE_PREFIX = "subflow:";

  public Subflow {
    Objects.requireNonNull(id, "id");
    name = name == null ? "" : name;
    description = description == null ? "" : description;
    if (inputs < 0 || inputs > 1) {
      throw new IllegalArgumentException("inputs: a subflow has 0 or 1 input, got " + inputs);
    }
    in = List.copyOf(in);
    List<List<PortLink>> outputs = new java.util.ArrayList<>(out.size());
    for (List<PortLink> links : out) {
      outputs.add(List.copyOf(links));
    }
    out = List.copyOf(outputs);
    env = List.copyOf(env);
    nodes = List.copyOf(nodes);
    wires = List.copyOf(wires);
  }

  /** The node type of this subflow's instances. */
  public String instanceType() {
    return TYPE_PREFIX + id;
  }

  /**
   * One end of a link between the subflow's boundary and an inner node.
   *
   * @param node an inner node's id (or, in {@link #out()}, the subflow's own id for its input)
   * @param port the inner node's input port (in {@link #in()}) or output port (in {@link #out()})
   */
  public record PortLink(String node, int port) {
    public PortLink {
      Objects.requireNonNull(node, "node");
      if (port < 0) {
        throw new IllegalArgumentException("port: must not be negative, got " + port);
      }
    }
  }

  /**
   * An env property, as Node-RED's subflow and instance {@code env} entries.
   *
   * @param name the variable's name
   * @param type Node-RED's value type: {@code str}, {@code num}, {@code bool}, {@code json}, {@code
   *     env} (another variable's value), ...
   * @param value the value as written (a string for most types)
   */
  public record EnvProperty(String name, String type, Object value) {
    public EnvProperty {
      Objects.requireNonNull(name, "name");
      type = type == null || type.isEmpty() ? "str" : type;
    }
  }
}
