package dev.z8run.api.auth;

import java.io.Serial;
import java.util.Objects;

/**
 * A bearer token was refused. The {@link #reason()} is for the server's decisions and logs; a
 * client should get the same 401 whatever it is. The message names what was wrong and never quotes
 * the token or any part of it.
 */
public final class InvalidTokenException extends Exception {
  @Serial private static final long serialVersionUID = 1L;

  /** Why a token was refused. */
  public enum Reason {
    /** Its {@code exp} has passed. */
    EXPIRED,
    /** The signature does not match: another secret, or an altered header or payload. */
    BAD_SIGNATURE,
    /** Not a JWT: wrong number of parts, not base64url, not JSON, or too long. */
    MALFORMED,
    /** Signed with anything but HS256, including {@code alg: none}. */
    WRONG_ALGORITHM,
    /** A claim this server requires is missing or wrong: issuer, subject, name, issued-at. */
    INVALID_CLAIM,
    /** Issued for a user of the store who no longer exists (deleted). */
    UNKNOWN_USER
  }

  private final Reason reason;

  public InvalidTokenException(Reason reason, String message) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  public Reason reason() {
    return reason;
  }
}
