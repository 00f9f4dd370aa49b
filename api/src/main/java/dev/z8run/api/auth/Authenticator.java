package dev.z8run.api.auth;

import dev.z8run.api.http.ErrorResponses;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.lang.System.Logger.Level;
import java.util.Optional;

/**
 * The routing filter that guards the API: every {@code /api/v1/...} route except {@code health},
 * {@code info} and {@code openapi.json}, and {@code /auth/me}, needs {@code Authorization: Bearer
 * <token>} with a token {@link Tokens} accepts; anything else is answered {@code 401} with {@code
 * WWW-Authenticate: Bearer} and one message whatever the reason ({@link #refuse}). The verified
 * {@link UserPrincipal} is registered in the request's context, where handlers find it with {@link
 * #user(ServerRequest)}. {@code /auth/register}, {@code /auth/login}, {@code /hook/...} and static
 * content are open.
 */
public final class Authenticator implements Filter {
  /** The message of every 401. */
  public static final String UNAUTHORIZED =
      "sign in first: POST /auth/login, then send 'Authorization: Bearer <token>'";

  private static final System.Logger LOG = System.getLogger(Authenticator.class.getName());

  private final Tokens tokens;

  public Authenticator(Tokens tokens) {
    this.tokens = tokens;
  }

  /** Whether {@code path} needs a signed-in user. */
  public static boolean isProtected(String path) {
    if (path.equals("/auth/me")) {
      return true;
    }
    if (!path.startsWith("/api/v1/")) {
      return false;
    }
    return !path.equals("/api/v1/health")
        && !path.equals("/api/v1/info")
        && !path.equals("/api/v1/openapi.json");
  }

  @Override
  public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
    String path = request.path().path();
    Optional<String> header = request.headers().first(HeaderNames.AUTHORIZATION);
    if (header.isPresent() && header.get().regionMatches(true, 0, "Bearer ", 0, 7)) {
      try {
        request.context().register(tokens.verify(header.get().substring(7).strip()));
      } catch (InvalidTokenException invalid) {
        if (isProtected(path)) {
          // the reason (expired, bad signature, ...) is the server's to know, never the client's
          LOG.log(Level.DEBUG, "token refused on " + path + ": " + invalid.getMessage());
          refuse(response);
          return;
        }
      }
    }
    if (isProtected(path) && request.context().get(UserPrincipal.class).isEmpty()) {
      refuse(response);
      return;
    }
    chain.proceed();
  }

  /**
   * The one answer to every authentication failure (no header, a malformed one, an expired, forged
   * or unknown token): what was wrong goes to the log at DEBUG, never to the client. The request's
   * body is not read, and the connection is closed after the answer.
   */
  public static void refuse(ServerResponse response) {
    response.header(HeaderNames.WWW_AUTHENTICATE, "Bearer");
    response.header(HeaderNames.CONNECTION, "close");
    ErrorResponses.send(response, Status.UNAUTHORIZED_401, UNAUTHORIZED);
  }

  /**
   * The signed-in user of a request that passed this filter.
   *
   * @throws IllegalStateException when the route is not protected (a wiring bug)
   */
  public static UserPrincipal user(ServerRequest request) {
    return request
        .context()
        .get(UserPrincipal.class)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    "no signed-in user on " + request.path().path() + ": is the route protected?"));
  }
}
