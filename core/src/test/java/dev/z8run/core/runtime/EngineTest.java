package dev.z8run.core.runtime;

import static dev.z8run.core.runtime.TestNodes.await;
import static dev.z8run.core.runtime.TestNodes.chain;
import static dev.z8run.core.runtime.TestNodes.injectAccepted;
import static dev.z8run.core.runtime.TestNodes.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.event.EngineListener;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.node.InjectResult;
import dev.z8run.core.plan.ExecutionPlan;
import dev.z8run.core.plan.ExecutionPlan.PlannedNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

@ResourceLock(TestNodes.STATE)
class EngineTest {
  private static final Pattern PRODUCER_SEQ = Pattern.compile("\"p\":(\\d+),\"s\":(\\d+)");

  private Engine engine;

  @BeforeEach
  void setUp() {
    TestNodes.RECEIVED.clear();
    TestNodes.IDS.clear();
    TestNodes.BLOCKING_THREADS.clear();
    TestNodes.INTAKE_THREADS.clear();
    TestNodes.BLOCKING_MAX.set(0);
  }

  @AfterEach
  void tearDown() {
    if (engine != null) {
      engine.close();
    }
  }

  private Engine start(EngineConfig config) {
    engine = new Engine(config, TestNodes.registry());
    return engine;
  }

  private static byte[] json(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** The body the fan-in tests send: {@code {"p":producer,"s":seq}}. */
  private static String producerSeq(int producer, int seq) {
    return "{\"p\":" + producer + ",\"s\":" + seq + "}";
  }

  @Test
  void shouldCutALightChainFromATriggerInTwoAndSpreadANormalOne() {
    start(EngineConfig.builder().workers(2).build());

    // a trigger, ten light nodes, a light sink: one light run fed by a trigger, cut in two (the
    // head for the thread feeding the trigger, the tail on the other worker)
    List<FlowNode> nodes = new ArrayList<>(List.of(node("in", "light-trigger")));
    List<Wire> wires = new ArrayList<>();
    String previous = "in";
    for (int i = 1; i <= 10; i++) {
      nodes.add(node("p" + i, "light"));
      wires.add(new Wire(previous, 0, "p" + i, 0));
      previous = "p" + i;
    }
    nodes.add(node("out", "light-sink"));
    wires.add(new Wire(previous, 0, "out", 0));
    ExecutionPlan light = engine.deploy(new Flow("light", "light", "", nodes, wires));

    int headWorker = light.nodes().get(light.indexOf("in")).worker();
    for (PlannedNode planned : light.nodes()) {
      boolean head = List.of("in", "p1", "p2", "p3").contains(planned.node().id());
      assertEquals(
          head ? headWorker : 1 - headWorker, planned.worker(), "worker of " + planned.node().id());
    }
    int count = 5_000;
    for (int i = 0; i < count; i++) {
      injectAccepted(engine, "light", "in", json("{\"n\":" + i + "}"));
    }
    Engine.CounterReader out = engine.counter("light", "out", NodeCounters.MESSAGES_IN);
    await("every message at the light sink", 10_000, () -> out.get() == count);

    ExecutionPlan spread = engine.deploy(chain("normal", 4, "pass", "sink"));
    assertEquals(
        2, spread.nodes().stream().mapToInt(PlannedNode::worker).distinct().count(), "two workers");
  }

  @Test
  void shouldCarryEveryMessageThroughTenNodeChainInOrder() {
    start(EngineConfig.builder().workers(2).build());
    engine.deploy(chain("f", 10, "pass", "record"));
    int count = 20_000;
    for (int i = 0; i < count; i++) {
      injectAccepted(engine, "f", "in", json("{\"p\":0,\"s\":" + i + "}"));
    }
    Queue<String> received = TestNodes.RECEIVED.get("out");
    await("all messages at the sink", 10_000, () -> received.size() == count);
    int expected = 0;
    for (String body : received) {
      assertEquals("{\"p\":0,\"s\":" + expected++ + "}", body);
    }
    await("executions complete", 5_000, () -> engine.metrics("f").completed() == count);
    FlowMetrics metrics = engine.metrics("f");
    assertEquals(count, metrics.started());
    assertEquals(0, metrics.failed());
    assertEquals(0, metrics.live());
    assertEquals(count, metrics.node("p7").messagesIn());
    assertEquals(count, metrics.node("p7").messagesOut());
  }

  @Test
  void shouldCallTheExecutionCallbackOnceWhenEachInjectedExecutionEnds() {
    start(EngineConfig.builder().workers(2).build());
    engine.deploy(chain("f", 3, "pass", "record"));
    int count = 1_000;
    java.util.Map<Long, Boolean> ended = new java.util.concurrent.ConcurrentHashMap<>();
    java.util.concurrent.atomic.AtomicInteger calls =
        new java.util.concurrent.atomic.AtomicInteger();
    ExecutionCallback done =
        (executionId, failed) -> {
          calls.incrementAndGet();
          ended.put(executionId, failed);
        };
    for (int i = 0; i < count; i++) {
      while (engine.inject("f", "in", json("{\"s\":" + i + "}"), done) != InjectResult.ACCEPTED) {
        Thread.onSpinWait();
      }
    }
    await("every callback", 10_000, () -> calls.get() >= count);
    await("executions complete", 5_000, () -> engine.metrics("f").completed() == count);
    assertEquals(count, calls.get());
    assertEquals(count, ended.size());
    assertFalse(ended.containsValue(Boolean.TRUE));
    assertEquals(InjectResult.NOT_RUNNING, engine.inject("g", "in", json("{}"), done));
  }

  @Test
  void shouldFanOutAndFanInKeepingPerProducerOrderAndEveryPayload() throws Exception {
    start(EngineConfig.builder().workers(2).build());
    TestNodes.FlowBuilder fan =
        TestNodes.newFlow("fan").node("in", "trigger").node("out", "record");
    for (int b = 0; b < 8; b++) {
      fan.node("b" + b, "pass").wire("in", "b" + b).wire("b" + b, "out");
    }
    engine.deploy(fan.build());
    int producers = 4;
    int perProducer = 5_000;
    TestNodes.produce(
        engine,
        "fan",
        "in",
        producers,
        perProducer,
        (producer, s) -> json(producerSeq(producer, s)));
    Queue<String> received = TestNodes.RECEIVED.get("out");
    int total = producers * perProducer * 8;
    await("every copy at the sink", 20_000, () -> received.size() == total);

    long checksum = 0;
    Map<Integer, Integer> copies = new HashMap<>();
    int[] lastSeen = new int[producers];
    java.util.Arrays.fill(lastSeen, -1);
    for (String body : received) {
      Matcher m = PRODUCER_SEQ.matcher(body);
      assertTrue(m.find(), body);
      int producer = Integer.parseInt(m.group(1));
      int seq = Integer.parseInt(m.group(2));
      // per producer, a sequence number never goes back more than the fan-out can reorder
      assertTrue(seq >= lastSeen[producer] - perProducer, body);
      lastSeen[producer] = Math.max(lastSeen[producer], seq);
      checksum += (long) producer * 1_000_003L + seq;
      copies.merge(producer * perProducer + seq, 1, Integer::sum);
    }
    long expected = 0;
    for (int p = 0; p < producers; p++) {
      for (int s = 0; s < perProducer; s++) {
        expected += 8L * ((long) p * 1_000_003L + s);
      }
    }
    assertEquals(expected, checksum);
    assertEquals(producers * perProducer, copies.size());
    assertTrue(copies.values().stream().allMatch(n -> n == 8));
    await("executions complete", 5_000, () -> engine.metrics("fan").live() == 0);
    assertEquals(producers * perProducer, engine.metrics("fan").completed());
  }

  @Test
  void shouldKeepPerProducerOrderOnEachBranch() throws Exception {
    start(EngineConfig.builder().workers(2).build());
    TestNodes.FlowBuilder order = TestNodes.newFlow("order").node("in", "trigger");
    for (int b = 0; b < 4; b++) {
      order
          .node("b" + b, "pass")
          .node("r" + b, "record")
          .wire("in", "b" + b)
          .wire("b" + b, "r" + b);
    }
    engine.deploy(order.build());
    int producers = 3;
    int perProducer = 4_000;
    TestNodes.produce(
        engine,
        "order",
        "in",
        producers,
        perProducer,
        (producer, s) -> json(producerSeq(producer, s)));
    for (int b = 0; b < 4; b++) {
      Queue<String> received = TestNodes.RECEIVED.get("r" + b);
      await("branch " + b, 10_000, () -> received.size() == producers * perProducer);
      int[] next = new int[producers];
      for (String body : received) {
        Matcher m = PRODUCER_SEQ.matcher(body);
        assertTrue(m.find());
        int producer = Integer.parseInt(m.group(1));
        assertEquals(next[producer]++, Integer.parseInt(m.group(2)), "order on branch " + b);
      }
    }
  }

  @Test
  void shouldPushBackOnTriggerWhenSinkIsSlowWithoutLosingMessages() {
    start(EngineConfig.builder().workers(2).inboxBytes(16 * 1024).build());
    List<FlowNode> nodes = new ArrayList<>(List.of(node("in", "trigger")));
    nodes.add(node("p1", "pass"));
    nodes.add(node("slow", "slow", Map.of("spinNs", 20_000)));
    nodes.add(node("out", "record"));
    List<Wire> wires =
        List.of(
            new Wire("in", 0, "p1", 0),
            new Wire("p1", 0, "slow", 0),
            new Wire("slow", 0, "out", 0));
    engine.deploy(new Flow("bp", "bp", "", nodes, wires));
    int count = 3_000;
    long pushedBack = 0;
    for (int i = 0; i < count; i++) {
      pushedBack += injectAccepted(engine, "bp", "in", json("{\"p\":0,\"s\":" + i + "}"));
      if (i % 100 != 0) {
        continue;
      }
      int queued = 0;
      for (NodeMetrics metrics : engine.metrics("bp").nodes()) {
        queued += metrics.queuedBytes();
      }
      assertTrue(queued <= 4 * 16 * 1024, "queues stay bounded: " + queued);
    }
    assertTrue(pushedBack > 0, "the trigger was told to slow down");
    assertTrue(engine.metrics("bp").rejected() > 0);
    assertTrue(engine.metrics("bp").node("p1").blocked() > 0, "p1 had to wait for slow's inbox");
    Queue<String> received = TestNodes.RECEIVED.get("out");
    await("every message", 20_000, () -> received.size() == count);
    int expected = 0;
    for (String body : received) {
      assertEquals("{\"p\":0,\"s\":" + expected++ + "}", body);
    }
    for (NodeMetrics metrics : engine.metrics("bp").nodes()) {
      assertEquals(0, metrics.drops(), metrics.nodeId());
    }
  }

  @Test
  void shouldTurnNodeExceptionIntoErrorEventAndKeepGoing() {
    start(EngineConfig.builder().workers(2).build());
    Queue<String> errors = new ConcurrentLinkedQueue<>();
    Queue<String> failures = new ConcurrentLinkedQueue<>();
    engine.addListener(
        new EngineListener() {
          @Override
          public void onNodeError(String flowId, String nodeId, long executionId, String message) {
            errors.add(flowId + "/" + nodeId + "/" + executionId + ": " + message);
          }

          @Override
          public void onExecutionFailed(
              String flowId, long executionId, String failedNodeId, long durationNs) {
            failures.add(failedNodeId + "#" + executionId);
          }
        });
    engine.deploy(chain("err", 3, "pass", "record"));
    engine.deploy(
        new Flow(
            "err",
            "err",
            "",
            List.of(node("in", "trigger"), node("boom", "boom"), node("out", "record")),
            List.of(new Wire("in", 0, "boom", 0), new Wire("boom", 0, "out", 0))));
    for (int i = 0; i < 100; i++) {
      injectAccepted(engine, "err", "in", json("{\"s\":" + i + ",\"fail\":" + (i % 10 == 3) + "}"));
    }
    Queue<String> received = TestNodes.RECEIVED.get("out");
    await("good messages", 5_000, () -> received.size() == 90);
    await("error events", 5_000, () -> errors.size() == 10 && failures.size() == 10);
    assertTrue(errors.peek().startsWith("err/boom/"), errors.peek());
    assertTrue(
        errors.peek().matches("err/boom/\\d+: refused \\{.*"),
        "the node's message as it is, without the exception's class name: " + errors.peek());
    assertTrue(failures.stream().allMatch(f -> f.startsWith("boom#")));
    await("counted", 5_000, () -> engine.metrics("err").failed() == 10);
    assertEquals(90, engine.metrics("err").completed());
    assertEquals(10, engine.metrics("err").node("boom").errors());
  }

  @Test
  void shouldTrackTracedExecutionsWithPerNodeTiming() {
    start(EngineConfig.builder().workers(2).traceIntervalMs(0).build());
    Queue<String> events = new ConcurrentLinkedQueue<>();
    engine.addListener(
        new EngineListener() {
          @Override
          public void onExecutionStarted(String flowId, long executionId, String triggerNodeId) {
            events.add("started " + executionId + " at " + triggerNodeId);
          }

          @Override
          public void onNodeCompleted(
              String flowId, long executionId, String nodeId, long durationNs) {
            assertTrue(durationNs >= 0);
            events.add("node " + executionId + " " + nodeId);
          }

          @Override
          public void onExecutionCompleted(String flowId, long executionId, long durationNs) {
            assertTrue(durationNs > 0);
            events.add("completed " + executionId);
          }
        });
    engine.deploy(chain("tr", 2, "pass", "sink"));
    assertEquals(InjectResult.ACCEPTED, engine.inject("tr", "in", json("{}")));
    await("completion event", 5_000, () -> events.contains("completed 1"));
    assertTrue(events.contains("started 1 at in"));
    for (String node : List.of("in", "p1", "p2", "out")) {
      assertTrue(events.contains("node 1 " + node), events.toString());
    }
  }

  @Test
  void shouldSplitCreditSoExecutionCompletesOnlyAfterEveryCopy() {
    start(EngineConfig.builder().workers(2).traceIntervalMs(0).build());
    engine.deploy(
        new Flow(
            "spl",
            "spl",
            "",
            List.of(
                node("in", "trigger"),
                node("s1", "split", Map.of("copies", 100)),
                node("s2", "split", Map.of("copies", 70)),
                node("out", "record")),
            List.of(
                new Wire("in", 0, "s1", 0),
                new Wire("s1", 0, "s2", 0),
                new Wire("s2", 0, "out", 0))));
    for (int i = 0; i < 5; i++) {
      injectAccepted(engine, "spl", "in", json("{\"s\":" + i + "}"));
    }
    Queue<String> received = TestNodes.RECEIVED.get("out");
    await("all copies", 10_000, () -> received.size() == 5 * 100 * 70);
    await("completed", 5_000, () -> engine.metrics("spl").completed() == 5);
    assertEquals(0, engine.metrics("spl").live());
  }

  @Test
  void shouldRedeployOneFlowUnderLoadWhileAnotherKeepsRunning() throws Exception {
    start(EngineConfig.builder().workers(2).build());
    engine.deploy(chain("steady", 5, "pass", "sink"));
    engine.deploy(chain("changing", 3, "pass", "sink"));
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong steadySent = new AtomicLong();
    AtomicLong changingSent = new AtomicLong();
    byte[] body = json("{\"payload\":1}");
    Thread load =
        Thread.ofPlatform()
            .start(
                () -> {
                  UnsafeBuffer buffer = new UnsafeBuffer(body);
                  Engine.Trigger steady = engine.trigger("steady", "in");
                  while (running.get()) {
                    if (steady.tryInject(buffer, 0, body.length) == InjectResult.ACCEPTED) {
                      steadySent.incrementAndGet();
                    }
                    if (engine.inject("changing", "in", body) == InjectResult.ACCEPTED) {
                      changingSent.incrementAndGet();
                    }
                  }
                });
    await("load flowing", 5_000, () -> steadySent.get() > 10_000);
    for (int version = 4; version <= 8; version++) {
      long before = engine.counter("steady", "out", NodeCounters.MESSAGES_IN).get();
      engine.deploy(chain("changing", version, "pass", "sink"));
      assertTrue(engine.isRunning("changing"));
      assertEquals(version + 2, engine.metrics("changing").nodes().size());
      Engine.CounterReader steadyOut = engine.counter("steady", "out", NodeCounters.MESSAGES_IN);
      await("steady flow keeps moving", 5_000, () -> steadyOut.get() > before + 1_000);
    }
    running.set(false);
    load.join();
    Engine.CounterReader out = engine.counter("steady", "out", NodeCounters.MESSAGES_IN);
    await("steady flow loses nothing", 5_000, () -> out.get() == steadySent.get());
    assertEquals(steadySent.get(), engine.metrics("steady").completed());
    assertTrue(changingSent.get() > 0);
  }

  @Test
  void shouldReportAbandonedWorkWhenStopDoesNotWait() {
    start(EngineConfig.builder().workers(2).build());
    engine.deploy(
        new Flow(
            "stop",
            "stop",
            "",
            List.of(
                node("in", "trigger"),
                node("slow", "slow", Map.of("spinNs", 2_000_000)),
                node("out", "sink")),
            List.of(new Wire("in", 0, "slow", 0), new Wire("slow", 0, "out", 0))));
    for (int i = 0; i < 50; i++) {
      injectAccepted(engine, "stop", "in", json("{}"));
    }
    StopResult result = engine.stop("stop", 0);
    assertNotNull(result);
    assertFalse(result.drained());
    assertTrue(result.abandonedExecutions() > 0, result.toString());
    assertTrue(result.abandonedMessages() > 0, result.toString());
    assertFalse(engine.isRunning("stop"));
    assertEquals(InjectResult.NOT_RUNNING, engine.inject("stop", "in", json("{}")));
  }

  @Test
  void shouldDrainInFlightMessagesOnStop() {
    start(EngineConfig.builder().workers(2).build());
    engine.deploy(
        new Flow(
            "drain",
            "drain",
            "",
            List.of(
                node("in", "trigger"),
                node("slow", "slow", Map.of("spinNs", 200_000)),
                node("out", "record")),
            List.of(new Wire("in", 0, "slow", 0), new Wire("slow", 0, "out", 0))));
    for (int i = 0; i < 200; i++) {
      injectAccepted(engine, "drain", "in", json("{}"));
    }
    StopResult result = engine.stop("drain", 30_000);
    assertEquals(new StopResult(true, 0, 0), result);
    assertEquals(200, TestNodes.RECEIVED.get("out").size());
  }

  @Test
  void shouldRunBlockingNodesOnVirtualThreadsConcurrently() {
    start(EngineConfig.builder().workers(2).blockingConcurrency(32).build());
    engine.deploy(
        new Flow(
            "blk",
            "blk",
            "",
            List.of(
                node("in", "trigger"),
                node("io", "blocking", Map.of("sleepMs", 20)),
                node("out", "record")),
            List.of(new Wire("in", 0, "io", 0), new Wire("io", 0, "out", 0))));
    for (int i = 0; i < 200; i++) {
      injectAccepted(engine, "blk", "in", json("{\"s\":" + i + "}"));
    }
    Queue<String> received = TestNodes.RECEIVED.get("out");
    await("all through the blocking node", 30_000, () -> received.size() == 200);
    assertTrue(TestNodes.BLOCKING_THREADS.stream().allMatch(Thread::isVirtual));
    int most = TestNodes.BLOCKING_MAX.get();
    assertTrue(most > 1 && most <= 32, "messages in the node at once: " + most);
    await("completed", 5_000, () -> engine.metrics("blk").completed() == 200);
  }

  @Test
  void shouldRunComputeBoundNodesOnComputeThreadsConcurrently() {
    start(EngineConfig.builder().workers(2).blockingConcurrency(8).build());
    engine.deploy(
        TestNodes.newFlow("cpu")
            .node("in", "trigger")
            .node("work", "blocking", Map.of("sleepMs", 20, "compute", true))
            .node("out", "record")
            .wire("in", "work")
            .wire("work", "out")
            .build());
    for (int i = 0; i < 100; i++) {
      injectAccepted(engine, "cpu", "in", json("{\"s\":" + i + "}"));
    }
    Queue<String> received = TestNodes.RECEIVED.get("out");
    await("all through the compute-bound node", 30_000, () -> received.size() == 100);
    assertTrue(
        TestNodes.BLOCKING_THREADS.stream()
            .allMatch(t -> !t.isVirtual() && t.getName().startsWith("z8-compute-")),
        "threads: " + TestNodes.BLOCKING_THREADS.stream().map(Thread::getName).distinct().toList());
    Set<Thread> threads = new HashSet<>(TestNodes.BLOCKING_THREADS);
    assertTrue(threads.size() <= 8, "at most blockingConcurrency compute threads: " + threads);
    int most = TestNodes.BLOCKING_MAX.get();
    assertTrue(most > 1 && most <= 8, "messages in the node at once: " + most);
    await("completed", 5_000, () -> engine.metrics("cpu").completed() == 100);
  }

  @Test
  void shouldGiveEveryNewMessageItsOwnIdAcrossWorkersAndBlockingCalls() {
    start(EngineConfig.builder().workers(2).blockingConcurrency(32).build());
    engine.deploy(
        TestNodes.newFlow("ids")
            .node("in", "trigger")
            .node("io", "blocking", Map.of("sleepMs", 2, "fresh", true))
            .node("copy", "split", Map.of("copies", 2))
            .node("io2", "blocking", Map.of("sleepMs", 1, "fresh", true))
            .node("out", "record")
            .wire("in", "io")
            .wire("io", "copy")
            .wire("copy", "io2")
            .wire("io2", "out")
            .build());
    for (int i = 0; i < 300; i++) {
      injectAccepted(engine, "ids", "in", json("{\"s\":" + i + "}"));
    }
    Queue<Long> ids = TestNodes.IDS.computeIfAbsent("out", k -> new ConcurrentLinkedQueue<>());
    await("all through both blocking nodes", 30_000, () -> ids.size() == 600);
    assertEquals(600, new HashSet<>(ids).size(), "distinct message ids among 600 new messages");
  }

  @Test
  void shouldEndOnTheWorkerWhatAWorkerIntakeTakes() {
    start(EngineConfig.builder().workers(1).build());
    engine.deploy(
        new Flow(
            "intake",
            "intake",
            "",
            List.of(node("in", "trigger"), node("io", "intake"), node("out", "record")),
            List.of(new Wire("in", 0, "io", 0), new Wire("io", 0, "out", 0))));
    for (int i = 0; i < 30; i++) {
      String kind = i % 3 == 0 ? "take" : i % 3 == 1 ? "ticket" : "plain";
      injectAccepted(engine, "intake", "in", json("{\"k\":\"" + kind + "\",\"i\":" + i + "}"));
    }
    await("every execution completed", 10_000, () -> engine.metrics("intake").completed() == 30);
    Queue<String> received = TestNodes.RECEIVED.get("out");
    assertEquals(20, received.size(), "received: " + received);
    assertEquals(10, received.stream().filter(body -> body.equals("{\"via\":\"T\"}")).count());
    assertEquals(10, received.stream().filter(body -> body.contains("plain")).count());
    assertTrue(TestNodes.INTAKE_THREADS.stream().noneMatch(Thread::isVirtual));
    assertTrue(TestNodes.BLOCKING_THREADS.stream().allMatch(Thread::isVirtual));
    assertEquals(20, TestNodes.BLOCKING_THREADS.size());
    assertEquals(30, engine.counter("intake", "io", NodeCounters.MESSAGES_IN).get());
  }

  @Test
  void shouldRouteByOutputPort() {
    start(EngineConfig.builder().workers(1).build());
    engine.deploy(
        new Flow(
            "ports",
            "ports",
            "",
            List.of(
                node("in", "trigger"),
                node("sw", "two-out"),
                node("even", "record"),
                node("odd", "record")),
            List.of(
                new Wire("in", 0, "sw", 0),
                new Wire("sw", 0, "even", 0),
                new Wire("sw", 1, "odd", 0))));
    for (int i = 0; i < 10; i++) {
      injectAccepted(
          engine, "ports", "in", json("{\"k\":\"" + (i % 2 == 0 ? "even" : "odd") + "\"}"));
    }
    await(
        "routed",
        5_000,
        () ->
            TestNodes.RECEIVED.get("even").size() == 5
                && TestNodes.RECEIVED.get("odd").size() == 5);
    assertTrue(TestNodes.RECEIVED.get("odd").stream().allMatch(b -> b.contains("odd")));
  }

  @Test
  void shouldDeliverTwoClaimsOfOneInputToOneTargetBothAndInOrder() {
    // one worker: the first claim is held in the scratch buffer of a fused hop, which the second
    // claim must not overwrite nor overtake
    start(EngineConfig.builder().workers(1).build());
    engine.deploy(
        new Flow(
            "twice",
            "twice",
            "",
            List.of(node("in", "trigger"), node("c", "claim-twice"), node("out", "record")),
            List.of(new Wire("in", 0, "c", 0), new Wire("c", 0, "out", 0))));
    for (int i = 0; i < 3; i++) {
      injectAccepted(engine, "twice", "in", json("{}"));
    }
    await("six messages", 5_000, () -> TestNodes.RECEIVED.get("out").size() == 6);
    assertEquals(
        List.of("{\"n\":1}", "{\"n\":2}", "{\"n\":1}", "{\"n\":2}", "{\"n\":1}", "{\"n\":2}"),
        new ArrayList<>(TestNodes.RECEIVED.get("out")));
  }

  @Test
  void shouldRefuseInjectionsToUnknownFlowsAndNodesAndOversizedMessages() {
    start(EngineConfig.builder().workers(1).inboxBytes(8192).build());
    engine.deploy(chain("x", 1, "pass", "sink"));
    assertEquals(InjectResult.NOT_RUNNING, engine.inject("nope", "in", json("{}")));
    assertEquals(InjectResult.UNKNOWN_NODE, engine.inject("x", "nope", json("{}")));
    byte[] big = new byte[dev.z8run.io.message.MessageDescriptor.MAX_BODY_BYTES + 1];
    java.util.Arrays.fill(big, (byte) ' ');
    big[0] = '{';
    big[big.length - 1] = '}';
    assertEquals(InjectResult.TOO_LARGE, engine.inject("x", "in", big));
  }
}
