package dev.z8run.api.flows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.api.Main;
import dev.z8run.api.TestRequests;
import dev.z8run.api.TestSettings;
import dev.z8run.api.Z8Server;
import dev.z8run.api.auth.Tokens;
import dev.z8run.api.auth.UserPrincipal;
import dev.z8run.core.event.EngineListener;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.testkit.Poll;
import dev.z8run.testkit.PrivateMosquitto;
import dev.z8run.testkit.TestServices;
import dev.z8run.testkit.TestServices.Service;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data flows through the whole server: a stored connection whose password is a vault entry, shared
 * by two nodes of a flow; a Node-RED export with an {@code mqtt-broker} config node; a database
 * connection named by a flow.
 */
class DataFlowsIT {
  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";

  @TempDir Path dataDir;
  private Z8Server server;
  private HttpClient client;
  private String token;
  private final Queue<String> debug = new ConcurrentLinkedQueue<>();
  private final String prefix = "h15/" + UUID.randomUUID().toString().substring(0, 8);

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
                    "Z8_HTTP_ALLOW",
                    "127.0.0.0/8")));
    client = HttpClient.newHttpClient();
    token = Tokens.withSecret(SECRET).issue(new UserPrincipal("u", "u"));
    server
        .engine()
        .addListener(
            new EngineListener() {
              @Override
              public void onNodeDebug(
                  String flowId, String nodeId, long executionId, String preview, long length) {
                debug.add(preview);
              }
            });
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  private HttpResponse<String> call(String method, String path, String body) throws Exception {
    HttpRequest.Builder request =
        TestRequests.json(method, "http://127.0.0.1:" + server.port() + path, body, token);
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private void publishUntilDebugShows(String flowId, String nodeId, String expected) {
    Poll.eventually("debug shows " + expected)
        .until(
            () -> {
              server
                  .engine()
                  .inject(
                      flowId,
                      nodeId,
                      ("{\"payload\":\"" + expected + "\"}").getBytes(StandardCharsets.UTF_8));
              Thread.sleep(100);
              return debug.stream().anyMatch(preview -> preview.contains(expected));
            });
  }

  @Test
  void shouldConnectWithAPasswordFromTheVaultThroughAStoredConnection() throws Exception {
    Path dir = Files.createTempDirectory("h15-passwd");
    Process passwd =
        new ProcessBuilder(
                "mosquitto_passwd",
                "-b",
                "-c",
                dir.resolve("passwd").toString(),
                "flows",
                "vaulted-pw")
            .redirectErrorStream(true)
            .start();
    assertEquals(0, passwd.waitFor());
    try (PrivateMosquitto broker =
        PrivateMosquitto.start(
            List.of("allow_anonymous false", "password_file " + dir.resolve("passwd")))) {
      assertEquals(
          201,
          call("POST", "/api/v1/vault", "{\"key\":\"mqtt_pw\",\"value\":\"vaulted-pw\"}")
              .statusCode());
      HttpResponse<String> created =
          call(
              "POST",
              "/api/v1/connections",
              "{\"id\":\"plant\",\"kind\":\"mqtt\",\"host\":\"127.0.0.1\",\"port\":"
                  + broker.port()
                  + ",\"user\":\"flows\",\"password\":\"vault:mqtt_pw\"}");
      assertEquals(201, created.statusCode(), created.body());
      String flow =
          """
          {"id":"plant","name":"Plant","nodes":[
            {"id":"in","type":"mqtt-in","config":{"connection":"plant","topic":"%1$s/#","qos":1}},
            {"id":"dbg","type":"debug","config":{}},
            {"id":"out","type":"mqtt-out","config":{"connection":"plant","topic":"%1$s/x","qos":1}}],
           "wires":[{"from":"in","to":"dbg"}]}
          """
              .formatted(prefix);
      assertEquals(201, call("POST", "/api/v1/flows", flow).statusCode());
      HttpResponse<String> started = call("POST", "/api/v1/flows/plant/start", null);
      assertEquals(200, started.statusCode(), started.body());
      publishUntilDebugShows("plant", "out", "through-the-vault");

      HttpResponse<String> live = call("GET", "/api/v1/connections/live", null);
      List<?> clients = (List<?>) ((Map<?, ?>) JsonCodec.parse(live.body())).get("live");
      assertEquals(1, clients.size(), live.body());
      assertEquals(2L, ((Map<?, ?>) clients.get(0)).get("users"));
      assertFalse(live.body().contains("vaulted-pw"), live.body());
      Map<?, ?> test =
          (Map<?, ?>) JsonCodec.parse(call("POST", "/api/v1/connections/plant/test", null).body());
      assertEquals(true, test.get("ok"), test.toString());

      assertEquals(200, call("POST", "/api/v1/flows/plant/stop", null).statusCode());
      assertEquals(
          List.of(),
          ((Map<?, ?>) JsonCodec.parse(call("GET", "/api/v1/connections/live", null).body()))
              .get("live"));
    }
  }

  @Test
  void shouldRunAnImportedNodeRedMqttFlowOnItsBrokerConfigNode() throws Exception {
    URI mqtt = URI.create(TestServices.require(Service.MQTT));
    String export =
        """
        [{"id":"tab1","type":"tab","label":"MQTT"},
         {"id":"b1","type":"mqtt-broker","name":"local","broker":"127.0.0.1","port":"%2$d",
          "clientid":"","usetls":false,"protocolVersion":"4","keepalive":"60","cleansession":true},
         {"id":"min","type":"mqtt in","z":"tab1","name":"","topic":"%1$s/in/#","qos":"2",
          "datatype":"auto-detect","broker":"b1","nl":false,"rap":true,"rh":0,"inputs":0,
          "x":100,"y":40,"wires":[["dbg"]]},
         {"id":"dbg","type":"debug","z":"tab1","name":"","active":true,"complete":"payload",
          "x":300,"y":40,"wires":[]},
         {"id":"mout","type":"mqtt out","z":"tab1","name":"","topic":"%1$s/in/a","qos":"1",
          "retain":"false","respTopic":"%1$s/reply","correl":"c-1","contentType":"text/plain",
          "expiry":"30","userProps":"{\\"site\\":\\"a\\"}","broker":"b1","x":300,"y":100,
          "wires":[]}]
        """
            .formatted(prefix, mqtt.getPort());
    HttpResponse<String> imported = call("POST", "/api/v1/flows/import?strict=true", export);
    assertEquals(201, imported.statusCode(), imported.body());
    Map<?, ?> flow =
        (Map<?, ?>) ((List<?>) ((Map<?, ?>) JsonCodec.parse(imported.body())).get("flows")).get(0);
    String id = (String) flow.get("id");
    // the MQTT 5 properties of mqtt out under our names (a 3.1.1 broker config: not sent)
    Map<?, ?> mout =
        ((List<?>) flow.get("nodes"))
            .stream()
                .map(Map.class::cast)
                .filter(n -> "mout".equals(n.get("id")))
                .findFirst()
                .orElseThrow();
    Map<?, ?> moutConfig = (Map<?, ?>) mout.get("config");
    assertEquals(prefix + "/reply", moutConfig.get("responseTopic"));
    assertEquals("c-1", moutConfig.get("correlationData"));
    assertEquals("text/plain", moutConfig.get("contentType"));
    assertEquals("30", moutConfig.get("messageExpiryInterval"));
    assertEquals("{\"site\":\"a\"}", moutConfig.get("userProperties"));
    HttpResponse<String> started = call("POST", "/api/v1/flows/" + id + "/start", null);
    assertEquals(200, started.statusCode(), started.body());
    publishUntilDebugShows(id, "mout", "from-node-red");
  }

  @Test
  void shouldQueryADatabaseThroughAStoredConnection() throws Exception {
    URI pg = URI.create(TestServices.require(Service.POSTGRES).substring("jdbc:".length()));
    String user =
        pg.getQuery() == null ? "postgres" : pg.getQuery().replaceAll(".*user=([^&]*).*", "$1");
    HttpResponse<String> created =
        call(
            "POST",
            "/api/v1/connections",
            "{\"id\":\"pg\",\"kind\":\"postgres\",\"host\":\"127.0.0.1\",\"port\":"
                + pg.getPort()
                + ",\"database\":\""
                + pg.getPath().substring(1)
                + "\",\"user\":\""
                + user
                + "\"}");
    assertEquals(201, created.statusCode(), created.body());
    Map<?, ?> test =
        (Map<?, ?>) JsonCodec.parse(call("POST", "/api/v1/connections/pg/test", null).body());
    assertEquals(true, test.get("ok"), test.toString());
    assertTrue(String.valueOf(test.get("message")).startsWith("PostgreSQL"), test.toString());
    String flow =
        """
        {"id":"q","name":"Query","nodes":[
          {"id":"db","type":"database","config":{"connection":"pg","query":"SELECT $payload::text || '!' AS shout"}},
          {"id":"dbg","type":"debug","config":{}}],
         "wires":[{"from":"db","to":"dbg"}]}
        """;
    assertEquals(201, call("POST", "/api/v1/flows", flow).statusCode());
    HttpResponse<String> started = call("POST", "/api/v1/flows/q/start", null);
    assertEquals(200, started.statusCode(), started.body());
    publishUntilDebugShows("q", "db", "hey!");
  }
}
