package dev.z8run.api.http;

import dev.z8run.io.json.JsonCodec;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/** Reads request bodies with a size limit and turns bad JSON into 400s that say where. */
public final class RequestBodies {
  private RequestBodies() {}

  /**
   * The raw body, at most {@code maxBytes}; empty when there is none. A {@code Content-Length}
   * above the limit is refused before a byte is read, and a chunked body stops one byte past it:
   * 413, and the connection is closed rather than drained.
   */
  public static byte[] read(ServerRequest request, int maxBytes) {
    if (!request.content().hasEntity()) {
      return new byte[0];
    }
    OptionalLong declared = request.headers().contentLength();
    if (declared.isPresent() && declared.getAsLong() > maxBytes) {
      throw tooLarge(maxBytes);
    }
    try (InputStream in = request.content().inputStream()) {
      byte[] body = in.readNBytes(maxBytes + 1);
      if (body.length > maxBytes) {
        throw tooLarge(maxBytes);
      }
      return body;
    } catch (IOException e) {
      // the client's body broke off (or its connection did): the client's failure, not ours
      throw ApiException.badRequest("cannot read the request body: " + e.getMessage());
    }
  }

  private static ApiException tooLarge(int maxBytes) {
    return new ApiException(
        Status.REQUEST_ENTITY_TOO_LARGE_413,
        "request body exceeds the limit of " + maxBytes + " bytes");
  }

  /**
   * Throws 415 unless the request declares JSON ({@code application/json} or {@code
   * application/*+json}); a body without a {@code Content-Type} is read as JSON.
   */
  public static void requireJson(ServerRequest request) {
    Optional<String> header = request.headers().first(HeaderNames.CONTENT_TYPE);
    if (header.isEmpty()) {
      return;
    }
    String value = header.get();
    int semicolon = value.indexOf(';');
    String mediaType =
        (semicolon < 0 ? value : value.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    if (!mediaType.equals("application/json")
        && !(mediaType.startsWith("application/") && mediaType.endsWith("+json"))) {
      throw new ApiException(
          Status.UNSUPPORTED_MEDIA_TYPE_415,
          "Content-Type must be application/json, got '" + value + "'");
    }
  }

  /** The body parsed as JSON (any value); 415 unless it is declared JSON (or not declared). */
  public static Object json(ServerRequest request, int maxBytes) {
    requireJson(request);
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
