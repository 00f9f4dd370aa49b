package dev.z8run.api.auth;

import com.auth0.jwt.JWT;
import com.auth0.jwt.JWTVerifier;
import com.auth0.jwt.RegisteredClaims;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.exceptions.AlgorithmMismatchException;
import com.auth0.jwt.exceptions.IncorrectClaimException;
import com.auth0.jwt.exceptions.JWTDecodeException;
import com.auth0.jwt.exceptions.JWTVerificationException;
import com.auth0.jwt.exceptions.MissingClaimException;
import com.auth0.jwt.exceptions.SignatureVerificationException;
import com.auth0.jwt.exceptions.TokenExpiredException;
import com.auth0.jwt.interfaces.DecodedJWT;
import dev.z8run.api.auth.InvalidTokenException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Issues and verifies the server's bearer tokens: JWTs signed with HMAC-SHA256 by Auth0's java-jwt.
 *
 * <pre>
 *   header  {"alg":"HS256","typ":"JWT"}
 *   payload {"iss":"z8run", "sub":"&lt;user id&gt;", "name":"&lt;username&gt;", "iat":N, "exp":N+lifetime}
 * </pre>
 *
 * <p>The secret is {@code Z8_JWT_SECRET}'s value as UTF-8 bytes, at least {@value
 * #MIN_SECRET_BYTES} bytes (HS256's key should be as long as its output). The caller reads the
 * variable and passes it in. Without one, {@link #withRandomSecret()} makes a per-process secret:
 * tokens then stop working at every restart, which is acceptable only on a loopback-bound server.
 *
 * <p>Verification accepts HS256 only: {@code alg: none}, other HMAC sizes and public-key algorithms
 * are refused before any signature check, so the algorithm cannot be chosen by the token's author.
 * {@code exp}, {@code iat}, {@code sub}, {@code name} and {@code iss = "z8run"} must be present.
 * Expiry is checked against the injected clock, to the second, without leeway: one server issues
 * and checks its own tokens.
 *
 * <p>A token issued for a user of the store ({@link #withUsers}) carries {@code "usr": true}; such
 * a token is refused once the store no longer has its user (deleted), whatever its expiry. Roles
 * are not in the token (they are read from the store on every request), and there is no password
 * change, so no token version is needed beyond that. Tokens without the claim (signed for
 * principals the store does not know: an embedding program's, tests') are checked as before.
 *
 * <p>Immutable and thread-safe.
 */
public final class Tokens {
  public static final String ISSUER = "z8run";
  public static final String NAME_CLAIM = "name";

  /** Present ({@code true}) in tokens issued for a user of the store. */
  public static final String STORED_USER_CLAIM = "usr";

  public static final int MIN_SECRET_BYTES = 32;
  public static final Duration DEFAULT_LIFETIME = Duration.ofHours(24);

  /** Far longer than any token this class issues; longer ones are refused unread. */
  public static final int MAX_TOKEN_CHARS = 8192;

  private static final int RANDOM_SECRET_BYTES = 64;

  private final byte[] secret;
  private final boolean randomSecret;
  private final Duration lifetime;
  private final Clock clock;
  private final Algorithm algorithm;

  /** Whether the store has a user with this id; null: no store (no claim issued or checked). */
  private final Predicate<String> users;

  /**
   * Built at the first {@link #verify}: java-jwt's verifier builds a Jackson {@code ObjectMapper},
   * a fifth of the server's start-up work otherwise, for a request that may come much later.
   */
  private volatile JWTVerifier verifier;

  private Tokens(
      byte[] secret,
      boolean randomSecret,
      Duration lifetime,
      Clock clock,
      Predicate<String> users) {
    this.users = users;
    this.secret = secret;
    this.randomSecret = randomSecret;
    this.lifetime = lifetime;
    this.clock = clock;
    this.algorithm = Algorithm.HMAC256(secret);
  }

  private JWTVerifier verifier() {
    JWTVerifier built = verifier;
    if (built == null) {
      // two threads may both build one: each is complete and equal, the last one is kept
      built =
          ((JWTVerifier.BaseVerification)
                  JWT.require(algorithm)
                      .withIssuer(ISSUER)
                      .withClaimPresence(RegisteredClaims.SUBJECT)
                      .withClaimPresence(RegisteredClaims.ISSUED_AT)
                      .withClaimPresence(RegisteredClaims.EXPIRES_AT)
                      .withClaimPresence(NAME_CLAIM))
              .build(clock);
      verifier = built;
    }
    return built;
  }

  /**
   * Tokens signed with a configured secret, valid {@link #DEFAULT_LIFETIME}, on the system clock.
   *
   * @param secret the value of {@code Z8_JWT_SECRET}
   * @throws IllegalArgumentException if it is shorter than {@value #MIN_SECRET_BYTES} bytes in
   *     UTF-8 (the message gives the length, never the value)
   */
  public static Tokens withSecret(String secret) {
    Objects.requireNonNull(secret, "secret");
    byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
    if (bytes.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(
          "Z8_JWT_SECRET is "
              + bytes.length
              + " bytes; it must be at least "
              + MIN_SECRET_BYTES
              + " bytes (256 bits), for example the output of `openssl rand -base64 48`");
    }
    return new Tokens(bytes, false, DEFAULT_LIFETIME, Clock.systemUTC(), null);
  }

  /**
   * Tokens signed with a random secret that lives only in this process; every token becomes invalid
   * when the process exits. For servers without {@code Z8_JWT_SECRET}, bound to loopback.
   */
  public static Tokens withRandomSecret() {
    byte[] bytes = new byte[RANDOM_SECRET_BYTES];
    new SecureRandom().nextBytes(bytes);
    return new Tokens(bytes, true, DEFAULT_LIFETIME, Clock.systemUTC(), null);
  }

  /**
   * The same secret with another token lifetime.
   *
   * @throws IllegalArgumentException unless {@code lifetime} is at least one second
   */
  public Tokens withLifetime(Duration lifetime) {
    Objects.requireNonNull(lifetime, "lifetime");
    if (lifetime.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("token lifetime=" + lifetime + " is under one second");
    }
    return new Tokens(secret, randomSecret, lifetime, clock, users);
  }

  /** The same secret and lifetime, reading time from {@code clock} (tests advance their own). */
  public Tokens withClock(Clock clock) {
    return new Tokens(
        secret, randomSecret, lifetime, Objects.requireNonNull(clock, "clock"), users);
  }

  /**
   * The same tokens, knowing the store's users: a token issued for a user {@code exists} knows
   * carries {@value #STORED_USER_CLAIM}, and {@link #verify} refuses it once {@code exists} no
   * longer knows its subject (the user was deleted).
   */
  public Tokens withUsers(Predicate<String> exists) {
    return new Tokens(secret, randomSecret, lifetime, clock, Objects.requireNonNull(exists));
  }

  /** Issues a token for {@code user}, valid from now for {@link #lifetime()}. */
  public String issue(UserPrincipal user) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    var builder =
        JWT.create()
            .withIssuer(ISSUER)
            .withSubject(user.userId())
            .withClaim(NAME_CLAIM, user.username());
    if (users != null && users.test(user.userId())) {
      builder.withClaim(STORED_USER_CLAIM, true);
    }
    return builder.withIssuedAt(now).withExpiresAt(now.plus(lifetime)).sign(algorithm);
  }

  /**
   * Checks a token's algorithm, signature, expiry and claims.
   *
   * @param token the bearer token without its {@code "Bearer "} prefix
   * @return the user it was issued for
   * @throws InvalidTokenException with the reason it was refused
   */
  public UserPrincipal verify(String token) throws InvalidTokenException {
    if (token == null || token.isEmpty() || token.length() > MAX_TOKEN_CHARS) {
      throw new InvalidTokenException(
          Reason.MALFORMED,
          "token length="
              + (token == null ? 0 : token.length())
              + " is outside 1.."
              + MAX_TOKEN_CHARS);
    }
    DecodedJWT jwt;
    try {
      jwt = verifier().verify(token);
    } catch (JWTVerificationException e) {
      throw refused(e);
    }
    String subject = jwt.getSubject();
    String name = jwt.getClaim(NAME_CLAIM).asString();
    if (subject == null || subject.isBlank() || name == null) {
      throw new InvalidTokenException(
          Reason.INVALID_CLAIM, "token's sub and name must be non-empty strings");
    }
    if (users != null
        && Boolean.TRUE.equals(jwt.getClaim(STORED_USER_CLAIM).asBoolean())
        && !users.test(subject)) {
      throw new InvalidTokenException(Reason.UNKNOWN_USER, "token's user no longer exists");
    }
    return new UserPrincipal(subject, name);
  }

  /**
   * When a token expires; call it only with a token {@link #verify} accepted.
   *
   * @throws InvalidTokenException when the token cannot be decoded or has no expiry
   */
  public Instant expiresAt(String token) throws InvalidTokenException {
    try {
      Instant expiry = JWT.decode(token).getExpiresAtAsInstant();
      if (expiry == null) {
        throw new InvalidTokenException(Reason.INVALID_CLAIM, "token has no exp claim");
      }
      return expiry;
    } catch (JWTDecodeException e) {
      throw refused(e);
    }
  }

  /** How long an issued token stays valid. */
  public Duration lifetime() {
    return lifetime;
  }

  /** Whether the secret was generated for this process (tokens do not survive a restart). */
  public boolean hasRandomSecret() {
    return randomSecret;
  }

  @Override
  public String toString() {
    return "Tokens[HS256, lifetime="
        + lifetime
        + ", secret="
        + (randomSecret ? "random per process" : "configured, " + secret.length + " bytes")
        + "]";
  }

  /**
   * Our own messages: java-jwt's decoding messages quote the token's decoded parts, which are the
   * caller's input and do not belong in a log line.
   */
  private static InvalidTokenException refused(JWTVerificationException e) {
    return switch (e) {
      case TokenExpiredException expired ->
          new InvalidTokenException(Reason.EXPIRED, "token expired at " + expired.getExpiredOn());
      case AlgorithmMismatchException mismatch ->
          new InvalidTokenException(Reason.WRONG_ALGORITHM, "token is not signed with HS256");
      case SignatureVerificationException signature ->
          new InvalidTokenException(Reason.BAD_SIGNATURE, "token signature does not match");
      case MissingClaimException missing ->
          new InvalidTokenException(
              Reason.INVALID_CLAIM, "token claim '" + missing.getClaimName() + "' is missing");
      case IncorrectClaimException incorrect ->
          new InvalidTokenException(
              Reason.INVALID_CLAIM, "token claim '" + incorrect.getClaimName() + "' is wrong");
      default -> new InvalidTokenException(Reason.MALFORMED, "token is not a well-formed JWT");
    };
  }
}
