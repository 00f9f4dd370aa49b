package dev.z8run.nodes.data;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.LiveConnections;
import dev.z8run.nodes.support.MessageBodies;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * z8run's {@code mqtt} node on a shared session: {@code action: publish} publishes {@code
 * msg.payload} to {@code topic} and answers {@code {topic, qos, payload_size}} on port 0; {@code
 * action: subscribe} answers each input with the next message of {@code topic} ({@code {topic,
 * payload, qos, retain}}), or {@code {error, topic}} on port 1 after {@code timeout} ms. The
 * subscription lasts while the flow runs, and keeps at most 1,000 messages for inputs to come.
 */
final class MqttNode implements Node {
  private static final int KEPT = 1_000;

  private final LiveConnections.Lease<MqttSession> lease;
  private final boolean subscribe;
  private final String topic;
  private final int qos;
  private final long timeoutMs;
  private final BlockingQueue<Map<String, Object>> received = new ArrayBlockingQueue<>(KEPT);

  MqttNode(NodeContext context) throws Exception {
    subscribe = context.configString("action", "publish").equals("subscribe");
    topic = context.configString("topic", "z8run/default");
    qos = MqttNodes.qos(context.config().get("qos"), 0);
    timeoutMs = context.configLong("timeout", 30_000);
    if (subscribe) {
      context.limitConcurrency(1);
    }
    lease = MqttNodes.lease(context);
  }

  @Override
  public void onStart() {
    if (subscribe) {
      lease
          .client()
          .subscribe(this, topic, MqttSession.SubscribeOptions.qos(qos), this::onIncoming);
    }
  }

  private void onIncoming(MqttSession.Incoming incoming) {
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("topic", incoming.topic());
    message.put("payload", new String(incoming.payload(), StandardCharsets.UTF_8));
    message.put("qos", incoming.qos());
    message.put("retain", incoming.retain());
    if (!received.offer(message)) {
      received.poll();
      received.offer(message);
    }
    incoming.acknowledge();
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) throws Exception {
    Map<String, Object> body = MessageBodies.parse(msg);
    if (subscribe) {
      Map<String, Object> next = received.poll(timeoutMs, TimeUnit.MILLISECONDS);
      if (next == null) {
        body.put(
            "payload",
            Map.of("error", "MQTT receive timeout after " + timeoutMs + "ms", "topic", topic));
        MessageBodies.send(out, 1, body, null);
        return;
      }
      body.put("payload", next);
      MessageBodies.send(out, 0, body, null);
      return;
    }
    byte[] payload = MqttOutNode.payload(msg);
    MqttSession.Sent sent = lease.client().publish(topic, payload, qos, false);
    if (sent == MqttSession.Sent.DROPPED) {
      body.put(
          "payload",
          Map.of("error", "MQTT publish failed: disconnected, buffer full", "topic", topic));
      MessageBodies.send(out, 1, body, null);
      return;
    }
    body.put("payload", Map.of("topic", topic, "qos", qos, "payload_size", payload.length));
    MessageBodies.send(out, 0, body, null);
  }

  @Override
  public void onStop() {
    try {
      if (subscribe) {
        lease.client().unsubscribe(this, topic);
      }
    } finally {
      lease.close();
    }
  }
}
