package dev.z8run.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.z8run.io.json.JsonCodec;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * A whole server for the attack tests ({@link SecurityAttackTest}, {@link MemoryShareAttackTest},
 * {@link HeldMemoryAttackTest}): open registration, a 3 s hook timeout, settings added per test,
 * the HTTP client the tests call it with, and the calls they share (register, create and start a
 * flow). Close it after each test.
 */
final class AttackServer implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(30);
  static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  private Z8Server server;
  private String admin;

  /**
   * Starts the server on {@code dataDir} with {@code extra} settings (name, value, ...) and
   * registers "alice", its first user and so its admin ({@link #admin()}).
   */
  Z8Server start(Path dataDir, String... extra) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("Z8_DATA_DIR", dataDir.toString());
    env.put("Z8_JWT_SECRET", SECRET);
    env.put("Z8_OPEN_REGISTRATION", "true");
    env.put("Z8_HOOK_TIMEOUT_MS", "3000");
    for (int i = 0; i < extra.length; i += 2) {
      env.put(extra[i], extra[i + 1]);
    }
    startWith(env);
    admin = register("alice");
    return server;
  }

  /** The token of "alice", the admin {@link #start} registered. */
  String admin() {
    return admin;
  }

  /** Starts the server with exactly {@code env} (after {@link #stopServer()}: a restart). */
  Z8Server startWith(Map<String, String> env) throws Exception {
    server = Main.start(TestSettings.ephemeral(env));
    return server;
  }

  /** Stops the server; its data directory stays. */
  void stopServer() {
    if (server != null) {
      server.close();
      server = null;
    }
  }

  HttpClient client() {
    return client;
  }

  /** The node errors of the running server from now on, as "node id: message". */
  java.util.Queue<String> nodeErrors() {
    java.util.Queue<String> errors = new java.util.concurrent.ConcurrentLinkedQueue<>();
    server
        .engine()
        .addListener(
            new dev.z8run.core.event.EngineListener() {
              @Override
              public void onNodeError(
                  String flowId, String nodeId, long executionId, String message) {
                errors.add(nodeId + ": " + message);
              }
            });
    return errors;
  }

  /** Registers {@code name} (the first one registered is the admin) and returns its token. */
  String register(String name) throws Exception {
    HttpResponse<String> registered =
        call(
            "POST",
            "/auth/register",
            "{\"username\":\"" + name + "\",\"password\":\"correct horse battery\"}",
            null);
    assertEquals(201, registered.statusCode(), registered.body());
    return (String) json(registered).get("token");
  }

  HttpResponse<String> call(String method, String path, String body, String token)
      throws Exception {
    return client.send(
        TestRequests.json(method, "http://127.0.0.1:" + server.port() + path, body, token)
            .timeout(TIMEOUT)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** {@code GET /hook/<flow>/<path>}, signed in as nobody (hooks are public). */
  HttpResponse<String> getHook(String flow, String path) throws Exception {
    return call("GET", "/hook/" + flow + "/" + path, null, null);
  }

  /**
   * Creates {@code flow} as the user of {@code token} (201) and answers its id, which the server
   * made unless {@code token} is an admin's (only an admin's chosen id is kept).
   */
  String create(String token, String flow) throws Exception {
    HttpResponse<String> created = call("POST", "/api/v1/flows", flow, token);
    assertEquals(201, created.statusCode(), created.body());
    return (String) json(created).get("id");
  }

  /** Starts flow {@code id} as the user of {@code token}; the answer, whatever its status. */
  HttpResponse<String> startFlow(String token, String id) throws Exception {
    return call("POST", "/api/v1/flows/" + id + "/start", null, token);
  }

  /** Creates and starts {@code flow} (201, then 200) as the user of {@code token}; its id. */
  String deploy(String token, String flow) throws Exception {
    String id = create(token, flow);
    HttpResponse<String> started = startFlow(token, id);
    assertEquals(200, started.statusCode(), started.body());
    return id;
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> json(HttpResponse<String> response) {
    return (Map<String, Object>) JsonCodec.parse(response.body());
  }

  /** The error answer's message, after checking its code is the status. */
  static String errorMessage(HttpResponse<String> response) {
    Map<?, ?> error = (Map<?, ?>) json(response).get("error");
    assertEquals((long) response.statusCode(), error.get("code"), response.body());
    return (String) error.get("message");
  }

  /**
   * Aborts requests still in flight (hooks sent without waiting, which would otherwise hold the
   * close until the server's hook timeout answers them), then stops the server.
   */
  @Override
  public void close() {
    client.shutdownNow();
    stopServer();
  }
}
