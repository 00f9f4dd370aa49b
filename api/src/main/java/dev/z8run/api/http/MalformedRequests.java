package dev.z8run.api.http;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;

/**
 * Helidon's own answers to requests it cannot route at all (a bad {@code Content-Length}, {@code
 * %zz} in the path, no {@code Host}, a header over the limit, an unsupported HTTP version): in the
 * API's error shape, {@code {"error":{"code":N,"message":"..."}}}, instead of an empty or
 * plain-text body, and with the connection closed. The message is Helidon's, which names what was
 * wrong and never echoes the request.
 */
public final class MalformedRequests implements DirectHandler {
  /** The answer to an HTTP/1.0 request. */
  static final String HTTP_1_0 =
      "HTTP/1.0 is not supported: send HTTP/1.1 (behind nginx: proxy_http_version 1.1)";

  private MalformedRequests() {}

  /** The handlers for every event type Helidon answers by itself. */
  public static DirectHandlers handlers() {
    DirectHandlers.Builder builder = DirectHandlers.builder();
    MalformedRequests handler = new MalformedRequests();
    for (EventType type : EventType.values()) {
      builder.addHandler(type, handler);
    }
    return builder.build();
  }

  @Override
  public TransportResponse handle(
      TransportRequest request,
      EventType eventType,
      Status status,
      ServerResponseHeaders headers,
      String message) {
    String text = message == null || message.isBlank() ? status.reasonPhrase() : message.strip();
    if (status.code() == Status.HTTP_VERSION_NOT_SUPPORTED_505.code()) {
      // Helidon refuses HTTP/1.0 (the only version it names): say what to send instead
      text = HTTP_1_0;
    } else if (status.code() >= 500) {
      text = "internal error";
    }
    headers.set(HeaderNames.CONTENT_TYPE, MediaTypes.APPLICATION_JSON.text());
    return TransportResponse.builder()
        .status(status)
        .headers(headers)
        .keepAlive(false)
        .entity(ErrorResponses.body(status.code(), text))
        .build();
  }
}
