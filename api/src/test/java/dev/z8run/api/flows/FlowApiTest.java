package dev.z8run.api.flows;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The flows API through a real server: HTTP, bearer tokens, LMDB store, engine, hooks. */
class FlowApiTest {
  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";
  private static final String HELLO =
      """
      {"id":"hello","name":"Hello","description":"answers GET /hello","nodes":[
        {"id":"in","type":"http-in","config":{"method":"GET","path":"/hello"}},
        {"id":"set","type":"change","config":{"rules":[
          {"t":"set","p":"payload","pt":"msg","to":"hi","tot":"str"}]}},
        {"id":"out","type":"http-out","config":{"headers":{"x-secret":"vault:greeting-key"}}}],
       "wires":[{"from":"in","to":"set"},{"from":"set","to":"out"}]}
      """;

  @TempDir Path dataDir;

  private Z8Server server;
  private HttpClient client;
  private String alice;
  private String bob;

  @BeforeEach
  void start() {
    server = startServer();
    client = HttpClient.newHttpClient();
    Tokens tokens = Tokens.withSecret(SECRET);
    alice = tokens.issue(new UserPrincipal("alice-id", "alice"));
    bob = tokens.issue(new UserPrincipal("bob-id", "bob"));
  }

  private Z8Server startServer() {
    return Main.start(
        TestSettings.ephemeral(Map.of("Z8_DATA_DIR", dataDir.toString(), "Z8_JWT_SECRET", SECRET)));
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  private HttpResponse<String> call(String method, String path, String token, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Map<?, ?> json(HttpResponse<String> response) {
    return (Map<?, ?>) JsonCodec.parse(response.body());
  }

  @Test
  void shouldRegisterTheFirstUserLogInAndWorkWithTheToken() throws Exception {
    String credentials = "{\"username\":\"carol\",\"password\":\"correct horse battery\"}";
    HttpRequest.Builder register =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/auth/register"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(credentials));
    HttpResponse<String> registered =
        client.send(register.build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(201, registered.statusCode(), registered.body());
    HttpResponse<String> second =
        client.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/auth/register"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"username\":\"mallory\",\"password\":\"another password\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(403, second.statusCode(), "later sign-ups need open registration");
    HttpResponse<String> login =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/auth/login"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(credentials))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, login.statusCode(), login.body());
    String token = (String) json(login).get("token");
    assertEquals(201, call("POST", "/api/v1/flows", token, HELLO).statusCode());
    assertEquals("carol", json(call("GET", "/auth/me", token, null)).get("username"));
    assertEquals(1L, json(call("GET", "/api/v1/flows", token, null)).get("total"));
    assertEquals(0L, json(call("GET", "/api/v1/flows", alice, null)).get("total"));
  }

  @Test
  void shouldRefuseRequestsWithoutAValidToken() throws Exception {
    HttpResponse<String> none = call("GET", "/api/v1/flows", null, null);
    assertEquals(401, none.statusCode());
    assertEquals("Bearer", none.headers().firstValue("www-authenticate").orElse(""));
    HttpResponse<String> forged = call("GET", "/api/v1/flows", "x.y.z", null);
    assertEquals(401, forged.statusCode());
    assertEquals(none.body(), forged.body(), "one answer whatever the reason");
    assertEquals(200, call("GET", "/api/v1/health", null, null).statusCode());
  }

  @Test
  void shouldCreateListGetUpdateAndKeepEveryRevision() throws Exception {
    HttpResponse<String> created = call("POST", "/api/v1/flows", alice, HELLO);
    assertEquals(201, created.statusCode(), created.body());
    assertEquals("hello", json(created).get("id"));
    assertEquals("idle", json(created).get("status"));

    Map<?, ?> list = json(call("GET", "/api/v1/flows", alice, null));
    assertEquals(1L, list.get("total"));
    Map<?, ?> item = (Map<?, ?>) ((List<?>) list.get("flows")).get(0);
    assertEquals(3L, item.get("nodes"));
    assertEquals(2L, item.get("edges"));

    String renamed = HELLO.replace("\"Hello\"", "\"Hello again\"");
    HttpResponse<String> updated = call("PUT", "/api/v1/flows/hello", alice, renamed);
    assertEquals(200, updated.statusCode(), updated.body());
    assertEquals(2L, json(updated).get("revision"));
    assertEquals("Hello again", json(call("GET", "/api/v1/flows/hello", alice, null)).get("name"));

    Map<?, ?> revisions = json(call("GET", "/api/v1/flows/hello/revisions", alice, null));
    assertEquals(2L, revisions.get("total"));
    assertEquals(
        "Hello", json(call("GET", "/api/v1/flows/hello/revisions/1", alice, null)).get("name"));
    HttpResponse<String> rolledBack = call("POST", "/api/v1/flows/hello/rollback/1", alice, null);
    assertEquals(3L, json(rolledBack).get("revision"));
    assertEquals("Hello", json(rolledBack).get("name"));
  }

  @Test
  void shouldHideOneUsersFlowsFromAnother() throws Exception {
    assertEquals(201, call("POST", "/api/v1/flows", alice, HELLO).statusCode());
    assertEquals(404, call("GET", "/api/v1/flows/hello", bob, null).statusCode());
    assertEquals(404, call("POST", "/api/v1/flows/hello/start", bob, null).statusCode());
    assertEquals(404, call("DELETE", "/api/v1/flows/hello", bob, null).statusCode());
    assertEquals(0L, json(call("GET", "/api/v1/flows", bob, null)).get("total"));
    assertEquals(200, call("GET", "/api/v1/flows/hello", alice, null).statusCode());
  }

  @Test
  void shouldStartWithVaultSecretsServeTheHookAndStop() throws Exception {
    call("POST", "/api/v1/flows", alice, HELLO);
    HttpResponse<String> missingSecret = call("POST", "/api/v1/flows/hello/start", alice, null);
    assertEquals(422, missingSecret.statusCode());
    assertTrue(missingSecret.body().contains("VAULT_ENTRY_MISSING"), missingSecret.body());
    assertTrue(missingSecret.body().contains("'greeting-key'"), missingSecret.body());

    server.store().vault().put("alice-id", "greeting-key", "s3cr3t");
    HttpResponse<String> started = call("POST", "/api/v1/flows/hello/start", alice, null);
    assertEquals(200, started.statusCode(), started.body());
    assertEquals("running", json(started).get("status"));

    HttpResponse<String> hook = call("GET", "/hook/hello/hello", null, null);
    assertEquals(200, hook.statusCode(), hook.body());
    assertEquals("hi", hook.body());
    assertEquals("s3cr3t", hook.headers().firstValue("x-secret").orElse(""));
    assertFalse(
        call("GET", "/api/v1/flows/hello", alice, null).body().contains("s3cr3t"),
        "the stored flow keeps the reference, not the secret");

    Map<?, ?> executions =
        await("the execution recorded")
            .atMost(Duration.ofSeconds(10))
            .pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofMillis(20))
            .until(
                () -> json(call("GET", "/api/v1/flows/hello/executions", alice, null)),
                recorded -> (Long) recorded.get("total") > 0);
    Map<?, ?> execution = (Map<?, ?>) ((List<?>) executions.get("executions")).get(0);
    assertEquals("completed", execution.get("status"));
    assertEquals("in", execution.get("trigger"));
    // an ISO-8601 instant, read at the execution's start (formatted only for the records stored)
    Instant startedAt = Instant.parse((String) execution.get("started_at"));
    assertTrue(
        Duration.between(startedAt, Instant.now()).abs().compareTo(Duration.ofMinutes(1)) < 0,
        execution.toString());
    List<?> nodes = (List<?>) execution.get("nodes");
    assertEquals(3, nodes.size(), execution.toString());
    Map<?, ?> first = (Map<?, ?>) nodes.get(0);
    assertEquals("in", first.get("node"));
    assertTrue(String.valueOf(first.get("input_sample")).startsWith("{\"payload\":{\"req\":"));
    assertEquals(404, call("GET", "/api/v1/flows/hello/executions", bob, null).statusCode());

    HttpResponse<String> stopped = call("POST", "/api/v1/flows/hello/stop", alice, null);
    assertEquals(200, stopped.statusCode());
    assertEquals(true, json(stopped).get("drained"));
    assertEquals(404, call("GET", "/hook/hello/hello", null, null).statusCode());
  }

  @Test
  void shouldBringRunningFlowsBackAfterARestart() throws Exception {
    call("POST", "/api/v1/flows", alice, HELLO);
    server.store().vault().put("alice-id", "greeting-key", "s3cr3t");
    assertEquals(200, call("POST", "/api/v1/flows/hello/start", alice, null).statusCode());
    server.close();
    server = startServer();
    assertTrue(server.engine().isRunning("hello"));
    assertEquals("hi", call("GET", "/hook/hello/hello", null, null).body());
  }

  @Test
  void shouldReportEveryProblemWithoutSaving() throws Exception {
    String cyclic = // loops are allowed: only the unknown type is a problem
        """
        {"nodes":[{"id":"a","type":"junction"},{"id":"b","type":"junction"},
                  {"id":"c","type":"nope"}],
         "wires":[{"from":"a","to":"b"},{"from":"b","to":"a"}]}
        """;
    HttpResponse<String> response = call("POST", "/api/v1/flows/validate", alice, cyclic);
    assertEquals(200, response.statusCode());
    Map<?, ?> body = json(response);
    assertEquals(false, body.get("valid"));
    String problems = String.valueOf(body.get("problems"));
    assertTrue(!problems.contains("CYCLE") && problems.contains("UNKNOWN_NODE_TYPE"), problems);
    assertEquals(0L, json(call("GET", "/api/v1/flows", alice, null)).get("total"));
  }

  @Test
  void shouldRefuseToStartAnInvalidFlowListingItsProblems() throws Exception {
    call(
        "POST",
        "/api/v1/flows",
        alice,
        "{\"id\":\"bad\",\"nodes\":[{\"id\":\"x\",\"type\":\"nope\"}]}");
    HttpResponse<String> response = call("POST", "/api/v1/flows/bad/start", alice, null);
    assertEquals(422, response.statusCode());
    Map<?, ?> error = (Map<?, ?>) json(response).get("error");
    assertEquals(422L, error.get("code"));
    assertTrue(String.valueOf(error.get("problems")).contains("UNKNOWN_NODE_TYPE"));
    assertEquals("idle", json(call("GET", "/api/v1/flows/bad", alice, null)).get("status"));
  }

  @Test
  void shouldAnswerBadInputWith4xxNamingTheFault() throws Exception {
    HttpResponse<String> malformed = call("POST", "/api/v1/flows", alice, "{\"nodes\":[}");
    assertEquals(400, malformed.statusCode());
    assertTrue(malformed.body().contains("line 1"), malformed.body());
    HttpResponse<String> wrongType =
        call(
            "POST",
            "/api/v1/flows",
            alice,
            "{\"nodes\":[{\"id\":\"a\",\"type\":\"junction\",\"x\":\"left\"}]}");
    assertEquals(400, wrongType.statusCode());
    assertTrue(wrongType.body().contains("nodes[0].x"), wrongType.body());
    HttpResponse<String> notObject = call("POST", "/api/v1/flows", alice, "[1,2]");
    assertEquals(400, notObject.statusCode());
    HttpResponse<String> duplicate = call("POST", "/api/v1/flows", alice, HELLO);
    assertEquals(201, duplicate.statusCode());
    assertEquals(409, call("POST", "/api/v1/flows", alice, HELLO).statusCode());
    HttpResponse<String> idMismatch =
        call(
            "PUT",
            "/api/v1/flows/hello",
            alice,
            HELLO.replace("\"id\":\"hello\"", "\"id\":\"other\""));
    assertEquals(400, idMismatch.statusCode());
    assertEquals(
        "Hello", json(call("GET", "/api/v1/flows/hello", alice, null)).get("name"), "unchanged");
    // as curl does for a large upload: Expect: 100-continue, so the 413 (decided from
    // Content-Length, before a byte of the body is read) arrives before the body is sent; without
    // it a client still sending megabytes may see the close before it reads the answer
    String huge = "{\"nodes\":[],\"description\":\"" + "x".repeat(9 << 20) + "\"}";
    HttpResponse<String> tooLarge =
        client.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/api/v1/flows"))
                .header("Authorization", "Bearer " + alice)
                .expectContinue(true)
                .POST(HttpRequest.BodyPublishers.ofString(huge))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(413, tooLarge.statusCode(), tooLarge.body());
    assertTrue(tooLarge.body().contains("exceeds the limit"), tooLarge.body());
  }

  @Test
  void shouldAnswerAFlowIdWithControlCharactersAsAMissingFlowNotA500() throws Exception {
    // %00 and %7F decode to ids the store refuses; every flow route answers them as no flow
    for (String id : List.of("%00", "%01", "a%7Fb")) {
      for (String[] route :
          new String[][] {
            {"GET", ""},
            {"DELETE", ""},
            {"POST", "/start"},
            {"POST", "/stop"},
            {"GET", "/revisions"},
            {"GET", "/executions"},
            {"GET", "/export"}
          }) {
        HttpResponse<String> answer = call(route[0], "/api/v1/flows/" + id + route[1], alice, null);
        assertEquals(
            404, answer.statusCode(), route[0] + " " + id + route[1] + ": " + answer.body());
        assertTrue(answer.body().contains("no flow"), answer.body());
      }
    }
  }

  @Test
  void shouldImportNodeRedNodesThatLeaveOutOptionalFields() throws Exception {
    // older or hand-written exports: a join without joinerType and build, a reduce join without
    // reduceInitType, an html node without ret; Node-RED takes its defaults for them
    String export =
        """
        [{"id":"t","type":"tab","label":"minimal"},
         {"id":"j","type":"join","z":"t","mode":"auto","wires":[["r"]]},
         {"id":"r","type":"join","z":"t","mode":"reduce","reduceExp":"$A+payload","reduceInit":"0",
          "wires":[["h"]]},
         {"id":"h","type":"html","z":"t","tag":"p","wires":[[]]}]
        """;
    HttpResponse<String> imported = call("POST", "/api/v1/flows/import", alice, export);
    assertEquals(201, imported.statusCode(), imported.body());
    Map<?, ?> flow = (Map<?, ?>) ((List<?>) json(imported).get("flows")).get(0);
    assertEquals(List.of(), flow.get("problems"), imported.body());
  }

  @Test
  void shouldExportInZ8runFormatAndImportItBack() throws Exception {
    call("POST", "/api/v1/flows", alice, HELLO);
    HttpResponse<String> exported = call("GET", "/api/v1/flows/hello/export", alice, null);
    assertEquals(200, exported.statusCode());
    Map<?, ?> document = json(exported);
    assertEquals(1L, document.get("export_format"));
    Map<?, ?> flow = (Map<?, ?>) document.get("flow");
    assertEquals(3, ((List<?>) flow.get("canvas_nodes")).size());
    Map<?, ?> edge = (Map<?, ?>) ((List<?>) flow.get("canvas_edges")).get(0);
    assertEquals("output", edge.get("sourceHandle"));

    HttpResponse<String> imported = call("POST", "/api/v1/flows/import", alice, exported.body());
    assertEquals(201, imported.statusCode(), imported.body());
    Map<?, ?> answer = json(imported);
    assertFalse("hello".equals(answer.get("id")), "an import gets a new id");
    assertEquals(3L, answer.get("nodes"), "z8run's import answer counts nodes");
    assertEquals(2L, answer.get("edges"));
    Map<?, ?> copy = json(call("GET", "/api/v1/flows/" + answer.get("id"), alice, null));
    assertEquals(3, ((List<?>) copy.get("nodes")).size());
    assertEquals(
        List.of(
            Map.of("from", "in", "fromPort", 0L, "to", "set", "toPort", 0L),
            Map.of("from", "set", "fromPort", 0L, "to", "out", "toPort", 0L)),
        copy.get("wires"));
  }

  @Test
  void shouldImportAZ8runExportWrittenByZ8run() throws Exception {
    String z8run =
        """
        {"z8run_version":"0.2.0","export_format":1,"flow":{"name":"From z8run","description":"",
         "version":1,"viewport":{"x":0,"y":0,"zoom":1},
         "canvas_nodes":[
          {"id":"node_1700000000000_1","type":"z8node","position":{"x":10,"y":20},
           "data":{"label":"Hook","type":"http-in","category":"input",
                   "config":{"method":"GET","path":"/z"},"outputs":[{"id":"output","name":"Output","type":"any"}]}},
          {"id":"node_1700000000000_2","type":"z8node","position":{"x":200,"y":20},
           "data":{"label":"Reply","type":"http-out","category":"output","config":{}}}],
         "canvas_edges":[{"source":"node_1700000000000_1","target":"node_1700000000000_2",
                          "sourceHandle":"output","targetHandle":"input"}]}}
        """;
    HttpResponse<String> imported = call("POST", "/api/v1/flows/import", alice, z8run);
    assertEquals(201, imported.statusCode(), imported.body());
    Map<?, ?> flow = json(imported);
    assertEquals("From z8run", flow.get("name"));
    assertEquals(List.of(), flow.get("problems"));
    assertEquals(1L, flow.get("edges"));
    Map<?, ?> stored = json(call("GET", "/api/v1/flows/" + flow.get("id"), alice, null));
    assertEquals(1, ((List<?>) stored.get("wires")).size());
  }

  @Test
  void shouldImportANodeRedExportReportingUnsupportedNodesAndRunIt() throws Exception {
    String export =
        new String(
            FlowApiTest.class.getResourceAsStream("node-red-export.json").readAllBytes(),
            java.nio.charset.StandardCharsets.UTF_8);
    HttpResponse<String> refused = call("POST", "/api/v1/flows/import?strict=true", alice, export);
    assertEquals(422, refused.statusCode(), refused.body());
    assertTrue(refused.body().contains("'b4' (ui_button)"), refused.body());
    assertEquals(0L, json(call("GET", "/api/v1/flows", alice, null)).get("total"), "nothing saved");

    HttpResponse<String> imported = call("POST", "/api/v1/flows/import", alice, export);
    assertEquals(201, imported.statusCode(), imported.body());
    Map<?, ?> body = json(imported);
    assertEquals(2L, body.get("total"));
    assertEquals(
        List.of(Map.of("node_id", "b4", "type", "ui_button", "tab", "b0")), body.get("disabled"));
    assertEquals(
        List.of(
            "Node-RED node 'a6' (function): the modules it loads (lodash) are not available:"
                + " function nodes cannot load modules here"),
        body.get("warnings"));
    Map<?, ?> greeter = null;
    for (Object flow : (List<?>) body.get("flows")) {
      if ("Greeter".equals(((Map<?, ?>) flow).get("name"))) {
        greeter = (Map<?, ?>) flow;
      }
    }
    assertEquals(List.of(), greeter.get("problems"), String.valueOf(greeter));
    String id = (String) greeter.get("id");
    assertEquals(200, call("POST", "/api/v1/flows/" + id + "/start", alice, null).statusCode());
    HttpResponse<String> greeting = call("GET", "/hook/" + id + "/greet", null, null);
    assertEquals(201, greeting.statusCode(), greeting.body());
    assertEquals(Map.of("hello", "node-red user", "from", "function sign"), json(greeting));
    assertEquals("yes", greeting.headers().firstValue("x-imported").orElse(""));
  }
}
