package dev.z8run.api.hook;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import dev.z8run.io.json.JsonCodec;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
 */
final class HookMessage {
  // a shared buffer pool: the default one is per thread, and every request runs on a new
  // virtual thread, which would allocate fresh buffers each time
  private static final JsonFactory FACTORY =
      JsonFactory.builder().recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool()).build();
  private static final byte[] NULL = "null".getBytes(StandardCharsets.UTF_8);

  private HookMessage() {}

  static byte[] encode(
      ServerRequest request, String path, Map<String, String> params, byte[] body) {
    return encode(request, path, params, body, null, null);
  }

  /**
   * As {@link #encode(ServerRequest, String, Map, byte[])}, with one more top-level member after
   * {@code req} when {@code memberName} is not null: {@code ,"memberName":memberJson}.
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
    byte[] req = requestWithoutBody(request, path, params);
    byte[] bodyJson = body(request, body);
    int memberLength = memberName == null ? 0 : memberName.length() + memberJson.length + 4;
    ByteArrayOutputStream out =
        new ByteArrayOutputStream(2 * req.length + 2 * bodyJson.length + memberLength + 64);
    out.writeBytes("{\"payload\":{\"req\":".getBytes(StandardCharsets.UTF_8));
    writeReq(out, req, bodyJson);
    out.writeBytes("},\"req\":".getBytes(StandardCharsets.UTF_8));
    writeReq(out, req, bodyJson);
    if (memberName != null) {
      out.writeBytes((",\"" + memberName + "\":").getBytes(StandardCharsets.UTF_8));
      out.writeBytes(memberJson);
    }
    out.write('}');
    return out.toByteArray();
  }

  /** REQ with its closing brace replaced by the body member. */
  private static void writeReq(ByteArrayOutputStream out, byte[] req, byte[] body) {
    out.write(req, 0, req.length - 1);
    out.writeBytes(",\"body\":".getBytes(StandardCharsets.UTF_8));
    out.writeBytes(body);
    out.write('}');
  }

  private static byte[] requestWithoutBody(
      ServerRequest request, String path, Map<String, String> params) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator json = FACTORY.createGenerator(out)) {
      json.writeStartObject();
      json.writeStringField("method", request.prologue().method().text());
      json.writeStringField("path", path);
      json.writeObjectFieldStart("headers");
      for (Header header : request.headers()) {
        json.writeStringField(header.name().toLowerCase(Locale.ROOT), header.values());
      }
      json.writeEndObject();
      json.writeObjectFieldStart("query");
      for (String name : request.query().names()) {
        List<String> values = request.query().all(name);
        if (values.size() == 1) {
          json.writeStringField(name, values.get(0));
        } else {
          json.writeArrayFieldStart(name);
          for (String value : values) {
            json.writeString(value);
          }
          json.writeEndArray();
        }
      }
      json.writeEndObject();
      json.writeObjectFieldStart("params");
      for (Map.Entry<String, String> param : params.entrySet()) {
        json.writeStringField(param.getKey(), param.getValue());
      }
      json.writeEndObject();
      json.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode the request", e);
    }
    return out.toByteArray();
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
