package dev.z8run.api.rest;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.z8run.api.auth.Authenticator;
import dev.z8run.api.auth.LoginRateLimiter;
import dev.z8run.api.auth.PasswordHasher;
import dev.z8run.api.auth.Tokens;
import dev.z8run.api.auth.UserPrincipal;
import dev.z8run.api.http.ClientAddresses;
import dev.z8run.api.http.ErrorResponses;
import dev.z8run.api.http.Json;
import dev.z8run.api.http.JsonBody;
import dev.z8run.store.EmailTakenException;
import dev.z8run.store.UserRecord;
import dev.z8run.store.UserStore;
import dev.z8run.store.UsernameTakenException;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@code /auth}: sign-up, sign-in and who am I.
 *
 * <p>The shapes are z8run's ({@code crates/z8run-api/src/auth.rs}: {@code RegisterRequest}, {@code
 * LoginRequest}, {@code AuthResponse}, {@code UserInfo}), so that its clients work unchanged:
 *
 * <pre>
 *   POST /auth/register {"email","username","password"} -&gt; 201 {"token","user":USER,"id","username"}
 *   POST /auth/login    {"email","password"}            -&gt; 200 {"token","user":USER}
 *                    or {"username","password"}
 *   GET  /auth/me       (bearer token)                  -&gt; 200 USER + "created_at"
 *   USER = {"id","email","username","roles"}
 * </pre>
 *
 * <p>{@code email} is optional at sign-up (this server's own clients sign up with a name alone);
 * when given it must look like an address ({@code local@domain}, at most {@value #MAX_EMAIL_CHARS}
 * characters) and be unique ignoring case (409). Sign-in takes the e-mail address or the user name:
 * in {@code email} a value without {@code @} is taken as a user name, as z8run's sign-in form is
 * often filled in. Roles: the first user is {@code ["admin","user"]}, the others {@code ["user"]}.
 *
 * <p>Registration: the first user may always register; later ones only when {@code
 * openRegistration} is set, else 403. Names are {@value #MIN_USERNAME_CHARS}..{@value
 * #MAX_USERNAME_CHARS} characters of {@code [A-Za-z0-9_.-]}, unique ignoring case (409 when taken);
 * passwords {@value #MIN_PASSWORD_CHARS}..{@value #MAX_PASSWORD_CHARS} characters (code points).
 *
 * <p>Login: one 401 {@code "invalid username or password"} for an unknown name and a wrong password
 * alike, and an unknown name is checked against {@link PasswordHasher#dummyHash()} so the response
 * time does not tell them apart either. Attempts are throttled per client address by the {@link
 * LoginRateLimiter}: an attempt is counted before the password is checked and forgiven on success;
 * a refused one gets 429 with {@code Retry-After} in seconds. Malformed bodies are refused (400)
 * before an attempt is counted.
 *
 * <p>Bodies go through {@link JsonBody}: at most {@code maxBodyBytes}, a JSON object with only
 * {@code username} and {@code password}, both strings. {@code /auth/me} relies on the {@link
 * Authenticator} filter in front of it.
 *
 * <p>Threading: handlers run on Helidon's virtual threads; hashing blocks one of them for the
 * argon2 cost. Registrations are serialised around the store write so that two first users cannot
 * both slip in.
 */
public final class AuthService implements HttpService {
  public static final int MIN_USERNAME_CHARS = 3;
  public static final int MAX_USERNAME_CHARS = 64;
  public static final int MIN_PASSWORD_CHARS = 8;
  public static final int MAX_PASSWORD_CHARS = 256;
  public static final int MAX_EMAIL_CHARS = 254;
  static final String INVALID_CREDENTIALS = "invalid username or password";
  static final String INVALID_EMAIL_CREDENTIALS = "invalid email or password";

  private static final List<String> REGISTER_FIELDS = List.of("email", "username", "password");
  private static final List<String> LOGIN_FIELDS = List.of("email", "username", "password");

  private final UserStore users;
  private final PasswordHasher hasher;
  private final Tokens tokens;
  private final LoginRateLimiter limiter;
  private final boolean openRegistration;
  private final int maxBodyBytes;
  private final InstantSource clock;
  private final ReentrantLock registration = new ReentrantLock();

  /**
   * @param users where accounts live
   * @param hasher hashes new passwords and checks logins
   * @param tokens issues the bearer tokens register and login answer with
   * @param limiter the per-address login throttle
   * @param openRegistration whether users after the first may sign up
   * @param maxBodyBytes the longest request body accepted (413 beyond), e.g. 64 KiB
   * @param clock when users registered
   */
  public AuthService(
      UserStore users,
      PasswordHasher hasher,
      Tokens tokens,
      LoginRateLimiter limiter,
      boolean openRegistration,
      int maxBodyBytes,
      InstantSource clock) {
    this.users = Objects.requireNonNull(users, "users");
    this.hasher = Objects.requireNonNull(hasher, "hasher");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.limiter = Objects.requireNonNull(limiter, "limiter");
    this.openRegistration = openRegistration;
    if (maxBodyBytes < 1) {
      throw new IllegalArgumentException("maxBodyBytes=" + maxBodyBytes + " must be positive");
    }
    this.maxBodyBytes = maxBodyBytes;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public void routing(HttpRules rules) {
    rules.post("/register", this::register).post("/login", this::login).get("/me", this::me);
  }

  private void register(ServerRequest request, ServerResponse response) {
    JsonBody body = JsonBody.read(request, maxBodyBytes, REGISTER_FIELDS);
    String username = body.requiredString("username");
    String password = body.requiredString("password");
    String email = body.value("email") == null ? "" : body.requiredString("email").strip();
    requireNoProblem("username", usernameProblem(username));
    if (body.value("email") != null) {
      requireNoProblem("email", emailProblem(email));
    }
    requireValidPassword(password);
    requireRegistrationOpen(); // before hashing: a closed server spends nothing on sign-ups
    String hash = hasher.hash(password);
    UserRecord user;
    registration.lock();
    try {
      requireRegistrationOpen();
      user = users.create(username, email, hash, clock.millis());
    } catch (UsernameTakenException taken) {
      throw new HttpException("username '" + username + "' is taken", Status.CONFLICT_409, true);
    } catch (EmailTakenException taken) {
      throw new HttpException(
          "an account with e-mail address '" + email + "' exists", Status.CONFLICT_409, true);
    } finally {
      registration.unlock();
    }
    String token = tokens.issue(new UserPrincipal(user.id(), user.username()));
    response.status(Status.CREATED_201);
    sendJson(response, session(token, user, true));
  }

  private void login(ServerRequest request, ServerResponse response) {
    JsonBody body = JsonBody.read(request, maxBodyBytes, LOGIN_FIELDS);
    String password = body.requiredString("password");
    boolean byEmail = body.value("email") != null;
    if (byEmail == (body.value("username") != null)) {
      throw JsonBody.badRequest(
          byEmail
              ? "give either field 'email' or field 'username', not both"
              : "field 'username' is required (or field 'email': a user name or e-mail"
                  + " address)");
    }
    String login = byEmail ? body.requiredString("email").strip() : body.requiredString("username");
    boolean asEmail = byEmail && login.indexOf('@') >= 0;
    String client = ClientAddresses.key(request.remotePeer().address());
    LoginRateLimiter.Decision decision = limiter.tryAcquire(client);
    if (!decision.allowed()) {
      response.header(HeaderNames.RETRY_AFTER, Long.toString(decision.retryAfterSeconds()));
      ErrorResponses.send(
          response,
          Status.TOO_MANY_REQUESTS_429,
          "too many login attempts from this address; retry in "
              + decision.retryAfterSeconds()
              + " s");
      return;
    }
    // a name or address the sign-up rules refuse cannot exist; the store would reject some
    Optional<UserRecord> user;
    if (asEmail) {
      user = emailProblem(login) == null ? users.findByEmail(login) : Optional.empty();
    } else {
      user = usernameProblem(login) == null ? users.findByName(login) : Optional.empty();
    }
    String hash = user.map(UserRecord::passwordHash).orElseGet(hasher::dummyHash);
    boolean matches = hasher.verify(password, hash);
    if (!matches || user.isEmpty()) {
      response.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
      ErrorResponses.send(
          response,
          Status.UNAUTHORIZED_401,
          asEmail ? INVALID_EMAIL_CREDENTIALS : INVALID_CREDENTIALS);
      return;
    }
    limiter.onSuccess(client);
    UserRecord found = user.get();
    String token = tokens.issue(new UserPrincipal(found.id(), found.username()));
    sendJson(response, session(token, found, false));
  }

  /**
   * The answer to a sign-up or a login: {@code {token, user}}, and with {@code flat} the user's
   * {@code id} and {@code username} beside them as well (the sign-up's answer).
   */
  private static byte[] session(String token, UserRecord user, boolean flat) {
    return Json.bytes(
        json -> {
          json.writeStartObject();
          json.writeStringField("token", token);
          writeUser(json, "user", user);
          if (flat) {
            json.writeStringField("id", user.id());
            json.writeStringField("username", user.username());
          }
          json.writeEndObject();
        });
  }

  private void me(ServerRequest request, ServerResponse response) {
    UserPrincipal principal = Authenticator.user(request);
    Optional<UserRecord> user = users.find(principal.userId());
    if (user.isEmpty()) {
      // a valid signature for an account this store does not have (deleted, another data dir)
      Authenticator.refuse(response);
      return;
    }
    UserRecord found = user.get();
    sendJson(
        response,
        Json.bytes(
            json -> {
              json.writeStartObject();
              writeUserFields(json, found);
              json.writeStringField(
                  "created_at", Instant.ofEpochMilli(found.createdAtMs()).toString());
              json.writeEndObject();
            }));
  }

  /** z8run's {@code UserInfo}: {@code {"id","email","username","roles"}}. */
  private static void writeUser(JsonGenerator json, String field, UserRecord user)
      throws IOException {
    json.writeObjectFieldStart(field);
    writeUserFields(json, user);
    json.writeEndObject();
  }

  private static void writeUserFields(JsonGenerator json, UserRecord user) throws IOException {
    json.writeStringField("id", user.id());
    json.writeStringField("email", user.email());
    json.writeStringField("username", user.username());
    json.writeArrayFieldStart("roles");
    for (String role : user.roles()) {
      json.writeString(role);
    }
    json.writeEndArray();
  }

  private void requireRegistrationOpen() {
    if (!openRegistration && users.count() > 0) {
      throw new HttpException(
          "registration is closed: this server lets only its first user register, and"
              + " open registration is not enabled",
          Status.FORBIDDEN_403,
          true);
    }
  }

  /** Refuses the request with {@code problem} of field {@code field}, when there is one. */
  private static void requireNoProblem(String field, String problem) {
    if (problem != null) {
      throw JsonBody.badRequest("field '" + field + "' " + problem);
    }
  }

  /** Why {@code username} breaks the sign-up rules, or null when it keeps them. */
  static String usernameProblem(String username) {
    int length = username.length();
    if (length < MIN_USERNAME_CHARS || length > MAX_USERNAME_CHARS) {
      return "must be "
          + MIN_USERNAME_CHARS
          + ".."
          + MAX_USERNAME_CHARS
          + " characters, got "
          + length;
    }
    for (int i = 0; i < length; i++) {
      char c = username.charAt(i);
      if (!isUsernameChar(c)) {
        return "may hold only A-Z a-z 0-9 _ . -, got "
            + (Character.isISOControl(c) ? "a control character" : "'" + c + "'")
            + " at index "
            + i;
      }
    }
    return null;
  }

  private static boolean isUsernameChar(char c) {
    return (c >= 'A' && c <= 'Z')
        || (c >= 'a' && c <= 'z')
        || (c >= '0' && c <= '9')
        || c == '_'
        || c == '.'
        || c == '-';
  }

  /** Why {@code email} is not an address this server takes, or null when it is one. */
  static String emailProblem(String email) {
    int length = email.length();
    if (length < 3 || length > MAX_EMAIL_CHARS) {
      return "must be 3.." + MAX_EMAIL_CHARS + " characters, got " + length;
    }
    int at = email.indexOf('@');
    if (at <= 0 || at != email.lastIndexOf('@') || at == length - 1) {
      return "is not an e-mail address (name@domain), got '" + email + "'";
    }
    for (int i = 0; i < length; i++) {
      char c = email.charAt(i);
      if (Character.isWhitespace(c) || Character.isISOControl(c)) {
        return "may not hold spaces or control characters, got one at index " + i;
      }
    }
    return null;
  }

  private static void requireValidPassword(String password) {
    int length = password.codePointCount(0, password.length());
    if (length < MIN_PASSWORD_CHARS || length > MAX_PASSWORD_CHARS) {
      throw JsonBody.badRequest(
          "field 'password' must be "
              + MIN_PASSWORD_CHARS
              + ".."
              + MAX_PASSWORD_CHARS
              + " characters, got "
              + length);
    }
  }

  private static void sendJson(ServerResponse response, byte[] body) {
    response.headers().contentType(MediaTypes.APPLICATION_JSON);
    response.send(body);
  }
}
