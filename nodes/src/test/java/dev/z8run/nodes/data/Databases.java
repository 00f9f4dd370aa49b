package dev.z8run.nodes.data;

import dev.z8run.io.json.JsonCodec;
import dev.z8run.testkit.TestServices;
import dev.z8run.testkit.TestServices.Service;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The shared test servers as the database node's config, and plain JDBC beside it for setting up
 * and checking. Names are unique per run ({@code h15_<random>}).
 */
final class Databases {
  private Databases() {}

  /** The node's connection fields for {@code url} (a TestServices JDBC URL). */
  static Map<String, Object> fields(String dbType, String url) {
    URI uri = URI.create(url.substring("jdbc:".length()));
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("dbType", dbType);
    fields.put("host", uri.getHost());
    fields.put("port", uri.getPort());
    fields.put("database", uri.getPath().substring(1));
    String query = uri.getQuery() == null ? "" : uri.getQuery();
    for (String pair : query.split("&")) {
      if (pair.startsWith("user=")) {
        fields.put("user", pair.substring(5));
      } else if (pair.startsWith("password=")) {
        fields.put("password", pair.substring(9));
      }
    }
    return fields;
  }

  static String postgresUrl() {
    return TestServices.require(Service.POSTGRES);
  }

  static String mariadbUrl() {
    return TestServices.require(Service.MYSQL);
  }

  /** The node config: connection fields plus {@code extra}, as JSON. */
  static String config(Map<String, Object> fields, Map<String, Object> extra) {
    Map<String, Object> config = new LinkedHashMap<>(fields);
    config.putAll(extra);
    return JsonCodec.writeString(config);
  }

  static String uniqueName() {
    return "h15_" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  }

  static Connection connect(String url) throws SQLException {
    return DriverManager.getConnection(url);
  }

  static void execute(String url, String... statements) throws SQLException {
    try (Connection connection = connect(url);
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  static long count(String url, String table) throws SQLException {
    try (Connection connection = connect(url);
        Statement statement = connection.createStatement();
        var rows = statement.executeQuery("SELECT count(*) FROM " + table)) {
      rows.next();
      return rows.getLong(1);
    }
  }
}
