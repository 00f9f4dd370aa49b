package dev.z8run.core.flow;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A flow document as the editor and the API exchange it: nodes on a canvas and the wires between
 * their ports, plus what only the editor draws (groups), settings kept beside the nodes (config
 * nodes), subflow definitions its nodes may use, and z8run's editor state (its canvas and
 * viewport). Immutable; {@link FlowCodec} reads and writes it as JSON.
 *
 * @param id stable identifier, unique per store
 * @param name what the person called it
 * @param description free text, may be empty
 * @param nodes node instances in document order
 * @param wires connections from an output port to an input port
 * @param groups boxes drawn around nodes; layout only
 * @param configNodes shared settings kept with the flow (an imported Node-RED flow's config nodes)
 * @param subflows subflow definitions whose instances ({@code subflow:<id>} nodes) this flow holds
 * @param canvas z8run's editor state as it saved it, or null when the nodes and wires were not
 *     derived from one
 * @param viewport z8run's editor viewport ({@code {"x","y","zoom"}}), or null when none was saved
 */
public record Flow(
    String id,
    String name,
    String description,
    List<FlowNode> nodes,
    List<Wire> wires,
    List<FlowGroup> groups,
    List<ConfigNode> configNodes,
    List<Subflow> subflows,
    Canvas canvas,
    Map<String, Object> viewport) {
  public Flow {
    Objects.requireNonNull(id, "id");
    name = name == null ? "" : name;
    description = description == null ? "" : description;
    nodes = List.copyOf(nodes);
    wires = List.copyOf(wires);
    groups = groups == null ? List.of() : List.copyOf(groups);
    configNodes = configNodes == null ? List.of() : List.copyOf(configNodes);
    subflows = subflows == null ? List.of() : List.copyOf(subflows);
    viewport = viewport == null ? null : Collections.unmodifiableMap(new LinkedHashMap<>(viewport));
  }

  /**
   * A flow without groups, config nodes, subflows or editor state; {@link #withParts} and {@link
   * #withEditorState} add them.
   */
  public Flow(String id, String name, String description, List<FlowNode> nodes, List<Wire> wires) {
    this(id, name, description, nodes, wires, List.of(), List.of(), List.of(), null, null);
  }

  /** This flow under another id. */
  public Flow withId(String newId) {
    return new Flow(
        newId, name, description, nodes, wires, groups, configNodes, subflows, canvas, viewport);
  }

  /** This flow with other nodes (and the same wires, groups, config nodes and subflows). */
  public Flow withNodes(List<FlowNode> newNodes) {
    return new Flow(
        id, name, description, newNodes, wires, groups, configNodes, subflows, canvas, viewport);
  }

  /** This flow with other nodes and wires; the z8run canvas they no longer match is dropped. */
  public Flow withGraph(List<FlowNode> newNodes, List<Wire> newWires) {
    return new Flow(
        id, name, description, newNodes, newWires, groups, configNodes, subflows, null, viewport);
  }

  /** This flow with another name and description. */
  public Flow withTitle(String newName, String newDescription) {
    return new Flow(
        id, newName, newDescription, nodes, wires, groups, configNodes, subflows, canvas, viewport);
  }

  /** This flow with other groups, config nodes and subflows. */
  public Flow withParts(
      List<FlowGroup> newGroups, List<ConfigNode> newConfigNodes, List<Subflow> newSubflows) {
    return new Flow(
        id,
        name,
        description,
        nodes,
        wires,
        newGroups,
        newConfigNodes,
        newSubflows,
        canvas,
        viewport);
  }

  /** This flow with z8run's editor state (either may be null). */
  public Flow withEditorState(Canvas newCanvas, Map<String, Object> newViewport) {
    return new Flow(
        id, name, description, nodes, wires, groups, configNodes, subflows, newCanvas, newViewport);
  }

  /** The subflow definition with this id, or null. */
  public Subflow subflow(String subflowId) {
    for (Subflow subflow : subflows) {
      if (subflow.id().equals(subflowId)) {
        return subflow;
      }
    }
    return null;
  }
}
