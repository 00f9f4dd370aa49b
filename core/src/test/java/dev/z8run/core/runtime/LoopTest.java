package dev.z8run.core.runtime;

import static dev.z8run.core.runtime.TestNodes.await;
import static dev.z8run.core.runtime.TestNodes.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.event.EngineListener;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.node.InjectResult;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Flows with loops (wires back to an earlier node or to the node itself), on the smallest inboxes:
 * a loop must not deadlock when its rings fill, every message either arrives or is dropped with an
 * error on the node that could not send it, and an execution ends when its last message is done.
 */
@ResourceLock(TestNodes.STATE)
class LoopTest {
  private static final int SMALL_INBOX = 4096;

  @Test
  void shouldRunACounterLoopToItsLimitAcrossWorkers() {
    Queue<String> received = freshQueue("out");
    try (Engine engine = engine(2)) {
      // in -> counter -(again)-> pass -> counter (back wire); counter -(done)-> out
      engine.deploy(
          flow(
              "count",
              List.of(
                  node("in", "trigger"),
                  node("counter", "counter", Map.of("limit", 1000)),
                  node("p", "pass"),
                  node("out", "record")),
              List.of(
                  new Wire("in", 0, "counter", 0),
                  new Wire("counter", 1, "p", 0),
                  new Wire("p", 0, "counter", 0),
                  new Wire("counter", 0, "out", 0))));
      int messages = 12;
      for (int i = 0; i < messages; i++) {
        assertEquals(InjectResult.ACCEPTED, engine.inject("count", "in", body(i)));
      }
      await("every message round the loop 1000 times", 30_000, () -> received.size() == messages);
      await("every execution complete", 10_000, () -> engine.metrics("count").live() == 0);
      assertEquals(ids(messages, 1000), Set.copyOf(received));
      FlowMetrics metrics = engine.metrics("count");
      assertEquals(messages, metrics.completed());
      assertEquals(0, metrics.failed());
      assertEquals(messages * 1000L, nodeMetrics(metrics, "counter").messagesIn());
      assertEquals(messages * 999L, nodeMetrics(metrics, "p").messagesIn());
      assertEquals(0, nodeMetrics(metrics, "p").drops());
    }
  }

  @Test
  void shouldRunANodeWiredToItself() {
    Queue<String> received = freshQueue("out");
    try (Engine engine = engine(1)) {
      engine.deploy(
          flow(
              "self",
              List.of(
                  node("in", "trigger"),
                  node("counter", "counter", Map.of("limit", 1000)),
                  node("out", "record")),
              List.of(
                  new Wire("in", 0, "counter", 0),
                  new Wire("counter", 1, "counter", 0),
                  new Wire("counter", 0, "out", 0))));
      for (int i = 0; i < 5; i++) {
        assertEquals(InjectResult.ACCEPTED, engine.inject("self", "in", body(i)));
      }
      await("five messages through the self-loop", 30_000, () -> received.size() == 5);
      await("every execution complete", 10_000, () -> engine.metrics("self").live() == 0);
      assertEquals(ids(5, 1000), Set.copyOf(received));
      assertEquals(5, engine.metrics("self").completed());
      assertEquals(5 * 1000L, nodeMetrics(engine.metrics("self"), "counter").messagesIn());
    }
  }

  @Test
  void shouldStopAFlowWhoseLoopNeverEnds() {
    try (Engine engine = engine(2)) {
      engine.deploy(
          flow(
              "endless",
              List.of(
                  node("in", "trigger"),
                  node("counter", "counter", Map.of("limit", Long.MAX_VALUE)),
                  node("p", "pass"),
                  node("out", "sink")),
              List.of(
                  new Wire("in", 0, "counter", 0),
                  new Wire("counter", 1, "p", 0),
                  new Wire("p", 0, "counter", 0),
                  new Wire("counter", 0, "out", 0))));
      for (int i = 0; i < 3; i++) {
        assertEquals(InjectResult.ACCEPTED, engine.inject("endless", "in", body(i)));
      }
      await(
          "the loop going round",
          10_000,
          () -> nodeMetrics(engine.metrics("endless"), "p").messagesIn() > 10_000);
      StopResult stopped = engine.stop("endless", 200);
      assertEquals(false, stopped.drained());
      assertEquals(3, stopped.abandonedExecutions());
      // where the three messages are at tear-down is not fixed: an inbox, the loop queue, or (seen
      // once on a clean checkout) none of the places discardQueued counts; the figure is at most 3
      assertTrue(stopped.abandonedMessages() <= 3, "abandoned " + stopped.abandonedMessages());
      assertEquals(false, engine.isRunning("endless"));
    }
  }

  @Test
  void shouldLoopThroughABlockingNode() {
    Queue<String> received = freshQueue("out");
    try (Engine engine = engine(2)) {
      engine.deploy(
          flow(
              "blocking-loop",
              List.of(
                  node("in", "trigger"),
                  node("counter", "counter", Map.of("limit", 200)),
                  node("b", "blocking", Map.of("sleepMs", 0)),
                  node("out", "record")),
              List.of(
                  new Wire("in", 0, "counter", 0),
                  new Wire("counter", 1, "b", 0),
                  new Wire("b", 0, "counter", 0),
                  new Wire("counter", 0, "out", 0))));
      for (int i = 0; i < 4; i++) {
        assertEquals(InjectResult.ACCEPTED, engine.inject("blocking-loop", "in", body(i)));
      }
      await("four messages round the loop", 30_000, () -> received.size() == 4);
      await("complete", 10_000, () -> engine.metrics("blocking-loop").live() == 0);
      assertEquals(ids(4, 200), Set.copyOf(received));
      assertEquals(0, engine.metrics("blocking-loop").failed());
    }
  }

  /**
   * Several producers keep a loop saturated: nothing may hang, and whatever does not arrive must be
   * a counted drop with an error event and a failed execution.
   */
  @Test
  void shouldNeitherDeadlockNorLoseMessagesSilentlyUnderLoad() throws Exception {
    Queue<String> received = freshQueue("out");
    Queue<String> errors = new ConcurrentLinkedQueue<>();
    try (Engine engine = engine(2)) {
      engine.addListener(
          new EngineListener() {
            @Override
            public void onNodeError(String flowId, String nodeId, long executionId, String text) {
              errors.add(nodeId + ": " + text);
            }
          });
      // two back wires into the counter: from p and from split (not taken: no "odd" in the bodies)
      engine.deploy(
          TestNodes.newFlow("busy")
              .node("in", "trigger")
              .node("counter", "counter", Map.of("limit", 50))
              .node("split", "two-out")
              .node("p", "pass")
              .node("out", "record")
              .wire("in", "counter")
              .wire("counter", 1, "split")
              .wire("split", "p")
              .wire("split", 1, "counter")
              .wire("p", "counter")
              .wire("counter", "out")
              .build());
      int producers = 3;
      int perProducer = 1_500;
      TestNodes.produce(
          engine, "busy", "in", producers, perProducer, (p, s) -> body(p * perProducer + s));
      int injected = producers * perProducer;
      await("every execution ended", 60_000, () -> engine.metrics("busy").live() == 0);
      FlowMetrics metrics = engine.metrics("busy");
      long drops = 0;
      for (NodeMetrics node : metrics.nodes()) {
        drops += node.drops();
      }
      assertEquals(injected, metrics.completed() + metrics.failed(), metrics.toString());
      assertEquals(metrics.completed(), received.size());
      // one message per execution: each failed execution is exactly one dropped message
      assertEquals(metrics.failed(), drops, metrics.toString());
      long finalDrops = drops;
      await("an error event per drop", 10_000, () -> errors.size() >= finalDrops);
      for (String error : errors) {
        assertTrue(error.contains("dropped on the loop wire"), error);
      }
      for (String body : received) {
        assertTrue(body.endsWith("\"count\":50}"), body);
      }
      assertTrue(nodeMetrics(metrics, "p").blocked() > 0, "the loop was meant to fill: " + metrics);
      Set<String> unique = new HashSet<>(received);
      assertEquals(received.size(), unique.size(), "a message arrived twice");
    }
  }

  private static Engine engine(int workers) {
    return new Engine(
        EngineConfig.builder().workers(workers).inboxBytes(SMALL_INBOX).build(),
        TestNodes.registry());
  }

  private static Flow flow(String id, List<FlowNode> nodes, List<Wire> wires) {
    return new Flow(id, id, "", nodes, wires);
  }

  private static Queue<String> freshQueue(String nodeId) {
    TestNodes.RECEIVED.remove(nodeId);
    return TestNodes.RECEIVED.computeIfAbsent(nodeId, k -> new ConcurrentLinkedQueue<>());
  }

  private static byte[] body(int id) {
    return ("{\"id\":" + id + "}").getBytes(StandardCharsets.UTF_8);
  }

  private static Set<String> ids(int messages, int count) {
    Set<String> expected = new HashSet<>();
    for (int i = 0; i < messages; i++) {
      expected.add("{\"id\":" + i + ",\"count\":" + count + "}");
    }
    return expected;
  }

  private static NodeMetrics nodeMetrics(FlowMetrics metrics, String nodeId) {
    for (NodeMetrics node : metrics.nodes()) {
      if (node.nodeId().equals(nodeId)) {
        return node;
      }
    }
    throw new AssertionError("no node " + nodeId);
  }
}
