package dev.z8run.api.auth;

import java.util.Objects;

/**
 * The user a verified bearer token speaks for.
 *
 * @param userId the store's id of the user, the token's {@code sub} claim
 * @param username the login name, the token's {@code name} claim (for display; authorise by id)
 */
public record UserPrincipal(String userId, String username) {
  public UserPrincipal {
    Objects.requireNonNull(userId, "userId");
    Objects.requireNonNull(username, "username");
    if (userId.isBlank()) {
      throw new IllegalArgumentException("userId is blank");
    }
  }
}
