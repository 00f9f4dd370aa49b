package dev.z8run.api.flows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.api.Main;
import dev.z8run.api.TestSettings;
import dev.z8run.api.Z8Server;
import dev.z8run.api.auth.Tokens;
import dev.z8run.api.auth.UserPrincipal;
import dev.z8run.io.json.JsonCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two users' {@code vector-store} flows on one server: each sees only their own collection of the
 * same name, and a user who reaches the per-user limit gets the node's {@code error} output while
 * the other keeps storing.
 */
class VectorOwnersTest {
  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";

  @TempDir Path dataDir;

  private final HttpClient client = HttpClient.newHttpClient();
  private Z8Server server;

  @BeforeEach
  void start() {
    server =
        Main.start(
            TestSettings.ephemeral(
                Map.of(
                    "Z8_DATA_DIR",
                    dataDir.toString(),
                    "Z8_JWT_SECRET",
                    SECRET,
                    "Z8_VECTOR_MAX_ENTRIES",
                    "3")));
  }

  @AfterEach
  void stop() {
    server.close();
    client.close();
  }

  private static String token(String user) {
    return Tokens.withSecret(SECRET).issue(new UserPrincipal(user + "-id", user));
  }

  private HttpResponse<String> call(String token, String method, String path, String body)
      throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body == null ? "" : body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A flow of {@code user}: POST .../store and .../search on the collection "docs". */
  private String deploy(String user) throws Exception {
    String flow =
        """
        {"id":"vec-%s","name":"vectors","nodes":[
          {"id":"in-store","type":"http-in","config":{"method":"POST","path":"/store"}},
          {"id":"store","type":"vector-store","config":{"action":"store","collection":"docs"}},
          {"id":"in-search","type":"http-in","config":{"method":"POST","path":"/search"}},
          {"id":"search","type":"vector-store",
           "config":{"action":"search","collection":"docs","topK":10,"minScore":-1}},
          {"id":"body","type":"change","config":{"rules":[
            {"t":"set","p":"payload","pt":"msg","to":"req.body","tot":"msg"}]}},
          {"id":"body2","type":"change","config":{"rules":[
            {"t":"set","p":"payload","pt":"msg","to":"req.body","tot":"msg"}]}},
          {"id":"err","type":"change","config":{"rules":[
            {"t":"set","p":"payload","pt":"msg","to":"error","tot":"msg"}]}},
          {"id":"out","type":"http-out","config":{}}],
         "wires":[
          {"from":"in-store","to":"body"},{"from":"body","to":"store"},
          {"from":"store","fromPort":0,"to":"out"},{"from":"store","fromPort":4,"to":"err"},
          {"from":"in-search","to":"body2"},{"from":"body2","to":"search"},
          {"from":"search","fromPort":1,"to":"out"},{"from":"search","fromPort":4,"to":"err"},
          {"from":"err","to":"out"}]}
        """
            .formatted(user);
    String token = token(user);
    assertEquals(201, call(token, "POST", "/api/v1/flows", flow).statusCode());
    assertEquals(
        200, call(token, "POST", "/api/v1/flows/vec-" + user + "/start", null).statusCode());
    return "/hook/vec-" + user;
  }

  private Map<?, ?> post(String user, String path, String body) throws Exception {
    HttpResponse<String> response = call(token(user), "POST", path, body);
    return (Map<?, ?>) JsonCodec.parse(response.body());
  }

  private static String entry(String id, double x, double y) {
    return "{\"id\":\"" + id + "\",\"text\":\"" + id + "\",\"embedding\":[" + x + "," + y + "]}";
  }

  @SuppressWarnings("unchecked")
  private List<String> ids(String user, String hook) throws Exception {
    Map<?, ?> answer = post(user, hook + "/search", "{\"embedding\":[1,0]}");
    // a search that failed (a 503 or 504 answer under load) says so instead of a null pointer
    assertTrue(answer.get("results") instanceof List, user + "'s search answered " + answer);
    return ((List<Map<String, Object>>) answer.get("results"))
        .stream().map(r -> (String) r.get("id")).sorted().toList();
  }

  @Test
  void shouldKeepUsersApartAndStopOneAtTheirLimitWithoutStoppingTheOther() throws Exception {
    String mallory = deploy("mallory");
    String alice = deploy("alice");
    post("alice", alice + "/store", entry("a1", 1, 0));
    for (int i = 1; i <= 3; i++) {
      Map<?, ?> stored = post("mallory", mallory + "/store", entry("m" + i, 1, i));
      assertEquals("m" + i, stored.get("id"), stored.toString());
    }

    Map<?, ?> refused = post("mallory", mallory + "/store", entry("m4", 1, 4));
    assertTrue(
        String.valueOf(refused.get("message")).contains("vector store full"), refused.toString());

    // alice still has her own room, and each sees only their own "docs"
    post("alice", alice + "/store", entry("a2", 0, 1));
    assertEquals(List.of("a1", "a2"), ids("alice", alice));
    assertEquals(List.of("m1", "m2", "m3"), ids("mallory", mallory));
  }
}
