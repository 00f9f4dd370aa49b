package dev.z8run.nodes.ai;

import static dev.z8run.nodes.ai.AiFlows.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.runtime.DeployException;
import dev.z8run.nodes.support.OutboundPolicy;
import dev.z8run.testkit.ai.FakeProviders;
import dev.z8run.testkit.ai.FakeProviders.Kind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every provider call obeys: the outbound policy, retries of 429/5xx honouring Retry-After,
 * errors that are not retried, the timeout, and the node's concurrency limit.
 */
class ProviderCallsTest {
  private final AiFlows ai = new AiFlows();

  @AfterEach
  void close() {
    ai.close();
  }

  @Test
  void shouldRetryA429AfterTheRetryAfterTheProviderAskedFor() {
    ai.fake.enqueue(
        Kind.OPENAI, FakeProviders.error(429, "openai-error-429.json", Map.of("Retry-After", "1")));
    ai.fake.enqueue(Kind.OPENAI, FakeProviders.text("after the wait"));
    ai.deploy("f", "llm", ai.config(Kind.OPENAI, "{}"), 2);
    long start = System.nanoTime();

    ai.inject("f", Map.of("payload", "hi"));

    assertEquals("after the wait", map(ai.awaitMessage("o0", 1).get("payload")).get("text"));
    long waitedMs = (System.nanoTime() - start) / 1_000_000;
    assertTrue(waitedMs >= 950, "retried after " + waitedMs + " ms, Retry-After was 1 s");
    assertEquals(2, ai.fake.requests(Kind.OPENAI).size());
  }

  @Test
  void shouldRetryAnthropicOverloadedAndOllamaServerErrors() {
    ai.fake.enqueue(
        Kind.ANTHROPIC,
        FakeProviders.error(529, "anthropic-error-529.json", Map.of("retry-after-ms", "10")));
    ai.fake.enqueue(
        Kind.OLLAMA, FakeProviders.error(503, "{\"error\":\"model is loading\"}", Map.of()));
    ai.deploy("a", "llm", ai.config(Kind.ANTHROPIC, "{}"), 2);
    ai.deploy("o", "llm", ai.config(Kind.OLLAMA, "{}"), 2);

    ai.inject("a", Map.of("payload", "one"));
    ai.inject("o", Map.of("payload", "two"));

    ai.awaitMessage("o0", 2);
    assertEquals(2, ai.fake.requests(Kind.ANTHROPIC).size());
    assertEquals(2, ai.fake.requests(Kind.OLLAMA).size());
  }

  @Test
  void shouldGiveUpAfterMaxRetriesWithTheProvidersMessage() {
    for (int i = 0; i < 3; i++) {
      ai.fake.enqueue(
          Kind.OPENAI,
          FakeProviders.error(429, "openai-error-429.json", Map.of("retry-after-ms", "5")));
    }
    ai.deploy("f", "llm", ai.config(Kind.OPENAI, "{\"maxRetries\":2}"), 2);

    ai.inject("f", Map.of("payload", "hi"));

    Map<String, Object> error = map(ai.awaitMessage("o1", 1).get("error"));
    assertTrue(
        error.get("message").toString().startsWith("openai answered HTTP 429: Rate limit reached"),
        error.toString());
    assertEquals(429L, error.get("status"));
    assertEquals(3, ai.fake.requests(Kind.OPENAI).size());
  }

  @Test
  void shouldFailAtOnceWhenRetryAfterPassesTheTimeout() {
    ai.fake.enqueue(
        Kind.OPENAI,
        FakeProviders.error(429, "openai-error-429.json", Map.of("Retry-After", "20")));
    ai.deploy("f", "llm", ai.config(Kind.OPENAI, "{\"timeout\":2000}"), 2);

    ai.inject("f", Map.of("payload", "hi"));

    Map<String, Object> error = map(ai.awaitMessage("o1", 1).get("error"));
    assertTrue(
        error
            .get("message")
            .toString()
            .endsWith("(asked to retry after 20000 ms, past timeout=2000 ms)"),
        error.toString());
    assertEquals(1, ai.fake.requests(Kind.OPENAI).size());
  }

  @Test
  void shouldNotRetryAWrongKey() {
    ai.fake.enqueue(Kind.OPENAI, FakeProviders.error(401, "openai-error-401.json", Map.of()));
    ai.deploy("f", "llm", ai.config(Kind.OPENAI, "{}"), 2);

    ai.inject("f", Map.of("payload", "hi"));

    Map<String, Object> error = map(ai.awaitMessage("o1", 1).get("error"));
    assertTrue(error.get("message").toString().contains("Incorrect API key provided"));
    assertEquals(401L, error.get("status"));
    assertEquals("openai", error.get("provider"));
    assertEquals(1, ai.fake.requests(Kind.OPENAI).size());
  }

  @Test
  void shouldRefuseALoopbackModelServerUnlessThePolicyAllowsIt() {
    ai.harness.engine.registerService(OutboundPolicy.class, OutboundPolicy.parse("public"));
    ai.deploy("f", "llm", ai.config(Kind.OLLAMA, "{}"), 2);

    ai.inject("f", Map.of("payload", "hi"));

    Map<String, Object> error = map(ai.awaitMessage("o1", 1).get("error"));
    assertEquals(
        "host '127.0.0.1' (127.0.0.1) is not allowed by the outbound policy Z8_HTTP_ALLOW=public",
        error.get("message"));
    assertTrue(ai.fake.requests().isEmpty());
  }

  @Test
  void shouldTimeOutAProviderThatNeverAnswers() {
    ai.fake.enqueue(Kind.OPENAI, FakeProviders.hang());
    ai.deploy("f", "llm", ai.config(Kind.OPENAI, "{\"timeout\":300,\"maxRetries\":0}"), 2);

    ai.inject("f", Map.of("payload", "hi"));

    Map<String, Object> error = map(ai.awaitMessage("o1", 1).get("error"));
    assertTrue(
        error
            .get("message")
            .toString()
            .startsWith("timed out after timeout=300 ms calling http://127.0.0.1:"),
        error.toString());
  }

  @Test
  void shouldKeepAtMostConcurrencyCallsInFlight() {
    ai.fake.delayMs(150);
    ai.deploy("f", "llm", ai.config(Kind.OPENAI, "{\"concurrency\":2}"), 2);

    for (int i = 0; i < 8; i++) {
      ai.inject("f", Map.of("payload", "q" + i));
    }

    ai.harness.awaitCaptured("o0", 8);
    assertEquals(2, ai.fake.maxInFlight());
  }

  @Test
  void shouldRefuseAtDeployAKeylessOpenAiNodeAndAnUnresolvedVaultReference() {
    Map<String, Object> keyless = ai.config(Kind.OPENAI, "{}");
    keyless.remove("baseUrl");
    keyless.remove("apiKey");
    Map<String, Object> unresolved = ai.config(Kind.ANTHROPIC, "{\"apiKey\":\"vault:anthropic\"}");

    DeployException noKey =
        assertThrows(DeployException.class, () -> ai.deploy("a", "llm", keyless, 2));
    DeployException vault =
        assertThrows(DeployException.class, () -> ai.deploy("b", "llm", unresolved, 2));

    assertEquals(
        "node 'ai' (llm): apiKey: openai needs an API key: store it in the vault and write"
            + " vault:<name> here",
        noKey.getMessage());
    assertTrue(
        vault.getMessage().contains("'vault:anthropic' was not resolved"), vault.getMessage());
    assertEquals(List.of(), ai.fake.requests());
  }
}
