package dev.z8run.nodes.ai;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.z8run.nodes.ai.provider.AiUsage;
import dev.z8run.nodes.ai.provider.Chat;
import dev.z8run.nodes.ai.provider.ChatApi;
import dev.z8run.nodes.ai.provider.Provider;
import dev.z8run.nodes.ai.provider.ProviderClient;
import dev.z8run.nodes.ai.provider.ProviderHttp;
import dev.z8run.nodes.ai.provider.ProviderSettings;
import dev.z8run.nodes.support.OutboundPolicy;
import dev.z8run.testkit.ai.FakeProviders;
import dev.z8run.testkit.ai.FakeProviders.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Tool calls arriving in a stream, assembled from each provider's deltas. */
class StreamedToolCallsTest {
  private final FakeProviders fake = FakeProviders.start();
  private final AiUsage usage = new AiUsage();

  @AfterEach
  void close() {
    fake.close();
  }

  private ChatApi chat(Provider provider, Kind kind) {
    ProviderSettings settings =
        new ProviderSettings(provider, "m", "key", fake.baseUrl(kind), 10_000, 0, 2);
    return ChatApi.of(
        new ProviderClient(
            settings,
            OutboundPolicy.parse("127.0.0.1"),
            new ProviderHttp().client(),
            usage.counters("f", provider.id(), "m")));
  }

  private static Chat.Request request() {
    return new Chat.Request(
        "",
        List.of(Chat.Turn.user("weather?")),
        0.5,
        100,
        List.of(new Chat.ToolSpec("get_weather", "w", Map.of("type", "object"))),
        false);
  }

  @Test
  void shouldAssembleOpenAiToolCallDeltas() throws Exception {
    fake.enqueue(
        Kind.OPENAI,
        FakeProviders.toolCalls(
            "get_weather", "{\"city\":\"Oslo\"}", "get_time", "{\"tz\":\"CET\"}"));
    List<String> texts = new ArrayList<>();

    Chat.Result result = chat(Provider.OPENAI, Kind.OPENAI).complete(request(), texts::add);

    assertEquals("tool_calls", result.finishReason());
    assertEquals(2, result.toolCalls().size());
    assertEquals("get_time", result.toolCalls().get(1).name());
    assertEquals(Map.of("city", "Oslo"), result.toolCalls().get(0).arguments());
    assertEquals("call_abc124", result.toolCalls().get(1).id());
    assertEquals(21, result.usage().totalTokens());
    assertEquals(List.of(), texts);
  }

  @Test
  void shouldAssembleAnthropicInputJsonDeltas() throws Exception {
    fake.enqueue(
        Kind.ANTHROPIC,
        FakeProviders.toolCalls("get_weather", "{\"location\":\"San Francisco, CA\"}"));
    List<String> texts = new ArrayList<>();

    Chat.Result result = chat(Provider.ANTHROPIC, Kind.ANTHROPIC).complete(request(), texts::add);

    assertEquals("tool_use", result.finishReason());
    assertEquals("Okay, let", result.text());
    assertEquals(List.of("Okay", ", let"), texts);
    Chat.ToolCall call = result.toolCalls().get(0);
    assertEquals("toolu_01T1x1fJ34qAmk2tNTrN7Up0", call.id());
    assertEquals(Map.of("location", "San Francisco, CA"), call.arguments());
    assertEquals(new Chat.Usage(472, 89), result.usage());
  }

  @Test
  void shouldReadOllamaToolCallsFromAStream() throws Exception {
    fake.enqueue(
        Kind.OLLAMA, FakeProviders.toolCalls("get_weather", "{\"location\":\"Paris, FR\"}"));

    Chat.Result result = chat(Provider.OLLAMA, Kind.OLLAMA).complete(request(), text -> {});

    assertEquals(Map.of("location", "Paris, FR"), result.toolCalls().get(0).arguments());
    assertEquals("call_1", result.toolCalls().get(0).id());
    assertEquals(new Chat.Usage(26, 282), result.usage());
  }
}
