package dev.z8run.core.plan;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.plan.ExecutionPlan.PlannedNode;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.NodeTypeRegistry;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Compiles a validated flow into an {@link ExecutionPlan}: drops disabled nodes and their wires,
 * orders nodes topologically (document order breaks ties), turns wires into index arrays and cuts
 * the order into contiguous runs, one per worker, so that a chain crosses cores as few times as
 * possible.
 *
 * <p>The flow must have passed {@link dev.z8run.core.validate.FlowValidator}; the planner throws
 * {@link IllegalArgumentException} on what validation would have caught.
 */
public final class Planner {
  private final NodeTypeRegistry registry;

  public Planner(NodeTypeRegistry registry) {
    this.registry = registry;
  }

  /**
   * @param workerCount workers to spread the nodes over, at least 1
   * @param firstWorker the worker the first run goes to (spreads small flows over workers); taken
   *     modulo {@code workerCount}, so any counter will do
   */
  public ExecutionPlan plan(Flow flow, int workerCount, int firstWorker) {
    if (workerCount < 1) {
      throw new IllegalArgumentException("workerCount=" + workerCount + " must be at least 1");
    }
    List<FlowNode> enabled = new ArrayList<>();
    Map<String, Integer> documentIndex = new HashMap<>();
    for (FlowNode node : flow.nodes()) {
      if (!node.disabled()) {
        documentIndex.put(node.id(), enabled.size());
        enabled.add(node);
      }
    }
    int n = enabled.size();
    List<List<Wire>> outgoing = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      outgoing.add(new ArrayList<>());
    }
    int[] inDegree = new int[n];
    for (Wire wire : flow.wires()) {
      Integer from = documentIndex.get(wire.fromNode());
      Integer to = documentIndex.get(wire.toNode());
      if (from != null && to != null) {
        outgoing.get(from).add(wire);
        inDegree[to]++;
      }
    }
    int[] order = topologicalOrder(enabled, documentIndex, outgoing, inDegree);
    int[] planIndex = new int[n];
    for (int position = 0; position < n; position++) {
      planIndex[order[position]] = position;
    }

    List<PlannedNode> planned = new ArrayList<>(n);
    int[][][] targets = new int[n][][];
    int[][][] targetPorts = new int[n][][];
    for (int position = 0; position < n; position++) {
      FlowNode node = enabled.get(order[position]);
      NodeType type = registry.find(node.type());
      if (type == null) {
        throw new IllegalArgumentException(
            "node '" + node.id() + "' has unknown type '" + node.type() + "'");
      }
      Map<String, Object> config = withDefaults(type, node.config());
      int outputs = type.outputCount(config);
      int worker =
          (int) Math.floorMod(firstWorker + (long) position * workerCount / n, (long) workerCount);
      planned.add(
          new PlannedNode(position, node, type, config, outputs, type.inputs().size(), worker));
      targets[position] = new int[outputs][];
      targetPorts[position] = new int[outputs][];
      for (int port = 0; port < outputs; port++) {
        List<Wire> fromPort = new ArrayList<>();
        for (Wire wire : outgoing.get(order[position])) {
          if (wire.fromPort() == port) {
            fromPort.add(wire);
          }
        }
        targets[position][port] = new int[fromPort.size()];
        targetPorts[position][port] = new int[fromPort.size()];
        for (int k = 0; k < fromPort.size(); k++) {
          Wire wire = fromPort.get(k);
          targets[position][port][k] = planIndex[documentIndex.get(wire.toNode())];
          targetPorts[position][port][k] = wire.toPort();
        }
      }
    }
    return new ExecutionPlan(flow, List.copyOf(planned), targets, targetPorts, workerCount);
  }

  private static int[] topologicalOrder(
      List<FlowNode> nodes,
      Map<String, Integer> documentIndex,
      List<List<Wire>> outgoing,
      int[] inDegree) {
    int n = nodes.size();
    int[] remaining = inDegree.clone();
    // the earliest ready node in document order goes next: a chain then stays one contiguous run
    PriorityQueue<Integer> ready = new PriorityQueue<>();
    for (int i = 0; i < n; i++) {
      if (remaining[i] == 0) {
        ready.add(i);
      }
    }
    int[] order = new int[n];
    int count = 0;
    while (!ready.isEmpty()) {
      int current = ready.poll();
      order[count++] = current;
      for (Wire wire : outgoing.get(current)) {
        int to = documentIndex.get(wire.toNode());
        if (--remaining[to] == 0) {
          ready.add(to);
        }
      }
    }
    if (count != n) {
      throw new IllegalArgumentException("the flow has a cycle; validate it first");
    }
    return order;
  }

  /** The node's config with every absent schema field that has a default filled in. */
  public static Map<String, Object> withDefaults(NodeType type, Map<String, Object> config) {
    Map<String, Object> merged = new LinkedHashMap<>(config);
    for (ConfigField field : type.config()) {
      if (merged.get(field.name()) == null && field.defaultValue() != null) {
        merged.put(field.name(), field.defaultValue());
      }
    }
    return merged;
  }
}
