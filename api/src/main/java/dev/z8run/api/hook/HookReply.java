package dev.z8run.api.hook;

import dev.z8run.api.http.NoContent;
import dev.z8run.io.json.JsonCodec;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * An {@code http-out} node's answer, and how it is written: a binary payload as bytes, {@code null}
 * as an empty body, a string as text, anything else as the payload's JSON bytes as the node handed
 * them over (not parsed again); 204, 205 and 304 without a body whatever the payload (as express
 * drops it for Node-RED), 204 and 304 without {@code Content-Length} either ({@link NoContent}).
 *
 * <p>A string is {@code text/plain} for a z8run-mode {@code http-in} node, and {@code text/html}
 * for a Node-RED-mode one, where a number goes out as its text too: what express's {@code res.send}
 * does for Node-RED's {@code http response} node. A header value holding {@code \n} is several
 * values of that header, each on its own line ({@code Set-Cookie}): no value can hold a line break.
 */
record HookReply(int statusCode, Map<String, String> headers, byte[] payloadJson, byte[] binary) {
  // cached headers: written as prepared bytes, none built per answer
  private static final Header OCTET_STREAM = HeaderValues.CONTENT_TYPE_OCTET_STREAM;
  private static final Header TEXT =
      HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
  private static final Header HTML =
      HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8");
  private static final Header JSON = HeaderValues.CONTENT_TYPE_JSON;
  private static final Header JSON_UTF8 =
      HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
  private static final byte[] EMPTY = new byte[0];

  /**
   * Writes the answer.
   *
   * @param sandboxed whether {@link HookSandbox} headers were set on {@code response}: they are
   *     kept whatever the flow's headers say
   * @param nodeRed whether the request came to a Node-RED-mode {@code http-in} node
   */
  void write(ServerResponse response, boolean sandboxed, boolean nodeRed) {
    response.status(statusCode);
    boolean typed = false;
    boolean policy = false;
    boolean sniffing = false;
    if (!headers.isEmpty()) { // most answers: no entry set and iterator made for nothing
      for (Map.Entry<String, String> header : headers.entrySet()) {
        String name = header.getKey();
        String value = header.getValue();
        if (name.equalsIgnoreCase("content-length") || name.equalsIgnoreCase("transfer-encoding")) {
          continue; // the server frames the body it sends: a flow's length could cut or hang it
        }
        if (value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
          response.header(name, value);
        } else {
          response.header(name, value.replace("\r", "").split("\n"));
        }
        typed |= name.equalsIgnoreCase("content-type");
        policy |= name.equalsIgnoreCase("content-security-policy");
        sniffing |= name.equalsIgnoreCase("x-content-type-options");
      }
    }
    if (sandboxed) {
      HookSandbox.afterFlowHeaders(response, policy, sniffing);
    }
    // statuses without content (RFC 9110): the payload is not sent; a length the flow set is
    // replaced, since Helidon answers 500 for a 204, 205 or 304 whose length is not 0
    if (statusCode == 204 || statusCode == 304) {
      NoContent.send(response); // and no Content-Length either (RFC 9110 §8.6)
      return;
    }
    if (statusCode == 205) {
      response.header(HeaderValues.CONTENT_LENGTH_ZERO); // RFC 9110 §15.3.6 asks for it
      response.send();
      return;
    }
    byte[] body;
    Header type;
    byte first = firstByte(payloadJson);
    if (binary != null) {
      body = binary;
      type = OCTET_STREAM;
    } else if (first == 'n') {
      body = EMPTY;
      type = null;
    } else if (first == '"') {
      body = ((String) JsonCodec.parse(payloadJson)).getBytes(StandardCharsets.UTF_8);
      type = nodeRed ? HTML : TEXT;
    } else if (nodeRed && (first == '-' || (first >= '0' && first <= '9'))) {
      body = payloadJson; // Node-RED sends ""+payload: the number's text, as JavaScript writes it
      type = HTML;
    } else {
      body = payloadJson;
      type = nodeRed ? JSON_UTF8 : JSON; // express's res.send(object) names the charset
    }
    if (!typed && type != null) {
      response.header(type);
    }
    response.send(body);
  }

  private static byte firstByte(byte[] json) {
    for (byte b : json) {
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return b;
      }
    }
    return 'n';
  }
}
