package dev.z8run.api.auth;

import java.io.Serial;

/**
 * A stored password hash is not an argon2id string in the PHC format this server reads. This is
 * broken state (a damaged or foreign user record), not a wrong password: callers answer it as a
 * server error and log it, while a wrong password is just {@code false} from {@link
 * PasswordHasher#verify}. The message names the part at fault and never repeats the hash itself.
 */
public final class MalformedHashException extends IllegalArgumentException {
  @Serial private static final long serialVersionUID = 1L;

  public MalformedHashException(String message) {
    super(message);
  }
}
