package dev.z8run.nodes.ai;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.support.OutboundPolicy;
import dev.z8run.testkit.ai.FakeProviders;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An engine ({@link FlowHarness}) and the fake model server, with the outbound policy allowing
 * loopback as an administrator would for a local model server; flows of one AI node between a
 * source and one capture node per output port ({@code o0}, {@code o1}, ...).
 */
final class AiFlows implements AutoCloseable {
  final FlowHarness harness = new FlowHarness();
  final FakeProviders fake = FakeProviders.start();

  AiFlows() {
    harness.engine.registerService(OutboundPolicy.class, OutboundPolicy.parse("127.0.0.1"));
  }

  /** The config of a node pointed at the fake server as {@code kind}, plus {@code more}. */
  Map<String, Object> config(FakeProviders.Kind kind, String more) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("provider", kind.name().toLowerCase(java.util.Locale.ROOT));
    config.put("baseUrl", fake.baseUrl(kind));
    config.put("apiKey", "sk-test-key");
    config.put("model", "test-model");
    Object extra = JsonCodec.parse(more);
    if (extra instanceof Map<?, ?> map) {
      map.forEach((key, value) -> config.put(String.valueOf(key), value));
    }
    return config;
  }

  /**
   * Deploys source "in" -> {@code type} "ai" -> capture "o<i>" on each of {@code ports} outputs.
   */
  void deploy(String flowId, String type, Map<String, Object> config, int ports) {
    List<FlowNode> nodes = new ArrayList<>();
    List<Wire> wires = new ArrayList<>();
    nodes.add(FlowHarness.node("in", "source", "{}"));
    nodes.add(new FlowNode("ai", type, "", 0, 0, false, config));
    wires.add(new Wire("in", 0, "ai", 0));
    for (int i = 0; i < ports; i++) {
      nodes.add(FlowHarness.node("o" + i, "capture"));
      wires.add(new Wire("ai", i, "o" + i, 0));
    }
    harness.engine.deploy(new Flow(flowId, flowId, "", nodes, wires));
  }

  void inject(String flowId, Object message) {
    harness.inject(flowId, "in", JsonCodec.writeString(message));
  }

  /** The {@code n}th message (from 1) at capture node {@code node}, parsed. */
  @SuppressWarnings("unchecked")
  Map<String, Object> awaitMessage(String node, int n) {
    return (Map<String, Object>) harness.awaitCaptured(node, n).get(n - 1).parsed();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object value) {
    return (Map<String, Object>) value;
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object value) {
    return (List<Object>) value;
  }

  @Override
  public void close() {
    harness.close();
    fake.close();
  }
}
