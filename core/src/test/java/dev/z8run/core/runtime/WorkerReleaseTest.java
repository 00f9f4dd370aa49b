package dev.z8run.core.runtime;

import static dev.z8run.core.runtime.TestNodes.await;
import static dev.z8run.core.runtime.TestNodes.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.node.InjectResult;
import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.NodeTypeRegistry;
import dev.z8run.io.message.MessageFlyweight;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * {@link NodeContext#releaseWorker}: a node whose call runs long lets its worker go on with the
 * other nodes (a stand-in thread carries the duty cycle), while its own inbox waits for the call,
 * so its messages stay in order; a stop waits for a detached call of the stopped flow to end.
 */
@ResourceLock(TestNodes.STATE)
class WorkerReleaseTest {
  private static final Queue<Boolean> RELEASED = new ConcurrentLinkedQueue<>();
  private static final AtomicInteger CALLS = new AtomicInteger();
  private static final AtomicBoolean IN_CALL = new AtomicBoolean();
  private static final AtomicBoolean STOPPED_DURING_CALL = new AtomicBoolean();
  private static volatile CountDownLatch gate;

  private Engine engine;

  /** Releases its worker, then waits at the gate (as a long script would run), then forwards. */
  private static final class Hog implements Node {
    private final NodeContext context;

    Hog(NodeContext context) {
      this.context = context;
    }

    @Override
    public void onMessage(MessageFlyweight msg, Output out) throws InterruptedException {
      IN_CALL.set(true);
      try {
        CALLS.incrementAndGet();
        RELEASED.add(context.releaseWorker());
        assertTrue(gate.await(30, TimeUnit.SECONDS), "the test opens the gate");
        out.forward(0, msg);
      } finally {
        IN_CALL.set(false);
      }
    }

    @Override
    public void onStop() {
      if (IN_CALL.get()) {
        STOPPED_DURING_CALL.set(true);
      }
    }
  }

  @BeforeEach
  void setUp() {
    NodeTypeRegistry registry = TestNodes.registry();
    registry.register(NodeType.builder("hog").factory(Hog::new).build());
    // one worker: the neighbour's nodes and the hog share it
    engine = new Engine(EngineConfig.builder().workers(1).build(), registry);
    engine.deploy(
        new Flow(
            "hogs",
            "hogs",
            "",
            List.of(node("in", "source"), node("hog", "hog"), node("hogOut", "record")),
            List.of(new Wire("in", 0, "hog", 0), new Wire("hog", 0, "hogOut", 0))));
    engine.deploy(
        new Flow(
            "neighbour",
            "neighbour",
            "",
            List.of(
                node("in", "source"),
                node("p1", "pass"),
                node("p2", "pass"),
                node("nOut", "record")),
            List.of(
                new Wire("in", 0, "p1", 0),
                new Wire("p1", 0, "p2", 0),
                new Wire("p2", 0, "nOut", 0))));
    gate = new CountDownLatch(1);
  }

  @AfterEach
  void tearDown() {
    gate.countDown();
    engine.close();
    RELEASED.clear();
    CALLS.set(0);
    STOPPED_DURING_CALL.set(false);
    TestNodes.RECEIVED.remove("hogOut");
    TestNodes.RECEIVED.remove("nOut");
  }

  private void inject(String flowId, int n) {
    byte[] json = ("{\"payload\":" + n + "}").getBytes(StandardCharsets.UTF_8);
    assertEquals(InjectResult.ACCEPTED, engine.inject(flowId, "in", json));
  }

  private static List<String> received(String node) {
    Queue<String> queue = TestNodes.RECEIVED.get(node);
    return queue == null ? List.of() : new ArrayList<>(queue);
  }

  @Test
  void shouldServeTheWorkersOtherNodesWhileAReleasedCallRunsAndKeepItsMessagesInOrder() {
    for (int i = 1; i <= 3; i++) {
      inject("hogs", i);
    }
    await("the hog's first call", 10_000, () -> CALLS.get() == 1 && RELEASED.size() == 1);
    assertEquals(List.of(true), List.copyOf(RELEASED), "the worker was released");

    // the only worker is held by the hog's call, yet the neighbour's messages go through, in order
    List<String> expected = new ArrayList<>();
    for (int i = 1; i <= 200; i++) {
      inject("neighbour", i);
      expected.add("{\"payload\":" + i + "}");
    }
    await("the neighbour's 200 messages", 10_000, () -> received("nOut").size() == 200);
    assertEquals(expected, received("nOut"));
    // the hog's inbox waited: its next messages were not taken while the call ran
    assertEquals(1, CALLS.get());
    assertTrue(received("hogOut").isEmpty());

    gate.countDown();
    await("the hog's three messages", 10_000, () -> received("hogOut").size() == 3);
    assertEquals(
        List.of("{\"payload\":1}", "{\"payload\":2}", "{\"payload\":3}"), received("hogOut"));
    assertEquals(3, CALLS.get());

    // and the worker is its own again: the neighbour still flows
    inject("neighbour", 201);
    await("one more neighbour message", 10_000, () -> received("nOut").size() == 201);
  }

  @Test
  void shouldStopOtherFlowsAtOnceButWaitForADetachedCallOfTheStoppedFlow() throws Exception {
    inject("hogs", 1);
    await("the hog's call", 10_000, () -> RELEASED.size() == 1);

    long t0 = System.nanoTime();
    assertTrue(engine.stop("neighbour", 1_000).drained());
    assertTrue(
        System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(20),
        "stopping the neighbour does not wait for the hog's call");

    Thread stopper = Thread.ofPlatform().start(() -> engine.stop("hogs", 50));
    stopper.join(500);
    assertTrue(stopper.isAlive(), "the hog's flow stays up while its detached call runs");
    gate.countDown();
    stopper.join(20_000);
    assertFalse(stopper.isAlive());
    assertFalse(STOPPED_DURING_CALL.get(), "onStop came after the call ended");
  }
}
