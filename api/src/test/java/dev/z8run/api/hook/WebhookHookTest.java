package dev.z8run.api.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.api.Main;
import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.flow.FlowCodec;
import dev.z8run.core.node.Replies;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.NodeTypeRegistry;
import dev.z8run.core.runtime.Engine;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.BuiltinNodes;
import io.helidon.webserver.WebServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Webhook deliveries through a real socket into a real engine: the server's verdict, its answer to
 * the sender, and the {@code webhook} node's port the message comes out of (seen by test-only
 * {@code capture} nodes).
 */
class WebhookHookTest {
  private static final String SECRET = "whsec-7f3c0b1e-flows-deploy";
  private static final String DELIVERY_ID = "72d3162e-cc78-11e3-81ab-4c9367dc0958";
  private static final long AWAIT_MS = 10_000;

  /**
   * {@code github} (signed, push and ping only) sorted to three captures; {@code open} unsigned.
   */
  private static final String FLOW =
      """
      {"id":"gh","name":"gh","nodes":[
        {"id":"github","type":"webhook",
         "config":{"path":"/github","secret":"%s","events":["push","ping"]}},
        {"id":"open","type":"webhook","config":{"path":"/open"}},
        {"id":"accepted","type":"capture","config":{}},
        {"id":"rejected","type":"capture","config":{}},
        {"id":"filtered","type":"capture","config":{}},
        {"id":"unchecked","type":"capture","config":{}}],
       "wires":[
        {"from":"github","fromPort":0,"to":"accepted","toPort":0},
        {"from":"github","fromPort":1,"to":"rejected","toPort":0},
        {"from":"github","fromPort":2,"to":"filtered","toPort":0},
        {"from":"open","fromPort":0,"to":"unchecked","toPort":0}]}
      """
          .formatted(SECRET);

  private final Map<String, BlockingQueue<String>> captured = new ConcurrentHashMap<>();
  private Engine engine;
  private WebServer server;
  private HttpClient client;

  @BeforeEach
  void start() {
    NodeTypeRegistry registry = BuiltinNodes.registry();
    registry.register(captureType());
    engine = new Engine(EngineConfig.builder().workers(2).build(), registry);
    HookService hooks = new HookService(engine, new HookSettings(64 * 1024, 1_000, 16));
    engine.registerService(Replies.class, hooks);
    server =
        WebServer.builder()
            .host("127.0.0.1")
            .port(0)
            .routing(routing -> Main.routing(routing, "test", hooks))
            .build()
            .start();
    client = HttpClient.newHttpClient();
    engine.deploy(FlowCodec.read(FLOW));
  }

  @AfterEach
  void stop() {
    client.close();
    server.stop();
    engine.close();
  }

  /** A sink that hands every message's JSON to the test, by node id. */
  private NodeType captureType() {
    return NodeType.builder("capture")
        .outputs()
        .factory(
            context -> {
              BlockingQueue<String> queue = queue(context.nodeId());
              return (msg, out) -> queue.add(msg.jsonString());
            })
        .build();
  }

  private BlockingQueue<String> queue(String nodeId) {
    return captured.computeIfAbsent(nodeId, id -> new LinkedBlockingQueue<>());
  }

  /** The next message capture node {@code nodeId} receives, parsed; fails after a while. */
  private Map<?, ?> next(String nodeId) throws InterruptedException {
    String json = queue(nodeId).poll(AWAIT_MS, TimeUnit.MILLISECONDS);
    assertNotNull(json, "no message at " + nodeId + " within " + AWAIT_MS + " ms");
    return (Map<?, ?>) JsonCodec.parse(json);
  }

  private static byte[] pushDelivery() throws IOException {
    try (InputStream in = WebhookHookTest.class.getResourceAsStream("github-push.json")) {
      assertNotNull(in, "github-push.json on the test classpath");
      return in.readAllBytes();
    }
  }

  /** HMAC-SHA256 in lower-case hex, computed here with the JDK's Mac, not WebhookSignature. */
  private static String hmacHex(String secret, byte[] body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(body));
  }

  /** POSTs {@code body} as JSON with {@code headers} (name, value, name, value, ...). */
  private HttpResponse<String> post(String path, byte[] body, String... headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    for (int i = 0; i < headers.length; i += 2) {
      request.header(headers[i], headers[i + 1]);
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Map<String, Object> webhook(
      String verdict, String event, String signature, String delivery) {
    Map<String, Object> webhook = new LinkedHashMap<>();
    webhook.put("verdict", verdict);
    webhook.put("event", event);
    webhook.put("signature", signature);
    webhook.put("delivery", delivery);
    return webhook;
  }

  @Test
  void shouldAcceptASignedGitHubPushDeliveryOnThePayloadPort() throws Exception {
    byte[] delivery = pushDelivery();
    HttpResponse<String> response =
        post(
            "/hook/gh/github",
            delivery,
            "X-GitHub-Event",
            "push",
            "X-GitHub-Delivery",
            DELIVERY_ID,
            "X-Hub-Signature-256",
            "sha256=" + hmacHex(SECRET, delivery));

    assertEquals(202, response.statusCode(), response.body());
    assertEquals(Map.of("status", "accepted"), JsonCodec.parse(response.body()));
    assertEquals("application/json", response.headers().firstValue("content-type").orElse(""));
    Map<?, ?> msg = next("accepted");
    assertEquals(webhook("accepted", "push", "valid", DELIVERY_ID), msg.get("webhook"));
    Map<?, ?> req = (Map<?, ?>) msg.get("req");
    assertEquals(JsonCodec.parse(delivery), req.get("body"));
    assertEquals("/github", req.get("path"));
    assertEquals("push", ((Map<?, ?>) req.get("headers")).get("x-github-event"));
    assertEquals(Map.of("req", req), msg.get("payload"));
  }

  @Test
  void shouldAcceptTheSignatureWithOrWithoutThePrefixInAnyCase() throws Exception {
    byte[] delivery = pushDelivery();
    String hex = hmacHex(SECRET, delivery);
    String[] signatures = {"sha256=" + hex, hex, "SHA256=" + hex.toUpperCase(Locale.ROOT)};

    for (String signature : signatures) {
      HttpResponse<String> response =
          post(
              "/hook/gh/github",
              delivery,
              "X-GitHub-Event",
              "push",
              "X-Hub-Signature-256",
              signature);
      assertEquals(202, response.statusCode(), signature + ": " + response.body());
      assertEquals(webhook("accepted", "push", "valid", null), next("accepted").get("webhook"));
    }
  }

  @Test
  void shouldRejectATamperedBodyWith401OnTheRejectedPort() throws Exception {
    byte[] delivery = pushDelivery();
    String signature = "sha256=" + hmacHex(SECRET, delivery);
    String text = new String(delivery, StandardCharsets.ISO_8859_1); // one char per byte
    delivery[text.indexOf("refs/heads/main") + "refs/heads/".length()] = 'n'; // main -> nain

    HttpResponse<String> response =
        post(
            "/hook/gh/github",
            delivery,
            "X-GitHub-Event",
            "push",
            "X-GitHub-Delivery",
            DELIVERY_ID,
            "X-Hub-Signature-256",
            signature);

    assertEquals(401, response.statusCode());
    assertTrue(
        response.body().startsWith("{\"error\":{\"code\":401,\"message\":\"webhook signature"),
        response.body());
    assertTrue(response.body().contains("mismatch"), response.body());
    Map<?, ?> msg = next("rejected");
    assertEquals(webhook("rejected", "push", "mismatch", DELIVERY_ID), msg.get("webhook"));
    assertEquals(
        "refs/heads/nain", ((Map<?, ?>) ((Map<?, ?>) msg.get("req")).get("body")).get("ref"));
  }

  @Test
  void shouldRejectADeliveryWithoutSignatureWith401OnTheRejectedPort() throws Exception {
    HttpResponse<String> response =
        post("/hook/gh/github", pushDelivery(), "X-GitHub-Event", "push");

    assertEquals(401, response.statusCode());
    assertTrue(
        response
            .body()
            .contains("webhook signature missing: the request has no X-Hub-Signature-256"),
        response.body());
    assertEquals(webhook("rejected", "push", "missing", null), next("rejected").get("webhook"));
  }

  @Test
  void shouldRejectASha1SignatureAsMalformed() throws Exception {
    HttpResponse<String> response =
        post(
            "/hook/gh/github",
            pushDelivery(),
            "X-GitHub-Event",
            "push",
            "X-Hub-Signature-256",
            "sha1=0123456789abcdef0123456789abcdef01234567");

    assertEquals(401, response.statusCode());
    assertTrue(response.body().contains("webhook signature malformed"), response.body());
    assertEquals(webhook("rejected", "push", "malformed", null), next("rejected").get("webhook"));
  }

  @Test
  void shouldFilterASignedEventNotInEventsWith202OnTheFilteredPort() throws Exception {
    byte[] delivery = pushDelivery();
    HttpResponse<String> response =
        post(
            "/hook/gh/github",
            delivery,
            "X-GitHub-Event",
            "issues",
            "X-Hub-Signature-256",
            "sha256=" + hmacHex(SECRET, delivery));

    assertEquals(202, response.statusCode(), response.body());
    assertEquals(Map.of("status", "filtered", "event", "issues"), JsonCodec.parse(response.body()));
    assertEquals(webhook("filtered", "issues", "valid", null), next("filtered").get("webhook"));
  }

  @Test
  void shouldRejectRatherThanFilterAnUnsignedEventNotInEvents() throws Exception {
    HttpResponse<String> response =
        post("/hook/gh/github", pushDelivery(), "X-GitHub-Event", "issues");

    assertEquals(401, response.statusCode());
    assertEquals(webhook("rejected", "issues", "missing", null), next("rejected").get("webhook"));
  }

  @Test
  void shouldAnswer405ForAWrongMethodAndStartNoExecution() throws Exception {
    HttpResponse<String> response =
        client.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/hook/gh/github"))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertEquals(405, response.statusCode());
    assertEquals("POST", response.headers().firstValue("allow").orElse(""));
    assertTrue(response.body().startsWith("{\"error\":{\"code\":405,"), response.body());
    // the next delivery is the first message the flow sees
    HttpResponse<String> unsigned =
        post("/hook/gh/github", pushDelivery(), "X-GitHub-Event", "push");
    assertEquals(401, unsigned.statusCode());
    assertEquals("missing", ((Map<?, ?>) next("rejected").get("webhook")).get("signature"));
    assertTrue(queue("accepted").isEmpty());
  }

  @Test
  void shouldAcceptEveryDeliveryUncheckedWhenNoSecretIsConfigured() throws Exception {
    HttpResponse<String> response =
        post(
            "/hook/gh/open",
            pushDelivery(),
            "X-GitHub-Event",
            "push",
            "X-Hub-Signature-256",
            "sha256=" + "0".repeat(64));

    assertEquals(202, response.statusCode(), response.body());
    assertEquals(Map.of("status", "accepted"), JsonCodec.parse(response.body()));
    assertEquals(webhook("accepted", "push", "unchecked", null), next("unchecked").get("webhook"));
  }
}
