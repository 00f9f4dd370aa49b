package dev.z8run.api.ws;

import static dev.z8run.api.ws.DocClient.*;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.api.Main;
import dev.z8run.api.TestSettings;
import dev.z8run.api.Z8Server;
import dev.z8run.io.json.JsonCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The editor socket through a real server, driven by {@link DocClient}: a client written from
 * docs/protocol.md with nothing but the JDK. A user signs up over HTTP, then does everything else
 * over the socket: create, deploy, subscribe, inject, and reads debug samples, node status,
 * execution events and counters.
 */
class EngineSocketTest {
  static final String FLOW =
      """
      {"id":"watched","name":"Watched","nodes":[
        {"id":"in","type":"inject","config":{"payload":1}},
        {"id":"set","type":"change","config":{"rules":[
          {"t":"set","p":"topic","pt":"msg","to":"seen","tot":"str"}]}},
        {"id":"count","type":"counter","config":{"statusEvery":1}},
        {"id":"dbg","type":"debug","config":{"complete":true}}],
       "wires":[{"from":"in","to":"set"},{"from":"set","to":"count"},{"from":"set","to":"dbg"}]}
      """;

  @TempDir Path dataDir;
  private Z8Server server;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeEach
  void start() {
    server = start(Map.of());
  }

  Z8Server start(Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(extra);
    env.put("Z8_DATA_DIR", dataDir.toString());
    env.put("Z8_OPEN_REGISTRATION", "true");
    return Main.start(TestSettings.ephemeral(env));
  }

  @AfterEach
  void stop() {
    http.close();
    server.close();
  }

  /** Signs a user up over HTTP (docs/api.md) and returns the token. */
  String signUp(String name) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/auth/register"))
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"username\":\"" + name + "\",\"password\":\"a long password\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(201, response.statusCode(), response.body());
    return (String) ((Map<?, ?>) JsonCodec.parse(response.body())).get("token");
  }

  static Map<?, ?> json(Frame frame) {
    return (Map<?, ?>) JsonCodec.parse(frame.text());
  }

  static void assertOk(Frame frame) {
    assertEquals(OK, frame.type(), () -> "expected OK, got " + frame.type() + " " + frame.text());
  }

  static void assertError(Frame frame, int code) {
    assertEquals(ERROR, frame.type(), () -> "expected ERROR, got " + frame.text());
    assertEquals(code, ((Number) json(frame).get("code")).intValue(), frame.text());
  }

  @Test
  void shouldAuthenticateDeploySubscribeAndStreamEvents() throws Exception {
    String token = signUp("alice");
    try (DocClient client = DocClient.connect(server.port())) {
      Frame hello = client.request(HELLO, "{\"versions\":[1]}");
      assertEquals(HELLO, hello.type());
      assertEquals(1, ((Number) json(hello).get("version")).intValue());
      assertEquals(1, hello.version());

      Frame early = client.request(FLOW_LIST, "{}");
      assertError(early, 401);

      Frame wrong = client.request(AUTHENTICATE, "{\"token\":\"not.a.token\"}");
      assertEquals(AUTH_RESULT, wrong.type());
      assertEquals(false, json(wrong).get("ok"));
      Frame auth = client.request(AUTHENTICATE, "{\"token\":\"" + token + "\"}");
      assertEquals(true, json(auth).get("ok"), auth.text());
      assertEquals("alice", ((Map<?, ?>) json(auth).get("user")).get("username"));

      assertOk(client.request(FLOW_CREATE, FLOW));
      Frame list = client.request(FLOW_LIST, "");
      assertOk(list);
      assertEquals(1, ((List<?>) json(list).get("flows")).size());
      Frame deployed = client.request(FLOW_DEPLOY, "{\"flow_id\":\"watched\"}");
      assertOk(deployed);
      assertEquals("running", json(deployed).get("status"));
      assertOk(client.request(SUBSCRIBE, "{\"flow_id\":\"watched\"}"));

      Frame injected =
          client.request(
              INJECT, "{\"flow_id\":\"watched\",\"node_id\":\"set\",\"msg\":{\"payload\":42}}");
      assertOk(injected);
      long executionId = Long.parseUnsignedLong((String) json(injected).get("execution_id"));

      Frame sample = client.awaitEvent(f -> f.type() == DEBUG_SAMPLE, 10_000);
      assertNotNull(sample, "a debug sample arrives");
      DebugSample debug = debugSample(sample);
      assertEquals("watched", debug.flowId());
      assertEquals("dbg", debug.nodeId());
      assertEquals(executionId, debug.executionId());
      assertFalse(debug.truncated());
      Map<?, ?> preview = (Map<?, ?>) JsonCodec.parse(debug.preview());
      assertEquals(42, ((Number) preview.get("payload")).intValue());
      assertEquals("seen", preview.get("topic"));
      assertTrue(Math.abs(debug.timestampMs() - System.currentTimeMillis()) < 60_000);

      Frame status = client.awaitEvent(f -> f.type() == NODE_STATUS, 10_000);
      assertNotNull(status, "the counter node's status arrives");
      NodeStatus nodeStatus = nodeStatus(status);
      assertEquals("count", nodeStatus.nodeId());
      assertTrue(nodeStatus.text().startsWith("1 messages"), nodeStatus.text());

      Frame counters = client.awaitEvent(f -> f.type() == COUNTERS, 10_000);
      assertNotNull(counters);
      Counters totals = counters(counters);
      assertEquals("watched", totals.flowId());
      assertEquals(4, totals.entries().size());

      // the engine timed the injected message at each node: some COUNTERS carries its latency
      Frame timed =
          client.awaitEvent(
              f ->
                  f.type() == COUNTERS
                      && counters(f).entries().stream()
                          .anyMatch(c -> c.nodeId().equals("count") && c.samples() > 0),
              10_000);
      assertNotNull(timed, "COUNTERS with the counter node's processing time");
      Counter count =
          counters(timed).entries().stream()
              .filter(c -> c.nodeId().equals("count"))
              .findFirst()
              .orElseThrow();
      assertEquals(1, count.samples(), "one message went through");
      assertTrue(count.p50Ns() > 0 && count.p50Ns() <= count.p99Ns(), count.toString());
      assertTrue(count.p99Ns() < 10_000_000_000L, count.toString());

      assertEquals(PONG, client.request(PING, "").type());
      Frame stopped = client.request(FLOW_STOP, "{\"flow_id\":\"watched\"}");
      assertOk(stopped);
      assertEquals("stopped", json(stopped).get("status"));
      assertOk(client.request(FLOW_DELETE, "{\"flow_id\":\"watched\"}"));
      assertError(client.request(FLOW_GET, "{\"flow_id\":\"watched\"}"), 404);
    }
  }

  @Test
  void shouldRateLimitDebugSamplesAndCountEverySkippedOne() throws Exception {
    String token = signUp("alice");
    try (DocClient client = DocClient.connect(server.port())) {
      client.handshake(token);
      assertOk(client.request(FLOW_CREATE, FLOW));
      assertOk(client.request(FLOW_START, "{\"flow_id\":\"watched\"}"));
      assertOk(client.request(SUBSCRIBE, "{\"flow_id\":\"watched\"}"));
      var trigger = server.engine().trigger("watched", "set");
      byte[] body = "{\"payload\":7}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
      var json = new org.agrona.concurrent.UnsafeBuffer(body);
      int sent = 5000;
      long started = System.nanoTime();
      for (int i = 0; i < sent; ) {
        if (trigger.tryInject(json, 0, body.length) == dev.z8run.core.node.InjectResult.ACCEPTED) {
          i++;
        }
      }
      // the engine reports what its debug node skipped when the node's next one-second window
      // opens: one more message at a time until the report is in
      AtomicInteger extra = new AtomicInteger();
      await("the engine's skipped count")
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                assertOk(
                    client.request(
                        INJECT,
                        "{\"flow_id\":\"watched\",\"node_id\":\"set\",\"msg\":{\"payload\":8}}"));
                extra.incrementAndGet();
                return skipped(client) > 0;
              });
      await("every message previewed or counted as skipped")
          .atMost(Duration.ofSeconds(20))
          .pollInterval(Duration.ofMillis(20))
          .until(() -> samples(client) + skipped(client) == sent + extra.get());
      long elapsedMs = (System.nanoTime() - started) / 1_000_000;
      // the client's bucket: a burst, then Z8_WS_DEBUG_RATE (200) a second, however long it took
      assertTrue(
          samples(client) <= 2 * 200 + 200 * (elapsedMs / 1_000 + 1),
          "the client's bucket held: " + samples(client) + " in " + elapsedMs + " ms");
    }
  }

  private static long samples(DocClient client) {
    return client.events().stream().filter(f -> f.type() == DEBUG_SAMPLE).count();
  }

  private static long skipped(DocClient client) {
    return client.events().stream()
        .filter(f -> f.type() == DEBUG_SKIPPED)
        .mapToLong(DocClient::skipped)
        .sum();
  }

  @Test
  void shouldTraceInjectedMessagesNodeByNode() throws Exception {
    String token = signUp("alice");
    try (DocClient client = DocClient.connect(server.port())) {
      client.handshake(token);
      assertOk(client.request(FLOW_CREATE, FLOW));
      assertOk(client.request(FLOW_START, "{\"flow_id\":\"watched\"}"));
      assertOk(client.request(SUBSCRIBE, "{\"flow_id\":\"watched\"}"));
      Frame injected =
          client.request(INJECT, "{\"flow_id\":\"watched\",\"node_id\":\"in\",\"msg\":{}}");
      long executionId = Long.parseUnsignedLong((String) json(injected).get("execution_id"));
      Frame started =
          client.awaitEvent(
              f -> f.type() == EXECUTION_STARTED && nodeEvent(f).executionId() == executionId,
              10_000);
      assertNotNull(started);
      assertEquals("in", nodeEvent(started).nodeId());
      Frame completed =
          client.awaitEvent(
              f -> f.type() == NODE_COMPLETED && nodeEvent(f).nodeId().equals("dbg"), 10_000);
      assertNotNull(completed, "the debug node's completion of the traced execution");
      assertEquals(executionId, nodeEvent(completed).executionId());
      assertNotNull(
          client.awaitEvent(f -> f.type() == EXECUTION_COMPLETED, 10_000),
          "the execution's completion");
    }
  }

  @Test
  void shouldDeployADocumentAndAnswerErrorsWithTheirCorrelationIds() throws Exception {
    String token = signUp("alice");
    try (DocClient client = DocClient.connect(server.port())) {
      client.handshake(token);
      Frame deployed =
          client.request(FLOW_DEPLOY, "{\"flow_id\":\"watched\",\"flow\":" + FLOW + "}");
      assertOk(deployed);
      assertEquals(1, ((Number) json(deployed).get("revision")).intValue());
      Frame redeployed =
          client.request(
              FLOW_DEPLOY,
              "{\"flow_id\":\"watched\",\"flow\":" + FLOW.replace("Watched", "Renamed") + "}");
      assertOk(redeployed);
      assertEquals(2, ((Number) json(redeployed).get("revision")).intValue());

      int id = client.send(FLOW_GET, "{\"flow_id\":\"watched\"}");
      Frame got = client.reply(id);
      assertEquals(id, got.correlationId());
      assertEquals("Renamed", ((Map<?, ?>) json(got).get("flow")).get("name"));

      String invalid =
          "{\"id\":\"bad\",\"nodes\":[{\"id\":\"x\",\"type\":\"no-such-type\",\"config\":{}}]}";
      assertOk(client.request(FLOW_CREATE, invalid));
      Frame refused = client.request(FLOW_START, "{\"flow_id\":\"bad\"}");
      assertError(refused, 422);
      List<?> problems = (List<?>) json(refused).get("problems");
      assertEquals("x", ((Map<?, ?>) problems.get(0)).get("node_id"));

      assertError(client.request(FLOW_CREATE, FLOW), 409);
      assertError(client.request(FLOW_START, "{\"flow\":1}"), 400);
      assertError(client.request(FLOW_GET, "{not json"), 400);
      assertError(client.request(FLOW_GET, "[1,2]"), 400);
      assertError(client.request(FLOW_PAUSE, "{\"flow_id\":\"watched\"}"), 501);
      assertError(
          client.request(INJECT, "{\"flow_id\":\"watched\",\"node_id\":\"nope\",\"msg\":{}}"), 404);
      assertError(
          client.request(INJECT, "{\"flow_id\":\"watched\",\"node_id\":\"in\",\"msg\":3}"), 400);
      assertOk(client.request(FLOW_STOP, "{\"flow_id\":\"watched\"}"));
      assertError(
          client.request(INJECT, "{\"flow_id\":\"watched\",\"node_id\":\"in\",\"msg\":{}}"), 409);
      assertFalse(client.isClosed(), "request errors keep the connection");
    }
  }

  @Test
  void shouldKeepEachUsersFlowsToThemselves() throws Exception {
    String alice = signUp("alice");
    String bob = signUp("bob");
    try (DocClient a = DocClient.connect(server.port());
        DocClient b = DocClient.connect(server.port())) {
      a.handshake(alice);
      b.handshake(bob);
      assertOk(a.request(FLOW_CREATE, FLOW));
      assertError(b.request(SUBSCRIBE, "{\"flow_id\":\"watched\"}"), 404);
      assertError(b.request(FLOW_GET, "{\"flow_id\":\"watched\"}"), 404);
      assertError(b.request(FLOW_START, "{\"flow_id\":\"watched\"}"), 404);
      assertError(
          b.request(INJECT, "{\"flow_id\":\"watched\",\"node_id\":\"in\",\"msg\":{}}"), 404);
      assertError(b.request(FLOW_DEPLOY, "{\"flow_id\":\"watched\",\"flow\":" + FLOW + "}"), 404);
      assertEquals(0, ((List<?>) json(b.request(FLOW_LIST, "{}")).get("flows")).size());
    }
  }
}
