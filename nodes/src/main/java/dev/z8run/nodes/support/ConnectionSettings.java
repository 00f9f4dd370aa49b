package dev.z8run.nodes.support;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The settings a node needs to reach a server: a <em>connection</em>. Two nodes of one owner with
 * equal settings share one live client ({@link LiveConnections}); a changed password or option is a
 * different connection.
 *
 * <p>A node either carries them inline (z8run's style: {@code host}, {@code port}, {@code
 * database}, {@code user}, {@code password} in its own config) or names a shared connection in its
 * {@code connection} field, which the server replaces at deploy with that connection's settings as
 * a map (from the owner's stored connections or the flow's config nodes). Secrets arrive resolved:
 * configs hold {@code vault:<key>} and the server resolves them at deploy.
 *
 * @param kind what sort of server: {@code postgres}, {@code mysql}, {@code sqlite}, {@code mqtt}
 * @param host host name or address; for SQLite the file path
 * @param port 0 for the kind's default
 * @param database the database (SQL) or the client id (MQTT)
 * @param user may be empty
 * @param password the resolved secret, may be empty; never printed
 * @param tls whether the connection is encrypted
 * @param options the kind's other settings (pool size, keep-alive, ...), sorted by name
 */
public record ConnectionSettings(
    String kind,
    String host,
    int port,
    String database,
    String user,
    String password,
    boolean tls,
    Map<String, Object> options) {

  /** The fields every connection has, which are not options. */
  public static final List<String> FIELDS =
      List.of("kind", "host", "port", "database", "user", "password", "tls");

  public ConnectionSettings {
    Objects.requireNonNull(kind, "kind");
    kind = kind.toLowerCase(Locale.ROOT);
    host = host == null ? "" : host;
    database = database == null ? "" : database;
    user = user == null ? "" : user;
    password = password == null ? "" : password;
    options = options == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(options));
  }

  /**
   * Reads a connection from a map of its fields ({@link #FIELDS}; everything else is an option).
   * Numbers may come as strings, as Node-RED writes them.
   */
  public static ConnectionSettings fromMap(Map<?, ?> map) {
    Map<String, Object> options = new LinkedHashMap<>();
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      String name = String.valueOf(entry.getKey());
      if (!FIELDS.contains(name) && entry.getValue() != null) {
        options.put(name, entry.getValue());
      }
    }
    Object kind = map.get("kind");
    if (kind == null || String.valueOf(kind).isBlank()) {
      throw new IllegalArgumentException("a connection needs a kind");
    }
    return new ConnectionSettings(
        String.valueOf(kind),
        text(map.get("host")),
        (int) number(map.get("port"), 0),
        text(map.get("database")),
        text(map.get("user")),
        text(map.get("password")),
        bool(map.get("tls")),
        options);
  }

  /** The fields as a map, password included: what the server stores (with a vault reference). */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("kind", kind);
    map.put("host", host);
    map.put("port", port);
    map.put("database", database);
    map.put("user", user);
    map.put("password", password);
    map.put("tls", tls);
    map.putAll(options);
    return map;
  }

  /** What may be shown: every field but the password, which is only said to be set or not. */
  public Map<String, Object> describe() {
    Map<String, Object> map = toMap();
    map.put("password", password.isEmpty() ? "" : "***");
    return map;
  }

  /** Option {@code name} as a long, or {@code fallback}; numbers may be strings. */
  public long option(String name, long fallback) {
    return number(options.get(name), fallback);
  }

  /** Option {@code name} as a string, or {@code fallback}. */
  public String option(String name, String fallback) {
    Object value = options.get(name);
    return value == null ? fallback : String.valueOf(value);
  }

  /** Option {@code name} as a boolean, or {@code fallback}; {@code "true"} counts. */
  public boolean option(String name, boolean fallback) {
    Object value = options.get(name);
    return value == null ? fallback : bool(value);
  }

  /** The host and port as shown in messages: {@code kind://host:port/database}. */
  public String address() {
    return kind + "://" + host + (port > 0 ? ":" + port : "") + "/" + database;
  }

  @Override
  public String toString() {
    return "ConnectionSettings" + describe();
  }

  private static String text(Object value) {
    return value == null ? "" : String.valueOf(value);
  }

  private static boolean bool(Object value) {
    return value instanceof Boolean flag ? flag : "true".equalsIgnoreCase(String.valueOf(value));
  }

  private static long number(Object value, long fallback) {
    if (value instanceof Number number) {
      return number.longValue();
    }
    if (value instanceof String text && !text.isBlank()) {
      try {
        return Long.parseLong(text.strip());
      } catch (NumberFormatException notNumber) {
        throw new IllegalArgumentException("'" + text + "' is not a whole number", notNumber);
      }
    }
    return fallback;
  }
}
