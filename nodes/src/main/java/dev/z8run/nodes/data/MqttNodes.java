package dev.z8run.nodes.data;

import dev.z8run.core.node.NodeContext;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.nodes.support.ConnectionSettings;
import dev.z8run.nodes.support.LiveConnections;
import dev.z8run.nodes.support.OutboundPolicy;
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
          "sessionExpiry");

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
                  .inputs()
                  .outputs(PortSpec.any("message")))
          .field(
              ConfigField.required(
                  "topic", FieldType.STRING, "Topic filter (+ and # wildcards, $share/...)."))
          .field(ConfigField.optional("qos", FieldType.ANY, 2L, "Subscription QoS: 0, 1 or 2."))
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
