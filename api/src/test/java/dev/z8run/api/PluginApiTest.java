package dev.z8run.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.api.auth.Tokens;
import dev.z8run.api.auth.UserPrincipal;
import dev.z8run.io.json.JsonCodec;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Plugins through a real server: installed over HTTP and with the CLI, listed in the node
 * catalogue, run in a deployed flow behind an HTTP In hook, kept across a restart, removed.
 */
class PluginApiTest {
  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";
  private static final String MANIFEST =
      "name = \"shout\"\nversion = \"1.0.0\"\ndescription = \"Upper-cases.\"\n"
          + "[limits]\ntimeout_ms = 500\n";
  private static final String SHOUT_FLOW =
      """
      {"id":"shout","name":"Shout","nodes":[
        {"id":"in","type":"http-in","config":{"method":"GET","path":"/shout"}},
        {"id":"up","type":"shout","config":{}},
        {"id":"out","type":"http-out","config":{}}],
       "wires":[{"from":"in","to":"up"},{"from":"up","to":"out"}]}
      """;

  @TempDir Path dataDir;

  private Z8Server server;
  private HttpClient client;
  private String token;

  @BeforeEach
  void start() {
    server = startServer();
    client = HttpClient.newHttpClient();
    // the first user: an admin, who may install plugins
    String id = server.store().users().create("alice", "not-a-real-hash", 0L).id();
    token = Tokens.withSecret(SECRET).issue(new UserPrincipal(id, "alice"));
  }

  private Z8Server startServer() {
    return Main.start(
        TestSettings.ephemeral(
            Map.of(
                "Z8_DATA_DIR",
                dataDir.toString(),
                "Z8_JWT_SECRET",
                SECRET,
                "Z8_HOOK_TIMEOUT_MS",
                "3000")));
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  private static byte[] wasm(String name) throws Exception {
    try (InputStream in = PluginApiTest.class.getResourceAsStream("/plugins/" + name + ".wasm")) {
      return in.readAllBytes();
    }
  }

  private HttpResponse<String> call(String method, String path, String body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .header("Authorization", "Bearer " + token)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String upload(String manifestJson, byte[] module) {
    return "{\"manifest\":"
        + manifestJson
        + ",\"module\":\""
        + Base64.getEncoder().encodeToString(module)
        + "\"}";
  }

  @Test
  void shouldInstallAPluginAndRunItInADeployedFlowAcrossARestart() throws Exception {
    HttpResponse<String> installed =
        call("POST", "/api/v1/plugins", upload(JsonCodec.writeString(MANIFEST), wasm("uppercase")));
    assertEquals(201, installed.statusCode(), installed.body());
    Map<?, ?> plugin = (Map<?, ?>) JsonCodec.parse(installed.body());
    assertEquals("shout", plugin.get("name"));
    assertEquals("compiled", plugin.get("mode"));

    HttpResponse<String> node = call("GET", "/api/v1/nodes/shout", null);
    assertEquals(200, node.statusCode(), node.body());
    assertEquals(
        409,
        call("POST", "/api/v1/plugins", upload(JsonCodec.writeString(MANIFEST), wasm("uppercase")))
            .statusCode());

    assertEquals(201, call("POST", "/api/v1/flows", SHOUT_FLOW).statusCode());
    assertEquals(200, call("POST", "/api/v1/flows/shout/start", null).statusCode());
    String shouted = call("GET", "/hook/shout/shout?text=hello", null).body();
    assertTrue(shouted.contains("\"TEXT\":\"HELLO\""), shouted);

    server.close();
    server = startServer();
    assertEquals(
        1L,
        ((Map<?, ?>) JsonCodec.parse(call("GET", "/api/v1/plugins", null).body())).get("total"));
    String again = call("GET", "/hook/shout/shout?text=again", null).body();
    assertTrue(again.contains("\"TEXT\":\"AGAIN\""), again);

    assertEquals(204, call("DELETE", "/api/v1/plugins/shout", null).statusCode());
    assertEquals(404, call("GET", "/api/v1/nodes/shout", null).statusCode());
    assertEquals(404, call("DELETE", "/api/v1/plugins/shout", null).statusCode());
    server.close();
    server = startServer();
    assertEquals(404, call("GET", "/api/v1/plugins/shout", null).statusCode());
  }

  @Test
  void shouldRefuseABadPluginWithTheReasonAndKeepServing() throws Exception {
    HttpResponse<String> notWasm =
        call(
            "POST",
            "/api/v1/plugins",
            upload("{\"name\":\"junk\"}", "not wasm".getBytes(StandardCharsets.UTF_8)));
    assertEquals(400, notWasm.statusCode());
    assertTrue(
        notWasm.body().contains("plugin 'junk' is not a WebAssembly module"), notWasm.body());
    HttpResponse<String> builtin =
        call("POST", "/api/v1/plugins", upload("{\"name\":\"debug\"}", wasm("uppercase")));
    assertEquals(409, builtin.statusCode(), builtin.body());

    assertEquals(
        201,
        call("POST", "/api/v1/plugins", upload("{\"name\":\"boom\"}", wasm("trap"))).statusCode());
    String flow = SHOUT_FLOW.replace("\"type\":\"shout\"", "\"type\":\"boom\"");
    assertEquals(201, call("POST", "/api/v1/flows", flow).statusCode());
    assertEquals(200, call("POST", "/api/v1/flows/shout/start", null).statusCode());
    HttpResponse<String> trapped = call("GET", "/hook/shout/shout", null);
    assertTrue(trapped.statusCode() >= 500, trapped.statusCode() + " " + trapped.body());
    assertEquals(200, call("GET", "/api/v1/health", null).statusCode());
    assertTrue(server.engine().isRunning("shout"));
  }

  @Test
  void shouldInstallListAndRemoveWithTheCommandLine(@TempDir Path dir) throws Exception {
    Path manifest = Files.writeString(dir.resolve("manifest.toml"), MANIFEST);
    Path module = Files.write(dir.resolve("shout.wasm"), wasm("uppercase"));
    Map<String, String> env =
        Map.of("Z8_URL", "http://127.0.0.1:" + server.port(), "Z8_TOKEN", token);

    assertEquals(0, cli(env, "install", manifest.toString(), module.toString()));
    ByteArrayOutputStream listed = new ByteArrayOutputStream();
    assertEquals(
        0,
        PluginCommand.run(
            List.of("list"),
            Settings.of(env),
            new PrintStream(listed, true, StandardCharsets.UTF_8),
            System.err));
    assertEquals("shout\t1.0.0\tplugins\tUpper-cases.\n", listed.toString(StandardCharsets.UTF_8));
    assertEquals(0, cli(env, "remove", "shout"));
    assertEquals(1, cli(env, "remove", "shout"));
    assertEquals(2, cli(Map.of(), "list"));
  }

  private static int cli(Map<String, String> env, String... args) {
    return PluginCommand.run(List.of(args), Settings.of(env), System.out, System.err);
  }
}
