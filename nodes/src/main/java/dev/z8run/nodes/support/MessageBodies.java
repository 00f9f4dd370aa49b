package dev.z8run.nodes.support;

import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.json.JsonPatch;
import dev.z8run.io.message.MessageBodyView;
import dev.z8run.io.message.MessageFlyweight;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Helpers for the nodes that work on whole message objects (Join, Link, Inject, HTTP Request): a
 * message body as a map and back, and config numbers as Node-RED writes them (a number, or a string
 * holding one). These allocate: they are for nodes off the hot path.
 */
public final class MessageBodies {
  private MessageBodies() {}

  /** The body as a mutable map; a body that is not an object becomes {@code {payload: body}}. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> parse(MessageFlyweight msg) {
    byte[] json = new byte[msg.jsonLength()];
    msg.buffer().getBytes(msg.jsonOffset(), json);
    Object parsed = json.length == 0 ? Map.of() : JsonCodec.parse(json);
    if (parsed instanceof Map<?, ?> map) {
      return new LinkedHashMap<>((Map<String, Object>) map);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("payload", parsed);
    return body;
  }

  /**
   * Sends {@code body} as JSON, keeping the input's binary payload when {@code binaryOf} has one.
   */
  public static void send(Output out, int port, Object body, MessageFlyweight binaryOf) {
    if (binaryOf == null) {
      send(out, port, body, null, 0, 0);
    } else {
      send(out, port, body, binaryOf.buffer(), binaryOf.binaryOffset(), binaryOf.binaryLength());
    }
  }

  /** Sends {@code body} as JSON with the {@code length} bytes at {@code offset} as its payload. */
  public static void send(
      Output out, int port, Object body, DirectBuffer binary, int offset, int length) {
    byte[] json = JsonCodec.write(body);
    UnsafeBuffer buffer = new UnsafeBuffer(json);
    if (length > 0) {
      out.send(
          port, new MessageBodyView().json(buffer, 0, json.length).binary(binary, offset, length));
    } else {
      out.send(port, buffer, 0, json.length);
    }
  }

  /**
   * Sends {@code msg} on {@code port} with {@code value} written into its JSON body by {@code
   * patch} (prepared for {@code msg}'s body, giving {@code patchedLength} bytes), keeping its
   * binary payload. Claims the message in place: no copy of the body is made.
   */
  public static void sendPatched(
      Output out,
      int port,
      MessageFlyweight msg,
      JsonPatch patch,
      int patchedLength,
      DirectBuffer value) {
    MessageFlyweight claimed = out.claim(port, patchedLength, msg.binaryLength());
    MutableDirectBuffer destination = (MutableDirectBuffer) claimed.buffer();
    patch.write(value, 0, destination, claimed.jsonOffset());
    if (msg.binaryLength() > 0) {
      destination.putBytes(
          claimed.binaryOffset(), msg.buffer(), msg.binaryOffset(), msg.binaryLength());
    }
    out.commit();
  }

  /**
   * Config field {@code key} as a number: Node-RED writes numbers as strings ({@code "5"}), so both
   * are accepted; blank or absent gives {@code fallback}.
   *
   * @throws IllegalArgumentException naming the field when the value is not a number
   */
  public static double number(NodeContext context, String key, double fallback) {
    Object value = context.config().get(key);
    if (value instanceof Number number) {
      return number.doubleValue();
    }
    if (value == null || value instanceof String text && text.isBlank()) {
      return fallback;
    }
    try {
      return Double.parseDouble(value.toString().trim());
    } catch (NumberFormatException notANumber) {
      throw new IllegalArgumentException(
          key + ": expected a number, got " + JsonCodec.describe(value));
    }
  }

  /** Config field {@code key} as a list of strings (absent or null: empty). */
  public static List<String> strings(NodeContext context, String key) {
    Object value = context.config().get(key);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list)) {
      throw new IllegalArgumentException(
          key + ": expected an array of node ids, got " + JsonCodec.describe(value));
    }
    List<String> ids = new ArrayList<>();
    for (Object id : list) {
      if (!(id instanceof String text)) {
        throw new IllegalArgumentException(
            key + ": expected node ids (strings), got " + JsonCodec.describe(id));
      }
      ids.add(text);
    }
    return List.copyOf(ids);
  }
}
