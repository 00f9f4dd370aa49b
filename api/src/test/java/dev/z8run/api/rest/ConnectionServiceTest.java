package dev.z8run.api.rest;

import static dev.z8run.api.rest.RestServer.errorMessage;
import static dev.z8run.api.rest.RestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.api.auth.LoginRateLimiter;
import dev.z8run.api.auth.Tokens;
import dev.z8run.api.auth.UserPrincipal;
import dev.z8run.nodes.data.SqliteFiles;
import dev.z8run.nodes.support.LiveConnections;
import dev.z8run.nodes.support.OutboundPolicy;
import dev.z8run.store.Store;
import dev.z8run.store.StoreConfig;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link ConnectionService} through real HTTP on a real store and vault. */
class ConnectionServiceTest {
  @TempDir Path dataDir;

  private final Tokens tokens = Tokens.withRandomSecret();
  private Store store;
  private RestServer server;
  private String alice;
  private String aliceToken;
  private String bobToken;

  @BeforeEach
  void start() {
    store = Store.open(StoreConfig.builder(dataDir).vaultKdfIterations(210_000).build());
    alice = store.users().create("alice", "unused-hash", 0).id();
    String bob = store.users().create("bob", "unused-hash", 0).id();
    aliceToken = tokens.issue(new UserPrincipal(alice, "alice"));
    bobToken = tokens.issue(new UserPrincipal(bob, "bob"));
    ConnectionService connections =
        new ConnectionService(
            store.connections(),
            store.vault(),
            new LiveConnections(),
            OutboundPolicy.parse("127.0.0.1"),
            new SqliteFiles(dataDir, List.of()),
            new LoginRateLimiter(3, Duration.ofMinutes(1), 100, System::nanoTime),
            64 * 1024);
    server =
        new RestServer(tokens, routing -> routing.register("/api/v1/connections", connections));
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
  }

  @Test
  void shouldKeepThePasswordInTheVaultAndNeverShowIt() throws Exception {
    HttpResponse<String> created =
        server.send(
            "POST",
            "/api/v1/connections",
            "{\"id\":\"orders\",\"name\":\"Orders DB\",\"kind\":\"postgres\",\"host\":\"db.example\","
                + "\"port\":5432,\"database\":\"orders\",\"user\":\"app\",\"password\":\"hunter2\","
                + "\"poolSize\":4}",
            aliceToken);
    assertEquals(201, created.statusCode(), created.body());
    assertFalse(created.body().contains("hunter2"), created.body());
    assertEquals("set", json(created).get("password"));
    assertEquals(Optional.of("hunter2"), store.vault().get(alice, "connection.orders.password"));

    HttpResponse<String> listed = server.send("GET", "/api/v1/connections", null, aliceToken);
    assertFalse(listed.body().contains("hunter2"), listed.body());
    assertEquals(1L, json(listed).get("total"));
    HttpResponse<String> replaced =
        server.send(
            "PUT",
            "/api/v1/connections/orders",
            "{\"kind\":\"postgres\",\"host\":\"db2.example\",\"database\":\"orders\"}",
            aliceToken);
    assertEquals(200, replaced.statusCode(), replaced.body());
    assertEquals("set", json(replaced).get("password"), "an absent password keeps the stored one");
    assertEquals("db2.example", json(replaced).get("host"));

    assertEquals(
        404, server.send("GET", "/api/v1/connections/orders", null, bobToken).statusCode());
    assertEquals(0L, json(server.send("GET", "/api/v1/connections", null, bobToken)).get("total"));

    assertEquals(
        204, server.send("DELETE", "/api/v1/connections/orders", null, aliceToken).statusCode());
    assertEquals(Optional.empty(), store.vault().get(alice, "connection.orders.password"));
  }

  @Test
  void shouldKeepAVaultReferenceAsItIs() throws Exception {
    HttpResponse<String> created =
        server.send(
            "POST",
            "/api/v1/connections",
            "{\"id\":\"broker\",\"kind\":\"mqtt\",\"host\":\"127.0.0.1\",\"user\":\"u\","
                + "\"password\":\"vault:mqtt_password\"}",
            aliceToken);
    assertEquals(201, created.statusCode(), created.body());
    assertEquals("vault:mqtt_password", json(created).get("password"));
  }

  @Test
  void shouldRefuseUnknownKindsAndFields() throws Exception {
    HttpResponse<String> kind =
        server.send("POST", "/api/v1/connections", "{\"kind\":\"oracle\"}", aliceToken);
    assertEquals(400, kind.statusCode());
    assertTrue(errorMessage(kind).contains("'oracle' is not one of"), kind.body());
    HttpResponse<String> field =
        server.send("POST", "/api/v1/connections", "{\"kind\":\"mqtt\",\"evil\":1}", aliceToken);
    assertEquals(400, field.statusCode());
    HttpResponse<String> kinds = server.send("GET", "/api/v1/connections/kinds", null, aliceToken);
    assertTrue(kinds.body().contains("\"mqtt-in\""), kinds.body());
  }

  @Test
  void shouldTestAConnectionAndLimitHowOften() throws Exception {
    server.send(
        "POST",
        "/api/v1/connections",
        "{\"id\":\"lite\",\"kind\":\"sqlite\",\"database\":\"t.db\"}",
        aliceToken);
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    server.send(
        "POST",
        "/api/v1/connections",
        "{\"id\":\"down\",\"kind\":\"postgres\",\"host\":\"127.0.0.1\",\"port\":"
            + closedPort
            + ",\"database\":\"x\",\"connectTimeoutMs\":500}",
        aliceToken);
    server.send(
        "POST",
        "/api/v1/connections",
        "{\"id\":\"far\",\"kind\":\"mqtt\",\"host\":\"10.1.2.3\"}",
        aliceToken);

    Map<String, Object> ok =
        json(server.send("POST", "/api/v1/connections/lite/test", null, aliceToken));
    assertEquals(true, ok.get("ok"), ok.toString());
    assertTrue(String.valueOf(ok.get("message")).startsWith("SQLite"), ok.toString());
    Map<String, Object> down =
        json(server.send("POST", "/api/v1/connections/down/test", null, aliceToken));
    assertEquals(false, down.get("ok"), down.toString());
    Map<String, Object> far =
        json(server.send("POST", "/api/v1/connections/far/test", null, aliceToken));
    assertEquals(false, far.get("ok"));
    assertTrue(String.valueOf(far.get("message")).contains("outbound policy"), far.toString());

    HttpResponse<String> limited =
        server.send("POST", "/api/v1/connections/lite/test", null, aliceToken);
    assertEquals(429, limited.statusCode(), limited.body());
    assertTrue(limited.headers().firstValue("Retry-After").isPresent());
  }
}
