package dev.z8run.nodes.data;

import dev.z8run.core.node.NodeContext;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.nodes.support.ConnectionSettings;
import dev.z8run.nodes.support.LiveConnections;
import dev.z8run.nodes.support.OutboundPolicy;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The MQTT node types: {@code mqtt-in} ({@link MqttInNode}), {@code mqtt-out} ({@link MqttOutNode})
 * and z8run's {@code mqtt} ({@link MqttNode}, {@code action} publish or subscribe), with the
 * connection fields they share and the way they reach their {@link MqttSession}.
 */
public final class MqttNodes {
  private MqttNodes() {}

  /** The connection fields every MQTT node has (z8run's names). */
  private static List<ConfigField> connectionFields() {
    List<ConfigField> fields = new ArrayList<>();
    fields.add(
        ConfigField.optional(
            "connection",
            FieldType.ANY,
            null,
            "A shared connection's id (or its settings); else the fields below."));
    fields.add(ConfigField.optional("broker", FieldType.STRING, "127.0.0.1", "Broker host."));
    fields.add(ConfigField.optional("port", FieldType.ANY, null, "Broker port; 1883, TLS 8883."));
    fields.add(
        ConfigField.optional(
            "clientId", FieldType.STRING, "", "Client id; empty: z8run-<random>."));
    fields.add(ConfigField.optional("username", FieldType.STRING, "", "User name."));
    fields.add(ConfigField.optional("password", FieldType.SECRET, "", "Password, vault:<name>."));
    fields.add(ConfigField.optional("useTls", FieldType.BOOLEAN, false, "Connect with TLS."));
    fields.add(
        ConfigField.optional("keepAlive", FieldType.INTEGER, 60L, "Keep-alive in seconds.")
            .between(0, 65_535));
    fields.add(
        ConfigField.choice("protocolVersion", "4", List.of("4", "5"), "4: MQTT 3.1.1; 5: MQTT 5."));
    fields.add(
        ConfigField.optional(
            "cleanSession",
            FieldType.BOOLEAN,
            true,
            "false: a persistent session, which the broker keeps while the client is away."));
    fields.add(
        ConfigField.optional(
                "bufferSize",
                FieldType.INTEGER,
                10_000L,
                "Outgoing messages held while unacknowledged or disconnected.")
            .between(1, 1_000_000));
    fields.add(
        ConfigField.optional(
            "caFile",
            FieldType.STRING,
            "",
            "TLS: a PEM file of certificates to trust besides the JDK's (a private CA)."));
    fields.add(
        ConfigField.optional(
            "willTopic", FieldType.STRING, "", "Last will: its topic; empty: no will."));
    fields.add(ConfigField.optional("willPayload", FieldType.STRING, "", "Last will: payload."));
    fields.add(ConfigField.optional("willQos", FieldType.ANY, 0L, "Last will: QoS."));
    fields.add(ConfigField.optional("willRetain", FieldType.BOOLEAN, false, "Last will: retain."));
    fields.add(
        ConfigField.optional(
                "sessionExpiry",
                FieldType.INTEGER,
                null,
                "MQTT 5: seconds the broker keeps a persistent session (default 3600).")
            .atLeast(0));
    fields.add(
        ConfigField.optional(
            "autoConnect",
            FieldType.BOOLEAN,
            true,
            "false: the connection waits for a msg.action connect before it connects."));
    return fields;
  }

  /** Connection options a node may set besides the fields every connection has. */
  private static final List<String> OPTIONS =
      List.of(
          "keepAlive",
          "protocolVersion",
          "cleanSession",
          "bufferSize",
          "caFile",
          "willTopic",
          "willPayload",
          "willQos",
          "willRetain",
          "sessionExpiry",
          "autoConnect");

  private static NodeType.Builder withConnection(NodeType.Builder builder) {
    for (ConfigField field : connectionFields()) {
      builder.field(field);
    }
    return builder;
  }

  public static final NodeType MQTT_IN =
      withConnection(
              NodeType.builder("mqtt-in")
                  .category("data")
                  .description("Receives the messages of an MQTT topic filter.")
                  .inputs(PortSpec.any("control"))
                  .outputs(PortSpec.any("message")))
          .field(
              ConfigField.optional(
                  "topic",
                  FieldType.STRING,
                  "",
                  "Topic filter (+ and # wildcards, $share/...); needed unless dynamic."))
          .field(ConfigField.optional("qos", FieldType.ANY, 2L, "Subscription QoS: 0, 1 or 2."))
          .field(
              ConfigField.optional(
                  "inputs",
                  FieldType.ANY,
                  0L,
                  "1: dynamic, no subscription at start; msg.action subscribe, unsubscribe and"
                      + " getSubscriptions manage them."))
          .field(
              ConfigField.optional(
                  "nl",
                  FieldType.BOOLEAN,
                  false,
                  "MQTT 5 no local: the broker does not send back what this connection"
                      + " publishes."))
          .field(
              ConfigField.optional(
                  "rap",
                  FieldType.BOOLEAN,
                  false,
                  "MQTT 5 retain as published: retained messages keep their retain flag."))
          .field(
              ConfigField.optional(
                      "rh",
                      FieldType.INTEGER,
                      0L,
                      "MQTT 5 retain handling: 0 send retained messages at subscribe, 1 only"
                          + " for a new subscription, 2 never.")
                  .between(0, 2))
          .field(
              ConfigField.choice(
                  "datatype",
                  "auto-detect",
                  List.of("auto-detect", "auto", "utf8", "json", "buffer", "base64"),
                  "The payload: JSON when it is JSON else a string, a string, parsed JSON, the"
                      + " raw bytes (binary payload) or base64 text."))
          .field(
              ConfigField.optional(
                      "maxPending",
                      FieldType.INTEGER,
                      10_000L,
                      "QoS 0 messages held while the flow pushes back; more are dropped and"
                          + " counted.")
                  .between(1, 1_000_000))
          .factory(MqttInNode::new)
          .build();

  public static final NodeType MQTT_OUT =
      withConnection(
              NodeType.builder("mqtt-out")
                  .category("data")
                  .description("Publishes each message to an MQTT topic.")
                  .outputs())
          .field(ConfigField.optional("topic", FieldType.STRING, "", "Topic; empty: msg.topic."))
          .field(
              ConfigField.optional(
                  "qos", FieldType.ANY, "", "QoS 0, 1 or 2; empty: msg.qos, else 0."))
          .field(
              ConfigField.optional(
                  "retain", FieldType.ANY, "", "Retain flag; empty: msg.retain, else false."))
          .field(
              ConfigField.optional(
                  "responseTopic",
                  FieldType.STRING,
                  "",
                  "MQTT 5 response topic; empty: msg.responseTopic."))
          .field(
              ConfigField.optional(
                  "correlationData",
                  FieldType.STRING,
                  "",
                  "MQTT 5 correlation data (its UTF-8 bytes); empty: msg.correlationData."))
          .field(
              ConfigField.optional(
                  "contentType",
                  FieldType.STRING,
                  "",
                  "MQTT 5 content type (a MIME type); empty: msg.contentType."))
          .field(
              ConfigField.optional(
                  "messageExpiryInterval",
                  FieldType.ANY,
                  "",
                  "MQTT 5 message expiry in seconds; empty: msg.messageExpiryInterval."))
          .field(
              ConfigField.optional(
                  "userProperties",
                  FieldType.ANY,
                  null,
                  "MQTT 5 user properties, a JSON object of names and values; empty:"
                      + " msg.userProperties."))
          .factory(MqttOutNode::new)
          .build();

  public static final NodeType MQTT =
      withConnection(
              NodeType.builder("mqtt")
                  .category("data")
                  .description(
                      "z8run's MQTT node: publishes each message, or answers each with the next"
                          + " message of a topic.")
                  .outputs(PortSpec.any("output"), PortSpec.any("error"))
                  .blocking(true))
          .field(
              ConfigField.choice(
                  "action",
                  "publish",
                  List.of("publish", "subscribe"),
                  "publish: send msg.payload; subscribe: answer with the next message."))
          .field(ConfigField.optional("topic", FieldType.STRING, "z8run/default", "The topic."))
          .field(ConfigField.optional("qos", FieldType.ANY, 0L, "QoS 0, 1 or 2."))
          .field(
              ConfigField.optional(
                      "timeout",
                      FieldType.INTEGER,
                      30_000L,
                      "Subscribe: longest wait for a message, in milliseconds.")
                  .between(1, 3_600_000))
          .factory(MqttNode::new)
          .build();

  /** The node's connection settings (kind {@code mqtt}) from a shared connection or its fields. */
  static ConnectionSettings settings(NodeContext context) {
    Map<String, Object> config = context.config();
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("kind", "mqtt");
    fields.put("host", config.getOrDefault("broker", "127.0.0.1"));
    fields.put("port", config.get("port"));
    fields.put("database", config.getOrDefault("clientId", ""));
    fields.put("user", config.getOrDefault("username", ""));
    fields.put("password", config.getOrDefault("password", ""));
    fields.put("tls", config.getOrDefault("useTls", false));
    for (String option : OPTIONS) {
      Object value = config.get(option);
      if (value != null && !"".equals(value)) {
        fields.put(option, value);
      }
    }
    ConnectionSettings settings = NodeConnections.of(context, fields);
    if (!settings.kind().equals("mqtt")) {
      throw new IllegalArgumentException(
          "field 'connection': a " + settings.kind() + " connection is not an MQTT broker");
    }
    return settings;
  }

  /** The node's lease on the live session of its connection (checked against the policy). */
  static LiveConnections.Lease<MqttSession> lease(NodeContext context) throws Exception {
    ConnectionSettings settings = settings(context);
    OutboundPolicy.Admission admission = NodeConnections.admitEgress(context, settings);
    return context
        .service(LiveConnections.class, LiveConnections::new)
        .acquire(
            NodeConnections.owner(context),
            settings,
            MqttSession.class,
            MqttSession::open,
            MqttSession::close,
            admission);
  }

  /** A boolean config or message value: true or "true", false or "false"; else {@code fallback}. */
  static boolean flag(Object value, boolean fallback) {
    if (Boolean.TRUE.equals(value) || "true".equals(value)) {
      return true;
    }
    if (Boolean.FALSE.equals(value) || "false".equals(value)) {
      return false;
    }
    return fallback;
  }

  /**
   * Node-RED's {@code msg.action: "connect"} on the node's shared session: with no {@code
   * msg.broker} (or one that is not an object) it connects a stopped session and leaves a running
   * one alone; with one, its settings ({@link #override}) pass the server's outbound policy first,
   * exactly as deploy-time settings do, and then apply (a running session only with {@code
   * msg.broker.force}).
   *
   * @throws IllegalArgumentException when the policy refuses the host, or a setting is bad
   * @throws IllegalStateException when the session runs and {@code force} is not set
   */
  static void connect(NodeContext context, MqttSession session, Object broker) throws Exception {
    if (!(broker instanceof Map<?, ?> map)) {
      session.connect(null, null, false);
      return;
    }
    ConnectionSettings next = override(session.settings(), session.currentSettings(), map);
    OutboundPolicy.Admission admission = NodeConnections.admitEgress(context, next);
    try {
      session.connect(next, admission, flag(map.get("force"), false));
    } catch (Exception | Error refused) {
      admission.close();
      throw refused;
    }
  }

  /** What {@code msg.broker} may set: Node-RED's names (and z8run's) to connection fields. */
  private static final Map<String, String> BROKER_FIELDS =
      Map.ofEntries(
          Map.entry("port", "port"),
          Map.entry("clientid", "database"),
          Map.entry("clientId", "database"),
          Map.entry("username", "user"),
          Map.entry("password", "password"),
          Map.entry("usetls", "tls"),
          Map.entry("useTls", "tls"),
          Map.entry("keepalive", "keepAlive"),
          Map.entry("keepAlive", "keepAlive"),
          Map.entry("cleansession", "cleanSession"),
          Map.entry("cleanSession", "cleanSession"),
          Map.entry("protocolVersion", "protocolVersion"),
          Map.entry("sessionExpiry", "sessionExpiry"),
          Map.entry("sessionExpiryInterval", "sessionExpiry"));

  /**
   * The settings a {@code msg.broker} makes of the session's current ones: {@code broker} (a host,
   * or a URL), {@code url} ({@code mqtt://} or {@code mqtts://host:port}), {@code port}, {@code
   * clientid}, {@code username}, {@code password} (taken as written: never a vault reference),
   * {@code usetls}, {@code keepalive}, {@code cleansession}, {@code protocolVersion}, {@code
   * sessionExpiry} and {@code will} ({@code topic}, {@code payload}, {@code qos}, {@code retain});
   * Node-RED's other broker options are ignored. A message may not name a file ({@code caFile}).
   * The credentials configured at deploy go only to the broker they were configured for: when the
   * host or port changes and the message brings no {@code username}, they are dropped.
   */
  static ConnectionSettings override(
      ConnectionSettings deployed, ConnectionSettings current, Map<?, ?> broker) {
    if (broker.containsKey("caFile")) {
      throw new IllegalArgumentException("msg.broker may not set caFile (a file on the server)");
    }
    Map<String, Object> fields = new LinkedHashMap<>(current.toMap());
    Object url = broker.get("url");
    Object host = broker.get("broker");
    if (host instanceof String text && text.contains("://")) {
      url = url == null ? text : url;
      host = null;
    }
    if (host != null && !"".equals(host)) {
      fields.put("host", String.valueOf(host));
    }
    for (Map.Entry<String, String> field : BROKER_FIELDS.entrySet()) {
      if (broker.containsKey(field.getKey())) {
        Object value = broker.get(field.getKey());
        fields.put(field.getValue(), value == null ? "" : value);
      }
    }
    if (url instanceof String text && !text.isEmpty()) {
      URI uri;
      try {
        uri = URI.create(text);
      } catch (IllegalArgumentException bad) {
        throw new IllegalArgumentException("msg.broker.url is not a URL: " + text, bad);
      }
      String scheme = String.valueOf(uri.getScheme()).toLowerCase(java.util.Locale.ROOT);
      boolean tls =
          switch (scheme) {
            case "mqtt", "tcp" -> false;
            case "mqtts", "ssl", "tls" -> true;
            default ->
                throw new IllegalArgumentException(
                    "msg.broker.url: mqtt:// or mqtts:// (WebSockets are not supported), got "
                        + text);
          };
      if (uri.getHost() == null) {
        throw new IllegalArgumentException("msg.broker.url has no host: " + text);
      }
      fields.put("host", uri.getHost());
      fields.put("port", uri.getPort() > 0 ? uri.getPort() : tls ? 8883 : 1883);
      fields.put("tls", tls);
    }
    if (broker.get("will") instanceof Map<?, ?> will) {
      Object topic = will.get("topic");
      fields.put("willTopic", topic == null ? "" : String.valueOf(topic));
      fields.put(
          "willPayload", will.get("payload") == null ? "" : String.valueOf(will.get("payload")));
      fields.put("willQos", will.get("qos") == null ? 0 : will.get("qos"));
      fields.put("willRetain", flag(will.get("retain"), false));
    }
    ConnectionSettings next = ConnectionSettings.fromMap(fields);
    boolean elsewhere = !next.host().equals(deployed.host()) || next.port() != deployed.port();
    if (elsewhere
        && !broker.containsKey("username")
        && next.user().equals(deployed.user())
        && next.password().equals(deployed.password())) {
      fields.put("user", "");
      fields.put("password", "");
      next = ConnectionSettings.fromMap(fields);
    }
    qos((int) next.option("willQos", 0), 0);
    return next;
  }

  /** A QoS config value (a number or a string holding one); {@code fallback} when empty. */
  static int qos(Object value, int fallback) {
    if (value == null || "".equals(value)) {
      return fallback;
    }
    int qos =
        value instanceof Number number
            ? number.intValue()
            : Integer.parseInt(value.toString().strip());
    if (qos < 0 || qos > 2) {
      throw new IllegalArgumentException("field 'qos': must be 0, 1 or 2, got " + qos);
    }
    return qos;
  }
}
