package dev.z8run.core.plan;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.plan.ExecutionPlan.PlannedNode;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.NodeCost;
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
 * <p>Light runs: a linear run of nodes whose types are {@link NodeCost#LIGHT} (change, switch,
 * junction...), no branch wider than one, is not cut: all of it goes to the worker of its first
 * node (see {@link #lightRuns}). A flow made only of such a run therefore runs on one worker, the
 * one {@code firstWorker} names, and the engine spreads flows over workers through that argument.
 * The exception is a long run fed by a trigger: it is cut once, its head for the thread that feeds
 * the trigger and its tail for the next worker (see {@link #callerSplit}).
 *
 * <p>Loops: a depth-first search in document order marks the <em>back wires</em>, those that lead
 * to a node still on the search's path (a wire from a node to itself is one). Every loop of the
 * flow holds at least one; without them the wires are acyclic, and the order is taken over the
 * other wires only. The runtime never blocks a sender on a back wire (see {@link
 * ExecutionPlan#loopBack}), which is what keeps a loop from deadlocking when its inboxes fill.
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
    for (Wire wire : flow.wires()) {
      Integer from = documentIndex.get(wire.fromNode());
      Integer to = documentIndex.get(wire.toNode());
      if (from != null && to != null) {
        outgoing.get(from).add(wire);
      }
    }
    boolean[][] back = backPairs(documentIndex, outgoing);
    int[] inDegree = new int[n];
    for (int from = 0; from < n; from++) {
      for (Wire wire : outgoing.get(from)) {
        int to = documentIndex.get(wire.toNode());
        if (!isBack(back, from, to)) {
          inDegree[to]++;
        }
      }
    }
    int[] order = topologicalOrder(enabled, documentIndex, outgoing, inDegree, back);
    int[] planIndex = new int[n];
    for (int position = 0; position < n; position++) {
      planIndex[order[position]] = position;
    }

    NodeType[] types = new NodeType[n];
    for (int i = 0; i < n; i++) {
      FlowNode node = enabled.get(i);
      types[i] = registry.find(node.type());
      if (types[i] == null) {
        throw new IllegalArgumentException(
            "node '" + node.id() + "' has unknown type '" + node.type() + "'");
      }
    }
    int[] wiresIn = wiresIn(documentIndex, outgoing);
    int[] runHead = lightRuns(types, wiresIn, documentIndex, outgoing, planIndex);

    // a flow with a node whose executions run on the caller's thread (http-in, webhook: the
    // requests' own threads, Engine.injectAndRun) stays on one worker: that thread runs only the
    // nodes of the trigger's worker, and a chain cut over two workers sent every request's answer
    // through the second worker's inbox and thread
    int spread = runsOnCaller(types) ? 1 : workerCount;
    // a long light run fed by a trigger: its tail goes to the next worker (callerSplit)
    boolean[] tail = new boolean[n];
    boolean[] callerHead = new boolean[n];
    if (spread > 1) {
      callerSplit(runHead, wiresIn, documentIndex, outgoing, tail, callerHead);
    }
    List<PlannedNode> planned = new ArrayList<>(n);
    int[][][] targets = new int[n][][];
    int[][][] targetPorts = new int[n][][];
    boolean[][][] loopBack = new boolean[n][][];
    for (int position = 0; position < n; position++) {
      FlowNode node = enabled.get(order[position]);
      NodeType type = types[order[position]];
      Map<String, Object> config = withDefaults(type, node.config());
      int outputs = type.outputCount(config);
      // a node of a light run goes where the run's first node goes
      long cut = (long) planIndex[runHead[order[position]]] * spread / n;
      // the tail of a run fed by a trigger goes to the next worker (callerSplit)
      long next = tail[order[position]] ? 1 : 0;
      int worker = (int) Math.floorMod(firstWorker + cut + next, (long) workerCount);
      planned.add(
          new PlannedNode(
              position,
              node,
              type,
              config,
              outputs,
              type.inputs().size(),
              worker,
              callerHead[order[position]]));
      targets[position] = new int[outputs][];
      targetPorts[position] = new int[outputs][];
      loopBack[position] = new boolean[outputs][];
      for (int port = 0; port < outputs; port++) {
        List<Wire> fromPort = new ArrayList<>();
        for (Wire wire : outgoing.get(order[position])) {
          if (wire.fromPort() == port) {
            fromPort.add(wire);
          }
        }
        targets[position][port] = new int[fromPort.size()];
        targetPorts[position][port] = new int[fromPort.size()];
        loopBack[position][port] = new boolean[fromPort.size()];
        for (int k = 0; k < fromPort.size(); k++) {
          Wire wire = fromPort.get(k);
          int to = documentIndex.get(wire.toNode());
          targets[position][port][k] = planIndex[to];
          targetPorts[position][port][k] = wire.toPort();
          loopBack[position][port][k] = isBack(back, order[position], to);
        }
      }
    }
    return new ExecutionPlan(
        flow, List.copyOf(planned), targets, targetPorts, loopBack, workerCount);
  }

  /**
   * The light runs: for each node (document index), the first node of the run it belongs to (itself
   * when it is in none). Two nodes are in one run when both types are {@link NodeCost#LIGHT}, a
   * wire leads from the first to the second, it is the only wire leaving the first and the only
   * wire reaching the second: a linear run with no branch wider than one. Such a run goes to one
   * worker, where each of its hops can be fused (run at once on the worker, without a ring write or
   * a wake-up); spreading it would cost a hand-over between workers per message that is worth about
   * as much as a light node's own work. Fan-out branches, fan-in and nodes of {@link
   * NodeCost#NORMAL} types are not joined, so their parallel work is still spread.
   */
  private static int[] lightRuns(
      NodeType[] types,
      int[] wiresIn,
      Map<String, Integer> documentIndex,
      List<List<Wire>> outgoing,
      int[] planIndex) {
    int n = types.length;
    int[] head = new int[n];
    for (int i = 0; i < n; i++) {
      head[i] = i;
    }
    for (int from = 0; from < n; from++) {
      if (outgoing.get(from).size() != 1 || types[from].cost() != NodeCost.LIGHT) {
        continue;
      }
      int to = documentIndex.get(outgoing.get(from).get(0).toNode());
      if (to != from && wiresIn[to] == 1 && types[to].cost() == NodeCost.LIGHT) {
        // union: the root is the member earliest in the plan (a run without a loop: its first)
        int a = root(head, from);
        int b = root(head, to);
        if (a != b) {
          if (planIndex[a] <= planIndex[b]) {
            head[b] = a;
          } else {
            head[a] = b;
          }
        }
      }
    }
    for (int i = 0; i < n; i++) {
      head[i] = root(head, i);
    }
    return head;
  }

  /** Wires reaching each node (document index), back wires included. */
  private static int[] wiresIn(Map<String, Integer> documentIndex, List<List<Wire>> outgoing) {
    int[] wiresIn = new int[outgoing.size()];
    for (List<Wire> wires : outgoing) {
      for (Wire wire : wires) {
        wiresIn[documentIndex.get(wire.toNode())]++;
      }
    }
    return wiresIn;
  }

  /**
   * Marks the light runs that are cut in two, head and tail: the nodes of their tails ({@code
   * tail}) and their triggers ({@code callerHead}), by document index. A run of at least {@link
   * #MIN_SPLIT_RUN} nodes whose first node has no wire in (a trigger: inject). The thread that
   * feeds such a trigger from outside the engine runs the head on its own thread ({@code
   * Engine.Trigger}: the head's worker is free, so the caller takes its nodes, see {@code
   * FlowRuntime.triggerInline}), and the tail's worker runs the rest: two threads share the chain,
   * one hand-over between them per message, as a chain of bare rings on two threads does. The head
   * is the shorter part ({@code (length - 3) / 2} nodes: 4 of scenario a2's 12, which measured the
   * two threads' CPU per message about even), since its thread also pays for the trigger (the
   * execution's slot, the first record) and the hand-over. Queued triggers (a timer's) cost the
   * same hand-over, between the two workers.
   */
  private static void callerSplit(
      int[] runHead,
      int[] wiresIn,
      Map<String, Integer> documentIndex,
      List<List<Wire>> outgoing,
      boolean[] tail,
      boolean[] callerHead) {
    int n = runHead.length;
    int[] length = new int[n];
    for (int i = 0; i < n; i++) {
      length[runHead[i]]++;
    }
    for (int head = 0; head < n; head++) {
      if (runHead[head] != head || wiresIn[head] != 0 || length[head] < MIN_SPLIT_RUN) {
        continue;
      }
      // walk the run from its head: each member has one wire out, to the next
      callerHead[head] = true;
      int headLength = (length[head] - 3) / 2;
      int at = head;
      for (int rank = 0; rank < length[head]; rank++) {
        tail[at] = rank >= headLength;
        if (rank + 1 < length[head]) {
          at = documentIndex.get(outgoing.get(at).get(0).toNode());
        }
      }
    }
  }

  /**
   * The shortest light run fed by a trigger that {@link #callerSplit} cuts in two: each part keeps
   * a few fused hops. Scenario d (a trigger, five junctions and a sink, a 64 KiB body) is shorter
   * and stays whole: its trigger's copy of the body already makes the feeding thread the busier
   * one, and cut it ran 20% slower.
   */
  static final int MIN_SPLIT_RUN = 8;

  private static int root(int[] head, int i) {
    while (head[i] != i) {
      head[i] = head[head[i]];
      i = head[i];
    }
    return i;
  }

  /**
   * The back wires as (from, to) pairs of document indexes: {@code back[from]} is null when no back
   * wire leaves {@code from}, else flags the targets. Iterative depth-first search from every
   * unvisited node in document order, successors in wire order; every wire between the same two
   * nodes is back or none is, since the target stays on the path while the source is searched.
   */
  private static boolean[][] backPairs(
      Map<String, Integer> documentIndex, List<List<Wire>> outgoing) {
    int n = outgoing.size();
    boolean[][] back = new boolean[n][];
    byte[] state = new byte[n]; // 0 unvisited, 1 on the path, 2 done
    int[] next = new int[n];
    int[] path = new int[n];
    for (int root = 0; root < n; root++) {
      if (state[root] != 0) {
        continue;
      }
      int depth = 0;
      path[depth++] = root;
      state[root] = 1;
      while (depth > 0) {
        int v = path[depth - 1];
        List<Wire> wires = outgoing.get(v);
        if (next[v] < wires.size()) {
          int w = documentIndex.get(wires.get(next[v]++).toNode());
          if (state[w] == 0) {
            state[w] = 1;
            path[depth++] = w;
          } else if (state[w] == 1) {
            if (back[v] == null) {
              back[v] = new boolean[n];
            }
            back[v][w] = true;
          }
        } else {
          state[v] = 2;
          depth--;
        }
      }
    }
    return back;
  }

  private static boolean isBack(boolean[][] back, int from, int to) {
    return back[from] != null && back[from][to];
  }

  private static boolean runsOnCaller(NodeType[] types) {
    for (NodeType type : types) {
      if (type.runsOnCaller()) {
        return true;
      }
    }
    return false;
  }

  private static int[] topologicalOrder(
      List<FlowNode> nodes,
      Map<String, Integer> documentIndex,
      List<List<Wire>> outgoing,
      int[] inDegree,
      boolean[][] back) {
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
        if (isBack(back, current, to)) {
          continue;
        }
        if (--remaining[to] == 0) {
          ready.add(to);
        }
      }
    }
    if (count != n) {
      throw new IllegalStateException("the forward wires form a cycle (planner bug)");
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
