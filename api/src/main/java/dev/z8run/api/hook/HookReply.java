package dev.z8run.api.hook;

import dev.z8run.io.json.JsonCodec;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes the reply of an {@code http-out} node: {@code {"statusCode":N,"headers":{...},
 * "msgStatusCode":N?,"msgHeaders":{...}?,"payload":...}} plus an optional binary payload. The
 * message's status and headers win over the node's configured ones.
 */
final class HookReply {
  private HookReply() {}

  static void write(ServerResponse response, byte[] json, byte[] binary) {
    Map<?, ?> reply = (Map<?, ?>) JsonCodec.parse(json);
    int status = status(reply.get("msgStatusCode"), status(reply.get("statusCode"), 200));
    response.status(status);
    boolean typed = false;
    for (Object headers : new Object[] {reply.get("headers"), reply.get("msgHeaders")}) {
      if (headers instanceof Map<?, ?> map) {
        for (Map.Entry<?, ?> header : map.entrySet()) {
          String name = String.valueOf(header.getKey());
          response.header(name, String.valueOf(header.getValue()));
          typed |= name.equalsIgnoreCase("content-type");
        }
      }
    }
    Object payload = reply.get("payload");
    byte[] body;
    String type;
    if (binary != null) {
      body = binary;
      type = "application/octet-stream";
    } else if (payload == null) {
      body = new byte[0];
      type = null;
    } else if (payload instanceof String text) {
      body = text.getBytes(StandardCharsets.UTF_8);
      type = "text/plain; charset=utf-8";
    } else {
      body = JsonCodec.write(payload);
      type = "application/json";
    }
    if (!typed && type != null) {
      response.header(HeaderNames.CONTENT_TYPE, type);
    }
    response.send(body);
  }

  private static int status(Object value, int fallback) {
    if (value instanceof Number number) {
      int code = number.intValue();
      if (code >= 100 && code <= 599) {
        return code;
      }
    }
    return fallback;
  }
}
