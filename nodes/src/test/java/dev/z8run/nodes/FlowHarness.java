package dev.z8run.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.event.EngineListener;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.node.InjectResult;
import dev.z8run.core.node.NodeEnvironment;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.NodeTypeRegistry;
import dev.z8run.core.runtime.Engine;
import dev.z8run.io.json.FieldIndex;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.message.MessageBodyView;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.testkit.Poll;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A real {@link Engine} with the built-in node types plus two test-only types, so that node tests
 * run their node inside a deployed flow:
 *
 * <ul>
 *   <li>{@code source}: a trigger (no inputs) that sends the injected JSON body on, with the binary
 *       payload given in its {@code binaryBase64} config field (none when absent);
 *   <li>{@code capture}: a sink that records the JSON body and binary payload of every message it
 *       receives, by node id.
 * </ul>
 *
 * It also records the status and warning events of every node.
 */
public final class FlowHarness implements AutoCloseable {
  public static final long TIMEOUT_MS = 10_000;

  /**
   * One message a capture node received: its JSON body as text, its binary payload, and whether it
   * carried a field index (checked against the body on arrival).
   */
  public record Captured(String json, byte[] binary, boolean indexed) {
    public Object parsed() {
      return JsonCodec.parse(json);
    }
  }

  /** A node status or warning event. */
  public record NodeEvent(String nodeId, String text) {}

  public final Engine engine;
  private final Map<String, Queue<Captured>> captured = new ConcurrentHashMap<>();
  private final Queue<NodeEvent> statuses = new ConcurrentLinkedQueue<>();
  private final Queue<NodeEvent> warnings = new ConcurrentLinkedQueue<>();
  private final Queue<NodeEvent> errors = new ConcurrentLinkedQueue<>();

  public FlowHarness() {
    this(2);
  }

  /** A harness whose engine has {@code workers} workers (one: every node shares it). */
  public FlowHarness(int workers) {
    NodeTypeRegistry registry = BuiltinNodes.registry();
    registry.register(sourceType());
    registry.register(captureType());
    engine = new Engine(EngineConfig.builder().workers(workers).build(), registry);
    engine.registerService(
        NodeEnvironment.class,
        NodeEnvironment.of(
            Map.of(
                "Z8_ENV_GREETING", "hello", "Z8_JWT_SECRET", "do-not-leak", "PATH", "/usr/bin")));
    engine.addListener(
        new EngineListener() {
          @Override
          public void onNodeStatus(String flowId, String nodeId, String status) {
            statuses.add(new NodeEvent(nodeId, status));
          }

          @Override
          public void onNodeWarn(String flowId, String nodeId, String message) {
            warnings.add(new NodeEvent(nodeId, message));
          }

          @Override
          public void onNodeError(String flowId, String nodeId, long executionId, String message) {
            errors.add(new NodeEvent(nodeId, message));
          }
        });
  }

  private static NodeType sourceType() {
    return NodeType.builder("source")
        .inputs()
        .field(ConfigField.optional("binaryBase64", FieldType.STRING, "", "Binary payload."))
        .factory(
            ctx -> {
              byte[] binary = Base64.getDecoder().decode(ctx.configString("binaryBase64", ""));
              UnsafeBuffer binaryBuffer = new UnsafeBuffer(binary);
              MessageBodyView sent = new MessageBodyView();
              return (msg, out) ->
                  out.send(
                      0,
                      sent.json(msg.buffer(), msg.jsonOffset(), msg.jsonLength())
                          .binary(binaryBuffer, 0, binary.length));
            })
        .build();
  }

  private NodeType captureType() {
    return NodeType.builder("capture")
        .outputs()
        .factory(
            ctx -> {
              Queue<Captured> queue =
                  captured.computeIfAbsent(ctx.nodeId(), id -> new ConcurrentLinkedQueue<>());
              UnsafeBuffer rebuilt = new UnsafeBuffer(new byte[FieldIndex.MAX_INDEX_BYTES]);
              return (msg, out) -> {
                checkIndex(msg, rebuilt);
                queue.add(new Captured(msg.jsonString(), msg.binaryBytes(), msg.indexLength() > 0));
              };
            })
        .build();
  }

  /**
   * A field index carried by a captured message must be the one its JSON gives: a wrong one fails
   * the capture node (an error event) instead of recording the message.
   */
  private static void checkIndex(MessageFlyweight msg, UnsafeBuffer rebuilt) {
    int length = msg.indexLength();
    if (length == 0) {
      return;
    }
    int built = FieldIndex.build(msg.buffer(), msg.jsonOffset(), msg.jsonLength(), rebuilt, 0);
    boolean same = built == length;
    for (int i = 0; same && i < length; i++) {
      same = rebuilt.getByte(i) == msg.buffer().getByte(msg.indexOffset() + i);
    }
    if (!same) {
      throw new IllegalStateException("the field index does not describe " + msg.jsonString());
    }
  }

  /** A node at the canvas origin; {@code configJson} is its config as JSON text. */
  public static FlowNode node(String id, String type, String configJson) {
    @SuppressWarnings("unchecked")
    Map<String, Object> config = (Map<String, Object>) JsonCodec.parse(configJson);
    return new FlowNode(id, type, "", 0, 0, false, config);
  }

  public static FlowNode node(String id, String type) {
    return node(id, type, "{}");
  }

  /** A flow whose nodes are wired one after the other, output 0 to input 0. */
  public static Flow chain(String flowId, FlowNode... nodes) {
    List<Wire> wires = new ArrayList<>();
    for (int i = 1; i < nodes.length; i++) {
      wires.add(new Wire(nodes[i - 1].id(), 0, nodes[i].id(), 0));
    }
    return new Flow(flowId, flowId, "", List.of(nodes), wires);
  }

  /** Deploys source "in" -> switch "sw" with {@code ports} outputs, port i -> capture "o<i>". */
  public static Flow switchFlow(String type, String config, int ports, String sourceConfig) {
    List<FlowNode> nodes = new ArrayList<>();
    List<Wire> wires = new ArrayList<>();
    nodes.add(node("in", "source", sourceConfig));
    nodes.add(node("sw", type, config));
    wires.add(new Wire("in", 0, "sw", 0));
    for (int i = 0; i < ports; i++) {
      nodes.add(node("o" + i, "capture"));
      wires.add(new Wire("sw", i, "o" + i, 0));
    }
    return new Flow("f", "f", "", nodes, wires);
  }

  public static Object json(String text) {
    return JsonCodec.parse(text);
  }

  /**
   * JSON written with single quotes, as the Node-RED parity tests quote Node-RED's configs and
   * messages inside Java strings: every {@code '} becomes {@code "}.
   */
  public static String q(String singleQuoted) {
    return singleQuoted.replace('\'', '"');
  }

  /** Starts an execution at {@code nodeId}, retrying while the flow is back-pressured. */
  public void inject(String flowId, String nodeId, String json) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    InjectResult result =
        Poll.eventually("inject into " + nodeId)
            .until(() -> engine.inject(flowId, nodeId, body), r -> !r.isTransient());
    assertEquals(InjectResult.ACCEPTED, result, "inject into " + nodeId);
  }

  /** Waits until capture node {@code nodeId} has received {@code count} messages; returns them. */
  public List<Captured> awaitCaptured(String nodeId, int count) {
    // counts without copying: a copy per 1 ms poll of thousands of messages is most of a wait
    await(count + " messages at " + nodeId, () -> capturedCount(nodeId) >= count);
    return captured(nodeId);
  }

  private int capturedCount(String nodeId) {
    Queue<Captured> queue = captured.get(nodeId);
    return queue == null ? 0 : queue.size();
  }

  /** What capture node {@code nodeId} has received so far, in arrival order. */
  public List<Captured> captured(String nodeId) {
    Queue<Captured> queue = captured.get(nodeId);
    return queue == null ? List.of() : List.copyOf(queue);
  }

  /** The status texts node {@code nodeId} has published so far, in order. */
  public List<String> statuses(String nodeId) {
    return texts(statuses, nodeId);
  }

  /** The warnings node {@code nodeId} has reported so far, in order. */
  public List<String> warnings(String nodeId) {
    return texts(warnings, nodeId);
  }

  /** The error messages reported for node {@code nodeId} so far, in order. */
  public List<String> errors(String nodeId) {
    return texts(errors, nodeId);
  }

  /** Waits until node {@code nodeId} has reported {@code count} errors; returns them all. */
  public List<String> awaitErrors(String nodeId, int count) {
    await(count + " errors at " + nodeId, () -> errors(nodeId).size() >= count);
    return errors(nodeId);
  }

  private static List<String> texts(Queue<NodeEvent> events, String nodeId) {
    List<String> texts = new ArrayList<>();
    for (NodeEvent event : events) {
      if (event.nodeId().equals(nodeId)) {
        texts.add(event.text());
      }
    }
    return texts;
  }

  /**
   * Waits for {@code condition}, polling, for up to {@link #TIMEOUT_MS}; fails with {@code what}.
   */
  public static void await(String what, BooleanSupplier condition) {
    Poll.eventually(what).until(condition::getAsBoolean);
  }

  @Override
  public void close() {
    engine.close();
  }
}
