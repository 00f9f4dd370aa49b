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
 * An {@code http-out} node's answer, and how it is written: a binary payload as bytes, a string
 * payload as text, {@code null} as an empty body, anything else as the payload's JSON bytes as the
 * node handed them over (not parsed again); 204, 205 and 304 without a body whatever the payload
 * (as express drops it for Node-RED), 204 and 304 without {@code Content-Length} either ({@link
 * NoContent}).
 */
record HookReply(int statusCode, Map<String, String> headers, byte[] payloadJson, byte[] binary) {
  // cached headers: written as prepared bytes, none built per answer
  private static final Header OCTET_STREAM = HeaderValues.CONTENT_TYPE_OCTET_STREAM;
  private static final Header TEXT =
      HeaderValues.createCached(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
  private static final Header JSON = HeaderValues.CONTENT_TYPE_JSON;
  private static final byte[] EMPTY = new byte[0];

  void write(ServerResponse response) {
    response.status(statusCode);
    boolean typed = false;
    if (!headers.isEmpty()) { // most answers: no entry set and iterator made for nothing
      for (Map.Entry<String, String> header : headers.entrySet()) {
        response.header(header.getKey(), header.getValue());
        typed |= header.getKey().equalsIgnoreCase("content-type");
      }
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
      type = TEXT;
    } else {
      body = payloadJson;
      type = JSON;
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
