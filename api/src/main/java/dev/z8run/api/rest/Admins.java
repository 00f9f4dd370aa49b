package dev.z8run.api.rest;

import dev.z8run.api.auth.Authenticator;
import dev.z8run.api.http.ApiException;
import dev.z8run.store.UserRecord;
import dev.z8run.store.UserStore;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;

/**
 * Who may manage the server: users with the {@value UserRecord#ADMIN} role (the first user to
 * register is one). Plugins, users and server-wide views (per-flow metrics) are theirs; everyone
 * else gets 403. The role is read from the store on every request, so a demotion takes effect at
 * once, whatever tokens are out.
 */
public final class Admins {
  private Admins() {}

  /** Whether the signed-in user of {@code request} is an admin. */
  public static boolean isAdmin(ServerRequest request, UserStore users) {
    return request
        .context()
        .get(dev.z8run.api.auth.UserPrincipal.class)
        .flatMap(principal -> users.find(principal.userId()))
        .map(user -> user.hasRole(UserRecord.ADMIN))
        .orElse(false);
  }

  /**
   * Returns quietly when the signed-in user is an admin.
   *
   * @param what what was attempted, for the message ("install a plugin")
   * @throws ApiException 403 otherwise
   */
  public static void require(ServerRequest request, UserStore users, String what) {
    Authenticator.user(request);
    if (!isAdmin(request, users)) {
      throw new ApiException(Status.FORBIDDEN_403, "only an admin may " + what);
    }
  }
}
