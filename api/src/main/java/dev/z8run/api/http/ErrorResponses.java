package dev.z8run.api.http;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;

/**
 * The one error shape of the API, {@code {"error":{"code":404,"message":"no route for GET /x"}}},
 * and the routing error handlers that produce it.
 */
public final class ErrorResponses {
  private static final System.Logger LOG = System.getLogger(ErrorResponses.class.getName());

  private ErrorResponses() {}

  /**
   * Ends a routing table: the last route ({@link #onNoRoute}: routes are tried in order) and the
   * error handlers, so that every refusal and failure answers the one error shape.
   */
  public static void finish(HttpRouting.Builder routing) {
    routing
        .any(ErrorResponses::onNoRoute)
        .error(ApiException.class, ErrorResponses::onApiException)
        .error(HttpException.class, ErrorResponses::onHttpException)
        .error(RuntimeException.class, ErrorResponses::onUnexpected);
  }

  /** Answers {@code status} with the JSON error body. */
  public static void send(ServerResponse response, Status status, String message) {
    response.status(status);
    response.headers().contentType(MediaTypes.APPLICATION_JSON);
    response.send(body(status.code(), message));
  }

  /** The JSON error body. */
  public static byte[] body(int code, String message) {
    return Json.bytes(
        json -> {
          json.writeStartObject();
          json.writeObjectFieldStart("error");
          json.writeNumberField("code", code);
          json.writeStringField("message", message);
          json.writeEndObject();
          json.writeEndObject();
        });
  }

  /**
   * A whole HTTP/1.1 answer in the error shape that ends its connection, for code that writes to
   * the socket itself (outside routing): the status line, {@code Content-Type}, {@code
   * Content-Length}, {@code extraHeaders} (each line ending in CRLF, or empty), {@code Connection:
   * close} and the body.
   */
  public static byte[] closingAnswer(int code, String reason, String message, String extraHeaders) {
    byte[] body = body(code, message);
    byte[] head =
        ("HTTP/1.1 "
                + code
                + " "
                + reason
                + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length
                + "\r\n"
                + extraHeaders
                + "Connection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] answer = new byte[head.length + body.length];
    System.arraycopy(head, 0, answer, 0, head.length);
    System.arraycopy(body, 0, answer, head.length, body.length);
    return answer;
  }

  /** Error handler for {@link ApiException}: its status, message and problems. */
  public static void onApiException(
      ServerRequest request, ServerResponse response, ApiException e) {
    closeIfBodyUnread(request, response);
    response.status(e.status());
    response.headers().contentType(MediaTypes.APPLICATION_JSON);
    if (e.status().code() == Status.SERVICE_UNAVAILABLE_503.code()
        || e.status().code() == Status.TOO_MANY_REQUESTS_429.code()) {
      // a condition that passes (the server's body budget, a client's half of it): when to ask
      // again
      response.header(HeaderNames.RETRY_AFTER, "1");
    }
    response.send(
        Json.bytes(
            json -> {
              json.writeStartObject();
              json.writeObjectFieldStart("error");
              json.writeNumberField("code", e.status().code());
              json.writeStringField("message", e.getMessage());
              if (!e.problems().isEmpty()) {
                json.writeFieldName("problems");
                json.writeRawValue(
                    new String(
                        dev.z8run.io.json.JsonCodec.write(e.problems()),
                        java.nio.charset.StandardCharsets.UTF_8));
              }
              json.writeEndObject();
              json.writeEndObject();
            }));
  }

  /**
   * The last route of the table: whatever no resource claimed (unknown path, or a known path with
   * another method) gets 404 naming the method and path.
   */
  public static void onNoRoute(ServerRequest request, ServerResponse response) {
    closeIfBodyUnread(request, response);
    send(response, Status.NOT_FOUND_404, "no route for " + describe(request));
  }

  /**
   * Error handler for {@link HttpException}s a handler throws ({@code NotFoundException("flow x not
   * found")}, Helidon's 400s for unreadable bodies): their status and message, except that a 5xx is
   * logged and answered without details.
   */
  public static void onHttpException(
      ServerRequest request, ServerResponse response, HttpException e) {
    closeIfBodyUnread(request, response);
    if (e.status().code() >= Status.INTERNAL_SERVER_ERROR_500.code()) {
      onUnexpected(request, response, e);
    } else {
      send(response, e.status(), e.getMessage());
    }
  }

  /**
   * A refused request's body is never read: the answer says {@code Connection: close}, so that the
   * server does not drain what the client goes on sending in order to reuse the connection.
   */
  public static void closeIfBodyUnread(ServerRequest request, ServerResponse response) {
    if (request.content().hasEntity() && !request.content().consumed()) {
      response.header(HeaderNames.CONNECTION, "close");
    }
  }

  /** Error handler of last resort: logs the failure, answers 500 without its details. */
  public static void onUnexpected(ServerRequest request, ServerResponse response, Throwable e) {
    closeIfBodyUnread(request, response);
    LOG.log(Level.ERROR, "request " + describe(request) + " failed", e);
    send(response, Status.INTERNAL_SERVER_ERROR_500, "internal error");
  }

  /**
   * {@code GET /path}, read from the prologue: {@link ServerRequest#path()} is null in an error
   * handler when no route matched.
   */
  private static String describe(ServerRequest request) {
    return request.prologue().method().text() + " " + request.prologue().uriPath().rawPath();
  }
}
