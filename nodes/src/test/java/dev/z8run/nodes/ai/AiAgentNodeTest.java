package dev.z8run.nodes.ai;

import static dev.z8run.nodes.ai.AiFlows.list;
import static dev.z8run.nodes.ai.AiFlows.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.z8run.core.event.EngineListener;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.ai.embed.LocalEmbedder;
import dev.z8run.nodes.ai.vector.InMemoryVectorCollections;
import dev.z8run.nodes.ai.vector.VectorCollections;
import dev.z8run.nodes.ai.vector.VectorEntry;
import dev.z8run.testkit.ai.FakeProviders;
import dev.z8run.testkit.ai.FakeProviders.Kind;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The ai-agent's tool loop with each provider and each kind of tool. */
class AiAgentNodeTest {
  private final AiFlows ai = new AiFlows();
  private final Queue<String> steps = new ConcurrentLinkedQueue<>();

  AiAgentNodeTest() {
    ai.harness.engine.addListener(
        new EngineListener() {
          @Override
          public void onNodeDebug(
              String flowId, String nodeId, long executionId, String preview, long length) {
            if (nodeId.equals("ai") && executionId != 0) {
              steps.add(preview);
            }
          }
        });
  }

  @AfterEach
  void close() {
    ai.close();
  }

  /** The agent "ai" with outputs to o0..o2, plus link-in "li" -> change -> link-out (return). */
  private void deployWithLinkTool(Map<String, Object> agent) {
    List<FlowNode> nodes = new ArrayList<>();
    nodes.add(FlowHarness.node("in", "source", "{}"));
    nodes.add(new FlowNode("ai", "ai-agent", "", 0, 0, false, agent));
    List<Wire> wires = new ArrayList<>(List.of(new Wire("in", 0, "ai", 0)));
    for (int i = 0; i < 3; i++) {
      nodes.add(FlowHarness.node("o" + i, "capture"));
      wires.add(new Wire("ai", i, "o" + i, 0));
    }
    nodes.add(FlowHarness.node("li", "link-in", "{}"));
    nodes.add(
        FlowHarness.node(
            "weather",
            "change",
            "{\"rules\":[{\"t\":\"set\",\"p\":\"payload\",\"pt\":\"msg\",\"to\":\"12 degrees and rain\","
                + "\"tot\":\"str\"}]}"));
    nodes.add(FlowHarness.node("lo", "link-out", "{\"mode\":\"return\"}"));
    wires.add(new Wire("li", 0, "weather", 0));
    wires.add(new Wire("weather", 0, "lo", 0));
    ai.harness.engine.deploy(new Flow("agent", "agent", "", nodes, wires));
  }

  private static final String WEATHER_TOOL =
      "{\"name\":\"get_weather\",\"description\":\"Weather in a city\",\"parameters\":"
          + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}},\"link\":\"li\"}";

  @Test
  void shouldRunALinkToolThroughTheFlowAndAnswerWithItsResult() {
    ai.fake.enqueue(Kind.OPENAI, FakeProviders.toolCalls("get_weather", "{\"city\":\"Oslo\"}"));
    ai.fake.enqueue(Kind.OPENAI, FakeProviders.text("Oslo: 12 degrees and rain."));
    deployWithLinkTool(ai.config(Kind.OPENAI, "{\"tools\":[" + WEATHER_TOOL + "]}"));

    ai.inject("agent", Map.of("payload", "Weather in Oslo?"));

    Map<String, Object> msg = ai.awaitMessage("o0", 1);
    Map<String, Object> payload = map(msg.get("payload"));
    assertEquals("Oslo: 12 degrees and rain.", payload.get("text"));
    assertEquals(2L, payload.get("iterations"));
    assertEquals(99L + 29L, map(msg.get("usage")).get("total_tokens"));
    List<Object> first = list(ai.fake.requests(Kind.OPENAI).get(0).field("tools"));
    assertEquals("get_weather", map(map(first.get(0)).get("function")).get("name"));
    List<Object> second = list(ai.fake.requests(Kind.OPENAI).get(1).field("messages"));
    Map<String, Object> assistant = map(second.get(2));
    assertEquals("assistant", assistant.get("role"));
    assertEquals("call_abc123", map(list(assistant.get("tool_calls")).get(0)).get("id"));
    assertEquals(
        Map.of("role", "tool", "tool_call_id", "call_abc123", "content", "12 degrees and rain"),
        second.get(3));
    List<Object> recorded = list(payload.get("steps"));
    assertEquals(
        List.of("model", "tool", "model"), recorded.stream().map(s -> map(s).get("kind")).toList());
    assertEquals(Map.of("city", "Oslo"), map(recorded.get(1)).get("arguments"));
    FlowHarness.await("three agent steps as debug events", () -> steps.size() == 3);
    assertTrue(steps.stream().toList().get(1).contains("\"tool\":\"get_weather\""));
  }

  @Test
  void shouldNotDeadlockWhenEveryAgentSlotWaitsForALinkTool() {
    for (int i = 0; i < 4; i++) {
      ai.fake.enqueue(Kind.OPENAI, FakeProviders.toolCalls("get_weather", "{\"city\":\"x\"}"));
    }
    deployWithLinkTool(
        ai.config(Kind.OPENAI, "{\"concurrency\":1,\"tools\":[" + WEATHER_TOOL + "]}"));

    for (int i = 0; i < 4; i++) {
      ai.inject("agent", Map.of("payload", "q" + i));
    }

    ai.harness.awaitCaptured("o0", 4);
  }

  @Test
  void shouldRunAUrlToolWithAnthropicToolUse() throws Exception {
    Queue<String> posted = new ConcurrentLinkedQueue<>();
    HttpServer tool =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    tool.createContext(
        "/price",
        exchange -> {
          posted.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          byte[] answer = "{\"price\": 9.99}".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, answer.length);
          exchange.getResponseBody().write(answer);
          exchange.close();
        });
    tool.start();
    try {
      ai.fake.enqueue(Kind.ANTHROPIC, FakeProviders.toolCalls("price", "{\"sku\":\"A-1\"}"));
      ai.fake.enqueue(Kind.ANTHROPIC, FakeProviders.text("It costs 9.99."));
      ai.deploy(
          "f",
          "ai-agent",
          ai.config(
              Kind.ANTHROPIC,
              "{\"tools\":[{\"name\":\"price\",\"description\":\"Price of a SKU\",\"parameters\":"
                  + "{\"type\":\"object\",\"properties\":{\"sku\":{\"type\":\"string\"}}},\"url\":"
                  + "\"http://127.0.0.1:"
                  + tool.getAddress().getPort()
                  + "/price\",\"headers\":{\"X-Token\":\"t\"}}]}"),
          3);

      ai.inject("f", Map.of("payload", "How much is A-1?"));

      assertEquals("It costs 9.99.", map(ai.awaitMessage("o0", 1).get("payload")).get("text"));
      assertEquals(List.of("{\"sku\":\"A-1\"}"), List.copyOf(posted));
      Map<String, Object> toolSpec =
          map(list(ai.fake.requests(Kind.ANTHROPIC).get(0).field("tools")).get(0));
      assertEquals("object", map(toolSpec.get("input_schema")).get("type"));
      List<Object> second = list(ai.fake.requests(Kind.ANTHROPIC).get(1).field("messages"));
      Map<String, Object> result = map(list(map(second.get(2)).get("content")).get(0));
      assertEquals("tool_result", result.get("type"));
      assertEquals("toolu_01A09q90qw90lq917835lq0", result.get("tool_use_id"));
      assertEquals("{\"price\": 9.99}", result.get("content"));
    } finally {
      tool.stop(0);
    }
  }

  @Test
  void shouldSearchACollectionForAnOllamaToolCall() throws Exception {
    LocalEmbedder embedder = new LocalEmbedder(2);
    InMemoryVectorCollections collections = new InMemoryVectorCollections();
    ai.harness.engine.registerService(LocalEmbedder.class, embedder);
    ai.harness.engine.registerService(VectorCollections.class, collections);
    List<String> facts =
        List.of("The office opens at nine in the morning.", "Parking is free for visitors.");
    List<float[]> vectors = embedder.embed(facts);
    collections.upsert(
        "kb",
        List.of(
            new VectorEntry("1", vectors.get(0), facts.get(0), Map.of()),
            new VectorEntry("2", vectors.get(1), facts.get(1), Map.of())));
    ai.fake.enqueue(
        Kind.OLLAMA, FakeProviders.toolCalls("kb", "{\"query\":\"When does the office open?\"}"));
    ai.fake.enqueue(Kind.OLLAMA, FakeProviders.text("At nine."));
    ai.deploy(
        "f",
        "ai-agent",
        ai.config(
            Kind.OLLAMA,
            "{\"tools\":[{\"name\":\"kb\",\"description\":\"Company facts\",\"collection\":\"kb\",\"topK\":1}]}"),
        3);

    ai.inject("f", Map.of("payload", "When do you open?"));

    assertEquals("At nine.", map(ai.awaitMessage("o0", 1).get("payload")).get("text"));
    List<Object> second = list(ai.fake.requests(Kind.OLLAMA).get(1).field("messages"));
    Map<String, Object> toolTurn = map(second.get(3));
    assertEquals("tool", toolTurn.get("role"));
    assertEquals("kb", toolTurn.get("tool_name"));
    List<Object> found = list(JsonCodec.parse(toolTurn.get("content").toString()));
    assertEquals(facts.get(0), map(found.get(0)).get("text"));
    embedder.close();
  }

  @Test
  void shouldSendACallOfAToolItCannotRunToToolCallAsZ8runDoes() {
    ai.fake.enqueue(Kind.OPENAI, FakeProviders.toolCalls("send_email", "{\"to\":\"ops\"}"));
    ai.deploy(
        "f",
        "ai-agent",
        ai.config(
            Kind.OPENAI,
            "{\"tools\":\"[{\\\"name\\\":\\\"send_email\\\",\\\"description\\\":\\\"Mail\\\","
                + "\\\"parameters\\\":{\\\"type\\\":\\\"object\\\"}}]\"}"),
        3);

    ai.inject("f", Map.of("payload", "tell ops"));

    Map<String, Object> payload = map(ai.awaitMessage("o1", 1).get("payload"));
    assertEquals("send_email", payload.get("tool_name"));
    assertEquals(Map.of("to", "ops"), payload.get("arguments"));
    assertEquals(1L, payload.get("iteration"));
  }

  @Test
  void shouldGiveUpAfterMaxIterations() {
    for (int i = 0; i < 2; i++) {
      ai.fake.enqueue(Kind.OPENAI, FakeProviders.toolCalls("get_weather", "{\"city\":\"x\"}"));
    }
    deployWithLinkTool(
        ai.config(Kind.OPENAI, "{\"maxIterations\":2,\"tools\":[" + WEATHER_TOOL + "]}"));

    ai.inject("agent", Map.of("payload", "loop"));

    Map<String, Object> error = map(ai.awaitMessage("o2", 1).get("error"));
    assertEquals("no final answer within maxIterations=2 model calls", error.get("message"));
    assertEquals(4, list(error.get("steps")).size());
  }
}
