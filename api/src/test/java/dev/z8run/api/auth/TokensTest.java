package dev.z8run.api.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import com.auth0.jwt.interfaces.DecodedJWT;
import dev.z8run.api.auth.InvalidTokenException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokensTest {
  private static final String SECRET = "test-secret-of-forty-bytes-0123456789abc";
  private static final Instant START = Instant.parse("2025-06-01T12:00:00Z");
  private static final UserPrincipal ADA = new UserPrincipal("u-0001", "ada");

  private final MutableClock clock = new MutableClock(START);
  private final Tokens tokens = Tokens.withSecret(SECRET).withClock(clock);

  @Test
  void shouldIssueHs256TokenWithSubjectNameIssuerAndOneDayLifetime() {
    DecodedJWT jwt = JWT.decode(tokens.issue(ADA));

    assertEquals("HS256", jwt.getAlgorithm());
    assertEquals("z8run", jwt.getIssuer());
    assertEquals("u-0001", jwt.getSubject());
    assertEquals("ada", jwt.getClaim("name").asString());
    assertEquals(START, jwt.getIssuedAtAsInstant());
    assertEquals(START.plus(Duration.ofHours(24)), jwt.getExpiresAtAsInstant());
  }

  @Test
  void shouldVerifyIssuedTokenToItsUser() throws InvalidTokenException {
    assertEquals(ADA, tokens.verify(tokens.issue(ADA)));
  }

  @Test
  void shouldRefuseTheTokenOfAStoredUserOnceTheUserIsGone() throws InvalidTokenException {
    java.util.Set<String> stored = new java.util.HashSet<>(java.util.Set.of(ADA.userId()));
    Tokens known = tokens.withUsers(stored::contains);
    String token = known.issue(ADA);
    assertEquals(Boolean.TRUE, JWT.decode(token).getClaim(Tokens.STORED_USER_CLAIM).asBoolean());
    assertEquals(ADA, known.verify(token));

    stored.remove(ADA.userId());
    InvalidTokenException refused =
        assertThrows(InvalidTokenException.class, () -> known.verify(token));
    assertEquals(InvalidTokenException.Reason.UNKNOWN_USER, refused.reason());
    // a principal the store never knew (an embedding program's token) carries no claim: accepted
    UserPrincipal outsider = new UserPrincipal("u-outside", "embedder");
    String unclaimed = known.issue(outsider);
    assertNull(JWT.decode(unclaimed).getClaim(Tokens.STORED_USER_CLAIM).asBoolean());
    assertEquals(outsider, known.verify(unclaimed));
  }

  @Test
  void shouldAcceptTokenUntilItsLifetimeEndsThenRefuseItAsExpired() throws InvalidTokenException {
    Tokens hourly = tokens.withLifetime(Duration.ofHours(1));
    String token = hourly.issue(ADA);

    clock.advance(Duration.ofMinutes(59).plusSeconds(59));
    assertEquals(ADA, hourly.verify(token));

    clock.advance(Duration.ofSeconds(2));
    assertRefused(Reason.EXPIRED, hourly, token);
  }

  @Test
  void shouldRefuseTokenSignedWithAnotherSecret() {
    String foreign =
        Tokens.withSecret("another-secret-also-long-enough-0123456789").withClock(clock).issue(ADA);

    assertRefused(Reason.BAD_SIGNATURE, tokens, foreign);
  }

  @Test
  void shouldRefuseTokenWhosePayloadWasAlteredAfterSigning() {
    String[] parts = tokens.issue(ADA).split("\\.");
    String forgedPayload =
        base64Url(
            "{\"iss\":\"z8run\",\"sub\":\"u-0002\",\"name\":\"ada\",\"iat\":"
                + START.getEpochSecond()
                + ",\"exp\":"
                + (START.getEpochSecond() + 3600)
                + "}");

    assertRefused(Reason.BAD_SIGNATURE, tokens, parts[0] + "." + forgedPayload + "." + parts[2]);
  }

  @Test
  void shouldRefuseUnsignedAlgNoneToken() {
    String header = base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}");
    String payload =
        base64Url(
            "{\"iss\":\"z8run\",\"sub\":\"u-0001\",\"name\":\"ada\",\"iat\":"
                + START.getEpochSecond()
                + ",\"exp\":"
                + (START.getEpochSecond() + 3600)
                + "}");

    assertRefused(Reason.WRONG_ALGORITHM, tokens, header + "." + payload + ".");
    String signature = tokens.issue(ADA).split("\\.")[2];
    assertRefused(Reason.WRONG_ALGORITHM, tokens, header + "." + payload + "." + signature);
    // a header that names no algorithm at all
    assertRefused(
        Reason.WRONG_ALGORITHM, tokens, base64Url("{}") + "." + payload + "." + signature);
  }

  @Test
  void shouldRefuseHs384TokenEvenWithTheRightSecret() {
    String hs384 =
        JWT.create()
            .withIssuer("z8run")
            .withSubject("u-0001")
            .withClaim("name", "ada")
            .withIssuedAt(START)
            .withExpiresAt(START.plus(Duration.ofHours(1)))
            .sign(Algorithm.HMAC384(SECRET.getBytes(StandardCharsets.UTF_8)));

    assertRefused(Reason.WRONG_ALGORITHM, tokens, hs384);
  }

  @Test
  void shouldRefuseTokenFromAnotherIssuer() {
    assertRefused(
        Reason.INVALID_CLAIM,
        tokens,
        signedHs256WithoutDefaults("other", "u-0001", "ada", START.plus(Duration.ofHours(1))));
  }

  @Test
  void shouldRefuseTokenWithoutNameOrExpiry() {
    String noName =
        JWT.create()
            .withIssuer("z8run")
            .withSubject("u-0001")
            .withIssuedAt(START)
            .withExpiresAt(START.plus(Duration.ofHours(1)))
            .sign(Algorithm.HMAC256(SECRET.getBytes(StandardCharsets.UTF_8)));
    String noExpiry =
        JWT.create()
            .withIssuer("z8run")
            .withSubject("u-0001")
            .withClaim("name", "ada")
            .withIssuedAt(START)
            .sign(Algorithm.HMAC256(SECRET.getBytes(StandardCharsets.UTF_8)));

    InvalidTokenException e = assertRefused(Reason.INVALID_CLAIM, tokens, noName);
    assertEquals("token claim 'name' is missing", e.getMessage());
    assertRefused(Reason.INVALID_CLAIM, tokens, noExpiry);
  }

  @Test
  void shouldRefuseTokenIssuedInTheFuture() {
    MutableClock later = new MutableClock(START.plus(Duration.ofHours(1)));
    String fromTheFuture = tokens.withClock(later).issue(ADA);

    assertRefused(Reason.INVALID_CLAIM, tokens, fromTheFuture);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abc", "a.b.c", "....", "eyJhbGciOiJIUzI1NiJ9.%%%.xyz"})
  void shouldRefuseTokenThatIsNotAJwtAsMalformed(String garbage) {
    InvalidTokenException e = assertRefused(Reason.MALFORMED, tokens, garbage);

    if (!garbage.isEmpty()) {
      assertFalse(e.getMessage().contains(garbage), e.getMessage());
    }
  }

  @Test
  void shouldRefuseOversizedTokenUnread() {
    String huge = tokens.issue(ADA) + "A".repeat(Tokens.MAX_TOKEN_CHARS);

    assertRefused(Reason.MALFORMED, tokens, huge);
    assertRefused(Reason.MALFORMED, tokens, null);
  }

  @Test
  void shouldRefuseSecretShorterThan32BytesWithoutQuotingIt() {
    String shortSecret = "only-31-bytes-long-0123456789ab";

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Tokens.withSecret(shortSecret));

    assertTrue(e.getMessage().startsWith("Z8_JWT_SECRET is 31 bytes; it must be at least 32"));
    assertFalse(e.getMessage().contains(shortSecret));
  }

  @Test
  void shouldCountSecretLengthInUtf8Bytes() {
    assertThrows(IllegalArgumentException.class, () -> Tokens.withSecret("é".repeat(15)));
    Tokens.withSecret("é".repeat(16));
    Tokens.withSecret("x".repeat(32));
  }

  @Test
  void shouldNotAcceptTokensFromAnotherProcessesRandomSecret() throws InvalidTokenException {
    Tokens first = Tokens.withRandomSecret();
    Tokens second = Tokens.withRandomSecret();

    assertTrue(first.hasRandomSecret());
    assertFalse(tokens.hasRandomSecret());
    assertEquals(ADA, first.verify(first.issue(ADA)));
    assertRefused(Reason.BAD_SIGNATURE, second, first.issue(ADA));
  }

  @Test
  void shouldRefuseLifetimeUnderOneSecond() {
    assertThrows(IllegalArgumentException.class, () -> tokens.withLifetime(Duration.ofMillis(999)));
    assertEquals(Duration.ofDays(7), tokens.withLifetime(Duration.ofDays(7)).lifetime());
  }

  @Test
  void shouldKeepSecretOutOfToString() {
    assertEquals("Tokens[HS256, lifetime=PT24H, secret=configured, 40 bytes]", tokens.toString());
    assertNotEquals(-1, Tokens.withRandomSecret().toString().indexOf("random per process"));
  }

  private static InvalidTokenException assertRefused(Reason reason, Tokens tokens, String token) {
    InvalidTokenException e = assertThrows(InvalidTokenException.class, () -> tokens.verify(token));
    assertEquals(reason, e.reason(), e.getMessage());
    return e;
  }

  private static String signedHs256WithoutDefaults(
      String issuer, String subject, String name, Instant expiresAt) {
    return JWT.create()
        .withIssuer(issuer)
        .withSubject(subject)
        .withClaim("name", name)
        .withIssuedAt(START)
        .withExpiresAt(expiresAt)
        .sign(Algorithm.HMAC256(SECRET.getBytes(StandardCharsets.UTF_8)));
  }

  private static String base64Url(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
