package dev.z8run.api.rest;

import static dev.z8run.api.rest.RestServer.errorMessage;
import static dev.z8run.api.rest.RestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.api.auth.Authenticator;
import dev.z8run.api.auth.LoginRateLimiter;
import dev.z8run.api.auth.PasswordHasher;
import dev.z8run.api.auth.Tokens;
import dev.z8run.api.auth.UserPrincipal;
import dev.z8run.store.Store;
import dev.z8run.store.StoreConfig;
import java.io.ByteArrayInputStream;
import java.io.SequenceInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link AuthService} through real HTTP, on a real LMDB store. */
class AuthServiceTest {
  private static final int MAX_BODY_BYTES = 64 * 1024;
  private static final int MAX_ATTEMPTS = 3;
  private static final Instant NOW = Instant.parse("2025-01-02T03:04:05Z");
  private static final String ALICE = "{\"username\":\"alice\",\"password\":\"correct horse\"}";

  @TempDir Path dataDir;

  private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  private final Tokens tokens = Tokens.withRandomSecret();
  // small argon2 costs keep the suite fast; the parameters are read back from each hash
  private final PasswordHasher hasher = new PasswordHasher(256, 1, 1);
  private Store store;
  private RestServer closed;
  private RestServer open;

  @BeforeEach
  void start() {
    store = Store.open(StoreConfig.builder(dataDir).vaultKdfIterations(210_000).build());
    closed = server(false);
    open = server(true);
  }

  @AfterEach
  void stop() {
    closed.close();
    open.close();
    store.close();
  }

  private RestServer server(boolean openRegistration) {
    LoginRateLimiter limiter =
        new LoginRateLimiter(MAX_ATTEMPTS, Duration.ofSeconds(60), 100, nanos::get);
    AuthService auth =
        new AuthService(
            store.users(),
            hasher,
            tokens,
            limiter,
            openRegistration,
            MAX_BODY_BYTES,
            InstantSource.fixed(NOW));
    return new RestServer(tokens, routing -> routing.register("/auth", auth));
  }

  @Test
  void shouldRegisterTheFirstUserAndAnswerATokenThatOpensAuthMe() throws Exception {
    HttpResponse<String> registered = closed.send("POST", "/auth/register", ALICE, null);

    assertEquals(201, registered.statusCode(), registered.body());
    assertEquals("application/json", registered.headers().firstValue("content-type").orElse(""));
    Map<String, Object> body = json(registered);
    assertEquals(List.of("token", "user", "id", "username"), List.copyOf(body.keySet()));
    assertEquals("alice", body.get("username"));
    assertEquals(
        Map.of(
            "id",
            body.get("id"),
            "email",
            "",
            "username",
            "alice",
            "roles",
            List.of("admin", "user")),
        body.get("user"));

    HttpResponse<String> me = closed.send("GET", "/auth/me", null, (String) body.get("token"));
    assertEquals(200, me.statusCode(), me.body());
    assertEquals(
        Map.of(
            "id",
            body.get("id"),
            "email",
            "",
            "username",
            "alice",
            "roles",
            List.of("admin", "user"),
            "created_at",
            "2025-01-02T03:04:05Z"),
        json(me));
  }

  @Test
  void shouldSignUpAndInWithAnEmailAddressAsZ8runDoes() throws Exception {
    HttpResponse<String> registered =
        open.send(
            "POST",
            "/auth/register",
            "{\"email\":\"Ada@Example.com\",\"username\":\"ada\",\"password\":\"correct horse\"}",
            null);
    assertEquals(201, registered.statusCode(), registered.body());
    Map<?, ?> user = (Map<?, ?>) json(registered).get("user");
    assertEquals("Ada@Example.com", user.get("email"));
    assertEquals(List.of("admin", "user"), user.get("roles"));

    for (String login : List.of("ada@example.com", "ADA@EXAMPLE.COM", "ada", "Ada")) {
      HttpResponse<String> in =
          open.send(
              "POST",
              "/auth/login",
              "{\"email\":\"" + login + "\",\"password\":\"correct horse\"}",
              null);
      assertEquals(200, in.statusCode(), login + ": " + in.body());
      assertEquals(user, json(in).get("user"), login);
    }
    HttpResponse<String> wrong =
        open.send(
            "POST",
            "/auth/login",
            "{\"email\":\"ada@example.com\",\"password\":\"nope nope\"}",
            null);
    assertEquals(401, wrong.statusCode());
    assertEquals("invalid email or password", errorMessage(wrong));
    HttpResponse<String> unknown =
        open.send(
            "POST",
            "/auth/login",
            "{\"email\":\"eve@example.com\",\"password\":\"correct horse\"}",
            null);
    assertEquals(401, unknown.statusCode());
    assertEquals("invalid email or password", errorMessage(unknown));
    HttpResponse<String> both =
        open.send(
            "POST",
            "/auth/login",
            "{\"email\":\"ada@example.com\",\"username\":\"ada\",\"password\":\"correct horse\"}",
            null);
    assertEquals(400, both.statusCode());
    assertEquals("give either field 'email' or field 'username', not both", errorMessage(both));

    HttpResponse<String> second =
        open.send(
            "POST",
            "/auth/register",
            "{\"email\":\"grace@example.com\",\"username\":\"grace\",\"password\":\"correct horse\"}",
            null);
    assertEquals(201, second.statusCode(), second.body());
    assertEquals(List.of("user"), ((Map<?, ?>) json(second).get("user")).get("roles"));
  }

  @Test
  void shouldRefuseATakenOrMalformedEmailAddress() throws Exception {
    open.send(
        "POST",
        "/auth/register",
        "{\"email\":\"ada@example.com\",\"username\":\"ada\",\"password\":\"correct horse\"}",
        null);
    HttpResponse<String> taken =
        open.send(
            "POST",
            "/auth/register",
            "{\"email\":\"ADA@example.com\",\"username\":\"ada2\",\"password\":\"correct horse\"}",
            null);
    assertEquals(409, taken.statusCode());
    assertEquals("an account with e-mail address 'ADA@example.com' exists", errorMessage(taken));
    for (String bad : List.of("ada", "@example.com", "ada@", "a@b@c", "a b@example.com", "")) {
      HttpResponse<String> refused =
          open.send(
              "POST",
              "/auth/register",
              "{\"email\":\"" + bad + "\",\"username\":\"eve\",\"password\":\"correct horse\"}",
              null);
      assertEquals(400, refused.statusCode(), bad);
      assertTrue(errorMessage(refused).startsWith("field 'email' "), errorMessage(refused));
    }
    assertEquals(1, store.users().count());
  }

  @Test
  void shouldRefuseASecondSignUpWhenRegistrationIsClosed() throws Exception {
    closed.send("POST", "/auth/register", ALICE, null);

    HttpResponse<String> second =
        closed.send(
            "POST", "/auth/register", "{\"username\":\"bob\",\"password\":\"12345678\"}", null);

    assertEquals(403, second.statusCode());
    assertTrue(errorMessage(second).contains("registration is closed"), second.body());
    assertEquals(1, store.users().count());
  }

  @Test
  void shouldLetOnlyOneOfManyConcurrentFirstSignUpsThrough() throws Exception {
    int contenders = 8;
    List<Callable<Integer>> signUps = new ArrayList<>();
    for (int i = 0; i < contenders; i++) {
      String body = "{\"username\":\"user" + i + "\",\"password\":\"password" + i + "\"}";
      signUps.add(() -> closed.send("POST", "/auth/register", body, null).statusCode());
    }
    List<Integer> statuses = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (Future<Integer> status : pool.invokeAll(signUps)) {
        statuses.add(status.get(30, TimeUnit.SECONDS));
      }
    }

    assertEquals(1, statuses.stream().filter(s -> s == 201).count(), statuses.toString());
    assertEquals(contenders - 1, statuses.stream().filter(s -> s == 403).count());
    assertEquals(1, store.users().count());
  }

  @Test
  void shouldLetLaterUsersSignUpWhenRegistrationIsOpen() throws Exception {
    open.send("POST", "/auth/register", ALICE, null);

    HttpResponse<String> second =
        open.send(
            "POST", "/auth/register", "{\"username\":\"bob\",\"password\":\"12345678\"}", null);

    assertEquals(201, second.statusCode(), second.body());
    assertEquals(2, store.users().count());
  }

  @Test
  void shouldAnswer409WhenTheUsernameIsTakenInAnyLetterCase() throws Exception {
    open.send("POST", "/auth/register", ALICE, null);

    HttpResponse<String> again =
        open.send(
            "POST", "/auth/register", "{\"username\":\"ALICE\",\"password\":\"whatever1\"}", null);

    assertEquals(409, again.statusCode());
    assertEquals("username 'ALICE' is taken", errorMessage(again));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ab",
        "a-name-of-sixty-five-characters-is-one-character-longer-than-allo",
        "with space",
        "ümlaut",
        "new\\nline",
        "semi;colon"
      })
  void shouldRefuseUsernamesOutsideTheRulesNamingTheField(String username) throws Exception {
    HttpResponse<String> response =
        closed.send(
            "POST",
            "/auth/register",
            "{\"username\":\"" + username + "\",\"password\":\"12345678\"}",
            null);

    assertEquals(400, response.statusCode(), response.body());
    assertTrue(errorMessage(response).startsWith("field 'username' "), response.body());
    assertEquals(0, store.users().count());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 7, 257})
  void shouldRefusePasswordsOutsideTheRulesNamingTheField(int length) throws Exception {
    HttpResponse<String> response =
        closed.send(
            "POST",
            "/auth/register",
            "{\"username\":\"alice\",\"password\":\"" + "p".repeat(length) + "\"}",
            null);

    assertEquals(400, response.statusCode(), response.body());
    assertEquals(
        "field 'password' must be 8..256 characters, got " + length, errorMessage(response));
  }

  @Test
  void shouldCountPasswordLengthInCharactersNotBytes() throws Exception {
    HttpResponse<String> response =
        closed.send(
            "POST",
            "/auth/register",
            "{\"username\":\"alice\",\"password\":\"" + "🔑".repeat(8) + "\"}",
            null);

    assertEquals(201, response.statusCode(), response.body());
  }

  static Stream<Arguments> hostileBodies() {
    return Stream.of(
        Arguments.of("{\"username\":", 400, "request body is not valid JSON"),
        Arguments.of("{\"username\":\"alice\"", 400, "request body is not valid JSON"),
        Arguments.of("{\"username\":5,\"password\":\"12345678\"}", 400, "field 'username'"),
        Arguments.of("{\"username\":\"alice\",\"password\":[1]}", 400, "field 'password'"),
        Arguments.of("{\"username\":\"alice\",\"password\":null}", 400, "field 'password'"),
        Arguments.of("{\"username\":\"alice\"}", 400, "field 'password' is required"),
        Arguments.of("{\"password\":\"12345678\"}", 400, "field 'username' is required"),
        Arguments.of(
            "{\"username\":\"alice\",\"password\":\"12345678\",\"admin\":true}",
            400,
            "unknown field 'admin'"),
        Arguments.of(
            "{\"username\":\"a\",\"username\":\"b\",\"password\":\"12345678\"}",
            400,
            "duplicate key 'username'"),
        Arguments.of("[\"alice\",\"12345678\"]", 400, "must be a JSON object, got array"),
        Arguments.of("\"alice\"", 400, "must be a JSON object, got string"),
        Arguments.of("null", 400, "must be a JSON object, got null"),
        Arguments.of("[".repeat(10_000), 400, "nested deeper"),
        Arguments.of(
            "{\"username\":\"" + "x".repeat(MAX_BODY_BYTES) + "\",\"password\":\"12345678\"}",
            413,
            "request body exceeds the limit of 65536 bytes"));
  }

  @ParameterizedTest
  @MethodSource("hostileBodies")
  void shouldAnswerHostileRegisterBodiesWith4xxNamingTheProblem(
      String body, int status, String fragment) throws Exception {
    HttpResponse<String> response = closed.send("POST", "/auth/register", body, null);

    assertEquals(status, response.statusCode(), response.body());
    assertTrue(errorMessage(response).contains(fragment), response.body());
    assertEquals(0, store.users().count());
  }

  @ParameterizedTest
  @MethodSource("hostileBodies")
  void shouldAnswerHostileLoginBodiesWith4xxNamingTheProblem(
      String body, int status, String fragment) throws Exception {
    HttpResponse<String> response = closed.send("POST", "/auth/login", body, null);

    assertEquals(status, response.statusCode(), response.body());
    assertTrue(errorMessage(response).contains(fragment), response.body());
  }

  @Test
  void shouldAnswerAnEmptyBodyWith400ListingTheExpectedFields() throws Exception {
    HttpResponse<String> response = closed.send("POST", "/auth/login", "", null);

    assertEquals(400, response.statusCode());
    assertEquals(
        "request body is empty: expected a JSON object with email, username, password",
        errorMessage(response));
  }

  @Test
  void shouldAnswerBytesThatAreNotUtf8With400() throws Exception {
    byte[] body = {'{', '"', 'u', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
    HttpResponse<String> response =
        closed.send(
            HttpRequest.newBuilder()
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)),
            "/auth/login");

    assertEquals(400, response.statusCode(), response.body());
    assertTrue(errorMessage(response).startsWith("request body is not valid JSON"));
  }

  @Test
  void shouldAnswerAChunkedBodyOverTheLimitWith413() throws Exception {
    byte[] chunk = "x".repeat(16 * 1024).getBytes(StandardCharsets.US_ASCII);
    HttpResponse<String> response =
        closed.send(
            HttpRequest.newBuilder()
                .header("Content-Type", "application/json")
                // a stream of unknown length: sent chunked, without Content-Length
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () ->
                            new SequenceInputStream(
                                Collections.enumeration(
                                    Stream.generate(() -> new ByteArrayInputStream(chunk))
                                        .limit(8)
                                        .toList())))),
            "/auth/register");

    assertEquals(413, response.statusCode(), response.body());
  }

  @Test
  void shouldAnswerABodyThatIsNotJsonWith415() throws Exception {
    HttpResponse<String> response =
        closed.send(
            HttpRequest.newBuilder()
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("username=alice&password=12345678")),
            "/auth/register");

    assertEquals(415, response.statusCode());
    assertEquals(
        "Content-Type must be application/json, got 'application/x-www-form-urlencoded'",
        errorMessage(response));
  }

  @Test
  void shouldReadABodyWithoutContentTypeAsJson() throws Exception {
    HttpResponse<String> response =
        closed.send(
            HttpRequest.newBuilder().POST(HttpRequest.BodyPublishers.ofString(ALICE)),
            "/auth/register");

    assertEquals(201, response.statusCode(), response.body());
  }

  @Test
  void shouldLoginWithTheRightPasswordAndAnswerTokenAndUser() throws Exception {
    Map<String, Object> registered = json(closed.send("POST", "/auth/register", ALICE, null));

    HttpResponse<String> login =
        closed.send(
            "POST", "/auth/login", "{\"username\":\"Alice\",\"password\":\"correct horse\"}", null);

    assertEquals(200, login.statusCode(), login.body());
    Map<String, Object> body = json(login);
    assertEquals(List.of("token", "user"), List.copyOf(body.keySet()));
    assertEquals(
        Map.of(
            "id",
            registered.get("id"),
            "email",
            "",
            "username",
            "alice",
            "roles",
            List.of("admin", "user")),
        body.get("user"));
    UserPrincipal principal = tokens.verify((String) body.get("token"));
    assertEquals(registered.get("id"), principal.userId());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"username\":\"alice\",\"password\":\"wrong horse\"}",
        "{\"username\":\"mallory\",\"password\":\"correct horse\"}",
        "{\"username\":\"x\",\"password\":\"correct horse\"}",
        "{\"username\":\"\",\"password\":\"\"}"
      })
  void shouldAnswerTheSame401ForAnUnknownUserAndAWrongPassword(String credentials)
      throws Exception {
    closed.send("POST", "/auth/register", ALICE, null);

    HttpResponse<String> login = closed.send("POST", "/auth/login", credentials, null);

    assertEquals(401, login.statusCode());
    assertEquals("invalid username or password", errorMessage(login));
    assertEquals("Bearer", login.headers().firstValue("www-authenticate").orElse(""));
  }

  @Test
  void shouldAnswer429WithRetryAfterAfterRepeatedFailedLogins() throws Exception {
    closed.send("POST", "/auth/register", ALICE, null);
    String wrong = "{\"username\":\"alice\",\"password\":\"wrong horse\"}";
    for (int i = 0; i < MAX_ATTEMPTS; i++) {
      assertEquals(401, closed.send("POST", "/auth/login", wrong, null).statusCode());
    }

    HttpResponse<String> refused = closed.send("POST", "/auth/login", ALICE, null);

    assertEquals(429, refused.statusCode());
    assertEquals("60", refused.headers().firstValue("retry-after").orElse(""));
    assertEquals("too many login attempts from this address; retry in 60 s", errorMessage(refused));

    nanos.addAndGet(TimeUnit.SECONDS.toNanos(60));
    assertEquals(200, closed.send("POST", "/auth/login", ALICE, null).statusCode());
  }

  @Test
  void shouldStartTheCountOverAfterASuccessfulLogin() throws Exception {
    closed.send("POST", "/auth/register", ALICE, null);
    String wrong = "{\"username\":\"alice\",\"password\":\"wrong horse\"}";
    for (int i = 0; i < MAX_ATTEMPTS - 1; i++) {
      closed.send("POST", "/auth/login", wrong, null);
    }
    assertEquals(200, closed.send("POST", "/auth/login", ALICE, null).statusCode());

    for (int i = 0; i < MAX_ATTEMPTS; i++) {
      assertEquals(401, closed.send("POST", "/auth/login", wrong, null).statusCode());
    }
    assertEquals(429, closed.send("POST", "/auth/login", wrong, null).statusCode());
  }

  @Test
  void shouldNotCountMalformedLoginBodiesAsAttempts() throws Exception {
    closed.send("POST", "/auth/register", ALICE, null);
    for (int i = 0; i < MAX_ATTEMPTS * 2; i++) {
      assertEquals(400, closed.send("POST", "/auth/login", "{", null).statusCode());
    }

    assertEquals(200, closed.send("POST", "/auth/login", ALICE, null).statusCode());
  }

  @Test
  void shouldRefuseAuthMeWithoutAToken() throws Exception {
    HttpResponse<String> me = closed.send("GET", "/auth/me", null, null);

    assertEquals(401, me.statusCode());
    assertEquals("Bearer", me.headers().firstValue("www-authenticate").orElse(""));
  }

  @Test
  void shouldRefuseAuthMeForAValidTokenOfAUserThisStoreDoesNotHave() throws Exception {
    String token = tokens.issue(new UserPrincipal("3f1d0c58-0000-4000-8000-000000000000", "ghost"));

    HttpResponse<String> me = closed.send("GET", "/auth/me", null, token);

    assertEquals(401, me.statusCode());
    assertEquals(Authenticator.UNAUTHORIZED, errorMessage(me), "the one 401 message");
  }

  @Test
  void shouldAnswer404ForOtherMethodsOnAuthRoutes() throws Exception {
    HttpResponse<String> response = closed.send("GET", "/auth/login", null, null);

    assertEquals(404, response.statusCode());
    assertEquals("no route for GET /auth/login", errorMessage(response));
  }

  @Test
  void shouldNeverPutThePasswordInTheStoreOrTheAnswer() throws Exception {
    HttpResponse<String> registered = closed.send("POST", "/auth/register", ALICE, null);

    assertFalse(registered.body().contains("correct horse"));
    String hash = store.users().findByName("alice").orElseThrow().passwordHash();
    assertNotNull(hash);
    assertTrue(hash.startsWith("$argon2id$"), "stored hash is argon2id");
    assertTrue(hasher.verify("correct horse", hash));
  }
}
