package dev.z8run.api.flows;

import dev.z8run.core.flow.ConfigNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Node-RED data nodes {@link NodeRedImport} maps, and their config nodes as connections:
 *
 * <ul>
 *   <li>{@code mqtt in} and {@code mqtt out} (core) to {@code mqtt-in} and {@code mqtt-out}, their
 *       {@code mqtt-broker} config node a connection of kind {@code mqtt}; a dynamic {@code mqtt
 *       in} ({@code inputs: 1}) stays dynamic, its MQTT 5 options ({@code nl}, {@code rap}, {@code
 *       rh}) come along;
 *   <li>{@code sqlite} (node-red-node-sqlite, config {@code sqlitedb}), {@code mysql}
 *       (node-red-node-mysql, config {@code MySQLdatabase}) and {@code postgresql}
 *       (node-red-contrib-postgresql, config {@code postgreSQLConfig}) to {@code database}.
 * </ul>
 *
 * The node's reference to its config node becomes its {@code connection} field; at deploy the flow
 * manager replaces it with {@link #connection}'s settings. Credentials are not in Node-RED's
 * exports: a config node's {@code user}/{@code password}, when the person importing added them
 * (preferably as {@code vault:} references), are kept.
 */
final class NodeRedDataNodes {
  private NodeRedDataNodes() {}

  /**
   * Fills {@code config} for a Node-RED node of {@code type}.
   *
   * @return our type name, or null when the type (or its mode) is not one of these
   */
  static String map(String type, Map<?, ?> node, Map<String, Object> config, List<String> notes) {
    switch (type) {
      case "mqtt in" -> {
        config.put("connection", node.get("broker"));
        Object inputs = node.get("inputs");
        if ("true".equals(String.valueOf(inputs)) || "1".equals(String.valueOf(inputs))) {
          // dynamic: subscriptions come with msg.action subscribe
          config.put("inputs", 1L);
          putIfSet(node, config, "topic");
        } else {
          config.put("topic", node.get("topic"));
        }
        putIfSet(node, config, "qos");
        // MQTT 5 subscription options (Node-RED writes them as booleans or their text)
        putFlag(node, config, "nl");
        putFlag(node, config, "rap");
        Object rh = node.get("rh");
        if (rh != null && !"".equals(rh)) {
          try {
            config.put("rh", Long.parseLong(String.valueOf(rh).strip()));
          } catch (NumberFormatException notNumber) {
            notes.add("its rh '" + rh + "' is not 0, 1 or 2: retain handling 0");
          }
        }
        if (node.get("subscriptionIdentifier") != null
            && !"".equals(node.get("subscriptionIdentifier"))) {
          notes.add("its subscriptionIdentifier is not sent (the connection routes by filter)");
        }
        Object datatype = node.get("datatype");
        config.put("datatype", datatype == null || "".equals(datatype) ? "auto-detect" : datatype);
        return "mqtt-in";
      }
      case "mqtt out" -> {
        config.put("connection", node.get("broker"));
        putIfSet(node, config, "topic", "qos", "retain");
        // its MQTT 5 properties (Node-RED's short config names)
        putIfSetAs(node, config, "respTopic", "responseTopic");
        putIfSetAs(node, config, "correl", "correlationData");
        putIfSet(node, config, "contentType");
        putIfSetAs(node, config, "expiry", "messageExpiryInterval");
        putIfSetAs(node, config, "userProps", "userProperties");
        return "mqtt-out";
      }
      case "sqlite" -> {
        config.put("connection", node.get("mydb"));
        Object mode = node.get("sqlquery");
        if ("batch".equals(mode)) {
          notes.add("its batch mode (several statements in msg.topic) runs as one statement here");
        } else if (!"fixed".equals(mode) && !"prepared".equals(mode)) {
          notes.add(
              "its msg.topic queries bind a msg.payload array to ? placeholders only: a $name"
                  + " placeholder reads msg.params.$name or the message's value at name");
        }
        if ("fixed".equals(mode) || "prepared".equals(mode)) {
          config.put("query", node.get("sql"));
        }
        return "database";
      }
      case "mysql" -> {
        config.put("connection", node.get("mydb"));
        return "database";
      }
      case "postgresql" -> {
        config.put("connection", node.get("postgreSQLConfig"));
        Object query = node.get("query");
        if (query instanceof String text && text.contains("{{")) {
          notes.add(
              "its query uses mustache templates, which are never spliced into SQL here: use"
                  + " parameters ($1 with msg.params, or $payload.name)");
        }
        config.put("query", query == null ? "" : query);
        if (Boolean.TRUE.equals(node.get("split"))) {
          config.put("mode", "stream");
          Object rows = node.get("rowsPerMsg");
          if (rows != null && !"".equals(rows)) {
            try {
              config.put("streamBatch", Long.parseLong(String.valueOf(rows).strip()));
            } catch (NumberFormatException notNumber) {
              notes.add("its rowsPerMsg '" + rows + "' is not a number: one row per message");
            }
          }
        }
        return "database";
      }
      default -> {
        return null;
      }
    }
  }

  private static void putFlag(Map<?, ?> node, Map<String, Object> config, String name) {
    Object value = node.get(name);
    if (Boolean.TRUE.equals(value) || "true".equals(value)) {
      config.put(name, true);
    } else if (Boolean.FALSE.equals(value) || "false".equals(value)) {
      config.put(name, false);
    }
  }

  /**
   * {@code from}'s value of {@code key}, when set (not null, not empty), as {@code to}'s {@code
   * as}.
   */
  private static void putIfSetAs(Map<?, ?> from, Map<String, Object> to, String key, String as) {
    Object value = from.get(key);
    if (value != null && !"".equals(value)) {
      to.put(as, value);
    }
  }

  /** {@code from}'s value of each of {@code keys}, when set, as {@code to}'s under that name. */
  private static void putIfSet(Map<?, ?> from, Map<String, Object> to, String... keys) {
    for (String key : keys) {
      putIfSetAs(from, to, key, key);
    }
  }

  /**
   * The connection settings of a Node-RED config node ({@code mqtt-broker}, {@code sqlitedb},
   * {@code MySQLdatabase}, {@code postgreSQLConfig}), or null for another type.
   */
  static Map<String, Object> connection(ConfigNode node) {
    Map<String, Object> from = node.config();
    Map<String, Object> to = new LinkedHashMap<>();
    switch (node.type()) {
      case "mqtt-broker" -> {
        to.put("kind", "mqtt");
        to.put("host", from.getOrDefault("broker", "127.0.0.1"));
        putIfSet(from, to, "port");
        putIfSetAs(from, to, "clientid", "database");
        to.put("tls", "true".equals(String.valueOf(from.get("usetls"))));
        putIfSetAs(from, to, "keepalive", "keepAlive");
        putIfSetAs(from, to, "cleansession", "cleanSession");
        putIfSet(from, to, "protocolVersion");
        putIfSet(from, to, "willTopic", "willPayload", "willQos", "willRetain");
        putIfSet(from, to, "sessionExpiry", "autoConnect");
      }
      case "sqlitedb" -> {
        to.put("kind", "sqlite");
        putIfSetAs(from, to, "db", "database");
      }
      case "MySQLdatabase" -> {
        to.put("kind", "mysql");
        putIfSet(from, to, "host", "port");
        putIfSetAs(from, to, "db", "database");
      }
      case "postgreSQLConfig" -> {
        to.put("kind", "postgres");
        putIfSet(from, to, "host", "port", "database");
        to.put("tls", "true".equals(String.valueOf(from.get("ssl"))));
        putIfSetAs(from, to, "max", "poolSize");
      }
      default -> {
        return null;
      }
    }
    putIfSet(from, to, "user", "password");
    return to;
  }
}
