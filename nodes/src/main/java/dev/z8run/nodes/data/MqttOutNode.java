package dev.z8run.nodes.data;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.io.json.JsonScanner;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.JsonValues;
import dev.z8run.nodes.support.LiveConnections;
import dev.z8run.nodes.support.MessagePath;
import java.nio.charset.StandardCharsets;

/**
 * {@code mqtt-out}: publishes each message on the shared session of its connection ({@link
 * MqttSession}) from its worker, without waiting: the client writes it in the background. Messages
 * not yet acknowledged (QoS 1/2) or written (QoS 0) count against the session's bounded buffer;
 * when it is full, or the client is disconnected, messages queue in order and go out as room frees
 * and the connection is back, and past {@code bufferSize} queued ones they are dropped and counted
 * in the node's status. Messages leave in the order they arrive.
 *
 * <p>Topic, QoS and retain come from the config, else from {@code msg.topic}, {@code msg.qos},
 * {@code msg.retain}. The payload sent is the binary payload when there is one, a string's text,
 * else the JSON of {@code msg.payload}. Messages dropped while disconnected (buffer full) are
 * counted in the node's status.
 */
final class MqttOutNode implements Node {
  private static final MessagePath PAYLOAD = MessagePath.of("payload");
  private static final MessagePath TOPIC = MessagePath.of("topic");
  private static final MessagePath QOS = MessagePath.of("qos");
  private static final MessagePath RETAIN = MessagePath.of("retain");

  private final NodeContext context;
  private final LiveConnections.Lease<MqttSession> lease;
  private final String topic;
  private final int qos;
  private final Boolean retain;

  MqttOutNode(NodeContext context) throws Exception {
    this.context = context;
    topic = context.configString("topic", "");
    qos = MqttNodes.qos(context.config().get("qos"), -1);
    Object configured = context.config().get("retain");
    retain =
        configured == null || "".equals(configured)
            ? null
            : Boolean.valueOf("true".equalsIgnoreCase(String.valueOf(configured)));
    lease = MqttNodes.lease(context);
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    String target = topic.isEmpty() ? text(msg, TOPIC) : topic;
    if (target == null || target.isEmpty()) {
      throw new IllegalArgumentException("no topic: the node has none and msg.topic is empty");
    }
    MqttSession.Sent sent = lease.client().offer(target, payload(msg), qos(msg), retain(msg));
    if (sent == MqttSession.Sent.DROPPED) {
      long dropped = lease.client().dropped();
      if (dropped == 1 || dropped % 1000 == 0) {
        context.status(dropped + " dropped while disconnected (buffer full)");
      }
    }
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

  private static String text(MessageFlyweight msg, MessagePath path) {
    long span = path.find(msg.buffer(), msg.jsonOffset(), msg.jsonLength());
    return span == JsonScanner.NOT_FOUND ? null : JsonValues.text(msg.buffer(), span);
  }

  /** The bytes to publish: the binary payload, a string's text, else the payload's JSON. */
  static byte[] payload(MessageFlyweight msg) {
    if (msg.binaryLength() > 0) {
      return msg.binaryBytes();
    }
    long span = PAYLOAD.find(msg.buffer(), msg.jsonOffset(), msg.jsonLength());
    if (span == JsonScanner.NOT_FOUND) {
      return new byte[0];
    }
    if (JsonValues.kind(msg.buffer(), span) == JsonValues.STRING) {
      return JsonValues.text(msg.buffer(), span).getBytes(StandardCharsets.UTF_8);
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
