package dev.z8run.core.plan;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.registry.NodeType;
import java.util.List;
import java.util.Map;

/**
 * A flow compiled for the runtime: the enabled nodes in topological order (a node's index is its
 * position), the wiring as index arrays, and the worker each node runs on.
 *
 * <p>{@code targets[n][p]} lists the indexes of the nodes wired to output port {@code p} of node
 * {@code n}; {@code targetPorts[n][p][k]} is the input port of the {@code k}-th of them; {@code
 * loopBack[n][p][k]} is true when that wire is a <em>back wire</em>, one that closes a loop (it
 * leads to a node at or before {@code n} in the order; see {@link Planner}). The order is
 * topological over the other wires.
 */
public record ExecutionPlan(
    Flow flow,
    List<PlannedNode> nodes,
    int[][][] targets,
    int[][][] targetPorts,
    boolean[][][] loopBack,
    int workerCount) {

  /**
   * One node of the plan.
   *
   * @param config the node's config with schema defaults filled in
   * @param worker the worker agent that runs it
   * @param callerHead the node is a trigger whose light run the planner cut in two so that a thread
   *     feeding it from outside the engine runs the head ({@code Engine.Trigger}), the tail's
   *     worker the rest
   */
  public record PlannedNode(
      int index,
      FlowNode node,
      NodeType type,
      Map<String, Object> config,
      int outputCount,
      int inputCount,
      int worker,
      boolean callerHead) {}

  /** Index of the node with {@code nodeId}, or -1 when it is not in the plan (absent, disabled). */
  public int indexOf(String nodeId) {
    for (PlannedNode planned : nodes) {
      if (planned.node().id().equals(nodeId)) {
        return planned.index();
      }
    }
    return -1;
  }

  /** For each node, the number of wires into it (its fan-in). */
  public int[] inDegrees() {
    int[] degrees = new int[nodes.size()];
    for (int[][] ports : targets) {
      for (int[] port : ports) {
        for (int target : port) {
          degrees[target]++;
        }
      }
    }
    return degrees;
  }
}
