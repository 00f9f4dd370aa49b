package dev.z8run.api.hook;

import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URI;
import java.util.List;

/**
 * What keeps a flow's {@code /hook} answers from acting as the editor: they share its origin, and
 * the editor keeps its bearer token in {@code localStorage}. Every answer under {@code /hook} (the
 * flow's and the server's own refusals) carries {@code Content-Security-Policy: sandbox ...}
 * without {@code allow-same-origin}, so a page a flow serves runs in an opaque origin: it cannot
 * read the editor's storage, and its requests to the API carry no token. {@code
 * X-Content-Type-Options: nosniff} keeps a browser from reading a text or JSON answer as HTML.
 *
 * <p>A sandboxed page's requests to its own hooks are cross-origin ({@code Origin: null}); they may
 * read the answers ({@code Access-Control-Allow-Origin: null}) when their {@code Referer} is this
 * server, which only a page this server served sends: never with credentials (no {@code
 * Access-Control-Allow-Credentials}), and never on the API's routes. Another site's sandboxed frame
 * sends its own referrer (or none) and gets no such header; what it could read is what anyone can
 * read by calling the hook directly.
 *
 * <p>Stateless and thread-safe; the headers are cached values, none built per answer.
 */
final class HookSandbox {
  /** The policy: scripts, forms, popups, dialogs and downloads, but an opaque origin. */
  static final String POLICY =
      "sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads";

  static final HeaderName CONTENT_SECURITY_POLICY = HeaderNames.create("Content-Security-Policy");
  private static final HeaderName CONTENT_TYPE_OPTIONS =
      HeaderNames.create("X-Content-Type-Options");
  private static final Header SANDBOX = HeaderValues.createCached(CONTENT_SECURITY_POLICY, POLICY);
  private static final Header NOSNIFF = HeaderValues.createCached(CONTENT_TYPE_OPTIONS, "nosniff");
  private static final Header ALLOW_OPAQUE_ORIGIN =
      HeaderValues.createCached(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "null");
  private static final Header VARY_ORIGIN =
      HeaderValues.createCached(HeaderNames.VARY, "Origin, Referer");
  private static final Header PREFLIGHT_MAX_AGE =
      HeaderValues.createCached(HeaderNames.ACCESS_CONTROL_MAX_AGE, "600");

  private HookSandbox() {}

  /**
   * Sets the sandbox's headers on {@code response} before anything is answered, and allows a read
   * by a page this server served ({@link #fromOwnPage}).
   */
  static void onRequest(ServerRequest request, ServerResponse response) {
    response.header(SANDBOX);
    response.header(NOSNIFF);
    if (request.headers().contains(HeaderNames.ORIGIN)) {
      response.header(VARY_ORIGIN);
      if (fromOwnPage(request)) {
        response.header(ALLOW_OPAQUE_ORIGIN);
      }
    }
  }

  /**
   * After a flow's headers are written: the sandbox again when the flow sent a policy of its own
   * (beside it: a browser enforces every policy it gets), {@code nosniff} whatever the flow said.
   */
  static void afterFlowHeaders(ServerResponse response, boolean flowSentPolicy) {
    if (flowSentPolicy) {
      response.headers().add(SANDBOX);
    }
    response.header(NOSNIFF);
  }

  /**
   * A preflight from a page this server served: the methods the path answers and the headers the
   * page asks for (an answer without credentials may allow any).
   */
  static void onPreflight(ServerRequest request, ServerResponse response, List<String> methods) {
    if (!fromOwnPage(request)) {
      return;
    }
    response.header(HeaderNames.ACCESS_CONTROL_ALLOW_METHODS, String.join(", ", methods));
    List<String> asked = request.headers().values(HeaderNames.ACCESS_CONTROL_REQUEST_HEADERS);
    if (!asked.isEmpty()) {
      response.header(HeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, String.join(", ", asked));
    }
    response.header(PREFLIGHT_MAX_AGE);
  }

  /**
   * A request from a sandboxed page of this server: {@code Origin: null} and a {@code Referer}
   * whose host and port are the request's {@code Host} (browsers set both; a page cannot).
   */
  static boolean fromOwnPage(ServerRequest request) {
    var headers = request.headers();
    if (!headers.contains(HeaderNames.ORIGIN)
        || !headers.contains(HeaderNames.REFERER)
        || !headers.contains(HeaderNames.HOST)
        || !headers.get(HeaderNames.ORIGIN).get().equals("null")) {
      return false;
    }
    try {
      String authority = URI.create(headers.get(HeaderNames.REFERER).get()).getRawAuthority();
      return authority != null
          && authority.equalsIgnoreCase(headers.get(HeaderNames.HOST).get().strip());
    } catch (IllegalArgumentException notAUri) {
      return false;
    }
  }
}
