package dev.z8run.nodes.data;

import com.zaxxer.hikari.HikariDataSource;
import dev.z8run.nodes.support.ConnectionSettings;
import dev.z8run.nodes.support.OutboundPolicy;
import java.sql.Connection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The kinds of connection the data nodes use, what each needs (for the API's {@code
 * /connections/kinds} and the editor), and "test connection": open a client of the kind, ask the
 * server something trivial, close it.
 */
public final class ConnectionKinds {
  /** One kind: its name, the node types that use it, its default port and its options. */
  public record Kind(
      String name, String label, List<String> nodeTypes, int defaultPort, List<String> options) {
    public Map<String, Object> toMap() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("kind", name);
      map.put("label", label);
      map.put("node_types", nodeTypes);
      map.put("default_port", defaultPort);
      map.put("fields", ConnectionSettings.FIELDS);
      map.put("options", options);
      return map;
    }
  }

  /** Every kind, in the order the editor lists them. */
  public static final List<Kind> ALL =
      List.of(
          new Kind(
              "postgres",
              "PostgreSQL",
              List.of("database"),
              5432,
              List.of("poolSize", "connectTimeoutMs", "idleTimeoutMs", "sslmode")),
          new Kind(
              "mysql",
              "MySQL / MariaDB",
              List.of("database"),
              3306,
              List.of("poolSize", "connectTimeoutMs", "idleTimeoutMs", "sslMode")),
          new Kind(
              "sqlite",
              "SQLite (a file under the data directory)",
              List.of("database"),
              0,
              List.of("connectTimeoutMs")),
          new Kind(
              "mqtt",
              "MQTT broker",
              List.of("mqtt-in", "mqtt-out", "mqtt"),
              1883,
              List.of(
                  "protocolVersion",
                  "keepAlive",
                  "cleanSession",
                  "sessionExpiry",
                  "bufferSize",
                  "receiveMaximum",
                  "caFile",
                  "willTopic",
                  "willPayload",
                  "willQos",
                  "willRetain")));

  private ConnectionKinds() {}

  /** The kind named {@code name} (aliases {@code postgresql}, {@code mariadb}), or null. */
  public static Kind find(String name) {
    String normal =
        switch (name) {
          case "postgresql" -> "postgres";
          case "mariadb" -> "mysql";
          default -> name;
        };
    for (Kind kind : ALL) {
      if (kind.name.equals(normal)) {
        return kind;
      }
    }
    return null;
  }

  /** What a test of a connection found: whether the server answered, what it said, how long. */
  public record TestResult(boolean ok, String message, long millis) {
    public Map<String, Object> toMap() {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("ok", ok);
      map.put("message", message);
      map.put("ms", millis);
      return map;
    }
  }

  /**
   * Opens a client for {@code settings} (after the outbound policy allows its host), asks the
   * server something trivial within {@code timeoutMs}, and closes it. Blocks; never throws for a
   * server that does not answer: that is a result.
   */
  public static TestResult test(
      ConnectionSettings settings, OutboundPolicy policy, SqliteFiles files, long timeoutMs) {
    long start = System.nanoTime();
    try {
      String message;
      if (settings.kind().equals("mqtt")) {
        OutboundPolicy.Admission admitted = NodeConnections.admitEgress(policy, settings);
        try {
          message = testMqtt(settings, timeoutMs);
        } finally {
          admitted.close(); // the checked addresses were the name's answer while it connected
        }
      } else if (DataSources.isDatabase(settings.kind())) {
        message = testDatabase(settings, policy, files, timeoutMs);
      } else {
        throw new IllegalArgumentException("unknown connection kind '" + settings.kind() + "'");
      }
      return new TestResult(true, message, elapsedMs(start));
    } catch (Exception | LinkageError failed) {
      return new TestResult(false, String.valueOf(failed.getMessage()), elapsedMs(start));
    }
  }

  private static long elapsedMs(long start) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
  }

  private static String testDatabase(
      ConnectionSettings settings, OutboundPolicy policy, SqliteFiles files, long timeoutMs)
      throws Exception {
    java.nio.file.Path file = null;
    OutboundPolicy.Admission admitted = null;
    if (settings.kind().equals("sqlite")) {
      String name = settings.database().isEmpty() ? settings.host() : settings.database();
      file = files.resolve(name);
    } else {
      admitted = NodeConnections.admitEgress(policy, settings);
    }
    Map<String, Object> fields = new LinkedHashMap<>(settings.toMap());
    fields.put("poolSize", 1);
    fields.put("connectTimeoutMs", timeoutMs);
    try {
      return validate(ConnectionSettings.fromMap(fields), file, timeoutMs);
    } finally {
      if (admitted != null) {
        admitted.close(); // the checked addresses were the name's answer while it connected
      }
    }
  }

  private static String validate(
      ConnectionSettings settings, java.nio.file.Path file, long timeoutMs) throws Exception {
    try (HikariDataSource pool = DataSources.open(settings, file);
        Connection connection = pool.getConnection()) {
      if (!connection.isValid((int) Math.max(1, timeoutMs / 1000))) {
        throw new IllegalStateException("the server did not answer a validation query");
      }
      return connection.getMetaData().getDatabaseProductName()
          + " "
          + connection.getMetaData().getDatabaseProductVersion();
    }
  }

  private static String testMqtt(ConnectionSettings settings, long timeoutMs) throws Exception {
    Map<String, Object> fields = new LinkedHashMap<>(settings.toMap());
    // a client id of its own: testing must not push the live session off the broker
    fields.put("database", "");
    try (MqttSession session = MqttSession.open(ConnectionSettings.fromMap(fields))) {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
      while (!session.isConnected()) {
        if (System.nanoTime() > deadline) {
          String problem = session.lastProblem();
          throw new IllegalStateException(
              "no connection within "
                  + timeoutMs
                  + " ms"
                  + (problem.isEmpty() ? "" : ": " + problem));
        }
        Thread.sleep(20);
      }
      return "connected to "
          + settings.host()
          + ":"
          + (settings.port() > 0 ? settings.port() : 1883);
    }
  }
}
