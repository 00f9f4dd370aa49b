package dev.z8run.nodes.ai;

import static dev.z8run.nodes.ai.AiFlows.list;
import static dev.z8run.nodes.ai.AiFlows.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.testkit.ai.FakeProviders;
import dev.z8run.testkit.ai.FakeProviders.Kind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The llm node against each provider's wire format, plain and streamed. */
class LlmNodeTest {
  private final AiFlows ai = new AiFlows();

  @AfterEach
  void close() {
    ai.close();
  }

  @Test
  void shouldAskOpenAiAndSendTheAnswerWithItsUsage() {
    ai.fake.enqueue(Kind.OPENAI, FakeProviders.text("Paris."));
    ai.deploy(
        "f", "llm", ai.config(Kind.OPENAI, "{\"systemPrompt\":\"Be brief.\",\"maxTokens\":50}"), 2);

    ai.inject("f", Map.of("payload", "Capital of France?", "topic", "geo"));

    Map<String, Object> msg = ai.awaitMessage("o0", 1);
    Map<String, Object> payload = map(msg.get("payload"));
    assertEquals("Paris.", payload.get("text"));
    assertEquals("gpt-4.1-2025-04-14", payload.get("model"));
    assertEquals("openai", payload.get("provider"));
    assertEquals("Capital of France?", payload.get("prompt"));
    assertEquals("geo", msg.get("topic"));
    assertEquals(
        Map.of("prompt_tokens", 19L, "completion_tokens", 10L, "total_tokens", 29L),
        msg.get("usage"));
    FakeProviders.Request request = ai.fake.requests(Kind.OPENAI).get(0);
    assertEquals("/openai/v1/chat/completions", request.path());
    assertEquals("Bearer sk-test-key", request.headers().get("authorization"));
    assertEquals("test-model", request.field("model"));
    assertEquals(50L, request.field("max_tokens"));
    assertEquals(
        List.of(
            Map.of("role", "system", "content", "Be brief."),
            Map.of("role", "user", "content", "Capital of France?")),
        request.field("messages"));
  }

  @Test
  void shouldStreamOpenAiAnswersAsPartialMessagesThenTheWhole() {
    ai.fake.enqueue(Kind.OPENAI, FakeProviders.text("Hello there, streaming world"));
    ai.deploy("f", "llm", ai.config(Kind.OPENAI, "{\"stream\":true}"), 2);

    ai.inject("f", Map.of("payload", "Say hello"));

    Map<String, Object> last = ai.awaitMessage("o0", 5);
    List<FakeProviders.Request> requests = ai.fake.requests(Kind.OPENAI);
    assertEquals(true, requests.get(0).field("stream"));
    assertEquals(Map.of("include_usage", true), requests.get(0).field("stream_options"));
    StringBuilder joined = new StringBuilder();
    for (int i = 1; i <= 4; i++) {
      Map<String, Object> partial = ai.awaitMessage("o0", i);
      assertEquals(true, partial.get("partial"));
      assertEquals((long) i - 1, partial.get("index"));
      joined.append(map(partial.get("payload")).get("text"));
    }
    assertEquals("Hello there, streaming world", joined.toString());
    assertEquals(false, last.get("partial"));
    assertEquals("Hello there, streaming world", map(last.get("payload")).get("text"));
    assertEquals(21L, map(last.get("usage")).get("total_tokens"));
  }

  @Test
  void shouldSpeakAnthropicMessagesPlainAndStreamed() {
    ai.fake.enqueue(Kind.ANTHROPIC, FakeProviders.text("Bonjour"));
    ai.fake.enqueue(Kind.ANTHROPIC, FakeProviders.text("Streamed answer here"));
    ai.deploy("plain", "llm", ai.config(Kind.ANTHROPIC, "{\"systemPrompt\":\"French only.\"}"), 2);
    ai.deploy("streamed", "llm", ai.config(Kind.ANTHROPIC, "{\"stream\":true}"), 2);

    ai.inject("plain", Map.of("payload", Map.of("prompt", "Greet me")));
    Map<String, Object> plain = ai.awaitMessage("o0", 1);
    ai.inject("streamed", Map.of("payload", "Stream please"));

    assertEquals("Bonjour", map(plain.get("payload")).get("text"));
    assertEquals("claude-3-7-sonnet-20250219", map(plain.get("payload")).get("model"));
    assertEquals(2095L, map(plain.get("usage")).get("prompt_tokens"));
    FakeProviders.Request request = ai.fake.requests(Kind.ANTHROPIC).get(0);
    assertEquals("/anthropic/v1/messages", request.path());
    assertEquals("sk-test-key", request.headers().get("x-api-key"));
    assertEquals("2023-06-01", request.headers().get("anthropic-version"));
    assertEquals("French only.", request.field("system"));
    assertEquals(List.of(Map.of("role", "user", "content", "Greet me")), request.field("messages"));
    assertEquals(1024L, request.field("max_tokens"));

    Map<String, Object> whole = ai.awaitMessage("o0", 5);
    assertEquals("Streamed answer here", map(whole.get("payload")).get("text"));
    assertEquals(false, whole.get("partial"));
    assertEquals(
        Map.of("prompt_tokens", 25L, "completion_tokens", 15L, "total_tokens", 40L),
        whole.get("usage"));
  }

  @Test
  void shouldSpeakOllamaChatPlainAndStreamed() {
    ai.fake.enqueue(Kind.OLLAMA, FakeProviders.text("Local answer"));
    ai.fake.enqueue(Kind.OLLAMA, FakeProviders.text("one two"));
    ai.deploy("plain", "llm", ai.config(Kind.OLLAMA, "{\"temperature\":0.2,\"maxTokens\":64}"), 2);
    ai.deploy("streamed", "llm", ai.config(Kind.OLLAMA, "{\"stream\":true}"), 2);

    ai.inject("plain", Map.of("payload", "hi"));
    Map<String, Object> plain = ai.awaitMessage("o0", 1);
    ai.inject("streamed", Map.of("payload", "count"));

    assertEquals("Local answer", map(plain.get("payload")).get("text"));
    assertEquals(
        Map.of("prompt_tokens", 26L, "completion_tokens", 298L, "total_tokens", 324L),
        plain.get("usage"));
    FakeProviders.Request request = ai.fake.requests(Kind.OLLAMA).get(0);
    assertEquals("/ollama/api/chat", request.path());
    assertEquals(false, request.field("stream"));
    assertEquals(Map.of("temperature", 0.2, "num_predict", 64L), request.field("options"));
    Map<String, Object> whole = ai.awaitMessage("o0", 4);
    assertEquals("one two", map(whole.get("payload")).get("text"));
    assertEquals(282L, map(whole.get("usage")).get("completion_tokens"));
  }

  @Test
  void shouldTakeAMessagesArrayAsTheConversation() {
    ai.deploy("f", "llm", ai.config(Kind.OPENAI, "{\"systemPrompt\":\"Base.\"}"), 2);

    ai.inject(
        "f",
        Map.of(
            "payload",
            List.of(
                Map.of("role", "system", "content", "Extra."),
                Map.of("role", "user", "content", "first"),
                Map.of("role", "assistant", "content", "reply"),
                Map.of("role", "user", "content", "second"))));

    Map<String, Object> msg = ai.awaitMessage("o0", 1);
    assertEquals("echo: second", map(msg.get("payload")).get("text"));
    List<Object> sent = list(ai.fake.requests(Kind.OPENAI).get(0).field("messages"));
    assertEquals(Map.of("role", "system", "content", "Base.\n\nExtra."), sent.get(0));
    assertEquals(4, sent.size());
  }

  @Test
  void shouldSendAMessageWithoutAPromptToError() {
    ai.deploy("f", "llm", ai.config(Kind.OPENAI, "{}"), 2);

    ai.inject("f", Map.of("payload", Map.of("nothing", 1)));

    Map<String, Object> error = map(ai.awaitMessage("o1", 1).get("error"));
    assertTrue(error.get("message").toString().startsWith("no prompt in the message"));
    assertEquals(Map.of("id", "ai", "type", "llm"), error.get("source"));
    assertTrue(ai.fake.requests().isEmpty());
    assertFalse(ai.harness.captured("o0").size() > 0);
  }
}
