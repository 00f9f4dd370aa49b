package dev.z8run.core.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.plan.ExecutionPlan.PlannedNode;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeCost;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.NodeTypeRegistry;
import dev.z8run.core.registry.PortSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PlannerTest {
  private final NodeTypeRegistry registry =
      new NodeTypeRegistry()
          .register(type("inject").inputs().build())
          .register(type("pass").build())
          .register(type("http-in").inputs().runsOnCaller(true).build())
          .register(type("sink").outputs().build())
          .register(type("light-source").inputs().cost(NodeCost.LIGHT).build())
          .register(type("light").cost(NodeCost.LIGHT).build())
          .register(type("light-sink").outputs().cost(NodeCost.LIGHT).build())
          .register(type("blocking-light").blocking(true).cost(NodeCost.LIGHT).build())
          .register(
              type("split")
                  .outputs(PortSpec.any("first"), PortSpec.any("second"), PortSpec.any("third"))
                  .build())
          .register(type("join").inputs(PortSpec.any("left"), PortSpec.any("right")).build())
          .register(
              type("switch")
                  .outputs(PortSpec.any("default"))
                  .outputCount(
                      config -> ((List<?>) config.getOrDefault("rules", List.of())).size() + 1)
                  .build())
          .register(
              type("delay")
                  .field(ConfigField.optional("timeoutMs", FieldType.INTEGER, 1000L, "how long"))
                  .field(ConfigField.optional("unit", FieldType.STRING, "ms", "time unit"))
                  .field(ConfigField.optional("label", FieldType.STRING, null, "no default"))
                  .build());
  private final Planner planner = new Planner(registry);

  @Test
  void shouldOrderNodesTopologicallyWhateverTheirDocumentOrder() {
    Flow flow =
        flow(
            List.of(node("c", "sink"), node("b", "pass"), node("a", "inject")),
            List.of(wire("a", "b"), wire("b", "c")));

    ExecutionPlan plan = planner.plan(flow, 1, 0);

    assertEquals(List.of("a", "b", "c"), ids(plan));
  }

  @Test
  void shouldKeepDocumentOrderAmongUnconnectedNodes() {
    Flow flow = flow(List.of(node("z", "pass"), node("x", "pass"), node("y", "pass")), List.of());

    assertEquals(List.of("z", "x", "y"), ids(planner.plan(flow, 1, 0)));
  }

  @Test
  void shouldBreakTiesByPickingTheEarliestReadyNodeInDocumentOrder() {
    // diamond: s feeds r and l, both feed j; r comes before l in the document
    Flow diamond =
        flow(
            List.of(node("s", "inject"), node("j", "join"), node("r", "pass"), node("l", "pass")),
            List.of(wire("s", "l"), wire("s", "r"), wire("l", "j"), wire("r", "j", 1)));
    assertEquals(List.of("s", "r", "l", "j"), ids(planner.plan(diamond, 1, 0)));

    // a node that becomes ready later still goes before a later node of the document
    Flow chains =
        flow(
            List.of(node("a1", "inject"), node("a2", "pass"), node("b1", "inject")),
            List.of(wire("a1", "a2")));
    assertEquals(List.of("a1", "a2", "b1"), ids(planner.plan(chains, 1, 0)));
  }

  @Test
  void shouldKeepAFlowWithAnHttpInOnOneWorker() {
    // its executions run on the requests' threads (a type that runsOnCaller), which run the
    // trigger's worker's nodes only
    Flow flow =
        flow(
            List.of(node("in", "http-in"), node("change", "pass"), node("out", "sink")),
            List.of(wire("in", "change"), wire("change", "out")));

    assertArrayEquals(new int[] {1, 1, 1}, workers(planner.plan(flow, 2, 1)));
    assertArrayEquals(new int[] {0, 0, 0}, workers(planner.plan(flow, 4, 4)));
    // the same chain from another trigger is cut over the workers
    Flow injected =
        flow(
            List.of(node("in", "inject"), node("change", "pass"), node("out", "sink")),
            List.of(wire("in", "change"), wire("change", "out")));
    assertArrayEquals(new int[] {1, 1, 0}, workers(planner.plan(injected, 2, 1)));
  }

  @Test
  void shouldKeepEachOfTwoIndependentChainsOnOneWorker() {
    Flow flow =
        flow(
            List.of(
                node("a1", "inject"),
                node("a2", "pass"),
                node("a3", "sink"),
                node("b1", "inject"),
                node("b2", "pass"),
                node("b3", "sink")),
            List.of(wire("a1", "a2"), wire("a2", "a3"), wire("b1", "b2"), wire("b2", "b3")));

    ExecutionPlan plan = planner.plan(flow, 2, 0);

    int[] workers = workers(plan);
    assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1}, workers, "workers in plan order " + ids(plan));
    assertEquals(List.of("a1", "a2", "a3", "b1", "b2", "b3"), ids(plan));
  }

  @Test
  void shouldDropDisabledNodesAndTheirWires() {
    Flow flow =
        flow(
            List.of(
                node("a", "inject"),
                disabled("d", "pass"),
                node("c", "sink"),
                disabled("e", "inject"),
                node("f", "sink")),
            List.of(wire("a", "d"), wire("d", "c"), wire("a", "c"), wire("e", "f")));

    ExecutionPlan plan = planner.plan(flow, 1, 0);

    assertEquals(List.of("a", "c", "f"), ids(plan));
    assertEquals(-1, plan.indexOf("d"));
    assertEquals(-1, plan.indexOf("e"));
    assertArrayEquals(new int[] {plan.indexOf("c")}, plan.targets()[plan.indexOf("a")][0]);
    assertArrayEquals(new int[] {0, 1, 0}, plan.inDegrees());
  }

  @Test
  void shouldFanOutOnePortToEveryWiredNodeInWireOrder() {
    Flow flow =
        flow(
            List.of(node("src", "inject"), node("x", "sink"), node("y", "sink"), node("j", "join")),
            List.of(wire("src", "y"), wire("src", "j", 1), wire("src", "x")));

    ExecutionPlan plan = planner.plan(flow, 1, 0);

    int src = plan.indexOf("src");
    assertEquals(1, plan.targets()[src].length);
    assertArrayEquals(
        new int[] {plan.indexOf("y"), plan.indexOf("j"), plan.indexOf("x")},
        plan.targets()[src][0]);
    assertArrayEquals(new int[] {0, 1, 0}, plan.targetPorts()[src][0]);
  }

  @Test
  void shouldIndexEachOutputPortOfMultiPortNodes() {
    Flow flow =
        flow(
            List.of(node("s", "split"), node("j", "join"), node("k", "sink")),
            List.of(wire("s", 2, "j", 1), wire("s", 0, "k", 0), wire("s", 2, "k", 0)));

    ExecutionPlan plan = planner.plan(flow, 1, 0);

    int s = plan.indexOf("s");
    int j = plan.indexOf("j");
    int k = plan.indexOf("k");
    PlannedNode split = plan.nodes().get(s);
    assertEquals(3, split.outputCount());
    assertEquals(1, split.inputCount());
    assertEquals(2, plan.nodes().get(j).inputCount());
    assertEquals(0, plan.nodes().get(k).outputCount());
    assertEquals(3, plan.targets()[s].length);
    assertArrayEquals(new int[] {k}, plan.targets()[s][0]);
    assertArrayEquals(new int[0], plan.targets()[s][1]);
    assertArrayEquals(new int[] {j, k}, plan.targets()[s][2]);
    assertArrayEquals(new int[] {0}, plan.targetPorts()[s][0]);
    assertArrayEquals(new int[0], plan.targetPorts()[s][1]);
    assertArrayEquals(new int[] {1, 0}, plan.targetPorts()[s][2]);
    assertEquals(0, plan.targets()[k].length);
  }

  @Test
  void shouldSizePortArraysFromConfigOfDynamicTypes() {
    Map<String, Object> config = Map.of("rules", List.of("r1", "r2"));
    Flow flow =
        flow(
            List.of(node("sw", "switch", config), node("k", "sink")),
            List.of(wire("sw", 2, "k", 0)));

    ExecutionPlan plan = planner.plan(flow, 1, 0);

    int sw = plan.indexOf("sw");
    assertEquals(3, plan.nodes().get(sw).outputCount());
    assertEquals(3, plan.targets()[sw].length);
    assertArrayEquals(new int[] {plan.indexOf("k")}, plan.targets()[sw][2]);
  }

  @Test
  void shouldGiveEachNodeItsPlanPositionAsIndex() {
    Flow flow =
        flow(
            List.of(node("b", "pass"), node("a", "inject"), node("c", "sink")),
            List.of(wire("a", "b"), wire("b", "c")));

    ExecutionPlan plan = planner.plan(flow, 1, 0);

    for (int i = 0; i < plan.nodes().size(); i++) {
      assertEquals(i, plan.nodes().get(i).index());
      assertEquals(i, plan.indexOf(plan.nodes().get(i).node().id()));
    }
    assertEquals(registry.find("pass"), plan.nodes().get(plan.indexOf("b")).type());
    assertEquals(1, plan.workerCount());
    assertEquals(flow, plan.flow());
  }

  /** Scenario a2's shape: a light source, {@code length} light nodes, a light sink. */
  private static Flow lightChain(String sourceType, int length) {
    List<FlowNode> nodes = new ArrayList<>(List.of(node("src", sourceType)));
    List<Wire> wires = new ArrayList<>();
    String previous = "src";
    for (int i = 1; i <= length; i++) {
      nodes.add(node("p" + i, "light"));
      wires.add(wire(previous, "p" + i));
      previous = "p" + i;
    }
    nodes.add(node("sink", "light-sink"));
    wires.add(wire(previous, "sink"));
    return flow(nodes, wires);
  }

  @Test
  void shouldCutALongLightRunFedByATriggerInTwoWithTheShorterHeadFirst() {
    // scenario a2: the trigger and three light nodes for the thread that feeds it, the other eight
    // on the next worker
    Flow flow = lightChain("light-source", 10);

    for (int firstWorker = 0; firstWorker < 5; firstWorker++) {
      ExecutionPlan plan = planner.plan(flow, 4, firstWorker);

      int[] expected = new int[12];
      Arrays.fill(expected, 0, 4, firstWorker % 4);
      Arrays.fill(expected, 4, 12, (firstWorker + 1) % 4);
      assertEquals(
          List.of("src", "p1", "p2", "p3", "p4", "p5", "p6", "p7", "p8", "p9", "p10", "sink"),
          ids(plan));
      assertArrayEquals(expected, workers(plan), "firstWorker=" + firstWorker);
      assertTrue(plan.nodes().get(plan.indexOf("src")).callerHead());
      assertFalse(plan.nodes().get(plan.indexOf("p1")).callerHead());
    }
    ExecutionPlan one = planner.plan(flow, 1, 3);
    assertArrayEquals(new int[12], workers(one), "one worker: not cut");
    assertFalse(one.nodes().get(one.indexOf("src")).callerHead());
  }

  @Test
  void shouldKeepAShortLightRunOrOneWithoutATriggerOnOneWorker() {
    // seven nodes (scenario d's length): below the length worth a hand-over
    ExecutionPlan shortRun = planner.plan(lightChain("light-source", 5), 2, 1);
    assertEquals(1, Arrays.stream(workers(shortRun)).distinct().count());
    assertFalse(shortRun.nodes().get(shortRun.indexOf("src")).callerHead());
    // the same long run behind a wire in: nobody feeds its first node from outside the engine
    List<FlowNode> nodes = new ArrayList<>(List.of(node("in", "inject"), node("x", "light")));
    List<Wire> wires = new ArrayList<>(List.of(wire("in", "x")));
    String previous = "x";
    for (int i = 1; i <= 10; i++) {
      nodes.add(node("p" + i, "light"));
      wires.add(wire(previous, "p" + i));
      previous = "p" + i;
    }
    ExecutionPlan plan = planner.plan(flow(nodes, wires), 2, 0);
    int[] workers = workers(plan);
    for (int i = 2; i < workers.length; i++) {
      assertEquals(workers[1], workers[i], "the light run x..p10 on one worker " + ids(plan));
    }
  }

  @Test
  void shouldSpreadTheBranchesOfALightFanOutAsBefore() {
    // scenario b's shape: a source wired to eight branches, all wired to one sink
    Flow light = fanOut("light-source", "light", "light-sink");
    Flow normal = fanOut("inject", "pass", "sink");

    int[] workers = workers(planner.plan(light, 2, 0));

    assertArrayEquals(workers(planner.plan(normal, 2, 0)), workers);
    assertEquals(Set.of(0, 1), Arrays.stream(workers).boxed().collect(Collectors.toSet()));
  }

  @Test
  void shouldCutAChainAtItsNormalNodesOnly() {
    // light-source, l1..l3, a normal node, l4, l5, light-sink: two light runs around it
    Flow flow =
        flow(
            List.of(
                node("src", "light-source"),
                node("l1", "light"),
                node("l2", "light"),
                node("l3", "light"),
                node("h", "pass"),
                node("l4", "light"),
                node("l5", "light"),
                node("sink", "light-sink")),
            List.of(
                wire("src", "l1"),
                wire("l1", "l2"),
                wire("l2", "l3"),
                wire("l3", "h"),
                wire("h", "l4"),
                wire("l4", "l5"),
                wire("l5", "sink")));

    ExecutionPlan plan = planner.plan(flow, 2, 0);

    assertEquals(List.of("src", "l1", "l2", "l3", "h", "l4", "l5", "sink"), ids(plan));
    assertArrayEquals(new int[] {0, 0, 0, 0, 1, 1, 1, 1}, workers(plan));
  }

  @Test
  void shouldEndALightRunAtABranchOrAJoin() {
    // l1 sends to l2 and l3 (a branch of two), both reach l4 (a join): no run joins any two of
    // them, so the cut is the plain one over the order
    Flow flow =
        flow(
            List.of(
                node("l1", "light-source"),
                node("l2", "light"),
                node("l3", "light"),
                node("l4", "light-sink")),
            List.of(wire("l1", "l2"), wire("l1", "l3"), wire("l2", "l4"), wire("l3", "l4")));

    assertArrayEquals(new int[] {0, 0, 1, 1}, workers(planner.plan(flow, 2, 0)));
  }

  @Test
  void shouldTreatABlockingTypeAsNormalWhateverItDeclares() {
    assertEquals(NodeCost.NORMAL, registry.find("blocking-light").cost());
    assertEquals(NodeCost.NORMAL, registry.find("pass").cost());
    assertEquals(NodeCost.LIGHT, registry.find("light").cost());
    Flow flow =
        flow(
            List.of(
                node("a", "light-source"),
                node("b", "blocking-light"),
                node("c", "light"),
                node("d", "light-sink")),
            List.of(wire("a", "b"), wire("b", "c"), wire("c", "d")));

    assertArrayEquals(new int[] {0, 0, 1, 1}, workers(planner.plan(flow, 2, 0)));
  }

  private static Flow fanOut(String source, String branch, String sink) {
    List<FlowNode> nodes = new ArrayList<>(List.of(node("src", source), node("sink", sink)));
    List<Wire> wires = new ArrayList<>();
    for (int b = 1; b <= 8; b++) {
      nodes.add(node("b" + b, branch));
      wires.add(wire("src", "b" + b));
      wires.add(wire("b" + b, "sink"));
    }
    return flow(nodes, wires);
  }

  @Test
  void shouldPartitionLongChainIntoContiguousEvenRunsCoveringAllWorkers() {
    for (int workerCount = 1; workerCount <= 5; workerCount++) {
      for (int length = workerCount; length <= 23; length++) {
        int[] workers = workers(planner.plan(chain(length), workerCount, 0));

        String context =
            length + " nodes on " + workerCount + " workers: " + Arrays.toString(workers);
        assertEquals(0, workers[0], context);
        int[] runLengths = new int[workerCount];
        for (int p = 0; p < length; p++) {
          if (p > 0) {
            assertTrue(
                workers[p] == workers[p - 1] || workers[p] == workers[p - 1] + 1,
                "runs are contiguous and in worker order: " + context);
          }
          runLengths[workers[p]]++;
        }
        int shortest = Arrays.stream(runLengths).min().orElseThrow();
        int longest = Arrays.stream(runLengths).max().orElseThrow();
        assertTrue(shortest >= 1, "every worker gets a run: " + context);
        assertTrue(longest - shortest <= 1, "runs differ by at most one node: " + context);
      }
    }
  }

  @Test
  void shouldStartTheFirstRunOnFirstWorkerAndRotateTheRest() {
    int[] base = workers(planner.plan(chain(10), 4, 0));

    for (int firstWorker = 0; firstWorker < 9; firstWorker++) {
      int[] rotated = workers(planner.plan(chain(10), 4, firstWorker));

      for (int p = 0; p < base.length; p++) {
        assertEquals((base[p] + firstWorker) % 4, rotated[p], "firstWorker=" + firstWorker);
      }
    }
  }

  @Test
  void shouldPutSingleNodeFlowOnFirstWorker() {
    for (int firstWorker = 0; firstWorker < 4; firstWorker++) {
      assertArrayEquals(new int[] {firstWorker}, workers(planner.plan(chain(1), 4, firstWorker)));
    }
  }

  @Test
  void shouldKeepWorkersInRangeForNegativeFirstWorker() {
    int[] workers = workers(planner.plan(chain(8), 4, -1));

    assertArrayEquals(new int[] {3, 3, 0, 0, 1, 1, 2, 2}, workers);
  }

  @Test
  void shouldRejectWorkerCountBelowOne() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> planner.plan(chain(2), 0, 0));

    assertTrue(e.getMessage().contains("workerCount=0"), e.getMessage());
  }

  @Test
  void shouldFillAbsentConfigFieldsWithSchemaDefaults() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("unit", "s");
    config.put("extra", 1L);
    Flow flow = flow(List.of(node("d", "delay", config)), List.of());

    PlannedNode planned = planner.plan(flow, 1, 0).nodes().get(0);

    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("unit", "s");
    expected.put("extra", 1L);
    expected.put("timeoutMs", 1000L);
    assertEquals(expected, planned.config());
    assertFalse(planned.config().containsKey("label"), "a field without default stays absent");
    assertEquals(config, planned.node().config(), "the node's own config is left alone");
  }

  @Test
  void shouldFillExplicitNullWithDefault() {
    Map<String, Object> config = new HashMap<>();
    config.put("timeoutMs", null);

    Map<String, Object> merged = Planner.withDefaults(registry.find("delay"), config);

    assertEquals(Map.of("timeoutMs", 1000L, "unit", "ms"), merged);
  }

  @Test
  void shouldRejectUnknownTypeNamingTheNode() {
    Flow flow =
        flow(
            List.of(node("a", "inject"), node("mystery", "no-such-type")),
            List.of(wire("a", "mystery")));

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> planner.plan(flow, 1, 0));

    assertTrue(e.getMessage().contains("'mystery'"), e.getMessage());
    assertTrue(e.getMessage().contains("'no-such-type'"), e.getMessage());
  }

  @Test
  void shouldMarkTheWireThatClosesALoopAndOrderTheRest() {
    Flow flow =
        flow(
            List.of(node("c", "pass"), node("b", "pass"), node("a", "inject"), node("s", "pass")),
            List.of(wire("a", "b"), wire("b", "c"), wire("c", "b"), wire("s", "s")));

    ExecutionPlan plan = planner.plan(flow, 1, 0);

    // DFS from c (first in the document) makes b -> c the back wire; c and a both precede b
    assertEquals(List.of("c", "a", "b", "s"), ids(plan));
    int b = plan.indexOf("b");
    int c = plan.indexOf("c");
    int s = plan.indexOf("s");
    assertArrayEquals(new int[] {c}, plan.targets()[b][0]);
    assertTrue(plan.loopBack()[b][0][0]);
    assertFalse(plan.loopBack()[c][0][0]);
    assertFalse(plan.loopBack()[plan.indexOf("a")][0][0]);
    assertTrue(plan.loopBack()[s][0][0], "a wire to its own node is a back wire");
  }

  @Test
  void shouldLeaveForwardWiresAcyclicInRandomGraphs() {
    Random random = new Random(14);
    for (int round = 0; round < 200; round++) {
      int n = 1 + random.nextInt(12);
      List<FlowNode> nodes = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        nodes.add(node("n" + i, "pass"));
      }
      Set<List<Integer>> pairs = new HashSet<>();
      List<Wire> wires = new ArrayList<>();
      for (int k = random.nextInt(3 * n + 1); k > 0; k--) {
        int from = random.nextInt(n);
        int to = random.nextInt(n);
        if (pairs.add(List.of(from, to))) {
          wires.add(wire("n" + from, "n" + to));
        }
      }
      ExecutionPlan plan = planner.plan(flow(nodes, wires), 1, 0);
      int backs = 0;
      for (int from = 0; from < n; from++) {
        for (int k = 0; k < plan.targets()[from][0].length; k++) {
          int to = plan.targets()[from][0][k];
          boolean back = plan.loopBack()[from][0][k];
          // a forward wire goes later in the order, a back wire to the same node or an earlier one
          assertEquals(back, to <= from, "round " + round + " wire " + from + "->" + to);
          backs += back ? 1 : 0;
        }
      }
      assertTrue(backs <= wires.size());
    }
  }

  @Test
  void shouldPlanEmptyFlow() {
    ExecutionPlan plan = planner.plan(flow(List.of(), List.of()), 2, 1);

    assertEquals(0, plan.nodes().size());
    assertEquals(0, plan.targets().length);
    assertEquals(0, plan.targetPorts().length);
  }

  @Test
  void shouldOrderEveryWireFromEarlierToLaterNode() {
    // a random DAG: wires only go from lower to higher generation index, document order shuffled
    Random random = new Random(42);
    for (int round = 0; round < 50; round++) {
      int n = 2 + random.nextInt(12);
      List<FlowNode> nodes = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        nodes.add(node("n" + i, "pass"));
      }
      List<Wire> wires = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        for (int k = i + 1; k < n; k++) {
          if (random.nextInt(4) == 0) {
            wires.add(wire("n" + i, "n" + k));
          }
        }
      }
      Collections.shuffle(nodes, random);

      ExecutionPlan plan = planner.plan(flow(nodes, wires), 3, 0);

      Set<String> planned = new HashSet<>(ids(plan));
      assertEquals(n, planned.size());
      for (Wire w : wires) {
        assertTrue(plan.indexOf(w.fromNode()) < plan.indexOf(w.toNode()), w + " in " + ids(plan));
      }
    }
  }

  private static NodeType.Builder type(String name) {
    return NodeType.builder(name).factory(ctx -> (msg, out) -> {});
  }

  private static FlowNode node(String id, String type) {
    return node(id, type, Map.of());
  }

  private static FlowNode node(String id, String type, Map<String, Object> config) {
    return new FlowNode(id, type, "", 0, 0, false, config);
  }

  private static FlowNode disabled(String id, String type) {
    return new FlowNode(id, type, "", 0, 0, true, Map.of());
  }

  private static Wire wire(String from, String to) {
    return new Wire(from, 0, to, 0);
  }

  private static Wire wire(String from, String to, int toPort) {
    return new Wire(from, 0, to, toPort);
  }

  private static Wire wire(String from, int fromPort, String to, int toPort) {
    return new Wire(from, fromPort, to, toPort);
  }

  private static Flow flow(List<FlowNode> nodes, List<Wire> wires) {
    return new Flow("f", "test", "", nodes, wires);
  }

  /** inject, then pass nodes, in reverse document order to make the planner sort them. */
  private static Flow chain(int length) {
    List<FlowNode> nodes = new ArrayList<>();
    List<Wire> wires = new ArrayList<>();
    for (int i = 0; i < length; i++) {
      nodes.add(0, node("n" + i, i == 0 ? "inject" : "pass"));
      if (i > 0) {
        wires.add(wire("n" + (i - 1), "n" + i));
      }
    }
    return flow(nodes, wires);
  }

  private static List<String> ids(ExecutionPlan plan) {
    return plan.nodes().stream().map(p -> p.node().id()).toList();
  }

  private static int[] workers(ExecutionPlan plan) {
    return plan.nodes().stream().mapToInt(PlannedNode::worker).toArray();
  }
}
