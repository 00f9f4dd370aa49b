package dev.z8run.api.hook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks a webhook delivery's HMAC-SHA256 signature, as GitHub sends it in {@value #GITHUB_HEADER}
 * and as most services copied it:
 *
 * <pre>
 *   X-Hub-Signature-256: sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17
 *                        '------'  '-- HMAC-SHA256(secret, raw body), 64 hex digits, any case
 *                        optional prefix (any case)
 * </pre>
 *
 * <p>The MAC covers the body bytes exactly as they arrived: verify before parsing, never over a
 * re-serialised body (whitespace and key order change the bytes). The comparison takes the same
 * time wherever the first differing byte is ({@link MessageDigest#isEqual}).
 *
 * <p>Immutable and thread-safe: each call gets its own {@link Mac}.
 */
public final class WebhookSignature {
  public static final String GITHUB_HEADER = "X-Hub-Signature-256";
  public static final String PREFIX = "sha256=";
  public static final int MAC_BYTES = 32;

  private static final String ALGORITHM = "HmacSHA256";
  private static final int HEX_DIGITS = 2 * MAC_BYTES;

  /** What a signature check found. */
  public enum Result {
    /** The header holds the body's MAC under this secret. */
    VALID,
    /** No header, or an empty one. */
    MISSING,
    /** Not 64 hex digits, optionally after {@code sha256=} (e.g. a {@code sha1=} signature). */
    MALFORMED,
    /** Well-formed, but not this body's MAC under this secret. */
    MISMATCH
  }

  private final SecretKeySpec key;

  private WebhookSignature(byte[] secret) {
    this.key = new SecretKeySpec(secret, ALGORITHM);
  }

  /**
   * A checker for one shared secret, taken as UTF-8 bytes (as GitHub does with the secret typed
   * into its webhook form).
   *
   * @throws IllegalArgumentException if the secret is empty
   */
  public static WebhookSignature withSecret(String secret) {
    Objects.requireNonNull(secret, "secret");
    if (secret.isEmpty()) {
      throw new IllegalArgumentException("webhook secret is empty");
    }
    return new WebhookSignature(secret.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Checks {@code headerValue} against the MAC of {@code rawBody}.
   *
   * @param rawBody the request body as received, not modified or re-encoded
   * @param headerValue the signature header's value, null when the request had none
   */
  public Result verify(byte[] rawBody, String headerValue) {
    Objects.requireNonNull(rawBody, "rawBody");
    if (headerValue == null || headerValue.isBlank()) {
      return Result.MISSING;
    }
    String hex = headerValue.strip();
    if (hex.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      hex = hex.substring(PREFIX.length());
    }
    if (!isHex(hex)) {
      return Result.MALFORMED;
    }
    byte[] claimed = HexFormat.of().parseHex(hex);
    return MessageDigest.isEqual(mac(rawBody), claimed) ? Result.VALID : Result.MISMATCH;
  }

  /** The header value for {@code rawBody}: {@code sha256=} and lower-case hex, as GitHub sends. */
  public String sign(byte[] rawBody) {
    return PREFIX + HexFormat.of().formatHex(mac(rawBody));
  }

  @Override
  public String toString() {
    return "WebhookSignature[" + ALGORITHM + "]";
  }

  private byte[] mac(byte[] rawBody) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(key);
      return mac.doFinal(rawBody);
    } catch (GeneralSecurityException e) {
      // every Java SE runtime must provide HmacSHA256
      throw new IllegalStateException(ALGORITHM + " is not available in this runtime", e);
    }
  }

  private static boolean isHex(String text) {
    if (text.length() != HEX_DIGITS) {
      return false;
    }
    for (int i = 0; i < HEX_DIGITS; i++) {
      if (!HexFormat.isHexDigit(text.charAt(i))) {
        return false;
      }
    }
    return true;
  }
}
