package dev.z8run.core.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.plan.ExecutionPlan;
import dev.z8run.core.plan.ExecutionPlan.PlannedNode;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.message.MessageDescriptor;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Plans are built by hand here, so the sizing is tested apart from the planner's choices. */
class InboxSizingTest {
  private static final int FULL = 1 << 20;
  private static final int SMALL = InboxSizing.SMALL_INBOX_BYTES;
  private static final NodeType PASS =
      NodeType.builder("pass").factory(ctx -> (msg, out) -> {}).build();
  private static final NodeType BLOCKING =
      NodeType.builder("blocking").blocking(true).factory(ctx -> (msg, out) -> {}).build();

  @Test
  void shouldKeepTheLargestInlineRecordWithinAnEighthOfTheSmallInbox() {
    assertEquals(256 * 1024, SMALL);
    assertTrue(
        SMALL / 8 >= MessageDescriptor.HEADER_LENGTH + MessageDescriptor.BY_REFERENCE_BYTES,
        "an Agrona ring takes records up to an eighth of its capacity");
  }

  @Test
  void shouldGiveTheTriggerTheFullInboxAndAChainOnOneWorkerSmallOnes() {
    // in -> a -> b -> c, all on worker 0
    ExecutionPlan plan =
        plan(new int[] {0, 0, 0, 0}, List.of(PASS, PASS, PASS, PASS), wires(4, 0, 1, 1, 2, 2, 3));

    assertArrayEquals(new int[] {FULL, SMALL, SMALL, SMALL}, InboxSizing.inboxBytes(plan, FULL));
  }

  @Test
  void shouldGiveTheFullInboxWhereAWireCrossesToAnotherWorker() {
    // in -> a -> | b -> c: b's messages come through its ring from worker 0
    ExecutionPlan plan =
        plan(new int[] {0, 0, 1, 1}, List.of(PASS, PASS, PASS, PASS), wires(4, 0, 1, 1, 2, 2, 3));

    assertArrayEquals(new int[] {FULL, SMALL, FULL, SMALL}, InboxSizing.inboxBytes(plan, FULL));
  }

  @Test
  void shouldGiveTheFullInboxToTheTargetsOfAFanOutAndToAFanIn() {
    // in -> a, in -> b (one port, two wires); a -> j, b -> j
    ExecutionPlan plan =
        plan(
            new int[] {0, 0, 0, 0},
            List.of(PASS, PASS, PASS, PASS),
            wires(4, 0, 1, 0, 2, 1, 3, 2, 3));

    assertArrayEquals(new int[] {FULL, FULL, FULL, FULL}, InboxSizing.inboxBytes(plan, FULL));
  }

  @Test
  void shouldGiveTheFullInboxToABlockingNodeAndToWhatFollowsIt() {
    // in -> blocking -> a -> b
    ExecutionPlan plan =
        plan(
            new int[] {0, 0, 0, 0},
            List.of(PASS, BLOCKING, PASS, PASS),
            wires(4, 0, 1, 1, 2, 2, 3));

    assertArrayEquals(new int[] {FULL, FULL, FULL, SMALL}, InboxSizing.inboxBytes(plan, FULL));
  }

  @Test
  void shouldGiveTheFullInboxToTheTargetOfABackWire() {
    // in -> a -> b, and b -> a back: a has two wires in; b's one wire is a plain continuation
    ExecutionPlan plan =
        plan(new int[] {0, 0, 0}, List.of(PASS, PASS, PASS), wires(3, 0, 1, 1, 2, 2, 1));

    assertArrayEquals(new int[] {FULL, FULL, SMALL}, InboxSizing.inboxBytes(plan, FULL));
    // a self-loop on a node whose only wire in is the back wire
    ExecutionPlan self = plan(new int[] {0}, List.of(PASS), wires(1, 0, 0));
    assertArrayEquals(new int[] {FULL}, InboxSizing.inboxBytes(self, FULL));
  }

  @Test
  void shouldNeverGiveMoreThanTheConfiguredInboxAndRoundItToAPowerOfTwo() {
    ExecutionPlan plan = plan(new int[] {0, 0}, List.of(PASS, PASS), wires(2, 0, 1));

    assertArrayEquals(new int[] {4096, 4096}, InboxSizing.inboxBytes(plan, 4096));
    assertArrayEquals(new int[] {1 << 19, SMALL}, InboxSizing.inboxBytes(plan, 300_000));
  }

  @Test
  void shouldCountTheInboxesAndTheExecutionTableOfAFlow() {
    ExecutionPlan plan = plan(new int[] {0, 0, 0}, List.of(PASS, PASS, PASS), wires(3, 0, 1, 1, 2));
    EngineConfig config = EngineConfig.builder().maxExecutionsPerFlow(1000).build();

    long rings = InboxSizing.ringReservedBytes(FULL) + 2 * InboxSizing.ringReservedBytes(SMALL);
    // 1,024 slots, the cursor's line, a line of alignment
    assertEquals(1024L * 64 + 64 + 64 + rings, InboxSizing.flowReservedBytes(plan, config));
  }

  /** Wires as pairs of plan indexes (from, to), all from port 0 to port 0. */
  private static int[][] wires(int count, int... pairs) {
    int[][] result = new int[pairs.length / 2][];
    for (int i = 0; i < result.length; i++) {
      result[i] = new int[] {pairs[2 * i], pairs[2 * i + 1]};
    }
    return result;
  }

  /**
   * A plan of nodes n0..n(k-1) in this order; a wire to an index at or before its source is a back
   * wire.
   */
  private static ExecutionPlan plan(int[] workers, List<NodeType> types, int[][] wires) {
    int count = workers.length;
    List<PlannedNode> nodes = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      NodeType type = types.get(i);
      nodes.add(
          new PlannedNode(
              i,
              new FlowNode("n" + i, type.name(), "", 0, 0, false, Map.of()),
              type,
              Map.of(),
              1,
              1,
              workers[i],
              false));
    }
    int[][][] targets = new int[count][1][];
    int[][][] targetPorts = new int[count][1][];
    boolean[][][] loopBack = new boolean[count][1][];
    for (int i = 0; i < count; i++) {
      List<Integer> to = new ArrayList<>();
      for (int[] wire : wires) {
        if (wire[0] == i) {
          to.add(wire[1]);
        }
      }
      targets[i][0] = to.stream().mapToInt(Integer::intValue).toArray();
      targetPorts[i][0] = new int[to.size()];
      loopBack[i][0] = new boolean[to.size()];
      for (int k = 0; k < to.size(); k++) {
        loopBack[i][0][k] = to.get(k) <= i;
      }
    }
    Flow flow = new Flow("f", "test", "", List.of(), List.of());
    return new ExecutionPlan(flow, nodes, targets, targetPorts, loopBack, 2);
  }
}
