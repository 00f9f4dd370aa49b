package dev.z8run.nodes.data;

import dev.z8run.core.node.InjectResult;
import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.io.frame.Utf8;
import dev.z8run.io.json.JsonBytes;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.message.MessageBodyView;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.LiveConnections;
import dev.z8run.nodes.support.MessageBodies;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
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
 * {@code retain}, and on an MQTT 5 connection the publish's properties under Node-RED's names
 * ({@code responseTopic}, {@code correlationData}, {@code contentType}, {@code
 * messageExpiryInterval}, {@code payloadFormatIndicator}, {@code userProperties}).
 */
final class MqttInNode implements Node {
  private record Waiting(byte[] json, byte[] binary, MqttSession.Incoming incoming) {}

  /** Node-RED's {@code isValidSubscriptionTopic}. */
  private static final Pattern SUBSCRIPTION_TOPIC =
      Pattern.compile("^(#$|(\\+|[^+#]*)(/(\\+|[^+#]*))*(/(\\+|#|[^+#]*))?$)");

  private final NodeContext context;
  private final LiveConnections.Lease<MqttSession> lease;
  private final String topic;
  private final int qos;
  private final String datatype;
  private final boolean dynamic;
  private final MqttSession.SubscribeOptions options;

  /** A dynamic node's subscriptions by filter, as Node-RED lists them; guarded by itself. */
  private final Map<String, Map<String, Object>> dynamicSubs = new LinkedHashMap<>();

  private final int maxPending;
  private final ArrayDeque<Waiting> pending = new ArrayDeque<>();
  private final AtomicLong dropped = new AtomicLong();
  private final MessageBodyView view = new MessageBodyView();
  private volatile boolean running;
  private Thread retrier;

  MqttInNode(NodeContext context) throws Exception {
    this.context = context;
    topic = context.configString("topic", "");
    // Node-RED's: inputs == 1 makes the node dynamic
    Object inputs = context.config().get("inputs");
    dynamic =
        inputs != null
            && (String.valueOf(inputs).equals("1")
                || Boolean.TRUE.equals(inputs)
                || (inputs instanceof Number n && n.doubleValue() == 1));
    if (!dynamic && topic.isBlank()) {
      throw new IllegalArgumentException(
          "field 'topic': a topic filter is needed (or inputs: 1, dynamic subscriptions)");
    }
    if (!dynamic && !SUBSCRIPTION_TOPIC.matcher(topic).find()) {
      throw new IllegalArgumentException("field 'topic': '" + topic + "' is not a topic filter");
    }
    qos = MqttNodes.qos(context.config().get("qos"), 2);
    datatype = context.configString("datatype", "auto-detect");
    maxPending = (int) context.configLong("maxPending", 10_000);
    long rh = context.configLong("rh", 0);
    options =
        new MqttSession.SubscribeOptions(
            qos,
            MqttNodes.flag(context.config().get("nl"), false),
            MqttNodes.flag(context.config().get("rap"), false),
            (int) rh);
    lease = MqttNodes.lease(context);
  }

  @Override
  public void onStart() {
    running = true;
    retrier = Thread.ofVirtual().name("z8-mqtt-in-" + context.nodeId()).start(this::retry);
    if (dynamic) {
      context.status("dynamic: no subscription yet");
      return;
    }
    lease.client().subscribe(this, topic, options, this::onIncoming);
    context.status("subscribed to " + topic);
  }

  /**
   * An arrival (an execution this node triggered) goes on to the output; a message from a wire is
   * one of Node-RED's control messages ({@code msg.action}): {@code connect} (with {@code
   * msg.broker}), {@code disconnect}, and on a dynamic node {@code subscribe}, {@code unsubscribe},
   * {@code getSubscriptions}; anything else is an error of the node.
   */
  @Override
  public void onMessage(MessageFlyweight msg, Output out) throws Exception {
    if (msg.sourceNode() < 0) {
      // an execution this node started (an arrival): on into the flow
      out.forward(0, msg);
      return;
    }
    Map<String, Object> body = MessageBodies.parse(msg);
    Object action = body.get("action");
    switch (action instanceof String name ? name : "") {
      case "connect" -> {
        MqttNodes.connect(context, lease.client(), body.get("broker"));
        context.status("connect: " + lease.client().currentSettings().address());
      }
      case "disconnect" -> {
        lease.client().disconnect();
        context.status("disconnected");
      }
      case "subscribe", "unsubscribe", "getSubscriptions" -> {
        if (!dynamic) {
          throw new IllegalArgumentException(
              "msg.action " + action + " needs a dynamic mqtt-in (inputs: 1)");
        }
        if (action.equals("getSubscriptions")) {
          body.put("topic", "subscriptions");
          body.put("payload", subscriptions());
          MessageBodies.send(out, 0, body, null);
        } else {
          manage(action.equals("subscribe"), body.get("topic"));
        }
      }
      default -> throw new IllegalArgumentException("Invalid action specified");
    }
  }

  private List<Map<String, Object>> subscriptions() {
    synchronized (dynamicSubs) {
      List<Map<String, Object>> list = new ArrayList<>();
      for (Map<String, Object> sub : dynamicSubs.values()) {
        list.add(new LinkedHashMap<>(sub));
      }
      return list;
    }
  }

  /**
   * Node-RED's subscribe and unsubscribe: {@code msg.topic} a filter, an object with {@code topic}
   * (and {@code qos}, {@code nl}, {@code rap}, {@code rh}, {@code datatype}), an array of them, or
   * (unsubscribe) {@code true} for all. Every entry is checked before any is applied.
   */
  private void manage(boolean subscribe, Object topics) {
    List<Object> entries;
    if (!subscribe && Boolean.TRUE.equals(topics)) {
      entries = new ArrayList<>(subscriptions());
    } else if (topics instanceof List<?> list) {
      entries = new ArrayList<>(list);
    } else if (topics instanceof String || topics instanceof Map<?, ?>) {
      entries = List.of(topics);
    } else {
      throw new IllegalArgumentException("msg.topic is missing or invalid");
    }
    List<Map<String, Object>> subs = new ArrayList<>();
    for (Object entry : entries) {
      Map<String, Object> sub = new LinkedHashMap<>();
      if (entry instanceof String text) {
        sub.put("topic", text);
      } else if (entry instanceof Map<?, ?> map) {
        map.forEach((name, value) -> sub.put(String.valueOf(name), value));
      }
      if (!(sub.get("topic") instanceof String filter)
          || filter.isEmpty()
          || !SUBSCRIPTION_TOPIC.matcher(filter).find()) {
        throw new IllegalArgumentException("Invalid topic specified: " + entry);
      }
      subs.add(sub);
    }
    MqttSession session = lease.client();
    for (Map<String, Object> sub : subs) {
      String filter = (String) sub.get("topic");
      synchronized (dynamicSubs) {
        if (dynamicSubs.remove(filter) != null) {
          session.unsubscribe(this, filter);
        }
        if (!subscribe) {
          continue;
        }
        MqttSession.SubscribeOptions subscribeOptions = dynamicOptions(sub, session.isVersion5());
        String subDatatype =
            sub.get("datatype") instanceof String type && !type.isEmpty() ? type : datatype;
        session.subscribe(
            this, filter, subscribeOptions, incoming -> onIncoming(incoming, subDatatype));
        dynamicSubs.put(filter, sub);
      }
    }
    context.status(
        dynamicSubs.isEmpty()
            ? "dynamic: no subscription"
            : "subscribed to " + dynamicSubs.keySet());
  }

  /**
   * A dynamic subscription's options, as Node-RED sets them (and writes them back into {@code
   * sub}): QoS 2 unless given; on MQTT 5 retain handling 0, retain-as-published true and no-local
   * false unless given.
   */
  private static MqttSession.SubscribeOptions dynamicOptions(Map<String, Object> sub, boolean v5) {
    int subQos = intProp(sub, "qos", 2, 0);
    sub.put("qos", subQos);
    if (!v5) {
      return MqttSession.SubscribeOptions.qos(subQos);
    }
    int rh = intProp(sub, "rh", 0, 0);
    sub.put("rh", rh);
    boolean rap = MqttNodes.flag(sub.get("rap"), true);
    sub.put("rap", rap);
    Object nl = sub.get("nl");
    boolean noLocal = "true".equals(String.valueOf(nl));
    if (nl != null && (noLocal || "false".equals(String.valueOf(nl)))) {
      sub.put("nl", noLocal);
    } else {
      sub.remove("nl");
    }
    return new MqttSession.SubscribeOptions(subQos, noLocal, rap, rh);
  }

  /**
   * Node-RED's setIntProp with 0..2: absent the default; not a number or out of range MQTT.js's.
   */
  private static int intProp(Map<String, Object> sub, String name, int absent, int invalid) {
    if (!sub.containsKey(name)) {
      return absent;
    }
    Object value = sub.get(name);
    try {
      int n =
          value instanceof Number number
              ? number.intValue()
              : Integer.parseInt(String.valueOf(value).strip());
      return n >= 0 && n <= 2 ? n : invalid;
    } catch (NumberFormatException notNumber) {
      return invalid;
    }
  }

  private void onIncoming(MqttSession.Incoming incoming) {
    onIncoming(incoming, datatype);
  }

  /**
   * On the client's thread: into the flow now (run on this thread when the engine can: the reader
   * hands nothing to a worker and wakes nothing), or in order behind the waiting ones.
   */
  private void onIncoming(MqttSession.Incoming incoming, String datatype) {
    JsonBytes json;
    byte[] binary;
    try {
      binary = decode(incoming, datatype, json = new JsonBytes(incoming.payload().length + 64));
    } catch (RuntimeException notJson) {
      // Node-RED's: a payload that must be JSON (datatype json, content type application/json)
      // and is not is reported and not sent
      incoming.acknowledge();
      context.error(
          "the payload on " + incoming.topic() + " is not JSON: " + notJson.getMessage(), null);
      return;
    }
    synchronized (pending) {
      if (pending.isEmpty()
          && (binary == null
              ? context.tryTriggerInline(json.array(), 0, json.length())
              : trigger(json.toByteArray(), binary))) {
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
      pending.addLast(new Waiting(json.toByteArray(), binary, incoming));
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

  /**
   * The message, as Node-RED's {@code mqtt in} builds it: {@code topic}, {@code qos}, {@code
   * retain}, the MQTT 5 properties present, and {@code payload} per {@code datatype} (and, for
   * auto-detect, per the MQTT 5 content type and payload format indicator, as Node-RED reads them),
   * written into {@code json}; returns the binary payload, or null when the payload is in the JSON.
   *
   * @throws RuntimeException when the payload must be JSON and is not
   */
  private byte[] decode(MqttSession.Incoming incoming, String datatype, JsonBytes json) {
    byte[] payload = incoming.payload();
    MqttSession.Properties properties = incoming.properties();
    json.raw("{\"topic\":").write(topicJson(incoming.topic()));
    json.raw(",\"qos\":").number(incoming.qos());
    json.raw(incoming.retain() ? ",\"retain\":true" : ",\"retain\":false");
    if (properties != MqttSession.Properties.NONE) {
      appendProperties(json, properties);
    }
    json.raw(",\"payload\":");
    byte[] binary = null;
    switch (datatype) {
      case "buffer" -> {
        json.raw("null");
        binary = payload;
      }
      case "base64" -> json.raw("\"").raw(Base64.getEncoder().encodeToString(payload)).raw("\"");
      case "utf8" -> json.string(new String(payload, StandardCharsets.UTF_8));
      case "json" -> appendJson(json, payload);
      default -> {
        String media = mediaKind(properties);
        switch (media) {
          case "string" -> json.string(new String(payload, StandardCharsets.UTF_8));
          case "buffer" -> {
            json.raw("null");
            binary = payload;
          }
          case "json" -> {
            if (datatype.equals("auto-detect")) {
              appendJson(json, payload);
            } else {
              JsonCodec.parse(payload); // must be JSON, passed on as its text
              json.string(new String(payload, StandardCharsets.UTF_8));
            }
          }
          default -> {
            if (!Utf8.isValid(payload)) { // Node-RED's isUtf8
              json.raw("null"); // not text: Node-RED leaves it a Buffer
              binary = payload;
            } else if (datatype.equals("auto-detect")) {
              appendAuto(json, payload);
            } else { // Node-RED's legacy "auto": a string, never parsed
              json.string(new String(payload, StandardCharsets.UTF_8));
            }
          }
        }
      }
    }
    json.raw("}");
    return binary;
  }

  /** The JSON string of a topic; the last one is kept, as a filter's topics often repeat. */
  private byte[] topicJson(String topic) {
    TopicJson last = lastTopic;
    if (last == null || !last.topic.equals(topic)) {
      last = new TopicJson(topic, JsonCodec.write(topic));
      lastTopic = last;
    }
    return last.json;
  }

  private record TopicJson(String topic, byte[] json) {}

  private volatile TopicJson lastTopic;

  /**
   * What Node-RED makes of an auto-detected payload given its MQTT 5 content type: {@code string},
   * {@code buffer}, {@code json}, or {@code auto} (no content type, or one it does not know).
   */
  static String mediaKind(MqttSession.Properties properties) {
    String type = properties.contentType();
    if (type == null) {
      return "auto";
    }
    return switch (type.toLowerCase(Locale.ROOT)) {
      case "text/css", "text/html", "text/plain", "application/xml" -> "string";
      case "application/json" -> "json";
      case "application/octet-stream",
          "application/pdf",
          "application/x-gtar",
          "application/x-gzip",
          "application/x-tar",
          "application/zip",
          "audio/aac",
          "audio/ac3",
          "audio/basic",
          "audio/mp4",
          "audio/ogg",
          "image/bmp",
          "image/gif",
          "image/jpeg",
          "image/tiff",
          "image/png" ->
          "buffer";
      default -> "auto";
    };
  }

  /** The MQTT 5 properties under Node-RED's msg names (correlation data as a Buffer's JSON). */
  private static void appendProperties(JsonBytes json, MqttSession.Properties properties) {
    if (properties.responseTopic() != null) {
      json.raw(",\"responseTopic\":").string(properties.responseTopic());
    }
    if (properties.correlationData() != null) {
      json.raw(",\"correlationData\":{\"type\":\"Buffer\",\"data\":[");
      byte[] data = properties.correlationData();
      for (int i = 0; i < data.length; i++) {
        if (i > 0) {
          json.write((byte) ',');
        }
        json.number(data[i] & 0xFF);
      }
      json.raw("]}");
    }
    if (properties.contentType() != null) {
      json.raw(",\"contentType\":").string(properties.contentType());
    }
    if (properties.messageExpiryInterval() != null) {
      json.raw(",\"messageExpiryInterval\":").number(properties.messageExpiryInterval());
    }
    if (properties.payloadFormatIndicator() != null) {
      json.raw(",\"payloadFormatIndicator\":")
          .raw(properties.payloadFormatIndicator() ? "true" : "false");
    }
    if (!properties.userProperties().isEmpty()) {
      // a name sent more than once becomes an array of its values, as MQTT.js reads them
      Map<String, Object> user = new LinkedHashMap<>();
      for (Map.Entry<String, String> pair : properties.userProperties()) {
        user.merge(
            pair.getKey(),
            pair.getValue(),
            (was, value) -> {
              List<Object> values = new ArrayList<>();
              if (was instanceof List<?> list) {
                values.addAll(list);
              } else {
                values.add(was);
              }
              values.add(value);
              return values;
            });
      }
      json.raw(",\"userProperties\":").write(JsonCodec.write(user));
    }
  }

  /** The payload parsed as JSON (it must be), re-written compact. */
  private static void appendJson(JsonBytes json, byte[] payload) {
    json.write(JsonCodec.write(JsonCodec.parse(payload)));
  }

  private static void appendAuto(JsonBytes json, byte[] payload) {
    int start = 0;
    int end = payload.length;
    while (start < end && isSpace(payload[start])) {
      start++;
    }
    while (end > start && isSpace(payload[end - 1])) {
      end--;
    }
    if (start < end && JsonCheck.surelyValid(payload, start, end)) {
      // JSON as JsonCodec.parse would accept it, checked without building it
      json.write(payload, start, end - start);
      return;
    }
    if (start < end && looksLikeJson(payload, start, end)) {
      try {
        JsonCodec.parse(payload, start, end - start);
        json.write(payload, start, end - start);
        return;
      } catch (RuntimeException notJson) {
        // a string after all
      }
    }
    json.string(new String(payload, StandardCharsets.UTF_8));
  }

  private static boolean isSpace(byte b) {
    return b == ' ' || b == '\n' || b == '\r' || b == '\t';
  }

  private static boolean looksLikeJson(byte[] payload, int start, int end) {
    byte first = payload[start];
    if (first == '{' || first == '[' || first == '"' || first == '-') {
      return true;
    }
    if (first >= '0' && first <= '9') {
      return true;
    }
    return equalsAscii(payload, start, end, "true")
        || equalsAscii(payload, start, end, "false")
        || equalsAscii(payload, start, end, "null");
  }

  private static boolean equalsAscii(byte[] payload, int start, int end, String word) {
    if (end - start != word.length()) {
      return false;
    }
    for (int i = 0; i < word.length(); i++) {
      if (payload[start + i] != word.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void onStop() {
    running = false;
    try {
      if (dynamic) {
        synchronized (dynamicSubs) {
          for (String filter : dynamicSubs.keySet()) {
            lease.client().unsubscribe(this, filter);
          }
          dynamicSubs.clear();
        }
      } else {
        lease.client().unsubscribe(this, topic);
      }
    } finally {
      LockSupport.unpark(retrier);
      lease.close();
    }
  }
}
