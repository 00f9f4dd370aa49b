package dev.z8run.core.runtime;

import static dev.z8run.core.runtime.TestNodes.await;
import static dev.z8run.core.runtime.TestNodes.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.flow.Flow;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Queue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Back-pressure across a DAG with fan-out, fan-in, a blocking node and a slow node, on inboxes so
 * small that every one of them fills: everything must still arrive, exactly once, in a bounded
 * time. This is the deadlock-freedom argument (a DAG, outputs parked instead of blocking a worker)
 * put to work.
 */
@Isolated // saturates every worker on purpose: the others' deadlines would pay for it
@ResourceLock(TestNodes.STATE)
class BackPressureStressTest {
  @Test
  void shouldDeliverEverythingThroughSaturatedDagWithoutDeadlock() throws Exception {
    TestNodes.RECEIVED.clear();
    try (Engine engine =
        new Engine(
            EngineConfig.builder().workers(2).inboxBytes(4096).blockingConcurrency(4).build(),
            TestNodes.registry())) {
      //            +-> a1 -> a2 ------------+
      //  in -> split3 -> b1 (slow) ----------+-> join -> out
      //            +-> c1 (blocking) -> c2 --+
      //  in -----------------------------------^ (a direct wire too: fan-in of four producers)
      Flow flow =
          TestNodes.newFlow("dag")
              .node("in", "trigger")
              .node("split", "split", Map.of("copies", 2))
              .node("a1", "pass")
              .node("a2", "pass")
              .node("b1", "slow", Map.of("spinNs", 5_000))
              .node("c1", "blocking", Map.of("sleepMs", 0))
              .node("c2", "pass")
              .node("join", "pass")
              .node("out", "record")
              .wire("in", "split")
              .wire("in", "join")
              .wire("split", "a1")
              .wire("split", "b1")
              .wire("split", "c1")
              .wire("a1", "a2")
              .wire("a2", "join")
              .wire("b1", "join")
              .wire("c1", "c2")
              .wire("c2", "join")
              .wire("join", "out")
              .build();
      engine.deploy(flow);
      int producers = 3;
      int perProducer = 2_000;
      TestNodes.produce(
          engine,
          "dag",
          "in",
          producers,
          perProducer,
          (producer, s) ->
              ("{\"p\":" + producer + ",\"s\":" + s + "}").getBytes(StandardCharsets.UTF_8));
      // each source message reaches out 1 (direct) + 3 branches x 2 copies = 7 times
      int expected = producers * perProducer * 7;
      Queue<String> received = TestNodes.RECEIVED.get("out");
      await("every copy through the saturated DAG", 60_000, () -> received.size() == expected);
      await("every execution complete", 10_000, () -> engine.metrics("dag").live() == 0);
      FlowMetrics metrics = engine.metrics("dag");
      assertEquals(producers * perProducer, metrics.completed());
      assertEquals(0, metrics.failed());
      long blocked = 0;
      for (NodeMetrics node : metrics.nodes()) {
        assertEquals(0, node.drops(), node.nodeId());
        blocked += node.blocked();
      }
      assertTrue(blocked > 0, "the inboxes were meant to fill: " + metrics);
      assertTrue(metrics.rejected() > 0, "the trigger was meant to be refused at times");
    }
  }
}
