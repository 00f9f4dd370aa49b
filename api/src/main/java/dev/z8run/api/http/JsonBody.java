package dev.z8run.api.http;

import dev.z8run.io.json.JsonCodec;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import java.util.List;
import java.util.Map;

/**
 * A request body that must be one JSON object with known fields, read within a byte limit, and
 * typed access to its fields. Every refusal is an exception whose message names what was wrong (the
 * field, or the line and column of a syntax error), rendered as the API's error shape: the 413 and
 * 415 of {@link RequestBodies} are {@link ApiException}s ({@link ErrorResponses#onApiException}),
 * the 400s here {@link HttpException}s ({@link ErrorResponses#onHttpException}):
 *
 * <table>
 *   <caption>refusals</caption>
 *   <tr><th>status</th><th>when</th></tr>
 *   <tr><td>413</td><td>the body is longer than the limit (by {@code Content-Length}, or while
 *       reading a chunked body: at most limit + 1 bytes are read)</td></tr>
 *   <tr><td>415</td><td>{@code Content-Type} is present and is neither {@code application/json}
 *       nor {@code application/*+json}; a body without one is read as JSON</td></tr>
 *   <tr><td>400</td><td>no body, not UTF-8 JSON, not an object, a field outside the allowed
 *       list, a required field missing or of the wrong type</td></tr>
 * </table>
 *
 * <p>Throwing is how a handler leaves early here: the client's mistake ends the request, and the
 * routing's error handler writes the answer. Use {@link #badRequest} for 400s, never Helidon's
 * {@code BadRequestException}: Helidon answers that one itself, as HTML-escaped plain text,
 * bypassing the routing's error handlers.
 */
public final class JsonBody {
  private final Map<String, Object> fields;

  private JsonBody(Map<String, Object> fields) {
    this.fields = fields;
  }

  /**
   * Reads the request's body as a JSON object whose fields are all in {@code allowedFields}.
   *
   * @param maxBytes the longest body accepted
   * @param allowedFields the fields the object may have (it may leave any of them out)
   * @throws ApiException 413 or 415, as {@link RequestBodies} refuses a body
   * @throws HttpException 400 as described in the class comment
   */
  public static JsonBody read(ServerRequest request, int maxBytes, List<String> allowedFields) {
    RequestBodies.requireJson(request);
    byte[] bytes = RequestBodies.read(request, maxBytes);
    if (bytes.length == 0) {
      throw badRequest(
          "request body is empty: expected a JSON object with " + String.join(", ", allowedFields));
    }
    // parsed, it takes several times its size until the request ends
    RequestBodies.holdParsed(request, bytes.length);
    Object document;
    try {
      document = JsonCodec.parse(bytes);
    } catch (JsonCodec.JsonException malformed) {
      throw badRequest("request body is not valid JSON: " + malformed.getMessage());
    }
    if (!(document instanceof Map<?, ?> map)) {
      throw badRequest("request body must be a JSON object, got " + JsonCodec.describe(document));
    }
    @SuppressWarnings("unchecked") // JsonCodec parses objects as Map<String, Object>
    Map<String, Object> fields = (Map<String, Object>) map;
    for (String field : fields.keySet()) {
      if (!allowedFields.contains(field)) {
        throw badRequest(
            "unknown field '" + field + "'; allowed: " + String.join(", ", allowedFields));
      }
    }
    return new JsonBody(fields);
  }

  /** The value of {@code field} as JSON values (map, list, string, long, double...), or null. */
  public Object value(String field) {
    return fields.get(field);
  }

  /**
   * The string value of {@code field}.
   *
   * @throws HttpException 400 when it is absent, null or not a string
   */
  public String requiredString(String field) {
    Object value = fields.get(field);
    if (value == null) {
      throw badRequest("field '" + field + "' is required");
    }
    if (!(value instanceof String text)) {
      throw badRequest("field '" + field + "' must be a string, got " + JsonCodec.describe(value));
    }
    return text;
  }

  /**
   * A 400 the routing's {@link ErrorResponses#onHttpException} renders in the API's error shape,
   * keeping the connection open.
   */
  public static HttpException badRequest(String message) {
    return new HttpException(message, Status.BAD_REQUEST_400, true);
  }

  /** Not keep-alive: the rest of the body is left unread, so the connection cannot be reused. */
}
