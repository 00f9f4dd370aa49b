package dev.z8run.nodes.data;

import dev.z8run.core.node.InjectResult;
import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.message.MessageBodyView;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.LiveConnections;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code mqtt-in}: a trigger that starts an execution for every message of its topic filter, on the
 * shared session of its connection ({@link MqttSession}).
 *
 * <p>Back-pressure: a message is acknowledged to the broker (QoS 1/2) only once the flow has taken
 * it. When the flow pushes back, messages wait in order in a queue that a virtual thread retries;
 * for QoS 1/2 the broker's window of unacknowledged messages bounds that queue, and QoS 0 messages
 * past {@code maxPending} are dropped and counted in the node's status.
 *
 * <p>The message is Node-RED's: {@code topic}, {@code payload} (per {@code datatype}), {@code qos},
 * {@code retain}.
 */
final class MqttInNode implements Node {
  private record Waiting(byte[] json, byte[] binary, MqttSession.Incoming incoming) {}

  private final NodeContext context;
  private final LiveConnections.Lease<MqttSession> lease;
  private final String topic;
  private final int qos;
  private final String datatype;
  private final int maxPending;
  private final ArrayDeque<Waiting> pending = new ArrayDeque<>();
  private final AtomicLong dropped = new AtomicLong();
  private final MessageBodyView view = new MessageBodyView();
  private volatile boolean running;
  private Thread retrier;

  MqttInNode(NodeContext context) throws Exception {
    this.context = context;
    topic = context.configString("topic", "");
    if (topic.isBlank()) {
      throw new IllegalArgumentException("field 'topic': a topic filter is needed");
    }
    qos = MqttNodes.qos(context.config().get("qos"), 2);
    datatype = context.configString("datatype", "auto-detect");
    maxPending = (int) context.configLong("maxPending", 10_000);
    lease = MqttNodes.lease(context);
  }

  @Override
  public void onStart() {
    running = true;
    retrier = Thread.ofVirtual().name("z8-mqtt-in-" + context.nodeId()).start(this::retry);
    lease.client().subscribe(topic, qos, this::onIncoming);
    context.status("subscribed to " + topic);
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    out.forward(0, msg);
  }

  /** On the client's thread: into the flow now, or in order behind the waiting ones. */
  private void onIncoming(MqttSession.Incoming incoming) {
    byte[] payload = incoming.payload();
    byte[] binary = datatype.equals("buffer") ? payload : null;
    byte[] json = encode(incoming, payload);
    synchronized (pending) {
      if (pending.isEmpty() && trigger(json, binary)) {
        incoming.acknowledge();
        return;
      }
      if (incoming.qos() == 0 && pending.size() >= maxPending) {
        long lost = dropped.incrementAndGet();
        incoming.acknowledge();
        if (lost == 1 || lost % 1000 == 0) {
          context.status(lost + " QoS 0 messages dropped (the flow pushes back)");
        }
        return;
      }
      pending.addLast(new Waiting(json, binary, incoming));
    }
    LockSupport.unpark(retrier);
  }

  private void retry() {
    while (running) {
      Waiting head;
      synchronized (pending) {
        head = pending.peekFirst();
        if (head != null && trigger(head.json, head.binary)) {
          pending.pollFirst();
          head.incoming.acknowledge();
          continue;
        }
      }
      LockSupport.parkNanos(head == null ? TimeUnit.MILLISECONDS.toNanos(100) : 200_000);
    }
  }

  /** Under the lock of {@code pending}: one execution per message, in order. */
  private boolean trigger(byte[] json, byte[] binary) {
    if (binary == null) {
      return context.tryTrigger(json);
    }
    view.json(new UnsafeBuffer(json), 0, json.length)
        .binary(new UnsafeBuffer(binary), 0, binary.length);
    return context.triggerAt(context.nodeId(), view) == InjectResult.ACCEPTED;
  }

  private byte[] encode(MqttSession.Incoming incoming, byte[] payload) {
    StringBuilder json = new StringBuilder(payload.length + incoming.topic().length() + 48);
    json.append("{\"topic\":").append(JsonCodec.writeString(incoming.topic()));
    json.append(",\"qos\":").append(incoming.qos());
    json.append(",\"retain\":").append(incoming.retain());
    json.append(",\"payload\":");
    switch (datatype) {
      case "buffer" -> json.append("null");
      case "base64" ->
          json.append('"').append(Base64.getEncoder().encodeToString(payload)).append('"');
      case "utf8" ->
          json.append(JsonCodec.writeString(new String(payload, StandardCharsets.UTF_8)));
      case "json" -> json.append(JsonCodec.writeString(JsonCodec.parse(payload)));
      default -> appendAuto(json, payload);
    }
    return json.append('}').toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void appendAuto(StringBuilder json, byte[] payload) {
    String text = new String(payload, StandardCharsets.UTF_8);
    if (looksLikeJson(text)) {
      try {
        JsonCodec.parse(payload);
        json.append(text.strip());
        return;
      } catch (RuntimeException notJson) {
        // a string after all
      }
    }
    json.append(JsonCodec.writeString(text));
  }

  private static boolean looksLikeJson(String text) {
    String stripped = text.strip();
    if (stripped.isEmpty()) {
      return false;
    }
    char first = stripped.charAt(0);
    return first == '{'
        || first == '['
        || first == '"'
        || first == '-'
        || Character.isDigit(first)
        || stripped.equals("true")
        || stripped.equals("false")
        || stripped.equals("null");
  }

  @Override
  public void onStop() {
    running = false;
    try {
      lease.client().unsubscribe(topic);
    } finally {
      LockSupport.unpark(retrier);
      lease.close();
    }
  }
}
