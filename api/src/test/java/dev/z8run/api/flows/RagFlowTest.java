package dev.z8run.api.flows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.api.Main;
import dev.z8run.api.TestSettings;
import dev.z8run.api.Z8Server;
import dev.z8run.api.auth.Tokens;
import dev.z8run.api.auth.UserPrincipal;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.testkit.ai.FakeProviders;
import dev.z8run.testkit.ai.FakeProviders.Kind;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped RAG example ({@code docs/examples/rag-handbook.json}) on a real server: import it,
 * ingest a document (split, embedded by the local model, stored), restart the server, ask (search,
 * prompt, LLM, structured output), with a local server answering as Ollama.
 */
class RagFlowTest {
  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";
  private static final Path EXAMPLE =
      Path.of(System.getProperty("user.dir"))
          .getParent()
          .resolve("docs/examples/rag-handbook.json");
  private static final String HANDBOOK =
      String.join(
          "\n\n",
          "Office hours. The office opens at nine in the morning and closes at six in the evening"
              + " on weekdays. On Fridays the doors close at four, and during the summer months the"
              + " reception is staffed only until three in the afternoon.",
          "Parking. Visitors park for free in the garage under the building; show the ticket at"
              + " the front desk. The garage entrance is on the side street, and spaces on the"
              + " first level are kept for visitors and deliveries.",
          "Holidays. Every employee has twenty-five days of paid holiday a year, booked in the HR"
              + " portal at least two weeks ahead. Unused days carry over until the end of March of"
              + " the following year.",
          "Expenses. Travel expenses are refunded within a month when the receipts are uploaded."
              + " Hotel nights above the city's limit need a manager's approval before the trip is"
              + " booked.",
          "Security. Badges must be worn at all times; lost badges are reported to security at"
              + " once. Guests are met at the reception and accompanied while they are in the"
              + " building.");

  @TempDir Path dataDir;

  private final FakeProviders fake = FakeProviders.start();
  private final HttpClient client = HttpClient.newHttpClient();
  private Z8Server server;
  private String alice;

  @BeforeEach
  void start() {
    server = startServer();
    // the first user, an admin: /metrics shows per-flow families to admins only
    String id = server.store().users().create("alice", "not-a-real-hash", 0L).id();
    alice = Tokens.withSecret(SECRET).issue(new UserPrincipal(id, "alice"));
  }

  private Z8Server startServer() {
    return Main.start(
        TestSettings.ephemeral(
            Map.of(
                "Z8_DATA_DIR",
                dataDir.toString(),
                "Z8_JWT_SECRET",
                SECRET,
                // a model server on this machine must be allowed explicitly
                "Z8_HTTP_ALLOW",
                "public,127.0.0.1")));
  }

  @AfterEach
  void stop() {
    server.close();
    client.close();
    fake.close();
  }

  private HttpResponse<String> call(String method, String path, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .header("Authorization", "Bearer " + alice)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldImportTheExampleAsShipped() throws Exception {
    HttpResponse<String> imported = call("POST", "/api/v1/flows/import", Files.readString(EXAMPLE));

    assertEquals(201, imported.statusCode(), imported.body());
    String id = (String) ((Map<?, ?>) JsonCodec.parse(imported.body())).get("id");
    Map<?, ?> flow = (Map<?, ?>) JsonCodec.parse(call("GET", "/api/v1/flows/" + id, null).body());
    assertEquals(16, ((List<?>) flow.get("nodes")).size());
    assertEquals(15, ((List<?>) flow.get("wires")).size());
    assertEquals(200, call("POST", "/api/v1/flows/" + id + "/start", null).statusCode());
  }

  @Test
  void shouldIngestRestartAndAnswerFromTheStoredChunks() throws Exception {
    String document =
        Files.readString(EXAMPLE).replace("http://127.0.0.1:11434", fake.baseUrl(Kind.OLLAMA));
    HttpResponse<String> imported = call("POST", "/api/v1/flows/import", document);
    assertEquals(201, imported.statusCode(), imported.body());
    String id = (String) ((Map<?, ?>) JsonCodec.parse(imported.body())).get("id");
    HttpResponse<String> started = call("POST", "/api/v1/flows/" + id + "/start", null);
    assertEquals(200, started.statusCode(), started.body());

    HttpResponse<String> ingested =
        call(
            "POST",
            "/hook/" + id + "/ingest",
            JsonCodec.writeString(
                Map.of(
                    "text",
                    HANDBOOK,
                    "id",
                    "handbook",
                    "metadata",
                    Map.of("source", "handbook.md"))));

    assertEquals(200, ingested.statusCode(), ingested.body());
    List<?> stored = (List<?>) JsonCodec.parse(ingested.body());
    assertTrue(stored.size() >= 3, ingested.body());
    for (int i = 0; i < stored.size(); i++) {
      assertEquals("handbook#" + i, ((Map<?, ?>) stored.get(i)).get("id"));
      assertEquals("handbook", ((Map<?, ?>) stored.get(i)).get("collection"));
    }

    server.close();
    server = startServer();
    fake.enqueue(Kind.OLLAMA, FakeProviders.text("Visitors park for free in the garage."));
    fake.enqueue(
        Kind.OLLAMA,
        FakeProviders.text("{\"answer\": \"In the garage, for free.\", \"grounded\": true}"));

    HttpResponse<String> asked =
        call("POST", "/hook/" + id + "/ask", "{\"text\":\"Where can visitors park their car?\"}");

    assertEquals(200, asked.statusCode(), asked.body());
    assertEquals(
        Map.of("answer", "In the garage, for free.", "grounded", true),
        JsonCodec.parse(asked.body()));
    List<FakeProviders.Request> requests = fake.requests(Kind.OLLAMA);
    assertEquals(2, requests.size());
    String prompt = userContent(requests.get(0));
    int context = prompt.indexOf("Context:\n") + "Context:\n".length();
    assertTrue(
        prompt.substring(context, context + 400).contains("Parking. Visitors park for free"),
        "the nearest chunk comes first in the prompt:\n" + prompt);
    assertTrue(prompt.endsWith("Question: Where can visitors park their car?"), prompt);
    assertEquals("Visitors park for free in the garage.", userContent(requests.get(1)));
    String metrics = call("GET", "/metrics", null).body();
    assertTrue(
        metrics.contains(
            "z8_ai_tokens_total{flow=\""
                + id
                + "\",provider=\"ollama\",model=\"llama3.2\",kind=\"prompt\"} 52"),
        metrics);
  }

  private static String userContent(FakeProviders.Request request) {
    for (Object message : (List<?>) request.field("messages")) {
      if (message instanceof Map<?, ?> m && "user".equals(m.get("role"))) {
        return (String) m.get("content");
      }
    }
    throw new AssertionError("no user message in " + request.json());
  }
}
