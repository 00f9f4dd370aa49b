package dev.z8run.nodes.data;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.z8run.nodes.support.ConnectionSettings;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Opens the JDBC pool of a database connection: HikariCP over the PostgreSQL, MariaDB (MySQL) or
 * SQLite driver. The pool starts without connecting ({@code initializationFailTimeout = -1}), so a
 * deploy does not wait for the server and a server that is down or restarting is retried on every
 * borrow; connections that broke are evicted and replaced.
 *
 * <p>Batched inserts are rewritten into multi-row statements by the drivers ({@code
 * reWriteBatchedInserts} for PostgreSQL, bulk statements for MariaDB); prepared statements are
 * cached per connection by the drivers.
 *
 * <p>Options of the connection: {@code poolSize} (10; SQLite 1 writer), {@code connectTimeoutMs}
 * (5,000), {@code idleTimeoutMs} (600,000).
 */
public final class DataSources {
  private DataSources() {}

  /** The kinds this class opens, as {@code ConnectionSettings.kind()}. */
  public static boolean isDatabase(String kind) {
    return switch (kind) {
      case "postgres", "postgresql", "mysql", "mariadb", "sqlite" -> true;
      default -> false;
    };
  }

  /** Opens the pool; {@code sqliteFile} is the SQLite file already checked, else null. */
  public static HikariDataSource open(ConnectionSettings settings, Path sqliteFile) {
    HikariConfig config = new HikariConfig();
    String kind = settings.kind().toLowerCase(Locale.ROOT);
    config.setPoolName("z8-" + kind + "-" + settings.host() + "-" + settings.database());
    config.setMaximumPoolSize((int) settings.option("poolSize", kind.equals("sqlite") ? 1 : 10));
    config.setMinimumIdle(0);
    long connectMs = Math.max(250, settings.option("connectTimeoutMs", 5_000));
    config.setConnectionTimeout(connectMs);
    config.setIdleTimeout(Math.max(10_000, settings.option("idleTimeoutMs", 600_000)));
    config.setInitializationFailTimeout(-1);
    config.setAutoCommit(true);
    if (!settings.user().isEmpty()) {
      config.setUsername(settings.user());
    }
    if (!settings.password().isEmpty()) {
      config.setPassword(settings.password());
    }
    config.setJdbcUrl(url(settings, kind, sqliteFile, connectMs));
    switch (kind) {
      case "postgres", "postgresql" -> {
        config.setDriverClassName("org.postgresql.Driver");
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        // a string value may meet an int or a uuid column: let the server infer its type
        config.addDataSourceProperty("stringtype", "unspecified");
        config.addDataSourceProperty("connectTimeout", String.valueOf((connectMs + 999) / 1000));
        config.addDataSourceProperty("ApplicationName", "z8run");
        if (settings.tls()) {
          config.addDataSourceProperty("sslmode", settings.option("sslmode", "verify-full"));
        }
      }
      case "mysql", "mariadb" -> {
        config.setDriverClassName("org.mariadb.jdbc.Driver");
        config.addDataSourceProperty("useBulkStmts", "true");
        config.addDataSourceProperty("cachePrepStmts", "true");
        config.addDataSourceProperty("connectTimeout", String.valueOf(connectMs));
        if (settings.tls()) {
          config.addDataSourceProperty("sslMode", settings.option("sslMode", "verify-full"));
        }
      }
      case "sqlite" -> config.setDriverClassName("org.sqlite.JDBC");
      default -> throw new IllegalArgumentException("not a database kind: " + settings.kind());
    }
    return new HikariDataSource(config);
  }

  private static String url(ConnectionSettings settings, String kind, Path file, long connectMs) {
    return switch (kind) {
      case "postgres", "postgresql" ->
          "jdbc:postgresql://"
              + host(settings)
              + ":"
              + (settings.port() > 0 ? settings.port() : 5432)
              + "/"
              + settings.database();
      case "mysql", "mariadb" ->
          "jdbc:mariadb://"
              + host(settings)
              + ":"
              + (settings.port() > 0 ? settings.port() : 3306)
              + "/"
              + settings.database();
      case "sqlite" ->
          "jdbc:sqlite:"
              + (file == null ? ":memory:" : file.toString())
              + "?busy_timeout="
              + connectMs;
      default -> throw new IllegalArgumentException("not a database kind: " + settings.kind());
    };
  }

  private static String host(ConnectionSettings settings) {
    String host = settings.host().isEmpty() ? "127.0.0.1" : settings.host();
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }
}
