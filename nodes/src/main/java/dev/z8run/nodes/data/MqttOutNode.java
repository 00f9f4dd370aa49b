package dev.z8run.nodes.data;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.json.JsonScanner;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.JsonValues;
import dev.z8run.nodes.support.LiveConnections;
import dev.z8run.nodes.support.MessagePath;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code mqtt-out}: publishes each message on the shared session of its connection ({@link
 * MqttSession}) from its worker, without waiting: the client writes it in the background. Messages
 * not yet acknowledged (QoS 1/2) or written (QoS 0) count against the session's bounded buffer;
 * when it is full, or the client is disconnected, messages queue in order and go out as room frees
 * and the connection is back, and past {@code bufferSize} queued ones they are dropped and counted
 * in the node's status. Messages leave in the order they arrive.
 *
 * <p>Topic, QoS and retain come from the config, else from {@code msg.topic}, {@code msg.qos},
 * {@code msg.retain}. On an MQTT 5 connection the publish carries the properties Node-RED's {@code
 * mqtt out} sends: {@code responseTopic}, {@code correlationData}, {@code contentType}, {@code
 * messageExpiryInterval} and {@code userProperties} from the config, else from the message, and
 * {@code msg.payloadFormatIndicator}; a message with no topic goes to its {@code responseTopic}.
 * The payload sent is the binary payload when there is one, a string's text, else the JSON of
 * {@code msg.payload}. Messages dropped while disconnected (buffer full) are counted in the node's
 * status.
 */
final class MqttOutNode implements Node {
  private static final MessagePath PAYLOAD = MessagePath.of("payload");
  private static final MessagePath TOPIC = MessagePath.of("topic");
  private static final MessagePath QOS = MessagePath.of("qos");
  private static final MessagePath RETAIN = MessagePath.of("retain");
  private static final MessagePath RESPONSE_TOPIC = MessagePath.of("responseTopic");
  private static final MessagePath CORRELATION_DATA = MessagePath.of("correlationData");
  private static final MessagePath CONTENT_TYPE = MessagePath.of("contentType");
  private static final MessagePath EXPIRY = MessagePath.of("messageExpiryInterval");
  private static final MessagePath FORMAT = MessagePath.of("payloadFormatIndicator");
  private static final MessagePath USER_PROPERTIES = MessagePath.of("userProperties");
  private static final MessagePath ACTION = MessagePath.of("action");
  private static final MessagePath BROKER = MessagePath.of("broker");

  private final NodeContext context;
  private final LiveConnections.Lease<MqttSession> lease;
  private final String topic;
  private final int qos;
  private final Boolean retain;

  /** MQTT 5 properties set in the config (Node-RED's: they override the message's); or null. */
  private final String responseTopic;

  private final byte[] correlationData;
  private final String contentType;
  private final Long messageExpiryInterval;
  private final List<Map.Entry<String, String>> userProperties;

  MqttOutNode(NodeContext context) throws Exception {
    this.context = context;
    topic = context.configString("topic", "");
    qos = MqttNodes.qos(context.config().get("qos"), -1);
    Object configured = context.config().get("retain");
    retain =
        configured == null || "".equals(configured)
            ? null
            : Boolean.valueOf("true".equalsIgnoreCase(String.valueOf(configured)));
    responseTopic = emptyToNull(context.configString("responseTopic", ""));
    String correlation = context.configString("correlationData", "");
    correlationData = correlation.isEmpty() ? null : correlation.getBytes(StandardCharsets.UTF_8);
    contentType = emptyToNull(context.configString("contentType", ""));
    Object expiry = context.config().get("messageExpiryInterval");
    messageExpiryInterval =
        expiry == null || "".equals(expiry) ? null : expiry(expiry, "messageExpiryInterval");
    Object user = context.config().get("userProperties");
    if (user instanceof String text && !text.isBlank()) {
      try {
        user = JsonCodec.parse(text);
      } catch (RuntimeException notJson) {
        throw new IllegalArgumentException(
            "field 'userProperties': a JSON object of names and values, got " + text);
      }
    }
    if (user != null && !"".equals(user) && !(user instanceof Map<?, ?>)) {
      throw new IllegalArgumentException(
          "field 'userProperties': a JSON object of names and values, got "
              + JsonCodec.describe(user));
    }
    userProperties = user instanceof Map<?, ?> map ? userProperties(map) : List.of();
    lease = MqttNodes.lease(context);
  }

  private static String emptyToNull(String text) {
    return text.isEmpty() ? null : text;
  }

  private static long expiry(Object value, String field) {
    long seconds;
    try {
      seconds =
          value instanceof Number n ? n.longValue() : Long.parseLong(value.toString().strip());
    } catch (NumberFormatException notNumber) {
      throw new IllegalArgumentException(
          "field '" + field + "': seconds, a whole number, got " + value);
    }
    if (seconds < 0 || seconds > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException(
          "field '" + field + "': 0 to 4294967295 seconds, got " + seconds);
    }
    return seconds;
  }

  /** Node-RED's: string values as they are, others as their JSON, null ones left out. */
  private static List<Map.Entry<String, String>> userProperties(Map<?, ?> map) {
    List<Map.Entry<String, String>> pairs = new ArrayList<>(map.size());
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      Object value = entry.getValue();
      if (value == null) {
        continue;
      }
      pairs.add(
          Map.entry(
              String.valueOf(entry.getKey()),
              value instanceof String text ? text : JsonCodec.writeString(value)));
    }
    return pairs;
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) throws Exception {
    MqttSession session = lease.client();
    long action = ACTION.find(msg.buffer(), msg.jsonOffset(), msg.jsonLength());
    if (action != JsonScanner.NOT_FOUND && truthy(msg, action)) {
      // Node-RED's: a control message is not published
      Object broker = value(msg, BROKER);
      String name =
          JsonValues.kind(msg.buffer(), action) == JsonValues.STRING
              ? JsonValues.text(msg.buffer(), action)
              : "";
      switch (name) {
        case "connect" -> {
          MqttNodes.connect(context, session, broker);
          context.status("connect: " + session.currentSettings().address());
        }
        case "disconnect" -> {
          session.disconnect();
          context.status("disconnected");
        }
        default -> throw new IllegalArgumentException("Invalid action specified");
      }
      return;
    }
    String target = topic.isEmpty() ? text(msg, TOPIC) : topic;
    MqttSession.Properties properties = MqttSession.Properties.NONE;
    if (session.isVersion5()) {
      properties = properties(msg);
      if ((target == null || target.isEmpty()) && properties.responseTopic() != null) {
        // Node-RED's reply: no topic, so it goes to the response topic (not sent on again)
        target = properties.responseTopic();
        properties =
            new MqttSession.Properties(
                null,
                properties.correlationData(),
                properties.contentType(),
                properties.messageExpiryInterval(),
                properties.payloadFormatIndicator(),
                properties.userProperties());
      }
    }
    if (target == null || target.isEmpty()) {
      throw new IllegalArgumentException("no topic: the node has none and msg.topic is empty");
    }
    MqttSession.Sent sent = session.offer(target, payload(msg), qos(msg), retain(msg), properties);
    if (sent == MqttSession.Sent.DROPPED) {
      long dropped = lease.client().dropped();
      if (dropped == 1 || dropped % 1000 == 0) {
        context.status(dropped + " dropped while disconnected (buffer full)");
      }
    }
  }

  /**
   * JavaScript's truthiness of the value at {@code span} (Node-RED tests {@code if (msg.action)}).
   */
  private static boolean truthy(MessageFlyweight msg, long span) {
    return switch (JsonValues.kind(msg.buffer(), span)) {
      case JsonValues.STRING -> !JsonValues.text(msg.buffer(), span).isEmpty();
      case JsonValues.BOOLEAN -> JsonValues.isTrue(msg.buffer(), span);
      case JsonValues.NUMBER -> JsonValues.number(msg.buffer(), span) != 0;
      case JsonValues.NULL -> false;
      default -> true;
    };
  }

  private int qos(MessageFlyweight msg) {
    if (qos >= 0) {
      return qos;
    }
    long span = QOS.find(msg.buffer(), msg.jsonOffset(), msg.jsonLength());
    if (span == JsonScanner.NOT_FOUND || JsonValues.kind(msg.buffer(), span) != JsonValues.NUMBER) {
      return 0;
    }
    return MqttNodes.qos((int) JsonValues.number(msg.buffer(), span), 0);
  }

  private boolean retain(MessageFlyweight msg) {
    if (retain != null) {
      return retain;
    }
    long span = RETAIN.find(msg.buffer(), msg.jsonOffset(), msg.jsonLength());
    return span != JsonScanner.NOT_FOUND && JsonValues.isTrue(msg.buffer(), span);
  }

  /** The MQTT 5 properties: the config's, else the message's (Node-RED's names). */
  private MqttSession.Properties properties(MessageFlyweight msg) {
    String response = responseTopic != null ? responseTopic : string(msg, RESPONSE_TOPIC);
    byte[] correlation = correlationData != null ? correlationData : correlation(msg);
    String type = contentType != null ? contentType : string(msg, CONTENT_TYPE);
    Long expiry = messageExpiryInterval != null ? messageExpiryInterval : messageExpiry(msg);
    long span = FORMAT.find(msg.buffer(), msg.jsonOffset(), msg.jsonLength());
    Boolean format = null;
    if (span != JsonScanner.NOT_FOUND) {
      int kind = JsonValues.kind(msg.buffer(), span);
      if (kind == JsonValues.BOOLEAN) {
        format = JsonValues.isTrue(msg.buffer(), span);
      } else if (kind == JsonValues.STRING) {
        String text = JsonValues.text(msg.buffer(), span);
        format = text.equals("true") ? Boolean.TRUE : text.equals("false") ? Boolean.FALSE : null;
      }
    }
    List<Map.Entry<String, String>> user = userProperties;
    if (user.isEmpty()) {
      Object value = value(msg, USER_PROPERTIES);
      if (value instanceof Map<?, ?> map) {
        user = userProperties(map);
      }
    }
    if (response == null
        && correlation == null
        && type == null
        && expiry == null
        && format == null
        && user.isEmpty()) {
      return MqttSession.Properties.NONE;
    }
    return new MqttSession.Properties(response, correlation, type, expiry, format, user);
  }

  /** {@code msg.messageExpiryInterval} when a whole number of seconds in range; else none. */
  private static Long messageExpiry(MessageFlyweight msg) {
    Object value = value(msg, EXPIRY);
    if (value instanceof Number n) {
      long seconds = n.longValue();
      return seconds >= 0 && seconds <= 0xFFFF_FFFFL ? seconds : null;
    }
    if (value instanceof String text) {
      try {
        long seconds = Long.parseLong(text.strip());
        return seconds >= 0 && seconds <= 0xFFFF_FFFFL ? seconds : null;
      } catch (NumberFormatException notNumber) {
        return null;
      }
    }
    return null;
  }

  /**
   * {@code msg.correlationData}: a string's UTF-8 bytes, a Buffer's JSON ({@code {type: "Buffer",
   * data: [...]}}, as {@code mqtt-in} gives it) or an array of byte values.
   */
  private static byte[] correlation(MessageFlyweight msg) {
    Object value = value(msg, CORRELATION_DATA);
    if (value instanceof String text) {
      return text.isEmpty() ? null : text.getBytes(StandardCharsets.UTF_8);
    }
    if (value instanceof Map<?, ?> buffer && buffer.get("data") instanceof List<?> data) {
      value = data;
    }
    if (value instanceof List<?> list) {
      byte[] bytes = new byte[list.size()];
      for (int i = 0; i < bytes.length; i++) {
        if (!(list.get(i) instanceof Number n) || n.longValue() < 0 || n.longValue() > 255) {
          throw new IllegalArgumentException(
              "msg.correlationData: a string, a Buffer or an array of bytes 0-255, got "
                  + JsonCodec.describe(list));
        }
        bytes[i] = (byte) n.intValue();
      }
      return bytes;
    }
    return null;
  }

  /** The value at {@code path}, parsed; null when absent. */
  private static Object value(MessageFlyweight msg, MessagePath path) {
    long span = path.find(msg.buffer(), msg.jsonOffset(), msg.jsonLength());
    if (span == JsonScanner.NOT_FOUND) {
      return null;
    }
    int start = JsonScanner.spanStart(span);
    byte[] json = new byte[JsonScanner.spanEnd(span) - start];
    msg.buffer().getBytes(start, json);
    return JsonCodec.parse(json);
  }

  /** A non-empty string at {@code path} (Node-RED's string properties); else null. */
  private static String string(MessageFlyweight msg, MessagePath path) {
    long span = path.find(msg.buffer(), msg.jsonOffset(), msg.jsonLength());
    if (span == JsonScanner.NOT_FOUND || JsonValues.kind(msg.buffer(), span) != JsonValues.STRING) {
      return null;
    }
    String text = JsonValues.text(msg.buffer(), span);
    return text.isEmpty() ? null : text;
  }

  private static String text(MessageFlyweight msg, MessagePath path) {
    long span = path.find(msg.buffer(), msg.jsonOffset(), msg.jsonLength());
    return span == JsonScanner.NOT_FOUND ? null : JsonValues.text(msg.buffer(), span);
  }

  /**
   * The bytes to publish: the binary payload, a string's text, nothing for a missing or null
   * payload, else the payload's JSON.
   */
  static byte[] payload(MessageFlyweight msg) {
    if (msg.binaryLength() > 0) {
      return msg.binaryBytes();
    }
    long span = PAYLOAD.find(msg.buffer(), msg.jsonOffset(), msg.jsonLength());
    if (span == JsonScanner.NOT_FOUND) {
      return new byte[0];
    }
    int kind = JsonValues.kind(msg.buffer(), span);
    if (kind == JsonValues.STRING) {
      return JsonValues.text(msg.buffer(), span).getBytes(StandardCharsets.UTF_8);
    }
    if (kind == JsonValues.NULL) {
      return new byte[0]; // Node-RED publishes a null payload as an empty message
    }
    int start = JsonScanner.spanStart(span);
    byte[] json = new byte[JsonScanner.spanEnd(span) - start];
    msg.buffer().getBytes(start, json);
    return json;
  }

  @Override
  public void onStop() {
    lease.close();
  }
}
