package dev.z8run.core.validate;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.NodeTypeRegistry;
import dev.z8run.core.registry.PortSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Checks a flow against the node types of a {@link NodeTypeRegistry} and reports every problem at
 * once, so that a person can fix them all in one pass. See {@link Problem} for the codes.
 *
 * <p>What is checked:
 *
 * <ul>
 *   <li>the flow has an id; every node has an id, unique in the flow, and a type the registry
 *       knows;
 *   <li>every enabled node's config matches its type's schema (required fields present, values of
 *       the field's JSON type, enum values among the options); fields the schema does not declare
 *       are allowed;
 *   <li>every wire starts and ends at a node of the flow, at an output and an input port the nodes'
 *       types have (a dynamic type's output count comes from the node's config), the two ports
 *       carry compatible types, and no wire is listed twice.
 * </ul>
 *
 * <p>Loops are allowed, as in Node-RED: a wire may lead back to an earlier node or to its own node
 * (the planner and runtime keep a loop from deadlocking; see {@link dev.z8run.core.plan.Planner}).
 *
 * <p>Disabled nodes are checked for id and type only: their config may be half-finished, and wires
 * to or from them are allowed whatever their ports, because the planner drops those wires. Port and
 * type checks are skipped for wires whose ends are not in the flow or whose node type is unknown;
 * those have their own problem already. When two nodes share an id, wires naming it are checked
 * against the first of them. A node without an id is reported for that alone: nothing can refer to
 * it until it has one.
 *
 * <p>Thread-safe if the registry is (the built-in one is); it never changes the flow.
 */
public final class FlowValidator {
  private static final int MAX_LISTED_TYPES = 8;
  private static final int MAX_SUGGESTION_DISTANCE = 2;

  private final NodeTypeRegistry registry;

  public FlowValidator(NodeTypeRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  /**
   * Every problem of the flow, in document order within each kind; empty when the flow is valid.
   */
  public List<Problem> validate(Flow flow) {
    List<Problem> problems = new ArrayList<>();
    if (flow.id().isBlank()) {
      problems.add(
          new Problem(null, "id", Problem.MISSING_FLOW_ID, "the flow has no id; give it one"));
    }
    Map<String, Resolved> nodes = checkNodes(flow, problems);
    checkNodeRefs(flow, nodes, problems);
    checkWires(flow, nodes, problems);
    return problems;
  }

  /**
   * Validates the flow and throws if it has any problem.
   *
   * @throws ValidationException carrying every problem found
   */
  public void requireValid(Flow flow) {
    List<Problem> problems = validate(flow);
    if (!problems.isEmpty()) {
      throw new ValidationException(problems);
    }
  }

  /**
   * A node the wires can refer to: its type (null if unknown) and its output count (-1 if unknown).
   */
  private record Resolved(FlowNode node, NodeType type, int outputCount) {}

  private Map<String, Resolved> checkNodes(Flow flow, List<Problem> problems) {
    Map<String, Integer> idCounts = new HashMap<>();
    for (FlowNode node : flow.nodes()) {
      idCounts.merge(node.id(), 1, Integer::sum);
    }
    Map<String, Resolved> resolved = new LinkedHashMap<>();
    List<FlowNode> nodes = flow.nodes();
    for (int i = 0; i < nodes.size(); i++) {
      FlowNode node = nodes.get(i);
      String label = Messages.node(node);
      if (node.id().isBlank()) {
        problems.add(
            new Problem(
                null,
                "id",
                Problem.MISSING_NODE_ID,
                "the node at position "
                    + (i + 1)
                    + " (type '"
                    + node.type()
                    + "'"
                    + (node.name().isEmpty() ? "" : ", name '" + node.name() + "'")
                    + ") has no id; give every node a unique id"));
        continue;
      }
      int count = idCounts.get(node.id());
      if (count > 1 && resolved.containsKey(node.id())) {
        resolve(node, label, problems); // wires naming this id go to the first such node
        continue;
      }
      if (count > 1) {
        problems.add(
            new Problem(
                node.id(),
                "id",
                Problem.DUPLICATE_NODE_ID,
                Messages.count(count)
                    + " nodes have the id '"
                    + node.id()
                    + "'; node ids must be unique in a flow"));
      }
      resolved.put(node.id(), resolve(node, label, problems));
    }
    return resolved;
  }

  /** Ids listed in node-reference fields (Catch's scope) must be nodes of this flow. */
  private static void checkNodeRefs(
      Flow flow, Map<String, Resolved> nodes, List<Problem> problems) {
    for (Resolved resolved : nodes.values()) {
      if (resolved.type() == null) {
        continue;
      }
      FlowNode node = resolved.node();
      for (String field : resolved.type().nodeRefFields()) {
        if (!(node.config().get(field) instanceof List<?> ids)) {
          continue;
        }
        for (Object id : ids) {
          if (!(id instanceof String text) || !nodes.containsKey(text)) {
            problems.add(
                new Problem(
                    node.id(),
                    field,
                    Problem.CONFIG_UNKNOWN_NODE,
                    Messages.node(node)
                        + ": "
                        + field
                        + " names "
                        + (id instanceof String ? "node '" + id + "'" : "a non-string id " + id)
                        + ", which is not in flow '"
                        + flow.id()
                        + "'"));
          }
        }
      }
    }
  }

  private Resolved resolve(FlowNode node, String label, List<Problem> problems) {
    NodeType type = checkType(node, label, problems);
    if (type == null || node.disabled()) {
      return new Resolved(node, type, -1);
    }
    boolean configProblems = ConfigCheck.check(node, type, label, problems);
    int outputs;
    try {
      outputs = type.outputCount(node.config());
    } catch (RuntimeException e) {
      outputs = -1;
      if (!configProblems) {
        problems.add(
            new Problem(
                node.id(),
                null,
                Problem.CONFIG_INVALID,
                label
                    + ": its output ports cannot be worked out from its config ("
                    + e
                    + "); check the node's settings"));
      }
    }
    return new Resolved(node, type, outputs);
  }

  private NodeType checkType(FlowNode node, String label, List<Problem> problems) {
    if (node.type().isBlank()) {
      problems.add(
          new Problem(
              node.id(),
              "type",
              Problem.MISSING_NODE_TYPE,
              label + " has no type; choose a node type from the palette"));
      return null;
    }
    NodeType type = registry.find(node.type());
    // a disabled node is not deployed: it may keep a type this server does not have (a Node-RED
    // node imported without an equivalent keeps its type and settings for the way back)
    if (type == null && !node.disabled()) {
      problems.add(
          new Problem(
              node.id(),
              "type",
              Problem.UNKNOWN_NODE_TYPE,
              label
                  + " has type '"
                  + node.type()
                  + "', which is not installed; "
                  + Messages.knownTypes(
                      node.type(), registry.names(), MAX_SUGGESTION_DISTANCE, MAX_LISTED_TYPES)));
    }
    return type;
  }

  /**
   * Checks every wire.
   *
   * @return the wires whose ends are both known and enabled
   */
  private List<Wire> checkWires(Flow flow, Map<String, Resolved> nodes, List<Problem> problems) {
    List<Wire> graphWires = new ArrayList<>();
    Set<Wire> seen = new HashSet<>();
    for (Wire wire : flow.wires()) {
      Resolved from = nodes.get(wire.fromNode());
      Resolved to = nodes.get(wire.toNode());
      String text =
          Messages.wire(wire, from == null ? null : from.node(), to == null ? null : to.node());
      if (!seen.add(wire)) {
        problems.add(
            new Problem(
                wire.fromNode(),
                null,
                Problem.DUPLICATE_WIRE,
                text + " is listed more than once; remove the copy"));
        continue; // the first copy was checked already
      }
      if (from == null) {
        problems.add(
            new Problem(
                to == null ? null : wire.toNode(),
                null,
                Problem.WIRE_UNKNOWN_SOURCE,
                text
                    + " starts at a node that is not in the flow; remove the wire or add the node"));
      }
      if (to == null) {
        problems.add(
            new Problem(
                from == null ? null : wire.fromNode(),
                null,
                Problem.WIRE_UNKNOWN_TARGET,
                text + " ends at a node that is not in the flow; remove the wire or add the node"));
      }
      if (from == null || to == null || from.node().disabled() || to.node().disabled()) {
        continue;
      }
      graphWires.add(wire);
      checkPorts(wire, text, from, to, problems);
    }
    return graphWires;
  }

  private static void checkPorts(
      Wire wire, String text, Resolved from, Resolved to, List<Problem> problems) {
    PortSpec output = null;
    if (from.outputCount() >= 0) {
      if (wire.fromPort() < 0 || wire.fromPort() >= from.outputCount()) {
        problems.add(
            new Problem(
                wire.fromNode(),
                null,
                Problem.WIRE_UNKNOWN_OUTPUT_PORT,
                text
                    + " starts at an output port that does not exist: "
                    + Messages.outputs(from.type(), from.node().config(), from.outputCount())
                    + "; connect one of those"));
      } else {
        output = from.type().output(wire.fromPort(), from.node().config());
      }
    }
    PortSpec input = null;
    if (to.type() != null) {
      int inputs = to.type().inputs().size();
      if (wire.toPort() < 0 || wire.toPort() >= inputs) {
        problems.add(
            new Problem(
                wire.toNode(),
                null,
                Problem.WIRE_UNKNOWN_INPUT_PORT,
                text
                    + " ends at an input port that does not exist: "
                    + Messages.inputs(to.type())
                    + (inputs == 0 ? "; it cannot receive wires" : "; connect one of those")));
      } else {
        input = to.type().inputs().get(wire.toPort());
      }
    }
    if (output != null && input != null && !output.type().compatibleWith(input.type())) {
      String out = output.type().jsonName();
      String in = input.type().jsonName();
      problems.add(
          new Problem(
              wire.fromNode(),
              null,
              Problem.WIRE_PORT_TYPE_MISMATCH,
              text
                  + " joins output '"
                  + output.name()
                  + "' of type "
                  + out
                  + " to input '"
                  + input.name()
                  + "' of type "
                  + in
                  + "; "
                  + Messages.article(out)
                  + " port cannot feed "
                  + Messages.article(in)
                  + " port, so wire it to an input of type "
                  + out
                  + " or any, or convert the value in between"));
    }
  }

  /** Thrown by {@link #requireValid}; carries every problem, its message lists them one a line. */
  public static final class ValidationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient List<Problem> problems;

    public ValidationException(List<Problem> problems) {
      super(String.join("\n", problems.stream().map(Problem::message).toList()));
      this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
      return problems;
    }
  }
}
