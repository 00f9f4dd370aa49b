package dev.z8run.api.rest;

import static dev.z8run.api.rest.RestServer.errorMessage;
import static dev.z8run.api.rest.RestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.api.auth.Tokens;
import dev.z8run.api.auth.UserPrincipal;
import dev.z8run.store.Store;
import dev.z8run.store.StoreConfig;
import dev.z8run.store.UserRecord;
import dev.z8run.store.vault.Vault;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link VaultService} through real HTTP, on a real LMDB store with its real cipher. */
class VaultServiceTest {
  private static final int MAX_BODY_BYTES = 256 * 1024;
  private static final String SECRET = "ghp_s3cr3t-value";
  private static final String API_TOKEN = "{\"key\":\"api_token\",\"value\":\"" + SECRET + "\"}";

  @TempDir Path dataDir;

  private final Tokens tokens = Tokens.withRandomSecret();
  private Store store;
  private RestServer server;
  private UserRecord alice;
  private String aliceToken;
  private String bobToken;

  @BeforeEach
  void start() {
    store = Store.open(StoreConfig.builder(dataDir).vaultKdfIterations(210_000).build());
    alice = store.users().create("alice", "unused-hash", 0);
    UserRecord bob = store.users().create("bob", "unused-hash", 0);
    aliceToken = tokens.issue(new UserPrincipal(alice.id(), alice.username()));
    bobToken = tokens.issue(new UserPrincipal(bob.id(), bob.username()));
    VaultService vault = new VaultService(store.vault(), MAX_BODY_BYTES);
    server = new RestServer(tokens, routing -> routing.register("/api/v1/vault", vault));
  }

  @AfterEach
  void stop() {
    server.close();
    store.close();
  }

  @Test
  void shouldStoreAnEntryAndListItsNameButNeverItsValue() throws Exception {
    HttpResponse<String> stored = server.send("POST", "/api/v1/vault", API_TOKEN, aliceToken);

    assertEquals(201, stored.statusCode(), stored.body());
    assertEquals("{\"key\":\"api_token\"}", stored.body());
    HttpResponse<String> listed = server.send("GET", "/api/v1/vault", null, aliceToken);
    assertEquals(200, listed.statusCode());
    assertEquals("{\"keys\":[\"api_token\"],\"total\":1}", listed.body());
    assertEquals(Optional.of(SECRET), store.vault().get(alice.id(), "api_token"));
  }

  @Test
  void shouldAnswer200AndReplaceTheValueWhenTheKeyExists() throws Exception {
    server.send("POST", "/api/v1/vault", API_TOKEN, aliceToken);

    HttpResponse<String> replaced =
        server.send(
            "POST", "/api/v1/vault", "{\"key\":\"api_token\",\"value\":\"rotated\"}", aliceToken);

    assertEquals(200, replaced.statusCode(), replaced.body());
    assertEquals("{\"key\":\"api_token\"}", replaced.body());
    assertEquals(Optional.of("rotated"), store.vault().get(alice.id(), "api_token"));
  }

  @Test
  void shouldAnswerThatAnEntryExistsWithoutItsValue() throws Exception {
    server.send("POST", "/api/v1/vault", API_TOKEN, aliceToken);

    HttpResponse<String> entry = server.send("GET", "/api/v1/vault/api_token", null, aliceToken);

    assertEquals(200, entry.statusCode());
    assertEquals("{\"key\":\"api_token\",\"exists\":true}", entry.body());
    assertFalse(entry.body().contains(SECRET));
  }

  @Test
  void shouldListNamesInAscendingOrderWithTheirTotal() throws Exception {
    for (String key : List.of("zeta", "Alpha", "beta.2", "beta-1")) {
      server.send("POST", "/api/v1/vault", "{\"key\":\"" + key + "\",\"value\":\"v\"}", aliceToken);
    }

    Map<String, Object> listed = json(server.send("GET", "/api/v1/vault", null, aliceToken));

    assertEquals(List.of("Alpha", "beta-1", "beta.2", "zeta"), listed.get("keys"));
    assertEquals(4L, listed.get("total"));
  }

  @Test
  void shouldDeleteAnEntryAndAnswer404ForItAfterwards() throws Exception {
    server.send("POST", "/api/v1/vault", API_TOKEN, aliceToken);

    HttpResponse<String> deleted =
        server.send("DELETE", "/api/v1/vault/api_token", null, aliceToken);

    assertEquals(204, deleted.statusCode());
    assertEquals("", deleted.body());
    assertEquals(404, server.send("GET", "/api/v1/vault/api_token", null, aliceToken).statusCode());
    HttpResponse<String> again = server.send("DELETE", "/api/v1/vault/api_token", null, aliceToken);
    assertEquals(404, again.statusCode());
    assertEquals("no vault entry 'api_token'", errorMessage(again));
    assertEquals(Optional.empty(), store.vault().get(alice.id(), "api_token"));
  }

  @Test
  void shouldAnswer404ForAnotherUsersEntryAndLeaveItAlone() throws Exception {
    server.send("POST", "/api/v1/vault", API_TOKEN, aliceToken);

    assertEquals(
        "{\"keys\":[],\"total\":0}", server.send("GET", "/api/v1/vault", null, bobToken).body());
    HttpResponse<String> peek = server.send("GET", "/api/v1/vault/api_token", null, bobToken);
    assertEquals(404, peek.statusCode());
    assertEquals("no vault entry 'api_token'", errorMessage(peek));
    assertEquals(
        404, server.send("DELETE", "/api/v1/vault/api_token", null, bobToken).statusCode());
    HttpResponse<String> own =
        server.send(
            "POST", "/api/v1/vault", "{\"key\":\"api_token\",\"value\":\"bobs\"}", bobToken);
    assertEquals(201, own.statusCode(), "bob's entry of the same name is a new one");

    assertEquals(Optional.of(SECRET), store.vault().get(alice.id(), "api_token"));
  }

  @Test
  void shouldRefuseEveryRouteWithoutAToken() throws Exception {
    assertEquals(401, server.send("GET", "/api/v1/vault", null, null).statusCode());
    assertEquals(401, server.send("POST", "/api/v1/vault", API_TOKEN, null).statusCode());
    assertEquals(401, server.send("GET", "/api/v1/vault/api_token", null, null).statusCode());
    assertEquals(401, server.send("DELETE", "/api/v1/vault/api_token", null, null).statusCode());
  }

  static Stream<Arguments> hostileBodies() {
    return Stream.of(
        Arguments.of("{\"key\":\"a\",", 400, "request body is not valid JSON"),
        Arguments.of("", 400, "request body is empty"),
        Arguments.of("[]", 400, "must be a JSON object, got array"),
        Arguments.of("{\"value\":\"v\"}", 400, "field 'key' is required"),
        Arguments.of("{\"key\":\"k\"}", 400, "field 'value' is required"),
        Arguments.of(
            "{\"key\":7,\"value\":\"v\"}", 400, "field 'key' must be a string, got number 7"),
        Arguments.of(
            "{\"key\":\"k\",\"value\":{\"a\":1}}",
            400,
            "field 'value' must be a string, got object"),
        Arguments.of("{\"key\":\"k\",\"value\":true}", 400, "field 'value' must be a string"),
        Arguments.of("{\"key\":\"k\",\"value\":\"\"}", 400, "field 'value' must not be empty"),
        Arguments.of("{\"key\":\"\",\"value\":\"v\"}", 400, "field 'key': "),
        Arguments.of("{\"key\":\"a b\",\"value\":\"v\"}", 400, "field 'key': "),
        Arguments.of("{\"key\":\"../etc\",\"value\":\"v\"}", 400, "field 'key': "),
        Arguments.of("{\"key\":\"" + "k".repeat(129) + "\",\"value\":\"v\"}", 400, "field 'key': "),
        Arguments.of(
            "{\"key\":\"k\",\"value\":\"v\",\"owner\":\"someone-else\"}",
            400,
            "unknown field 'owner'"),
        Arguments.of(
            "{\"key\":\"k\",\"value\":\"" + "v".repeat(Vault.MAX_VALUE_BYTES + 1) + "\"}",
            400,
            "field 'value' is 65537 bytes in UTF-8; the limit is 65536"),
        Arguments.of(
            "{\"key\":\"k\",\"value\":\"" + "v".repeat(MAX_BODY_BYTES) + "\"}",
            413,
            "request body exceeds the limit of 262144 bytes"),
        Arguments.of(
            "{\"key\":\"k\",\"value\":\"" + "v".repeat(16 << 20) + "\"}",
            413,
            "request body exceeds the limit of 262144 bytes"));
  }

  @ParameterizedTest
  @MethodSource("hostileBodies")
  void shouldAnswerHostileBodiesWith4xxNamingTheProblemAndStoreNothing(
      String body, int status, String fragment) throws Exception {
    HttpResponse<String> response;
    try {
      response = server.send("POST", "/api/v1/vault", body, aliceToken);
    } catch (java.io.IOException closedWhileSending) {
      // the server answers 413 from Content-Length and closes without reading the body; a client
      // still sending megabytes may see the close before it reads the answer
      assertTrue(status == 413 && body.length() > 1 << 20, closedWhileSending.toString());
      assertEquals(List.of(), store.vault().list(alice.id()));
      return;
    }

    assertEquals(status, response.statusCode(), response.body());
    assertTrue(errorMessage(response).contains(fragment), response.body());
    assertEquals(List.of(), store.vault().list(alice.id()));
  }

  @Test
  void shouldRefuseAnInvalidKeyInThePathNamingIt() throws Exception {
    HttpResponse<String> response = server.send("GET", "/api/v1/vault/bad%20key", null, aliceToken);

    assertEquals(400, response.statusCode(), response.body());
    assertTrue(errorMessage(response).startsWith("field 'key': "), response.body());
  }

  @Test
  void shouldAnswer415ForAFormBody() throws Exception {
    HttpResponse<String> response =
        server.send(
            HttpRequest.newBuilder()
                .header("Authorization", "Bearer " + aliceToken)
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(API_TOKEN)),
            "/api/v1/vault");

    assertEquals(415, response.statusCode());
  }

  @Test
  void shouldKeepAValueWithQuotesNewlinesAndEmojiIntact() throws Exception {
    String value = "line1\nline2 \"quoted\" \\ 🔑";
    String body = "{\"key\":\"pem\",\"value\":\"line1\\nline2 \\\"quoted\\\" \\\\ 🔑\"}";

    assertEquals(201, server.send("POST", "/api/v1/vault", body, aliceToken).statusCode());

    assertEquals(Optional.of(value), store.vault().get(alice.id(), "pem"));
  }
}
