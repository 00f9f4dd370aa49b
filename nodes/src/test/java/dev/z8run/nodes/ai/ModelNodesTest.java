package dev.z8run.nodes.ai;

import static dev.z8run.nodes.ai.AiFlows.list;
import static dev.z8run.nodes.ai.AiFlows.map;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.runtime.DeployException;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.FlowHarness;
import dev.z8run.testkit.ai.FakeProviders;
import dev.z8run.testkit.ai.FakeProviders.Kind;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** embeddings, classifier, structured-output, summarizer and image-gen in deployed flows. */
class ModelNodesTest {
  private final AiFlows ai = new AiFlows();

  @AfterEach
  void close() {
    ai.close();
  }

  @Test
  void shouldDefaultStructuredOutputsSchemaToWhatParsingItsJsonGives() {
    // built without parsing (the registry is built at every start), equal to the parsed value, key
    // order included
    String json =
        "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\"},"
            + "\"score\":{\"type\":\"number\"}}}";
    Object schema = StructuredOutputNode.TYPE.field("schema").defaultValue();

    assertEquals(JsonCodec.parse(json), schema);
    assertEquals(json, JsonCodec.writeString(schema));
  }

  @Test
  void shouldEmbedABatchWithOpenAiInOneRequestKeepingEachItemsFields() {
    ai.deploy("f", "embeddings", ai.config(Kind.OPENAI, "{}"), 2);

    ai.inject(
        "f",
        Map.of(
            "payload",
            List.of(
                "plain text",
                Map.of("text", "with id", "id", "x1", "metadata", Map.of("k", "v")))));

    List<Object> items = list(ai.awaitMessage("o0", 1).get("payload"));
    assertEquals(2, items.size());
    Map<String, Object> second = map(items.get(1));
    assertEquals("x1", second.get("id"));
    assertEquals(Map.of("k", "v"), second.get("metadata"));
    assertEquals(8L, second.get("dimensions"));
    assertEquals("text-embedding-ada-002", second.get("model"));
    assertEquals(8, list(second.get("embedding")).size());
    FakeProviders.Request request = ai.fake.requests(Kind.OPENAI).get(0);
    assertEquals("/openai/v1/embeddings", request.path());
    assertEquals(List.of("plain text", "with id"), request.field("input"));
  }

  @Test
  void shouldEmbedWithOllamasEmbedEndpoint() {
    ai.deploy("f", "embeddings", ai.config(Kind.OLLAMA, "{}"), 2);

    ai.inject("f", Map.of("payload", "hello ollama"));

    Map<String, Object> payload = map(ai.awaitMessage("o0", 1).get("payload"));
    assertEquals("hello ollama", payload.get("text"));
    assertEquals("all-minilm", payload.get("model"));
    assertEquals("/ollama/api/embed", ai.fake.requests(Kind.OLLAMA).get(0).path());
  }

  @Test
  void shouldRouteAnLlmClassificationToItsCategorysOutput() {
    ai.fake.enqueue(
        Kind.OPENAI,
        FakeProviders.text(
            "```json\n{\"category\": \"Negative\", \"confidence\": 0.9, \"reasoning\": \"angry\"}\n```"));
    ai.deploy(
        "f",
        "classifier",
        ai.config(
            Kind.OPENAI,
            "{\"categories\":[{\"name\":\"positive\"},{\"name\":\"negative\",\"description\":\"complaints\"}],"
                + "\"context\":\"support tickets\"}"),
        4);

    ai.inject("f", Map.of("payload", Map.of("text", "This is broken again!")));

    Map<String, Object> result = map(ai.awaitMessage("o0", 1).get("payload"));
    assertEquals("negative", result.get("category"));
    assertEquals(0.9, result.get("confidence"));
    assertEquals("This is broken again!", result.get("text"));
    assertEquals(result, map(ai.awaitMessage("o3", 1).get("payload")));
    assertEquals(List.of(), ai.harness.captured("o2"));
    String system =
        map(list(ai.fake.requests(Kind.OPENAI).get(0).field("messages")).get(0))
            .get("content")
            .toString();
    assertTrue(system.contains("2. negative: complaints"), system);
    assertTrue(system.contains("Context: support tickets"), system);
  }

  @Test
  void shouldClassifyAnUnknownAnswerAsUnknownOnTheResultOutputOnly() {
    ai.fake.enqueue(Kind.OLLAMA, FakeProviders.text("{\"category\":\"spam\",\"confidence\":0.7}"));
    ai.deploy("f", "classifier", ai.config(Kind.OLLAMA, "{\"categories\":\"ham,eggs\"}"), 4);

    ai.inject("f", Map.of("payload", "buy now"));

    assertEquals("unknown", map(ai.awaitMessage("o0", 1).get("payload")).get("category"));
    assertEquals(List.of(), ai.harness.captured("o2"));
    assertEquals(List.of(), ai.harness.captured("o3"));
  }

  @Test
  void shouldValidateStructuredOutputAndRetryWithTheErrors() {
    ai.fake.enqueue(Kind.OPENAI, FakeProviders.text("{\"name\": \"Ada\", \"score\": \"high\"}"));
    ai.fake.enqueue(Kind.OPENAI, FakeProviders.text("Sure! {\"name\": \"Ada\", \"score\": 9.5}"));
    ai.deploy(
        "f",
        "structured-output",
        ai.config(
            Kind.OPENAI,
            "{\"schema\":\"{\\\"type\\\":\\\"object\\\",\\\"required\\\":[\\\"name\\\",\\\"score\\\"],"
                + "\\\"properties\\\":{\\\"name\\\":{\\\"type\\\":\\\"string\\\"},\\\"score\\\":{\\\"type\\\":\\\"number\\\"}}}\"}"),
        2);

    ai.inject("f", Map.of("payload", "Ada scored nine and a half."));

    Map<String, Object> msg = ai.awaitMessage("o0", 1);
    assertEquals(Map.of("name", "Ada", "score", 9.5), msg.get("payload"));
    assertEquals(2L, msg.get("attempts"));
    assertEquals(58L, map(msg.get("usage")).get("total_tokens"));
    List<Object> retry = list(ai.fake.requests(Kind.OPENAI).get(1).field("messages"));
    assertEquals(4, retry.size());
    String feedback = map(retry.get(3)).get("content").toString();
    assertTrue(feedback.startsWith("Your answer does not fit the schema:"), feedback);
    assertTrue(feedback.contains("/score"), feedback);
    assertEquals(
        Map.of("type", "json_object"),
        ai.fake.requests(Kind.OPENAI).get(0).field("response_format"));
  }

  @Test
  void shouldSendStructuredOutputToErrorAfterTheRetries() {
    ai.fake.enqueue(Kind.ANTHROPIC, FakeProviders.text("not json at all"));
    ai.fake.enqueue(Kind.ANTHROPIC, FakeProviders.text("[1, 2]"));
    ai.deploy(
        "f",
        "structured-output",
        ai.config(Kind.ANTHROPIC, "{\"retries\":1,\"schema\":{\"type\":\"object\"}}"),
        2);

    ai.inject("f", Map.of("payload", "x"));

    Map<String, Object> error = map(ai.awaitMessage("o1", 1).get("error"));
    assertTrue(
        error
            .get("message")
            .toString()
            .startsWith("the answer did not fit the schema after 2 attempt(s)"));
    assertEquals("[1, 2]", error.get("answer"));
    assertEquals(2L, error.get("attempts"));
  }

  @Test
  void shouldRefuseASchemaThatReferencesAnotherDocumentWithoutFetchingIt() {
    String remote = "http://127.0.0.1:" + ai.fake.port() + "/openai/v1/schema.json";

    DeployException refused =
        assertThrows(
            DeployException.class,
            () ->
                ai.deploy(
                    "f",
                    "structured-output",
                    ai.config(Kind.OPENAI, "{\"schema\":{\"$ref\":\"" + remote + "\"}}"),
                    2));

    assertEquals(
        "node 'ai' (structured-output): schema: Schema from '"
            + remote
            + "' is not allowed to be loaded.",
        refused.getMessage());
    assertEquals(List.of(), ai.fake.requests());
  }

  @Test
  void shouldSummariseALongTextByMapReduceInParallelWithinTheLimit() {
    ai.fake.delayMs(100);
    ai.deploy(
        "f",
        "summarizer",
        ai.config(
            Kind.OPENAI,
            "{\"strategy\":\"map-reduce\",\"chunkSize\":100,\"maxLength\":50,\"concurrency\":3,"
                + "\"language\":\"German\"}"),
        2);
    String text = "This sentence is about the topic at hand and it goes on. ".repeat(12);

    ai.inject("f", Map.of("payload", text));

    Map<String, Object> msg = ai.awaitMessage("o0", 1);
    Map<String, Object> payload = map(msg.get("payload"));
    long chunks = (long) payload.get("chunks");
    assertTrue(chunks >= 6, "chunks " + chunks);
    assertEquals(chunks + 1, ai.fake.requests(Kind.OPENAI).size());
    assertEquals(3, ai.fake.maxInFlight());
    assertTrue(payload.get("summary").toString().startsWith("echo: "));
    assertEquals("map-reduce", payload.get("strategy"));
    String system =
        map(list(ai.fake.requests(Kind.OPENAI).get(0).field("messages")).get(0))
            .get("content")
            .toString();
    assertTrue(system.contains("Write the summary in German."), system);
  }

  @Test
  void shouldRefineASummaryPieceByPiece() {
    ai.deploy(
        "f",
        "summarizer",
        ai.config(Kind.OLLAMA, "{\"strategy\":\"refine\",\"chunkSize\":100}"),
        2);

    ai.inject("f", Map.of("payload", "Alpha beta gamma delta epsilon zeta eta theta. ".repeat(6)));

    Map<String, Object> payload = map(ai.awaitMessage("o0", 1).get("payload"));
    long chunks = (long) payload.get("chunks");
    assertEquals(chunks, ai.fake.requests(Kind.OLLAMA).size());
    String last =
        map(list(ai.fake.requests(Kind.OLLAMA).get((int) chunks - 1).field("messages")).get(1))
            .get("content")
            .toString();
    assertTrue(last.startsWith("Existing summary:\necho: "), last);
  }

  @Test
  void shouldSendTheGeneratedImageAsTheBinaryPayload() {
    ai.deploy(
        "b64",
        "image-gen",
        ai.config(Kind.OPENAI, "{\"model\":\"gpt-image-1\",\"quality\":\"high\"}"),
        2);
    ai.deploy("stab", "image-gen", ai.config(Kind.STABILITY, "{\"size\":\"512x512\"}"), 2);

    ai.inject("b64", Map.of("payload", "an otter"));
    FlowHarness.Captured first = ai.harness.awaitCaptured("o0", 1).get(0);
    ai.fake.imageAsUrl(true);
    ai.inject("stab", Map.of("payload", Map.of("prompt", "a fox")));
    FlowHarness.Captured second = ai.harness.awaitCaptured("o0", 2).get(1);

    assertArrayEquals(FakeProviders.PNG, first.binary());
    Map<String, Object> payload = map(map(first.parsed()).get("payload"));
    assertEquals("image/png", payload.get("media_type"));
    assertEquals((long) FakeProviders.PNG.length, payload.get("bytes"));
    FakeProviders.Request request = ai.fake.requests(Kind.OPENAI).get(0);
    assertEquals("an otter", request.field("prompt"));
    assertEquals("high", request.field("quality"));
    assertEquals(null, request.field("style"));
    assertArrayEquals(FakeProviders.PNG, second.binary());
    FakeProviders.Request stability = ai.fake.requests(Kind.STABILITY).get(0);
    assertEquals("/stability/v1/generation/test-model/text-to-image", stability.path());
    assertEquals(512L, stability.field("width"));
  }

  @Test
  void shouldDownloadAnImageTheProviderLinksTo() {
    ai.fake.imageAsUrl(true);
    ai.deploy("f", "image-gen", ai.config(Kind.OPENAI, "{\"style\":\"natural\"}"), 2);

    ai.inject("f", Map.of("payload", "an otter"));

    FlowHarness.Captured image = ai.harness.awaitCaptured("o0", 1).get(0);
    assertArrayEquals(FakeProviders.PNG, image.binary());
    Map<String, Object> payload = map(map(image.parsed()).get("payload"));
    assertEquals("http://127.0.0.1:" + ai.fake.port() + "/files/otter.png", payload.get("url"));
    assertTrue(payload.get("revised_prompt").toString().startsWith("A cute baby sea otter"));
    assertEquals("natural", ai.fake.requests(Kind.OPENAI).get(0).field("style"));
  }
}
