package dev.z8run.core.runtime;

import static dev.z8run.core.runtime.TestNodes.await;
import static dev.z8run.core.runtime.TestNodes.chain;
import static dev.z8run.core.runtime.TestNodes.newFlow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.node.InjectResult;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.NodeTypeRegistry;
import dev.z8run.io.json.FieldIndex;
import dev.z8run.io.json.JsonScanner;
import dev.z8run.io.message.MessageBodyView;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/** {@link Engine#injectAndRun}: executions run on the caller's thread when the path allows. */
@ResourceLock(TestNodes.STATE)
class InlineRunTest {
  private static final byte[] NONE = new byte[0];
  private static final Pattern PRODUCER_SEQ = Pattern.compile("\"p\":(\\d+),\"s\":(\\d+)");

  private Engine engine;

  @BeforeEach
  void setUp() {
    TestNodes.RECEIVED.clear();
    TestNodes.THREADS.clear();
  }

  @AfterEach
  void tearDown() {
    if (engine != null) {
      engine.close();
    }
  }

  private static byte[] json(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private Engine start(int workers) {
    engine = new Engine(EngineConfig.builder().workers(workers).build(), TestNodes.registry());
    return engine;
  }

  @Test
  void shouldRunAChainOnTheCallersThreadBeforeReturning() {
    start(1).deploy(chain("f", 3, "pass", "thread-record"));
    for (int i = 0; i < 50; i++) {
      assertEquals(
          InjectResult.ACCEPTED,
          engine.injectAndRun("f", "in", json("{\"s\":" + i + "}"), NONE, 7));
    }
    // the worker runs its duty cycle between the calls, so a few may have been queued behind it;
    // most run inline, and every one that did has ended when the call returned
    Queue<Thread> threads = TestNodes.THREADS.get("out");
    await("all at the sink", 5_000, () -> threads.size() == 50);
    long inline = threads.stream().filter(t -> t == Thread.currentThread()).count();
    assertTrue(inline > 0, "none ran on the caller's thread");
    await("executions complete", 5_000, () -> engine.metrics("f").completed() == 50);
    FlowMetrics metrics = engine.metrics("f");
    assertEquals(50, metrics.started());
    assertEquals(0, metrics.live());
    assertEquals(50, metrics.node("p3").messagesIn());
    assertEquals(50, metrics.node("out").messagesIn());
  }

  @Test
  void shouldCarryTheTriggersFieldIndexIntoTheFirstMessageInlineAndQueued() {
    byte[] json = json("{\"a\":1,\"bb\":[2,3]}");
    UnsafeBuffer jsonBuffer = new UnsafeBuffer(json);
    UnsafeBuffer index = new UnsafeBuffer(new byte[FieldIndex.MAX_INDEX_BYTES]);
    int indexLength = FieldIndex.build(jsonBuffer, 0, json.length, index, 0);
    Queue<String> seen = new java.util.concurrent.ConcurrentLinkedQueue<>();
    NodeTypeRegistry registry = TestNodes.registry();
    registry.register(
        NodeType.builder("index-probe")
            .outputs()
            .factory(
                ctx ->
                    (msg, out) -> {
                      long bb = FieldIndex.find(msg, json("bb"));
                      byte[] value = new byte[JsonScanner.spanEnd(bb) - JsonScanner.spanStart(bb)];
                      msg.buffer().getBytes(JsonScanner.spanStart(bb), value);
                      seen.add(
                          msg.indexLength()
                              + " "
                              + msg.jsonString()
                              + " "
                              + new String(value, StandardCharsets.UTF_8));
                    })
            .build());
    engine = new Engine(EngineConfig.builder().workers(1).build(), registry);
    engine.deploy(chain("f", 0, "pass", "index-probe"));
    MessageBodyView body =
        new MessageBodyView().json(jsonBuffer, 0, json.length).index(index, 0, indexLength);
    assertEquals(InjectResult.ACCEPTED, engine.injectAndRun("f", "in", body));
    assertEquals(InjectResult.ACCEPTED, engine.trigger("f", "in").tryInject(body)); // queued
    await("both at the probe", 5_000, () -> seen.size() == 2);
    String expected = indexLength + " {\"a\":1,\"bb\":[2,3]} [2,3]";
    assertEquals(List.of(expected, expected), List.copyOf(seen));
  }

  @Test
  void shouldHaveFinishedAnInlineExecutionWhenTheCallReturns() throws Exception {
    start(1).deploy(chain("f", 2, "pass", "thread-record"));
    Queue<Thread> threads = null;
    int inlineSeen = 0;
    for (int i = 0; i < 200 && inlineSeen < 5; i++) {
      Thread.sleep(2); // the worker parks: nobody runs its nodes
      int before = engine.metrics("f").node("out") == null ? 0 : count("out");
      assertEquals(InjectResult.ACCEPTED, engine.injectAndRun("f", "in", json("{}"), NONE, 0));
      threads = TestNodes.THREADS.get("out");
      if (threads != null
          && count("out") == before + 1
          && last(threads) == Thread.currentThread()) {
        inlineSeen++;
      }
    }
    assertEquals(5, inlineSeen, "executions that ended on the caller's thread before it returned");
  }

  private static int count(String nodeId) {
    Queue<String> received = TestNodes.RECEIVED.get(nodeId);
    return received == null ? 0 : received.size();
  }

  private static Thread last(Queue<Thread> threads) {
    Thread last = null;
    for (Thread thread : threads) {
      last = thread;
    }
    return last;
  }

  @Test
  void shouldWakeTheWorkerForWhatAnInlineRunLeavesInTheRings() throws Exception {
    // split sends three copies: the first fuses, the others go through the sink's ring, which the
    // worker (parked while the caller ran its nodes) must be woken to drain
    start(1)
        .deploy(
            newFlow("f")
                .node("in", "trigger")
                .node("s", "split", Map.of("copies", 3))
                .node("out", "thread-record")
                .wire("in", "s")
                .wire("s", "out")
                .build());
    for (int i = 0; i < 20; i++) {
      Thread.sleep(5);
      assertEquals(InjectResult.ACCEPTED, engine.injectAndRun("f", "in", json("{}"), NONE, 0));
      int expected = 3 * (i + 1);
      await("three copies of message " + i, 5_000, () -> count("out") == expected);
    }
    await("executions complete", 5_000, () -> engine.metrics("f").completed() == 20);
    assertEquals(0, engine.metrics("f").live());
  }

  @Test
  void shouldQueueBehindAWorkerThatIsBusy() throws Exception {
    // the worker spins 300 ms in "slow"; a call meanwhile cannot take its nodes and queues
    start(1)
        .deploy(
            newFlow("f")
                .node("in", "trigger")
                .node("slow", "slow", Map.of("spinNs", 300_000_000L))
                .node("out", "thread-record")
                .wire("in", "slow")
                .wire("slow", "out")
                .build());
    assertEquals(InjectResult.ACCEPTED, engine.inject("f", "in", json("{\"s\":0}")));
    await(
        "the worker inside slow",
        5_000,
        () ->
            engine.metrics("f").node("slow").messagesIn() == 0
                && engine.metrics("f").node("in").messagesIn() == 1);
    assertEquals(InjectResult.ACCEPTED, engine.injectAndRun("f", "in", json("{\"s\":1}"), NONE, 0));
    assertEquals(1, engine.metrics("f").inlineQueued(), "the call queued; inject() is not counted");
    await("both at the sink", 5_000, () -> count("out") == 2);
    assertEquals(List.of("{\"s\":0}", "{\"s\":1}"), new ArrayList<>(TestNodes.RECEIVED.get("out")));
    for (Thread thread : TestNodes.THREADS.get("out")) {
      assertNotEquals(Thread.currentThread(), thread, "ran inline while the worker was busy");
    }
  }

  @Test
  void shouldRunWhatQueuedBehindACallerOnThatCallerWhenItLetsGo() throws Exception {
    // caller A runs a chain inline that spins 200 ms in "slow"; a call meanwhile cannot take the
    // nodes and queues without waking the worker; A runs it before it returns, in order
    start(1)
        .deploy(
            newFlow("f")
                .node("in", "trigger")
                .node("slow", "slow", Map.of("spinNs", 200_000_000L))
                .node("out", "thread-record")
                .wire("in", "slow")
                .wire("slow", "out")
                .build());
    java.util.concurrent.atomic.AtomicReference<InjectResult> first =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread a =
        Thread.ofPlatform()
            .start(() -> first.set(engine.injectAndRun("f", "in", json("{\"s\":0}"), NONE, 0)));
    await(
        "caller A inside slow",
        5_000,
        () ->
            engine.metrics("f").node("in").messagesIn() == 1
                && engine.metrics("f").node("slow").messagesIn() == 0);
    assertEquals(InjectResult.ACCEPTED, engine.injectAndRun("f", "in", json("{\"s\":1}"), NONE, 0));
    a.join(10_000);
    assertEquals(InjectResult.ACCEPTED, first.get());
    // A ran both before its call returned
    assertEquals(List.of("{\"s\":0}", "{\"s\":1}"), new ArrayList<>(TestNodes.RECEIVED.get("out")));
    assertEquals(List.of(a, a), new ArrayList<>(TestNodes.THREADS.get("out")));
    await("executions complete", 5_000, () -> engine.metrics("f").completed() == 2);
    assertEquals(0, engine.metrics("f").live());
  }

  @Test
  void shouldCountACallThatQueuedBehindAnotherCallersRun() throws Exception {
    // caller A runs inline and spins 200 ms in "slow"; B arrives meanwhile and queues: one count
    start(1)
        .deploy(
            newFlow("f")
                .node("in", "trigger")
                .node("slow", "slow", Map.of("spinNs", 200_000_000L))
                .node("out", "thread-record")
                .wire("in", "slow")
                .wire("slow", "out")
                .build());
    Thread a =
        Thread.ofPlatform().start(() -> engine.injectAndRun("f", "in", json("{\"s\":0}"), NONE, 0));
    await(
        "caller A inside slow",
        5_000,
        () ->
            engine.metrics("f").node("in").messagesIn() == 1
                && engine.metrics("f").node("slow").messagesIn() == 0);
    assertEquals(0, engine.metrics("f").inlineQueued(), "A ran on its own thread");

    assertEquals(InjectResult.ACCEPTED, engine.injectAndRun("f", "in", json("{\"s\":1}"), NONE, 0));

    assertEquals(1, engine.metrics("f").inlineQueued(), "B queued behind A");
    a.join(10_000);
    await("executions complete", 5_000, () -> engine.metrics("f").completed() == 2);
    // nobody holds the nodes now: C runs inline, and is not counted
    assertEquals(InjectResult.ACCEPTED, engine.injectAndRun("f", "in", json("{\"s\":2}"), NONE, 0));
    assertEquals(1, engine.metrics("f").inlineQueued());
    assertEquals(3, engine.metrics("f").started());
    assertEquals(0, engine.metrics("f").rejected());
  }

  @Test
  void shouldKeepEachCallersOrderAndLoseNothingUnderConcurrentCalls() throws Exception {
    start(2).deploy(chain("f", 4, "pass", "thread-record"));
    int producers = 4;
    int perProducer = 5_000;
    AtomicInteger refused = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    for (int p = 0; p < producers; p++) {
      int producer = p;
      threads.add(
          Thread.ofVirtual()
              .start(
                  () -> {
                    for (int s = 0; s < perProducer; s++) {
                      byte[] body = json("{\"p\":" + producer + ",\"s\":" + s + "}");
                      InjectResult result;
                      while ((result = engine.injectAndRun("f", "in", body, NONE, 0))
                          != InjectResult.ACCEPTED) {
                        if (result != InjectResult.BACK_PRESSURED) {
                          refused.incrementAndGet();
                          return;
                        }
                        Thread.onSpinWait();
                      }
                    }
                  }));
    }
    for (Thread thread : threads) {
      thread.join(30_000);
    }
    assertEquals(0, refused.get());
    int total = producers * perProducer;
    await("every message at the sink", 10_000, () -> count("out") == total);
    int[] next = new int[producers];
    for (String body : TestNodes.RECEIVED.get("out")) {
      Matcher m = PRODUCER_SEQ.matcher(body);
      assertTrue(m.find(), body);
      int producer = Integer.parseInt(m.group(1));
      assertEquals(next[producer]++, Integer.parseInt(m.group(2)), "order of producer " + producer);
    }
    await("executions complete", 5_000, () -> engine.metrics("f").completed() == total);
    assertEquals(total, engine.metrics("f").started());
    assertEquals(0, engine.metrics("f").live());
  }

  @Test
  void shouldRefuseAsInjectDoes() {
    start(1).deploy(chain("f", 1, "pass", "sink"));
    assertEquals(InjectResult.NOT_RUNNING, engine.injectAndRun("g", "in", json("{}"), NONE, 0));
    assertEquals(InjectResult.UNKNOWN_NODE, engine.injectAndRun("f", "x", json("{}"), NONE, 0));
    engine.stop("f", 1_000);
    assertEquals(InjectResult.NOT_RUNNING, engine.injectAndRun("f", "in", json("{}"), NONE, 0));
  }

  @Test
  void shouldLeaveAChainWithAScriptNodeToTheWorker() throws Exception {
    // a node of the Function node's type name, reachable from the trigger on the same worker: its
    // time is the script's, so the caller's thread does not run the chain
    NodeTypeRegistry registry = TestNodes.registry();
    registry.register(
        NodeType.builder("function").factory(ctx -> (msg, out) -> out.forward(0, msg)).build());
    engine = new Engine(EngineConfig.builder().workers(1).build(), registry);
    engine.deploy(chain("f", 1, "pass", "thread-record"));
    engine.deploy(
        newFlow("g")
            .node("in", "trigger")
            .node("fn", "function")
            .node("out2", "thread-record")
            .wire("in", "fn")
            .wire("fn", "out2")
            .build());
    for (int i = 0; i < 20; i++) {
      Thread.sleep(2);
      assertEquals(InjectResult.ACCEPTED, engine.injectAndRun("g", "in", json("{}"), NONE, 0));
      assertEquals(InjectResult.ACCEPTED, engine.injectAndRun("f", "in", json("{}"), NONE, 0));
    }
    await("all at both sinks", 5_000, () -> count("out2") == 20 && count("out") == 20);
    for (Thread thread : TestNodes.THREADS.get("out2")) {
      assertNotEquals(Thread.currentThread(), thread, "a script chain ran on the caller");
    }
    assertTrue(
        TestNodes.THREADS.get("out").stream().anyMatch(t -> t == Thread.currentThread()),
        "the flow without a script never ran inline");
  }

  @Test
  void shouldQueueForABlockingNode() {
    start(1)
        .deploy(
            newFlow("f")
                .node("in", "blocking", Map.of("sleepMs", 1))
                .node("out", "thread-record")
                .wire("in", "out")
                .build());
    assertEquals(InjectResult.ACCEPTED, engine.injectAndRun("f", "in", json("{}"), NONE, 0));
    await("at the sink", 5_000, () -> count("out") == 1);
    assertNotEquals(Thread.currentThread(), TestNodes.THREADS.get("out").peek());
  }

  @Test
  void shouldRunATriggerNodesExecutionOnTheCallerThroughItsContext() {
    java.util.concurrent.atomic.AtomicReference<dev.z8run.core.node.NodeContext> context =
        new java.util.concurrent.atomic.AtomicReference<>();
    NodeTypeRegistry registry = TestNodes.registry();
    registry.register(
        NodeType.builder("context-trigger")
            .factory(
                ctx -> {
                  context.set(ctx);
                  return (msg, out) -> out.forward(0, msg);
                })
            .build());
    engine = new Engine(EngineConfig.builder().workers(1).build(), registry);
    engine.deploy(
        newFlow("f")
            .node("in", "context-trigger")
            .node("p1", "pass")
            .node("p2", "pass")
            .node("out", "thread-record")
            .wire("in", "p1")
            .wire("p1", "p2")
            .wire("p2", "out")
            .build());
    byte[] framed = json("xx{\"s\":1}yy"); // the body is a slice of a larger buffer
    for (int i = 0; i < 50; i++) {
      assertTrue(context.get().tryTriggerInline(framed, 2, framed.length - 4));
    }
    Queue<Thread> threads = TestNodes.THREADS.get("out");
    await("all at the sink", 5_000, () -> threads.size() == 50);
    assertTrue(
        threads.stream().anyMatch(t -> t == Thread.currentThread()),
        "none ran on the caller's thread");
    assertTrue(TestNodes.RECEIVED.get("out").stream().allMatch(b -> b.equals("{\"s\":1}")));
    await("executions complete", 5_000, () -> engine.metrics("f").completed() == 50);
  }
}
