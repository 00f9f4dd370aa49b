package dev.z8run.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.config.EngineConfig;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * A node's busy time ({@link NodeMetrics#busyNs}): the time its worker spent running it, measured
 * around each poll that took messages (with the chain fused behind it). A busy worker's cycle takes
 * its start from the clock read at the end of the cycle just before; the time the worker waited for
 * work must never be counted.
 */
@ResourceLock(TestNodes.STATE)
class BusyTimeTest {
  private static final long SPIN_NS = 2_000_000;
  private static final byte[] BODY = "{\"payload\":1}".getBytes(StandardCharsets.UTF_8);

  @Test
  void shouldCountTheTimeSpentInTheNodeAndNotTheWaitsBetweenMessages() throws Exception {
    try (Engine engine = new Engine(EngineConfig.builder().workers(1).build(), registry())) {
      engine.deploy(slowFlow());
      Engine.CounterReader out = engine.counter("busy", "out", NodeCounters.MESSAGES_IN);
      int messages = 6;
      for (int i = 1; i <= messages; i++) {
        // queued (not run on this thread), so that the worker's duty cycle runs the node
        TestNodes.injectAccepted(engine, "busy", "in", BODY);
        int sent = i;
        TestNodes.await("message " + i + " through", 10_000, () -> out.get() == sent);
        // the worker waits here for the next message: parked, or spinning after its last cycle
        Thread.sleep(i % 2 == 0 ? 150 : 3);
      }
      long busyNs = busyNs(engine);
      assertTrue(
          busyNs >= messages * SPIN_NS,
          "the node spins " + SPIN_NS + " ns per message; busy " + busyNs + " ns");
      // six messages of 2 ms each took a few ms of work; ~460 ms went by waiting for them
      assertTrue(
          busyNs < messages * SPIN_NS + 100_000_000L,
          "the waits between messages were counted: busy " + busyNs + " ns");
    }
  }

  @Test
  void shouldCountEveryMessageOfAStreamThatKeepsTheWorkerBusy() {
    try (Engine engine = new Engine(EngineConfig.builder().workers(1).build(), registry())) {
      engine.deploy(slowFlow());
      Engine.CounterReader out = engine.counter("busy", "out", NodeCounters.MESSAGES_IN);
      int messages = 40;
      long startNs = System.nanoTime();
      for (int i = 0; i < messages; i++) {
        TestNodes.injectAccepted(engine, "busy", "in", BODY);
      }
      TestNodes.await("the stream through", 20_000, () -> out.get() == messages);
      // the chain runs inside its first node's poll, whose time is added when the poll returns:
      // after the sink counted the last message (one poll took all 40 when the worker woke late)
      TestNodes.await("the stream's busy time", 20_000, () -> busyNs(engine) >= messages * SPIN_NS);
      long elapsedNs = System.nanoTime() - startNs;
      long busyNs = busyNs(engine);
      assertTrue(busyNs >= messages * SPIN_NS, "busy " + busyNs + " ns for " + messages);
      assertTrue(busyNs <= elapsedNs, "busy " + busyNs + " ns in " + elapsedNs + " ns");
      assertEquals(messages, out.get());
    }
  }

  /**
   * The flow's busy time: a chain fused on one worker runs inside its first node's poll, which
   * counts the whole chain's time.
   */
  private static long busyNs(Engine engine) {
    long busyNs = 0;
    for (NodeMetrics node : engine.metrics("busy").nodes()) {
      busyNs += node.busyNs();
    }
    return busyNs;
  }

  private static dev.z8run.core.registry.NodeTypeRegistry registry() {
    return TestNodes.registry();
  }

  private static dev.z8run.core.flow.Flow slowFlow() {
    return new dev.z8run.core.flow.Flow(
        "busy",
        "busy",
        "",
        List.of(
            TestNodes.node("in", "trigger"),
            TestNodes.node("slow", "slow", Map.of("spinNs", SPIN_NS)),
            TestNodes.node("out", "sink")),
        List.of(
            new dev.z8run.core.flow.Wire("in", 0, "slow", 0),
            new dev.z8run.core.flow.Wire("slow", 0, "out", 0)));
  }
}
