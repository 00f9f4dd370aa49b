package dev.z8run.core.runtime;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.node.InjectResult;
import dev.z8run.core.node.Node;
import dev.z8run.core.node.Output;
import dev.z8run.core.node.WorkerIntake;
import dev.z8run.core.registry.NodeCost;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.NodeTypeRegistry;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.testkit.Poll;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;

/** Node types and flow builders for engine tests. */
final class TestNodes {
  /**
   * The resource lock of the static state below (what the sinks received, keyed by node id, and the
   * threads seen): a test class that deploys these nodes or reads that state is annotated with
   * {@code ResourceLock(TestNodes.STATE)}, so that no two such classes run at once (DEVELOPERS.md).
   */
  static final String STATE = "dev.z8run.core.runtime.TestNodes";

  /** What each "record" sink received, by node id: the JSON bodies in arrival order. */
  static final Map<String, Queue<String>> RECEIVED = new ConcurrentHashMap<>();

  /** The message ids each "record" sink received, by node id, in arrival order. */
  static final Map<String, Queue<Long>> IDS = new ConcurrentHashMap<>();

  /** The threads "thread-record" sinks ran on, by node id, in arrival order. */
  static final Map<String, Queue<Thread>> THREADS = new ConcurrentHashMap<>();

  /** Threads "intake" nodes took messages on ({@link WorkerIntake#intake}). */
  static final Queue<Thread> INTAKE_THREADS = new ConcurrentLinkedQueue<>();

  /**
   * A blocking node with a worker intake: a body holding "take" ends on the worker, one holding
   * "ticket" goes on to a virtual thread with the ticket "T" (sent on with {@code "via":"ticket"}),
   * any other to {@code onMessage} (forwarded as it is).
   */
  static final class Intake implements Node, WorkerIntake {
    @Override
    public Object intake(MessageFlyweight msg) {
      INTAKE_THREADS.add(Thread.currentThread());
      String json = msg.jsonString();
      return json.contains("take") ? TAKEN : json.contains("ticket") ? "T" : null;
    }

    @Override
    public void onTicket(MessageFlyweight msg, Object ticket, Output out) {
      BLOCKING_THREADS.add(Thread.currentThread());
      byte[] body =
          ("{\"via\":\"" + ticket + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
      out.send(0, new org.agrona.concurrent.UnsafeBuffer(body), 0, body.length);
    }

    @Override
    public void onMessage(MessageFlyweight msg, Output out) {
      BLOCKING_THREADS.add(Thread.currentThread());
      out.forward(0, msg);
    }
  }

  /** Threads "blocking" nodes ran on. */
  static final Queue<Thread> BLOCKING_THREADS = new ConcurrentLinkedQueue<>();

  /** Messages inside "blocking" nodes right now, and the most there ever were at once. */
  static final java.util.concurrent.atomic.AtomicInteger BLOCKING_NOW =
      new java.util.concurrent.atomic.AtomicInteger();

  static final java.util.concurrent.atomic.AtomicInteger BLOCKING_MAX =
      new java.util.concurrent.atomic.AtomicInteger();

  private TestNodes() {}

  static NodeTypeRegistry registry() {
    NodeTypeRegistry registry = new NodeTypeRegistry();
    registry.register(
        NodeType.builder("source").inputs().factory(ctx -> TestNodes::forward).build());
    registry.register(NodeType.builder("trigger").factory(ctx -> TestNodes::forward).build());
    registry.register(NodeType.builder("pass").factory(ctx -> TestNodes::forward).build());
    registry.register(
        NodeType.builder("light-trigger")
            .cost(NodeCost.LIGHT)
            .factory(ctx -> TestNodes::forward)
            .build());
    registry.register(
        NodeType.builder("light").cost(NodeCost.LIGHT).factory(ctx -> TestNodes::forward).build());
    registry.register(
        NodeType.builder("light-sink")
            .outputs()
            .cost(NodeCost.LIGHT)
            .factory(ctx -> (msg, out) -> {})
            .build());
    registry.register(NodeType.builder("sink").outputs().factory(ctx -> (msg, out) -> {}).build());
    registry.register(
        NodeType.builder("record")
            .outputs()
            .factory(
                ctx -> {
                  Queue<String> queue =
                      RECEIVED.computeIfAbsent(ctx.nodeId(), k -> new ConcurrentLinkedQueue<>());
                  Queue<Long> ids =
                      IDS.computeIfAbsent(ctx.nodeId(), k -> new ConcurrentLinkedQueue<>());
                  return (msg, out) -> {
                    ids.add(msg.messageId());
                    queue.add(msg.jsonString());
                  };
                })
            .build());
    registry.register(
        NodeType.builder("thread-record")
            .outputs()
            .factory(
                ctx -> {
                  Queue<String> queue =
                      RECEIVED.computeIfAbsent(ctx.nodeId(), k -> new ConcurrentLinkedQueue<>());
                  Queue<Thread> threads =
                      THREADS.computeIfAbsent(ctx.nodeId(), k -> new ConcurrentLinkedQueue<>());
                  return (msg, out) -> {
                    threads.add(Thread.currentThread());
                    queue.add(msg.jsonString());
                  };
                })
            .build());
    registry.register(
        NodeType.builder("slow")
            .factory(
                ctx -> {
                  long spinNs = ctx.configLong("spinNs", 50_000);
                  return (msg, out) -> {
                    long until = System.nanoTime() + spinNs;
                    while (System.nanoTime() < until) {
                      Thread.onSpinWait();
                    }
                    out.forward(0, msg);
                  };
                })
            .build());
    registry.register(
        NodeType.builder("boom")
            .factory(
                ctx ->
                    (msg, out) -> {
                      if (msg.jsonString().contains("\"fail\":true")) {
                        throw new IllegalStateException("refused " + msg.jsonString());
                      }
                      out.forward(0, msg);
                    })
            .build());
    registry.register(
        NodeType.builder("split")
            .factory(
                ctx -> {
                  int copies = (int) ctx.configLong("copies", 3);
                  return (msg, out) -> {
                    for (int i = 0; i < copies; i++) {
                      out.forward(0, msg);
                    }
                  };
                })
            .build());
    registry.register(
        NodeType.builder("blocking")
            .blocking(true)
            .factory(
                ctx -> {
                  long sleepMs = ctx.configLong("sleepMs", 5);
                  boolean fresh = ctx.configBoolean("fresh", false);
                  if (ctx.configBoolean("compute", false)) {
                    ctx.declareComputeBound();
                  }
                  return (msg, out) -> {
                    BLOCKING_THREADS.add(Thread.currentThread());
                    BLOCKING_MAX.accumulateAndGet(BLOCKING_NOW.incrementAndGet(), Math::max);
                    try {
                      Thread.sleep(sleepMs);
                    } finally {
                      BLOCKING_NOW.decrementAndGet();
                    }
                    if (fresh) {
                      out.send(0, msg.buffer(), msg.jsonOffset(), msg.jsonLength());
                    } else {
                      out.forward(0, msg);
                    }
                  };
                })
            .build());
    registry.register(
        NodeType.builder("intake").blocking(true).factory(ctx -> new Intake()).build());
    registry.register(
        NodeType.builder("claim-twice")
            .factory(
                ctx ->
                    (msg, out) -> {
                      // two claims on one port, each written and committed: {"n":1} then {"n":2}
                      for (int n = 1; n <= 2; n++) {
                        byte[] json = ("{\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8);
                        MessageFlyweight claimed = out.claim(0, json.length, 0);
                        ((org.agrona.MutableDirectBuffer) claimed.buffer())
                            .putBytes(claimed.jsonOffset(), json);
                        out.commit();
                      }
                    })
            .build());
    registry.register(
        NodeType.builder("two-out")
            .outputs(PortSpec.any("even"), PortSpec.any("odd"))
            .factory(
                ctx -> (msg, out) -> out.forward(msg.jsonString().contains("odd") ? 1 : 0, msg))
            .build());
    registry.register(
        NodeType.builder("counter")
            .outputs(PortSpec.any("done"), PortSpec.any("again"))
            .factory(
                ctx -> {
                  long limit = ctx.configLong("limit", 1000);
                  return (msg, out) -> {
                    // {"id":..,"count":n} -> count + 1, out of "again" until it reaches the limit
                    String json = msg.jsonString();
                    int at = json.indexOf("\"count\":");
                    long count =
                        at < 0
                            ? 0
                            : Long.parseLong(json.substring(at + 8, json.indexOf('}', at)).trim());
                    String head =
                        at < 0
                            ? json.substring(0, json.lastIndexOf('}')) + ","
                            : json.substring(0, at);
                    byte[] next =
                        (head + "\"count\":" + (count + 1) + "}")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
                    out.send(
                        count + 1 < limit ? 1 : 0,
                        new org.agrona.concurrent.UnsafeBuffer(next),
                        0,
                        next.length);
                  };
                })
            .build());
    return registry;
  }

  private static void forward(MessageFlyweight msg, dev.z8run.core.node.Output out) {
    out.forward(0, msg);
  }

  static Node unused() {
    return (msg, out) -> {};
  }

  static FlowNode node(String id, String type) {
    return new FlowNode(id, type, "", 0, 0, false, Map.of());
  }

  static FlowNode node(String id, String type, Map<String, Object> config) {
    return new FlowNode(id, type, "", 0, 0, false, config);
  }

  /** trigger "in" -> n nodes of {@code type} named p1..pn -> {@code sinkType} "out". */
  static Flow chain(String flowId, int length, String type, String sinkType) {
    List<FlowNode> nodes = new ArrayList<>();
    List<Wire> wires = new ArrayList<>();
    nodes.add(node("in", "trigger"));
    String previous = "in";
    for (int i = 1; i <= length; i++) {
      String id = "p" + i;
      nodes.add(node(id, type));
      wires.add(new Wire(previous, 0, id, 0));
      previous = id;
    }
    nodes.add(node("out", sinkType));
    wires.add(new Wire(previous, 0, "out", 0));
    return new Flow(flowId, flowId, "", nodes, wires);
  }

  /** Waits for {@code condition} up to {@code timeoutMs} (Awaitility); fails with {@code what}. */
  static void await(String what, long timeoutMs, BooleanSupplier condition) {
    Poll.eventually(what, Duration.ofMillis(timeoutMs)).until(condition::getAsBoolean);
  }

  /** The body producer {@code producer} sends as its {@code seq}-th message. */
  @FunctionalInterface
  interface Bodies {
    byte[] body(int producer, int seq);
  }

  /**
   * Starts {@code producers} threads that each inject {@code perProducer} messages into node {@code
   * nodeId} of flow {@code flowId}, in order, retrying while back-pressured; returns once all are
   * in (fails with the first producer's failure).
   */
  static void produce(
      Engine engine, String flowId, String nodeId, int producers, int perProducer, Bodies bodies)
      throws InterruptedException {
    List<Thread> threads = new ArrayList<>();
    Queue<Throwable> failures = new ConcurrentLinkedQueue<>();
    for (int p = 0; p < producers; p++) {
      int producer = p;
      threads.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      for (int s = 0; s < perProducer; s++) {
                        injectAccepted(engine, flowId, nodeId, bodies.body(producer, s));
                      }
                    } catch (Throwable failed) {
                      failures.add(failed);
                    }
                  }));
    }
    for (Thread thread : threads) {
      thread.join();
    }
    if (!failures.isEmpty()) {
      throw new AssertionError("a producer failed", failures.peek());
    }
  }

  /** Injects, retrying while back-pressured (any other refusal fails); answers the retries. */
  static long injectAccepted(Engine engine, String flowId, String nodeId, byte[] body) {
    long retries = 0;
    while (true) {
      InjectResult result = engine.inject(flowId, nodeId, body);
      if (result == InjectResult.ACCEPTED) {
        return retries;
      }
      assertTrue(result.isTransient(), "refused for good: " + result);
      retries++;
      Thread.onSpinWait();
    }
  }

  /** Starts a flow for a test: {@code newFlow("f").node("in", "trigger").wire("in", "out")...}. */
  static FlowBuilder newFlow(String flowId) {
    return new FlowBuilder(flowId);
  }

  /** Nodes and wires of a test flow, in the order added; every port 0 unless given. */
  static final class FlowBuilder {
    private final String flowId;
    private final List<FlowNode> nodes = new ArrayList<>();
    private final List<Wire> wires = new ArrayList<>();

    private FlowBuilder(String flowId) {
      this.flowId = flowId;
    }

    FlowBuilder node(String id, String type) {
      nodes.add(TestNodes.node(id, type));
      return this;
    }

    FlowBuilder node(String id, String type, Map<String, Object> config) {
      nodes.add(TestNodes.node(id, type, config));
      return this;
    }

    FlowBuilder wire(String from, String to) {
      return wire(from, 0, to);
    }

    FlowBuilder wire(String from, int fromPort, String to) {
      wires.add(new Wire(from, fromPort, to, 0));
      return this;
    }

    Flow build() {
      return new Flow(flowId, flowId, "", nodes, wires);
    }
  }
}
