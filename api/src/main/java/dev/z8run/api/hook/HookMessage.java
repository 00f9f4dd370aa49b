package dev.z8run.api.hook;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import dev.z8run.io.json.FieldIndex;
import dev.z8run.io.json.JsonBytes;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.support.CookieHeader;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Encodes an HTTP request as the message an {@code http-in} node emits:
 *
 * <pre>
 * {"payload":{"req":REQ},"req":REQ}
 * REQ = {"method":..,"path":..,"headers":{name:value},"query":{name:value or [values]},
 *        "params":{name:value},"body":BODY}
 * </pre>
 *
 * BODY is the request's JSON as sent (checked, not rebuilt) when it declares a JSON content type
 * and parses, else the text as a JSON string, or {@code null} when empty. A {@code webhook} node's
 * message has one more member after {@code req}: {@code "webhook":{...}} (see {@link
 * WebhookGate.Delivery#json()}).
 *
 * <p>An {@code http-in} node in Node-RED's mode gets Node-RED's message instead ({@link
 * #encodeNodeRed}): {@code {"payload":P,"req":REQ}} where P is the query object for GET and HEAD,
 * else the body as Node-RED's body parsers make it (JSON parsed, a form parsed into an object, text
 * as a string, other bytes as the binary payload), and REQ adds {@code url}, {@code originalUrl},
 * {@code hostname}, {@code protocol}, {@code ip} and {@code cookies} to the fields above.
 *
 * <p>The text is written by hand ({@link JsonBytes}), REQ once and then copied: a JSON generator
 * per request cost more than the message itself.
 */
final class HookMessage {
  // for isJson's parser; a shared buffer pool: the default one is per thread, and every request
  // runs on a new virtual thread, which would allocate fresh buffers each time
  private static final JsonFactory FACTORY =
      JsonFactory.builder().recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool()).build();
  private static final byte[] NULL = "null".getBytes(StandardCharsets.UTF_8);

  private HookMessage() {}

  /**
   * Writes the message of {@link HookMessage} (see the class comment) into {@code out} (emptied
   * first) with its field index after it ({@link #INDEX_BYTES} bytes: where payload and req lie, as
   * written), and points {@code index} at {@code out}'s buffer: for a caller that copies the
   * message at once, as the engine copies it into the execution's first record, and then reuses
   * both.
   *
   * @return the JSON's length; the index follows it in {@code out.array()}
   */
  static int encodeInPlace(
      JsonBytes out,
      UnsafeBuffer index,
      ServerRequest request,
      String path,
      Map<String, String> params,
      byte[] body) {
    int payloadEnd = write(out.clear(), request, path, params, body(request, body), null, null);
    int jsonLength = out.length();
    int reqLength = payloadEnd - 1 - PAYLOAD_START - REQ_KEY.length();
    out.raw(INDEX_ROOM);
    index.wrap(out.array());
    FieldIndex.putEntry(index, jsonLength, 0, 2, 7, PAYLOAD_START, payloadEnd);
    FieldIndex.putEntry(
        index, jsonLength, 1, payloadEnd + 2, 3, jsonLength - 1 - reqLength, jsonLength - 1);
    FieldIndex.putCount(index, jsonLength, 2, true); // payload and req: plain, unique
    return jsonLength;
  }

  /** The payload's only key, before its REQ: {@code {"payload":{"req":REQ}}. */
  private static final String REQ_KEY = "{\"req\":";

  /** The field index of {@link #encodeInPlace}'s message: two members, payload and req. */
  static final int INDEX_BYTES = FieldIndex.lengthFor(2);

  private static final String INDEX_ROOM = " ".repeat(INDEX_BYTES);

  /** Where the payload's value starts: after {@code {"payload":}. */
  private static final int PAYLOAD_START = "{\"payload\":".length();

  /**
   * The message with one more top-level member after {@code req}: {@code ,"memberName":memberJson}
   * (a {@code webhook} node's verdict).
   *
   * @param memberName a plain key (written as is, between quotes: no characters to escape)
   * @param memberJson the member's value, one well-formed JSON value
   */
  static byte[] encode(
      ServerRequest request,
      String path,
      Map<String, String> params,
      byte[] body,
      String memberName,
      byte[] memberJson) {
    byte[] bodyJson = body(request, body);
    JsonBytes out =
        new JsonBytes(512 + 2 * bodyJson.length + memberName.length() + memberJson.length + 4);
    write(out, request, path, params, bodyJson, memberName, memberJson);
    return out.toByteArray();
  }

  /**
   * Appends {@code {"payload":{"req":REQ},"req":REQ}} to {@code out}, with {@code
   * ,"memberName":memberJson} before the closing brace when {@code memberName} is not null; REQ's
   * body member is {@code bodyJson} ({@link #body}).
   *
   * @return where the payload's value ends (REQ stands twice: in the payload and as the last or
   *     next-to-last member)
   */
  private static int write(
      JsonBytes out,
      ServerRequest request,
      String path,
      Map<String, String> params,
      byte[] bodyJson,
      String memberName,
      byte[] memberJson) {
    out.raw("{\"payload\":{\"req\":");
    int reqStart = out.length();
    writeReq(out, request, path, params, false, bodyJson);
    int reqLength = out.length() - reqStart;
    out.write((byte) '}');
    int payloadEnd = out.length();
    out.raw(",\"req\":").repeat(reqStart, reqLength);
    if (memberName != null) {
      out.raw(",\"").raw(memberName).raw("\":").write(memberJson);
    }
    out.write((byte) '}');
    return payloadEnd;
  }

  /**
   * A message body: its JSON in the first {@code jsonLength} bytes of {@code json}, and the binary
   * payload beside it (empty: none).
   */
  record Encoded(byte[] json, int jsonLength, byte[] binary) {}

  /** Node-RED's http-in message; see the class comment. */
  static Encoded encodeNodeRed(
      ServerRequest request, String path, Map<String, String> params, byte[] body) {
    String method = request.prologue().method().text().toUpperCase(Locale.ROOT);
    String contentType =
        request.headers().first(HeaderNames.CONTENT_TYPE).orElse("").toLowerCase(Locale.ROOT);
    byte[] binary = new byte[0];
    byte[] bodyJson;
    if (body.length == 0) {
      bodyJson = contentType.isEmpty() ? JsonCodec.write("") : JsonCodec.write(Map.of());
    } else if (contentType.contains("json") && isJson(body)) {
      bodyJson = body;
    } else if (contentType.startsWith("application/x-www-form-urlencoded")) {
      bodyJson = JsonCodec.write(FormBody.parse(new String(body, StandardCharsets.UTF_8)));
    } else if (isText(contentType, body)) {
      bodyJson = JsonCodec.write(new String(body, StandardCharsets.UTF_8));
    } else {
      binary = body;
      bodyJson = NULL;
    }
    JsonBytes out = new JsonBytes(512 + 2 * bodyJson.length);
    out.raw("{\"payload\":");
    if (method.equals("GET") || method.equals("HEAD")) {
      writeQuery(out, request);
    } else {
      out.write(bodyJson);
    }
    out.raw(",\"req\":");
    writeReq(out, request, path, params, true, bodyJson);
    out.write((byte) '}');
    return new Encoded(out.array(), out.length(), binary);
  }

  /**
   * Whether Node-RED's raw body parser would make a string of the body: text and XML types, other
   * application types (except octet-stream, cbor, protobuf) when the bytes are UTF-8, and bodies
   * without a type.
   */
  private static boolean isText(String contentType, byte[] body) {
    if (contentType.isEmpty() || contentType.startsWith("text/") || contentType.contains("xml")) {
      return true;
    }
    if (!contentType.startsWith("application/")
        || contentType.startsWith("application/octet-stream")
        || contentType.startsWith("application/cbor")
        || contentType.startsWith("application/x-protobuf")) {
      return false;
    }
    return dev.z8run.io.frame.Utf8.isValid(body);
  }

  private static void writeQuery(JsonBytes out, ServerRequest request) {
    out.write((byte) '{');
    boolean first = true;
    for (String name : request.query().names()) {
      List<String> values = request.query().all(name);
      if (!first) {
        out.write((byte) ',');
      }
      first = false;
      out.string(name).write((byte) ':');
      if (values.size() == 1) {
        out.string(values.get(0));
      } else {
        out.write((byte) '[');
        for (int i = 0; i < values.size(); i++) {
          if (i > 0) {
            out.write((byte) ',');
          }
          out.string(values.get(i));
        }
        out.write((byte) ']');
      }
    }
    out.write((byte) '}');
  }

  /** REQ, its body member {@code bodyJson} last. */
  private static void writeReq(
      JsonBytes out,
      ServerRequest request,
      String path,
      Map<String, String> params,
      boolean nodeRed,
      byte[] bodyJson) {
    out.write((byte) '{');
    out.member(true, "method", request.prologue().method().text());
    out.member(false, "path", path);
    if (nodeRed) {
      String rawQuery = request.query().rawValue();
      String url = rawQuery == null || rawQuery.isEmpty() ? path : path + "?" + rawQuery;
      out.member(false, "url", url);
      out.member(
          false,
          "originalUrl",
          request.path().absolute().path()
              + (rawQuery == null || rawQuery.isEmpty() ? "" : "?" + rawQuery));
      // Express's req.hostname (the Host header without its port), req.protocol and req.ip
      String host = request.headers().first(io.helidon.http.HeaderNames.HOST).orElse("");
      int colon = host.lastIndexOf(':');
      if (colon > host.lastIndexOf(']')) {
        host = host.substring(0, colon);
      }
      out.member(false, "hostname", host);
      out.member(false, "protocol", request.isSecure() ? "https" : "http");
      if (request.remotePeer().address() instanceof java.net.InetSocketAddress peer) {
        out.member(false, "ip", peer.getAddress().getHostAddress());
      }
    }
    out.raw(",\"headers\":{");
    boolean first = true;
    for (Header header : request.headers()) {
      // one value (nearly every header) as it is: values() joins even one into a new string
      out.member(
          first,
          header.headerName().lowerCase(),
          header.valueCount() == 1 ? header.get() : header.values());
      first = false;
    }
    out.raw("},\"query\":");
    writeQuery(out, request);
    out.raw(",\"params\":{");
    first = true;
    for (Map.Entry<String, String> param : params.entrySet()) {
      out.member(first, param.getKey(), param.getValue());
      first = false;
    }
    out.write((byte) '}');
    if (nodeRed) {
      out.raw(",\"cookies\":{");
      first = true;
      for (Map.Entry<String, String> cookie : cookies(request).entrySet()) {
        out.member(first, cookie.getKey(), cookie.getValue());
        first = false;
      }
      out.write((byte) '}');
    }
    out.raw(",\"body\":").write(bodyJson).write((byte) '}');
  }

  /**
   * The request's cookies, as Express's cookie-parser gives them ({@link CookieHeader}: the first
   * of each name, over all the request's Cookie headers).
   */
  private static Map<String, String> cookies(ServerRequest request) {
    Map<String, String> cookies = new java.util.LinkedHashMap<>();
    for (String header : request.headers().all(HeaderNames.COOKIE, List::of)) {
      CookieHeader.parse(header, cookies);
    }
    return cookies;
  }

  private static byte[] body(ServerRequest request, byte[] body) {
    if (body.length == 0) {
      return NULL;
    }
    String contentType =
        request.headers().first(HeaderNames.CONTENT_TYPE).orElse("").toLowerCase(Locale.ROOT);
    if (contentType.contains("json") && isJson(body)) {
      return body;
    }
    return JsonCodec.write(new String(body, StandardCharsets.UTF_8));
  }

  /**
   * Why Node-RED's JSON body parser (body-parser in strict mode) would refuse {@code body} with a
   * 400, or null when it would not: a body declared JSON that is not one well-formed object or
   * array (malformed, or a bare scalar such as {@code 5} or {@code "s"}). An empty body is not
   * refused (it becomes {@code {}}).
   */
  static String strictJsonProblem(ServerRequest request, byte[] body) {
    String contentType =
        request.headers().first(HeaderNames.CONTENT_TYPE).orElse("").toLowerCase(Locale.ROOT);
    if (body.length == 0 || !contentType.contains("json")) {
      return null;
    }
    byte first = 0;
    for (byte b : body) {
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        first = b;
        break;
      }
    }
    if (first == 0) {
      return null; // only whitespace: body-parser reads it as {}
    }
    if (first != '{' && first != '[') {
      return "a JSON body must be an object or an array (as Node-RED's strict JSON parser), got"
          + " one starting with '"
          + (char) (first & 0xff)
          + "'";
    }
    return isJson(body) ? null : "the request body is not well-formed JSON";
  }

  /** Whether {@code bytes} hold exactly one well-formed JSON value (read, not built). */
  private static boolean isJson(byte[] bytes) {
    try (JsonParser parser = FACTORY.createParser(bytes)) {
      if (parser.nextToken() == null) {
        return false;
      }
      parser.skipChildren();
      return parser.nextToken() == null;
    } catch (IOException malformed) {
      return false;
    }
  }
}
