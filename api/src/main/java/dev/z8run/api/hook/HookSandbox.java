package dev.z8run.api.hook;

import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerResponse;

/**
 * What keeps a flow's {@code /hook} answers from acting as the editor: they share its origin, and
 * the editor keeps its bearer token in {@code localStorage}. Every answer under {@code /hook} (the
 * flow's and the server's own refusals) carries {@code Content-Security-Policy: sandbox ...}
 * without {@code allow-same-origin}, so a page a flow serves runs in an opaque origin: it cannot
 * read the editor's storage, and its requests to the API carry no token. {@code
 * X-Content-Type-Options: nosniff} keeps a browser from reading a text or JSON answer as HTML.
 *
 * <p>No CORS header is added: a sandboxed page's requests to its own hooks are cross-origin ({@code
 * Origin: null}, and Chromium sends no {@code Referer} from an opaque origin), exactly as any other
 * site's sandboxed frame's are, so the server cannot tell them apart; allowing them would let every
 * site a user visits read the hooks that user's browser can reach (a server bound to loopback, or
 * on a LAN). A flow that wants its page's scripts to read an answer says so in that answer's
 * headers ({@code Access-Control-Allow-Origin}).
 *
 * <p>Stateless and thread-safe; the headers are cached values, none built per answer.
 */
final class HookSandbox {
  /** The policy: scripts, forms, popups, dialogs and downloads, but an opaque origin. */
  static final String POLICY =
      "sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads";

  private static final HeaderName CONTENT_SECURITY_POLICY =
      HeaderNames.create("Content-Security-Policy");
  private static final HeaderName CONTENT_TYPE_OPTIONS =
      HeaderNames.create("X-Content-Type-Options");
  private static final Header SANDBOX = HeaderValues.createCached(CONTENT_SECURITY_POLICY, POLICY);
  private static final Header NOSNIFF = HeaderValues.createCached(CONTENT_TYPE_OPTIONS, "nosniff");

  private HookSandbox() {}

  /** Sets the sandbox's headers on {@code response} before anything is answered. */
  static void onRequest(ServerResponse response) {
    response.header(SANDBOX);
    response.header(NOSNIFF);
  }

  /**
   * After a flow's headers are written: the sandbox again when the flow sent a policy of its own
   * (beside it: a browser enforces every policy it gets), {@code nosniff} again when the flow sent
   * an {@code X-Content-Type-Options} of its own (which replaced the one {@link #onRequest} set).
   * Otherwise {@link #onRequest}'s headers are still there: setting {@code nosniff} again for every
   * answer cost a map write per request.
   */
  static void afterFlowHeaders(
      ServerResponse response, boolean flowSentPolicy, boolean flowSentTypeOptions) {
    if (flowSentPolicy) {
      response.headers().add(SANDBOX);
    }
    if (flowSentTypeOptions) {
      response.header(NOSNIFF);
    }
  }
}
