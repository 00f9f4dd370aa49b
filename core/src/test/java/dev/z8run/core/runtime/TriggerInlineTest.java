package dev.z8run.core.runtime;

import static dev.z8run.core.runtime.TestNodes.await;
import static dev.z8run.core.runtime.TestNodes.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.node.InjectResult;
import dev.z8run.core.registry.NodeCost;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.NodeTypeRegistry;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * {@link Engine.Trigger#tryInject} from a thread outside the engine: the head of a light run the
 * planner cut in two runs on the feeding thread, the tail on the other worker.
 */
@ResourceLock(TestNodes.STATE)
class TriggerInlineTest {
  private static final CountDownLatch GATE_NEVER_OPEN = new CountDownLatch(0);
  private final AtomicReference<CountDownLatch> gate = new AtomicReference<>(GATE_NEVER_OPEN);
  private Engine engine;

  @BeforeEach
  void setUp() {
    TestNodes.RECEIVED.clear();
    TestNodes.THREADS.clear();
  }

  @AfterEach
  void tearDown() {
    gate.get().countDown();
    if (engine != null) {
      engine.close();
    }
  }

  /** TestNodes' types, plus light ones that record the threads they ran on, and a gate. */
  private NodeTypeRegistry registry() {
    NodeTypeRegistry registry = TestNodes.registry();
    registry.register(
        NodeType.builder("light-thread")
            .cost(NodeCost.LIGHT)
            .factory(
                ctx -> {
                  Queue<Thread> threads =
                      TestNodes.THREADS.computeIfAbsent(
                          ctx.nodeId(), k -> new ConcurrentLinkedQueue<>());
                  return (msg, out) -> {
                    threads.add(Thread.currentThread());
                    out.forward(0, msg);
                  };
                })
            .build());
    registry.register(
        NodeType.builder("light-record")
            .outputs()
            .cost(NodeCost.LIGHT)
            .factory(
                ctx -> {
                  Queue<String> bodies =
                      TestNodes.RECEIVED.computeIfAbsent(
                          ctx.nodeId(), k -> new ConcurrentLinkedQueue<>());
                  Queue<Thread> threads =
                      TestNodes.THREADS.computeIfAbsent(
                          ctx.nodeId(), k -> new ConcurrentLinkedQueue<>());
                  return (msg, out) -> {
                    threads.add(Thread.currentThread());
                    bodies.add(msg.jsonString());
                  };
                })
            .build());
    registry.register(
        NodeType.builder("light-gate")
            .cost(NodeCost.LIGHT)
            .factory(
                ctx ->
                    (msg, out) -> {
                      gate.get().await();
                      out.forward(0, msg);
                    })
            .build());
    return registry;
  }

  /** in (light-trigger) -> the given light nodes p1.. -> out (light-record). */
  private static Flow lightChain(String... types) {
    List<FlowNode> nodes = new ArrayList<>(List.of(node("in", "light-trigger")));
    List<Wire> wires = new ArrayList<>();
    String previous = "in";
    for (int i = 1; i <= types.length; i++) {
      nodes.add(node("p" + i, types[i - 1]));
      wires.add(new Wire(previous, 0, "p" + i, 0));
      previous = "p" + i;
    }
    nodes.add(node("out", "light-record"));
    wires.add(new Wire(previous, 0, "out", 0));
    return new Flow("f", "f", "", nodes, wires);
  }

  private static String[] lightThreads(int count) {
    String[] types = new String[count];
    java.util.Arrays.fill(types, "light-thread");
    return types;
  }

  private static InjectResult inject(Engine.Trigger trigger, String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    return trigger.tryInject(new UnsafeBuffer(bytes), 0, bytes.length);
  }

  private static int count(String nodeId) {
    Queue<String> received = TestNodes.RECEIVED.get(nodeId);
    return received == null ? 0 : received.size();
  }

  @Test
  void shouldRunTheHeadOnTheFeedingThreadAndTheTailOnAWorkerInOrder() {
    engine = new Engine(EngineConfig.builder().workers(2).build(), registry());
    engine.deploy(lightChain(lightThreads(10)));
    Engine.Trigger trigger = engine.trigger("f", "in");
    int count = 20_000;

    for (int i = 0; i < count; i++) {
      InjectResult result;
      while ((result = inject(trigger, "{\"s\":" + i + "}")) == InjectResult.BACK_PRESSURED) {
        Thread.onSpinWait();
      }
      assertEquals(InjectResult.ACCEPTED, result);
    }

    await("every message at the sink", 10_000, () -> count("out") == count);
    int expected = 0;
    for (String body : TestNodes.RECEIVED.get("out")) {
      assertEquals("{\"s\":" + expected++ + "}", body);
    }
    Thread feeder = Thread.currentThread();
    // the head (in, p1..p3) ran on the feeding thread, while its worker was free
    assertTrue(
        TestNodes.THREADS.get("p1").stream().anyMatch(thread -> thread == feeder),
        "the head never ran on the feeding thread");
    // the tail (p4..p10, out) is another worker's: never the feeder's
    for (String tail : List.of("p4", "p10", "out")) {
      for (Thread thread : TestNodes.THREADS.get(tail)) {
        assertNotEquals(feeder, thread, tail + " ran on the feeding thread");
      }
    }
    await("executions complete", 5_000, () -> engine.metrics("f").completed() == count);
    assertEquals(count, engine.metrics("f").started());
    assertEquals(0, engine.metrics("f").live());
  }

  @Test
  void shouldQueueWhenThePlannerLeftTheRunWhole() {
    // seven nodes: not cut, so the feeding thread does not take the worker's nodes
    engine = new Engine(EngineConfig.builder().workers(2).build(), registry());
    engine.deploy(lightChain(lightThreads(5)));
    Engine.Trigger trigger = engine.trigger("f", "in");

    for (int i = 0; i < 1_000; i++) {
      assertEquals(InjectResult.ACCEPTED, inject(trigger, "{\"s\":" + i + "}"));
    }

    await("every message at the sink", 10_000, () -> count("out") == 1_000);
    for (Thread thread : TestNodes.THREADS.get("p1")) {
      assertNotEquals(Thread.currentThread(), thread, "ran on the feeding thread");
    }
  }

  @Test
  void shouldQueueInAManualEngine() {
    engine =
        new Engine(
            EngineConfig.builder().workers(2).manualWorkers(System::nanoTime).build(), registry());
    engine.deploy(lightChain(lightThreads(10)));
    Engine.Trigger trigger = engine.trigger("f", "in");

    assertEquals(InjectResult.ACCEPTED, inject(trigger, "{}"));

    assertEquals(null, TestNodes.THREADS.get("p1").peek(), "ran before doWork");
    for (int i = 0; i < 100 && count("out") == 0; i++) {
      engine.doWork();
    }
    assertEquals(1, count("out"));
  }

  @Test
  void shouldAnswerBackPressuredWhenTheExecutionTableIsFull() {
    // the tail waits at the gate: its executions stay in flight
    CountDownLatch closed = new CountDownLatch(1);
    gate.set(closed);
    engine =
        new Engine(EngineConfig.builder().workers(2).maxExecutionsPerFlow(16).build(), registry());
    // eight nodes, cut after p1: the gate is in the tail
    engine.deploy(
        lightChain(
            "light-thread",
            "light-thread",
            "light-thread",
            "light-thread",
            "light-thread",
            "light-gate"));
    Engine.Trigger trigger = engine.trigger("f", "in");

    int accepted = 0;
    InjectResult result;
    while ((result = inject(trigger, "{\"s\":" + accepted + "}")) == InjectResult.ACCEPTED) {
      accepted++;
      assertTrue(accepted <= 16, "more executions than the table holds");
    }

    assertEquals(InjectResult.BACK_PRESSURED, result);
    assertEquals(16, accepted);
    assertEquals(1, engine.metrics("f").rejected());
    closed.countDown();
    await("every accepted execution completes", 5_000, () -> count("out") == 16);
    await("executions complete", 5_000, () -> engine.metrics("f").completed() == 16);
    assertEquals(InjectResult.ACCEPTED, inject(trigger, "{}"));
  }

  @Test
  void shouldStopAFlowWhileAThreadFeedsItInline() throws Exception {
    engine = new Engine(EngineConfig.builder().workers(2).build(), registry());
    engine.deploy(lightChain(lightThreads(10)));
    AtomicLong accepted = new AtomicLong();
    AtomicReference<InjectResult> last = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread feeder =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    Engine.Trigger trigger = engine.trigger("f", "in");
                    while (true) {
                      InjectResult result = inject(trigger, "{\"s\":" + accepted.get() + "}");
                      if (result == InjectResult.ACCEPTED) {
                        accepted.incrementAndGet();
                      } else if (result != InjectResult.BACK_PRESSURED) {
                        last.set(result);
                        return;
                      }
                    }
                  } catch (Throwable e) {
                    failure.set(e);
                  }
                });
    await("the feeder is running", 10_000, () -> count("out") > 2_000);

    StopResult stopped = engine.stop("f", 5_000);
    feeder.join(10_000);

    assertEquals(null, failure.get());
    assertEquals(InjectResult.NOT_RUNNING, last.get());
    assertTrue(stopped.drained(), "in-flight executions finished");
    // each accepted execution reached the sink or was counted abandoned, none is lost unseen
    assertEquals(accepted.get(), count("out") + stopped.abandonedExecutions());
    int expected = 0;
    for (String body : TestNodes.RECEIVED.get("out")) {
      assertEquals("{\"s\":" + expected++ + "}", body);
    }
  }
}
