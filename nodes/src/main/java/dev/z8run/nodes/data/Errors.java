package dev.z8run.nodes.data;

import dev.z8run.core.node.NodeContext;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code msg.error} for a failed statement: the driver's message, SQL state and vendor code. */
final class Errors {
  /** SQL state of a connection that could not be had (SQL standard: "unable to connect"). */
  static final String NO_CONNECTION = "08001";

  private Errors() {}

  /**
   * The failure's SQL state: its own, else the first of its causes', else {@value #NO_CONNECTION}
   * for the pool's "no connection within connectTimeoutMs" (HikariCP gives that one no state while
   * every pooled connection hangs on a server that went away), else null.
   */
  static String sqlState(SQLException failed) {
    for (Throwable cause = failed; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLException sql && sql.getSQLState() != null) {
        return sql.getSQLState();
      }
      if (cause.getCause() == cause) {
        break;
      }
    }
    return failed instanceof SQLTransientConnectionException ? NO_CONNECTION : null;
  }

  static Map<String, Object> describe(SQLException failed, NodeContext context) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("message", failed.getMessage());
    error.put("sqlState", sqlState(failed));
    error.put("code", failed.getErrorCode());
    Map<String, Object> source = new LinkedHashMap<>();
    source.put("id", context.nodeId());
    source.put("type", "database");
    source.put("name", context.name());
    error.put("source", source);
    return error;
  }
}
