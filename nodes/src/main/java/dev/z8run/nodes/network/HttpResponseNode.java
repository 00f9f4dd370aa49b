package dev.z8run.nodes.network;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.node.Replies;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.json.FieldIndex;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.json.JsonScanner;
import dev.z8run.io.message.MessageFlyweight;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code http-out}: answers the HTTP request that started the message's execution. The body is
 * {@code msg.payload} (JSON for objects and arrays, text for strings, the raw bytes for a binary
 * payload); the status is {@code msg.statusCode} (a number, or a string of one), else the
 * configured one; headers are the configured ones overridden by {@code msg.headers}, and {@code
 * msg.cookies} become {@code Set-Cookie} headers ({@link ResponseCookies}; several values of one
 * header travel joined by {@code \n}, see {@link Replies}). The payload's bytes are handed over as
 * they are in the message: no tree is built for an object payload. The server drops the payload of
 * a 204, 205 or 304 answer, and the {@code Content-Length} of a 204 or 304
 * (docs/nodes/http-out.md).
 */
public final class HttpResponseNode implements Node {
  /**
   * The statuses an answer may have: 1xx are interim answers (a client reads on for the final one,
   * and 101 switches the connection's protocol), which the server sends itself when it must.
   */
  static final int FIRST_FINAL_STATUS = 200;

  static final int LAST_STATUS = 599;

  public static final NodeType TYPE =
      NodeType.builder("http-out")
          .category("network")
          .description("Answers the HTTP request that started the flow.")
          .outputs()
          .field(
              ConfigField.optional(
                      "statusCode",
                      FieldType.INTEGER,
                      200L,
                      "Status when msg.statusCode is not set.")
                  .between(FIRST_FINAL_STATUS, LAST_STATUS))
          .field(
              ConfigField.optional(
                  "headers", FieldType.OBJECT, Map.of(), "Response headers (name -> value)."))
          .factory(HttpResponseNode::new)
          .build();

  private static final byte[][] PAYLOAD = {"payload".getBytes(StandardCharsets.UTF_8)};
  private static final byte[][] STATUS = {"statusCode".getBytes(StandardCharsets.UTF_8)};
  private static final byte[][] HEADERS = {"headers".getBytes(StandardCharsets.UTF_8)};
  private static final byte[][] COOKIES = {"cookies".getBytes(StandardCharsets.UTF_8)};
  private static final byte[] NULL = "null".getBytes(StandardCharsets.UTF_8);

  private final NodeContext context;
  private final Replies replies;
  private final int statusCode;
  private final Map<String, String> headers;

  private HttpResponseNode(NodeContext context) {
    this.context = context;
    this.replies = context.service(Replies.class);
    this.statusCode = (int) context.configLong("statusCode", 200);
    this.headers = Map.copyOf(stringValues(context.config().get("headers")));
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    long ref = msg.ref();
    if (ref == 0 || replies == null) {
      context.warn("no HTTP request to answer: the message did not start at an http-in node");
      return;
    }
    long payload = FieldIndex.find(msg, PAYLOAD);
    byte[] payloadJson = payload == JsonScanner.NOT_FOUND ? NULL : bytes(msg, payload);
    byte[] binary = msg.binaryLength() > 0 ? msg.binaryBytes() : null;
    if (!replies.reply(ref, status(msg), headers(msg), payloadJson, binary)) {
      context.warn("the HTTP request was already answered or has timed out");
    }
  }

  private int status(MessageFlyweight msg) {
    long span = FieldIndex.find(msg, STATUS);
    if (span != JsonScanner.NOT_FOUND) {
      int status = statusOf(JsonCodec.parse(bytes(msg, span)));
      if (status >= FIRST_FINAL_STATUS && status <= LAST_STATUS) {
        return status;
      }
      if (status >= 0) {
        context.warn(
            "msg.statusCode "
                + status
                + " is not a final HTTP status (200 to 599): answered with "
                + statusCode);
      }
    }
    return statusCode;
  }

  /**
   * {@code msg.statusCode} as Node-RED's {@code parseInt} reads it: a number, or a string whose
   * leading digits are one ({@code "404"}, what a change node sets unless its type is switched to
   * number); -1 otherwise.
   */
  static int statusOf(Object value) {
    if (value instanceof Number number) {
      return number.intValue();
    }
    if (value instanceof String text) {
      String digits = text.strip();
      int end = 0;
      while (end < digits.length() && end < 4 && Character.isDigit(digits.charAt(end))) {
        end++;
      }
      return end == 0 ? -1 : Integer.parseInt(digits.substring(0, end));
    }
    return -1;
  }

  /**
   * The configured headers, overridden by {@code msg.headers}, with {@code msg.cookies} added.
   *
   * @throws IllegalArgumentException when a cookie cannot be written safely: nothing is answered
   */
  private Map<String, String> headers(MessageFlyweight msg) {
    long span = FieldIndex.find(msg, HEADERS);
    long cookieSpan = FieldIndex.find(msg, COOKIES);
    if (span == JsonScanner.NOT_FOUND && cookieSpan == JsonScanner.NOT_FOUND) {
      return headers;
    }
    Map<String, String> merged = new LinkedHashMap<>(headers);
    if (span != JsonScanner.NOT_FOUND) {
      merged.putAll(stringValues(JsonCodec.parse(bytes(msg, span))));
    }
    if (cookieSpan != JsonScanner.NOT_FOUND) {
      List<String> cookies =
          ResponseCookies.setCookies(
              JsonCodec.parse(bytes(msg, cookieSpan)), context.epochClock().time());
      if (!cookies.isEmpty()) {
        addSetCookies(merged, cookies);
      }
    }
    return merged;
  }

  /** Adds {@code cookies} to a {@code Set-Cookie} header of {@code headers}, in any case. */
  private static void addSetCookies(Map<String, String> headers, List<String> cookies) {
    String name = "Set-Cookie";
    for (String key : headers.keySet()) {
      if (key.equalsIgnoreCase(name)) {
        name = key;
      }
    }
    String before = headers.get(name);
    String joined = String.join("\n", cookies);
    headers.put(name, before == null ? joined : before + "\n" + joined);
  }

  private static Map<String, String> stringValues(Object object) {
    Map<String, String> values = new LinkedHashMap<>();
    if (object instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        if (entry.getValue() instanceof List<?> list) {
          // one header line per item, as express's res.set writes an array (two Set-Cookie, Link)
          List<String> lines = new ArrayList<>();
          for (Object item : list) {
            if (item != null) {
              lines.add(String.valueOf(item));
            }
          }
          if (!lines.isEmpty()) {
            values.put(String.valueOf(entry.getKey()), String.join("\n", lines));
          }
        } else if (entry.getValue() != null) {
          values.put(String.valueOf(entry.getKey()), String.valueOf(entry.getValue()));
        }
      }
    }
    return values;
  }

  private static byte[] bytes(MessageFlyweight msg, long span) {
    int start = JsonScanner.spanStart(span);
    byte[] bytes = new byte[JsonScanner.spanEnd(span) - start];
    msg.buffer().getBytes(start, bytes);
    return bytes;
  }
}
