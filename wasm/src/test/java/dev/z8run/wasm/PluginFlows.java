package dev.z8run.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.event.EngineListener;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.node.InjectResult;
import dev.z8run.core.node.NodeEnvironment;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.NodeTypeRegistry;
import dev.z8run.core.runtime.Engine;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.testkit.Poll;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.BooleanSupplier;

/**
 * A real engine with {@link Plugins} and two test node types: {@code source} (a trigger that sends
 * what is injected) and {@code capture} (records the JSON of every message by node id, and by flow
 * id / node id). Records node errors and plugin log lines.
 */
final class PluginFlows implements AutoCloseable {
  static final long TIMEOUT_MS = 10_000;

  final Engine engine;
  final Plugins plugins;
  final PluginContextStore contexts = PluginContextStore.inMemory();
  private final Map<String, Queue<String>> captured = new ConcurrentHashMap<>();
  private final Queue<String[]> errors = new ConcurrentLinkedQueue<>();
  final Queue<String> logLines = new ConcurrentLinkedQueue<>();

  PluginFlows() {
    this(ExecutionMode.COMPILED);
  }

  PluginFlows(ExecutionMode mode) {
    NodeTypeRegistry registry = new NodeTypeRegistry();
    registry.register(
        NodeType.builder("source")
            .inputs()
            .factory(
                ctx -> (msg, out) -> out.send(0, msg.buffer(), msg.jsonOffset(), msg.jsonLength()))
            .build());
    registry.register(
        NodeType.builder("capture")
            .outputs()
            .factory(
                ctx -> {
                  Queue<String> queue =
                      captured.computeIfAbsent(ctx.nodeId(), id -> new ConcurrentLinkedQueue<>());
                  Queue<String> inFlow =
                      captured.computeIfAbsent(
                          ctx.flowId() + "/" + ctx.nodeId(), id -> new ConcurrentLinkedQueue<>());
                  return (msg, out) -> {
                    String json = msg.jsonString();
                    inFlow.add(json);
                    queue.add(json);
                  };
                })
            .build());
    engine = new Engine(EngineConfig.builder().workers(2).build(), registry);
    engine.registerService(NodeEnvironment.class, NodeEnvironment.of(Map.of("PATH", "/usr/bin")));
    engine.registerService(
        PluginLog.class,
        (flowId, nodeId, plugin, line) -> logLines.add(nodeId + " " + plugin + ": " + line));
    engine.addListener(
        new EngineListener() {
          @Override
          public void onNodeError(String flowId, String nodeId, long executionId, String msg) {
            errors.add(new String[] {nodeId, msg});
          }
        });
    plugins = new Plugins(registry, mode, contexts);
  }

  static FlowNode node(String id, String type, String configJson) {
    @SuppressWarnings("unchecked")
    Map<String, Object> config = (Map<String, Object>) JsonCodec.parse(configJson);
    return new FlowNode(id, type, "", 0, 0, false, config);
  }

  /** A flow of nodes "in" (source) -> {@code type} "p" -> "out" (capture), output 0 wired. */
  static Flow chain(String flowId, String type, String configJson) {
    return new Flow(
        flowId,
        flowId,
        "",
        List.of(
            node("in", "source", "{}"), node("p", type, configJson), node("out", "capture", "{}")),
        List.of(new Wire("in", 0, "p", 0), new Wire("p", 0, "out", 0)));
  }

  void inject(String flowId, String nodeId, String json) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    InjectResult result =
        Poll.eventually("inject into " + nodeId)
            .until(() -> engine.inject(flowId, nodeId, body), r -> !r.isTransient());
    assertEquals(InjectResult.ACCEPTED, result, "inject into " + nodeId);
  }

  /** The payloads capture node {@code nodeId} received, once it has {@code count}. */
  List<Object> awaitPayloads(String nodeId, int count) {
    await(count + " messages at " + nodeId, () -> captured(nodeId).size() >= count);
    List<Object> payloads = new ArrayList<>();
    for (String json : captured(nodeId)) {
      payloads.add(((Map<?, ?>) JsonCodec.parse(json)).get("payload"));
    }
    return payloads;
  }

  /** As {@link #awaitPayloads(String, int)} for node {@code nodeId} of flow {@code flowId}. */
  List<Object> awaitPayloads(String flowId, String nodeId, int count) {
    return awaitPayloads(flowId + "/" + nodeId, count);
  }

  static Object json(String text) {
    return JsonCodec.parse(text);
  }

  List<String> captured(String nodeId) {
    Queue<String> queue = captured.get(nodeId);
    return queue == null ? List.of() : List.copyOf(queue);
  }

  /** The error messages of node {@code nodeId}, once it has {@code count}. */
  List<String> awaitErrors(String nodeId, int count) {
    await(count + " errors at " + nodeId, () -> errors(nodeId).size() >= count);
    return errors(nodeId);
  }

  List<String> errors(String nodeId) {
    List<String> list = new ArrayList<>();
    for (String[] error : errors) {
      if (error[0].equals(nodeId)) {
        list.add(error[1]);
      }
    }
    return list;
  }

  static void await(String what, BooleanSupplier condition) {
    Poll.eventually(what).until(condition::getAsBoolean);
  }

  @Override
  public void close() {
    engine.close();
  }
}
