package dev.z8run.nodes.data;

import dev.z8run.core.node.NodeContext;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@code msg.error} for a failed statement: the driver's message, SQL state and vendor code. */
final class Errors {
  private Errors() {}

  static Map<String, Object> describe(SQLException failed, NodeContext context) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("message", failed.getMessage());
    error.put("sqlState", failed.getSQLState());
    error.put("code", failed.getErrorCode());
    Map<String, Object> source = new LinkedHashMap<>();
    source.put("id", context.nodeId());
    source.put("type", "database");
    source.put("name", context.name());
    error.put("source", source);
    return error;
  }
}
