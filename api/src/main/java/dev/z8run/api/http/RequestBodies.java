package dev.z8run.api.http;

import dev.z8run.io.json.JsonCodec;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/** Reads request bodies with a size limit and turns bad JSON into 400s that say where. */
public final class RequestBodies {
  private RequestBodies() {}

  /** The raw body, at most {@code maxBytes} (413 beyond); empty when there is none. */
  public static byte[] read(ServerRequest request, int maxBytes) {
    if (!request.content().hasEntity()) {
      return new byte[0];
    }
    try (InputStream in = request.content().inputStream()) {
      byte[] body = in.readNBytes(maxBytes + 1);
      if (body.length > maxBytes) {
        throw new ApiException(
            Status.REQUEST_ENTITY_TOO_LARGE_413,
            "request body exceeds the limit of " + maxBytes + " bytes");
      }
      return body;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the request body", e);
    }
  }

  /** The body parsed as JSON (any value). */
  public static Object json(ServerRequest request, int maxBytes) {
    byte[] body = read(request, maxBytes);
    if (body.length == 0) {
      throw ApiException.badRequest("a JSON request body is required");
    }
    try {
      return JsonCodec.parse(body);
    } catch (JsonCodec.JsonException malformed) {
      throw ApiException.badRequest(malformed.getMessage());
    }
  }

  /** The body as a JSON object. */
  public static Map<String, Object> object(ServerRequest request, int maxBytes) {
    Object value = json(request, maxBytes);
    if (!(value instanceof Map<?, ?> map)) {
      throw ApiException.badRequest(
          "the request body must be a JSON object, got " + JsonCodec.describe(value));
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> object = (Map<String, Object>) map;
    return object;
  }
}
