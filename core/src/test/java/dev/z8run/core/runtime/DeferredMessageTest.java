package dev.z8run.core.runtime;

import static dev.z8run.core.runtime.TestNodes.await;
import static dev.z8run.core.runtime.TestNodes.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.node.Cancellable;
import dev.z8run.core.node.InjectResult;
import dev.z8run.core.node.Node;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.NodeTypeRegistry;
import dev.z8run.io.message.MessageFlyweight;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * Deferred messages ({@link Output#defer}): the copy keeps its share of the execution's credit
 * until the node handles it again on its worker, a cancelled copy gives it back, and a stopped flow
 * drops its timers.
 */
@ResourceLock(TestNodes.STATE)
class DeferredMessageTest {
  private static final Queue<String> DEFERRED_TAGS = new ConcurrentLinkedQueue<>();
  private static final Queue<Thread> THREADS = new ConcurrentLinkedQueue<>();
  private Engine engine;

  /** Forwards its input at once and a deferred copy later (or cancels the copy at once). */
  private static final class Deferrer implements Node {
    private final long delayMs;
    private final boolean cancel;

    Deferrer(long delayMs, boolean cancel) {
      this.delayMs = delayMs;
      this.cancel = cancel;
    }

    @Override
    public void onMessage(MessageFlyweight msg, Output out) {
      THREADS.add(Thread.currentThread());
      out.forward(0, msg);
      Cancellable handle = out.defer(msg, delayMs, 7);
      if (cancel) {
        handle.cancel();
      }
    }

    @Override
    public void onDeferred(MessageFlyweight msg, int tag, Output out) {
      THREADS.add(Thread.currentThread());
      DEFERRED_TAGS.add(tag + ":" + msg.jsonString());
      out.forward(0, msg);
    }
  }

  @AfterEach
  void tearDown() {
    engine.close();
    DEFERRED_TAGS.clear();
    THREADS.clear();
  }

  private void deploy(long delayMs, boolean cancel) {
    TestNodes.RECEIVED.remove("out");
    NodeTypeRegistry registry = TestNodes.registry();
    registry.register(
        NodeType.builder("deferrer")
            .factory(
                ctx ->
                    new Deferrer(ctx.configLong("delayMs", 0), ctx.configBoolean("cancel", false)))
            .build());
    engine = new Engine(EngineConfig.builder().workers(2).build(), registry);
    engine.deploy(
        new Flow(
            "f",
            "f",
            "",
            List.of(
                node("in", "source"),
                node("d", "deferrer", Map.of("delayMs", delayMs, "cancel", cancel)),
                node("out", "record")),
            List.of(new Wire("in", 0, "d", 0), new Wire("d", 0, "out", 0))));
  }

  private void inject(String json) {
    assertEquals(
        InjectResult.ACCEPTED, engine.inject("f", "in", json.getBytes(StandardCharsets.UTF_8)));
  }

  private long received() {
    Queue<String> queue = TestNodes.RECEIVED.get("out");
    return queue == null ? 0 : queue.size();
  }

  @Test
  void shouldKeepTheExecutionOpenUntilTheDeferredCopyIsHandledOnTheNodesWorker() {
    deploy(200, false);

    inject("{\"payload\":1}");

    await("the deferred copy", 10_000, () -> received() == 2);
    await("completion", 10_000, () -> engine.metrics("f").completed() == 1);
    assertEquals(List.of("7:{\"payload\":1}"), List.copyOf(DEFERRED_TAGS));
    assertEquals(1, THREADS.stream().distinct().count(), "one worker ran both calls");
  }

  @Test
  void shouldReturnTheCreditOfACancelledCopy() {
    deploy(60_000, true);

    inject("{\"payload\":1}");

    await("completion", 10_000, () -> engine.metrics("f").completed() == 1);
    assertEquals(1, received());
    assertTrue(DEFERRED_TAGS.isEmpty());
  }

  @Test
  void shouldDropTheTimersOfAStoppedFlow() {
    deploy(60_000, false);
    inject("{\"payload\":1}");
    await("the first copy", 10_000, () -> received() == 1);
    FlowMetrics held = engine.metrics("f");
    assertEquals(1, held.live(), "the deferred copy holds the execution open");
    assertEquals(0, held.completed());

    StopResult stopped = engine.stop("f", 0);

    assertEquals(1, stopped.abandonedExecutions(), "the held execution is abandoned");
    assertTrue(DEFERRED_TAGS.isEmpty());
  }
}
