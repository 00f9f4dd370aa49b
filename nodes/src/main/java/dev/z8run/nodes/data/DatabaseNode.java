package dev.z8run.nodes.data;

import com.zaxxer.hikari.HikariDataSource;
import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.node.WorkerIntake;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.ConnectionSettings;
import dev.z8run.nodes.support.LiveConnections;
import dev.z8run.nodes.support.MessageBodies;
import dev.z8run.nodes.support.OutboundPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code database}: runs SQL against PostgreSQL, MySQL/MariaDB or SQLite through the connection's
 * pooled client (one HikariCP pool per connection and owner, shared by every node that uses it;
 * {@link DataSources}). A blocking node: statements run on virtual threads.
 *
 * <p>The statement is {@code query}, else {@code msg.topic} (Node-RED's style). Values are always
 * bound ({@link SqlText}): {@code ?} and {@code $1} take positional values (the message values at
 * the {@code params} paths of {@code msg.payload}, z8run's style, else {@code msg.params}, else
 * {@code msg.payload} when it is an array), {@code :name} takes {@code msg.params.name} or {@code
 * msg.payload.name}, {@code $payload.id} the message's value at that path.
 *
 * <p>Modes: {@code query} answers each message with its rows ({@link Rows} for the typing), {@code
 * msg.rowCount} and {@code msg.generatedKeys}; {@code stream} sends one message per row (or per
 * {@code streamBatch} rows) as it reads them, so the flow's back-pressure stops the reading, then a
 * last message with {@code complete: true}; {@code transaction} runs the statements of {@code
 * query} (separated by {@code ;}) in one transaction; {@code batch} collects the messages' values
 * and inserts them with JDBC batches of {@code batchSize}, at the latest {@code lingerMs} after the
 * first, each batch answered by one message {@code {payload: {rowCount}}}. In batch mode the values
 * of a message are read on the node's worker, in place ({@link MessageValues}), and join the batch
 * there; only the message that fills a batch goes to a virtual thread, to write it.
 *
 * <p>Failures (syntax, constraint, timeout, lost connection) go to the {@code error} port with
 * {@code msg.error = {message, sqlState, code}}; with nothing wired there they are errors of the
 * node. After a server restart the pool replaces its broken connections.
 */
public final class DatabaseNode implements Node, WorkerIntake {
  public static final NodeType TYPE =
      NodeType.builder("database")
          .category("data")
          .description("Runs SQL on PostgreSQL, MySQL/MariaDB or SQLite with bound parameters.")
          .outputs(PortSpec.any("results"), PortSpec.any("error"))
          .blocking(true)
          .field(
              ConfigField.optional(
                  "connection",
                  FieldType.ANY,
                  null,
                  "A shared connection's id (or its settings); else the fields below."))
          .field(
              ConfigField.choice(
                  "dbType",
                  "postgres",
                  List.of("postgres", "mysql", "mariadb", "sqlite"),
                  "The database server (z8run's field; 'type' is read too)."))
          .field(ConfigField.optional("host", FieldType.STRING, "127.0.0.1", "Server host."))
          .field(ConfigField.optional("port", FieldType.ANY, null, "Server port; empty: default."))
          .field(
              ConfigField.optional(
                  "database",
                  FieldType.STRING,
                  "",
                  "Database name; for SQLite the file, under the data directory."))
          .field(ConfigField.optional("user", FieldType.STRING, "", "User name."))
          .field(ConfigField.optional("password", FieldType.SECRET, "", "Password, vault:<name>."))
          .field(
              ConfigField.optional(
                  "connectionString",
                  FieldType.SECRET,
                  "",
                  "z8run's postgres://user:pass@host:port/db; replaces the fields above."))
          .field(ConfigField.optional("tls", FieldType.BOOLEAN, false, "Encrypt the connection."))
          .field(
              ConfigField.optional(
                      "poolSize", FieldType.INTEGER, 10L, "Connections in the pool at most.")
                  .between(1, 200))
          .field(
              ConfigField.optional(
                  "query",
                  FieldType.CODE,
                  "",
                  "The SQL; empty: msg.topic. Parameters: ?, $1, :name, $payload.path."))
          .field(
              ConfigField.optional(
                  "params",
                  FieldType.ARRAY,
                  List.of(),
                  "z8run's positional values: paths in msg.payload, in order."))
          .field(
              ConfigField.choice(
                  "mode",
                  "query",
                  List.of("query", "stream", "transaction", "batch"),
                  "query: rows per message; stream: a message per row or batch of rows;"
                      + " transaction: the statements in one transaction; batch: batched"
                      + " inserts."))
          .field(
              ConfigField.choice(
                  "format",
                  "node-red",
                  List.of("node-red", "z8run"),
                  "node-red: payload is the rows; z8run: payload is {rows, count, query,"
                      + " dbType}."))
          .field(
              ConfigField.optional(
                      "streamBatch",
                      FieldType.INTEGER,
                      1L,
                      "Stream mode: rows per message (1: the row itself as payload).")
                  .between(1, 100_000))
          .field(
              ConfigField.optional(
                      "batchSize", FieldType.INTEGER, 500L, "Batch mode: rows per insert batch.")
                  .between(1, 100_000))
          .field(
              ConfigField.optional(
                      "lingerMs",
                      FieldType.INTEGER,
                      100L,
                      "Batch mode: longest a row waits for its batch to fill.")
                  .between(0, 600_000))
          .field(
              ConfigField.optional(
                      "statementTimeoutMs",
                      FieldType.INTEGER,
                      30_000L,
                      "Longest a statement may run.")
                  .between(1, 3_600_000))
          .field(
              ConfigField.optional(
                      "connectTimeoutMs",
                      FieldType.INTEGER,
                      5_000L,
                      "Longest to wait for a connection.")
                  .between(250, 600_000))
          .factory(DatabaseNode::new)
          .build();

  private static final int MAX_CACHED_TOPICS = 256;

  private final NodeContext context;
  private final LiveConnections.Lease<HikariDataSource> lease;
  private final String kind;
  private final String mode;
  private final boolean z8runFormat;
  private final String query;
  private final SqlText parsed;
  private final List<String> params;
  private final int streamBatch;
  private final int timeoutSeconds;
  private final Map<String, SqlText> topicQueries = new ConcurrentHashMap<>();
  private final BatchWriter batch;
  private final MessageValues inPlace;

  public DatabaseNode(NodeContext context) throws Exception {
    this.context = context;
    ConnectionSettings settings = NodeConnections.of(context, inline(context));
    kind = normalKind(settings.kind());
    if (!DataSources.isDatabase(kind)) {
      throw new IllegalArgumentException(
          "field 'dbType': '" + settings.kind() + "' is not a database");
    }
    // the config is read before the connection is admitted and acquired: a bad field fails the
    // deploy without leaving a live client (or the pin on its host's addresses) behind
    mode = context.configString("mode", "query");
    z8runFormat = context.configString("format", "node-red").equals("z8run");
    query = context.configString("query", "");
    parsed = query.isBlank() || mode.equals("transaction") ? null : SqlText.parse(query);
    params = strings(context.config().get("params"));
    streamBatch = (int) context.configLong("streamBatch", 1);
    timeoutSeconds =
        (int) Math.max(1, (context.configLong("statementTimeoutMs", 30_000) + 999) / 1000);
    if (mode.equals("batch") && parsed == null) {
      throw new IllegalArgumentException("field 'query': batch mode needs an INSERT statement");
    }
    Path sqliteFile = null;
    OutboundPolicy.Admission admission = null;
    if (kind.equals("sqlite")) {
      SqliteFiles files = context.service(SqliteFiles.class);
      String name = settings.database().isEmpty() ? settings.host() : settings.database();
      sqliteFile = (files == null ? SqliteFiles.defaults() : files).resolve(name);
      if (sqliteFile != null) {
        Files.createDirectories(sqliteFile.getParent());
      }
    } else {
      admission = NodeConnections.admitEgress(context, settings);
    }
    Path file = sqliteFile;
    lease =
        context
            .service(LiveConnections.class, LiveConnections::new)
            .acquire(
                NodeConnections.owner(context),
                settings,
                HikariDataSource.class,
                open -> DataSources.open(open, file),
                HikariDataSource::close,
                admission);
    if (mode.equals("batch")) {
      batch =
          new BatchWriter(
              context,
              lease.client(),
              parsed,
              (int) context.configLong("batchSize", 500),
              context.configLong("lingerMs", 100),
              timeoutSeconds);
      inPlace = MessageValues.of(parsed, params);
    } else {
      batch = null;
      inPlace = null;
    }
    context.status(settings.address());
  }

  /** The node's own connection fields (z8run's names), as connection settings. */
  private static Map<String, Object> inline(NodeContext context) {
    Map<String, Object> config = context.config();
    Map<String, Object> fields = new LinkedHashMap<>();
    Object type = config.get("type") instanceof String legacy ? legacy : config.get("dbType");
    fields.put("kind", type == null ? "postgres" : type);
    fields.put("host", config.getOrDefault("host", "127.0.0.1"));
    fields.put("port", config.get("port"));
    fields.put("database", config.getOrDefault("database", ""));
    fields.put("user", config.getOrDefault("user", ""));
    fields.put("password", config.getOrDefault("password", ""));
    fields.put("tls", config.getOrDefault("tls", false));
    fields.put("poolSize", config.getOrDefault("poolSize", 10L));
    fields.put("connectTimeoutMs", config.getOrDefault("connectTimeoutMs", 5_000L));
    Object connectionString = config.get("connectionString");
    if (connectionString instanceof String url && !url.isBlank()) {
      NodeConnections.parseConnectionString(url, fields);
    }
    return fields;
  }

  private static String normalKind(String kind) {
    return switch (kind.toLowerCase(Locale.ROOT)) {
      case "postgresql" -> "postgres";
      case "mariadb" -> "mysql";
      default -> kind.toLowerCase(Locale.ROOT);
    };
  }

  private static List<String> strings(Object value) {
    List<String> list = new ArrayList<>();
    if (value instanceof List<?> items) {
      items.forEach(item -> list.add(String.valueOf(item)));
    }
    return list;
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) throws Exception {
    Map<String, Object> body = MessageBodies.parse(msg);
    String sql = query;
    try {
      if (batch != null) {
        batch.add(Parameters.values(parsed, body, params), out);
        return;
      }
      if (mode.equals("transaction")) {
        transaction(body, out, msg);
        return;
      }
      SqlText text = parsed;
      if (text == null) {
        sql = body.get("topic") instanceof String topic ? topic : "";
        if (sql.isBlank()) {
          throw new SQLException("no query: the node has none and msg.topic is empty", "42601");
        }
        text = topicQuery(sql);
      }
      if (mode.equals("stream")) {
        stream(text, body, out);
      } else {
        single(text, sql, body, out, msg);
      }
    } catch (SQLException failed) {
      fail(failed, sql, body, out, msg);
    }
  }

  /**
   * Batch mode, on the worker: the message's values join the open batch when they can be read in
   * place; the message that fills it goes on with the batch as its ticket.
   */
  @Override
  public Object intake(MessageFlyweight msg) {
    if (inPlace == null) {
      return null;
    }
    long[] found = inPlace.find(msg);
    if (found == null) {
      return null;
    }
    RowBuffer full = batch.offer(msg.buffer(), found);
    return full == null ? TAKEN : full;
  }

  /** Batch mode, on a virtual thread: writes the batch the message filled. */
  @Override
  public void onTicket(MessageFlyweight msg, Object ticket, Output out) throws Exception {
    try {
      batch.writeFull((RowBuffer) ticket, out);
    } catch (SQLException failed) {
      fail(failed, query, MessageBodies.parse(msg), out, msg);
    }
  }

  private SqlText topicQuery(String sql) {
    SqlText text = topicQueries.get(sql);
    if (text == null) {
      if (topicQueries.size() >= MAX_CACHED_TOPICS) {
        topicQueries.clear();
      }
      text = SqlText.parse(sql);
      topicQueries.put(sql, text);
    }
    return text;
  }

  private void single(
      SqlText text, String sql, Map<String, Object> body, Output out, MessageFlyweight msg)
      throws SQLException {
    try (Connection connection = lease.client().getConnection()) {
      Map<String, Object> result = execute(connection, text, body);
      answer(result, sql, body, out, msg);
    }
  }

  /** Runs one statement; answers {rows} or {rowCount, generatedKeys}. */
  private Map<String, Object> execute(Connection connection, SqlText text, Map<String, Object> body)
      throws SQLException {
    boolean insert = text.jdbc().stripLeading().regionMatches(true, 0, "insert", 0, 6);
    try (PreparedStatement statement =
        insert
            ? connection.prepareStatement(text.jdbc(), PreparedStatement.RETURN_GENERATED_KEYS)
            : connection.prepareStatement(text.jdbc())) {
      statement.setQueryTimeout(timeoutSeconds);
      Parameters.bind(statement, Parameters.values(text, body, params));
      Map<String, Object> result = new LinkedHashMap<>();
      if (statement.execute()) {
        try (ResultSet rows = statement.getResultSet()) {
          List<Map<String, Object>> all = new Rows(rows).all(rows);
          result.put("rows", all);
          result.put("rowCount", all.size());
        }
      } else {
        result.put("rows", List.of());
        result.put("rowCount", statement.getLargeUpdateCount());
        if (insert) {
          try (ResultSet keys = statement.getGeneratedKeys()) {
            result.put("generatedKeys", new Rows(keys).all(keys));
          }
        }
      }
      return result;
    }
  }

  private void answer(
      Map<String, Object> result,
      String sql,
      Map<String, Object> body,
      Output out,
      MessageFlyweight msg) {
    body.put("rowCount", result.get("rowCount"));
    if (result.containsKey("generatedKeys")) {
      body.put("generatedKeys", result.get("generatedKeys"));
    }
    if (z8runFormat) {
      Map<String, Object> payload = new LinkedHashMap<>();
      List<?> rows = (List<?>) result.get("rows");
      payload.put("rows", rows);
      payload.put("count", rows.size());
      payload.put("query", sql);
      payload.put("dbType", kind);
      body.put("payload", payload);
    } else {
      body.put("payload", result.get("rows"));
    }
    MessageBodies.send(out, 0, body, msg);
  }

  private void stream(SqlText text, Map<String, Object> body, Output out) throws SQLException {
    try (Connection connection = lease.client().getConnection()) {
      boolean autoCommit = connection.getAutoCommit();
      if (kind.equals("postgres")) {
        connection.setAutoCommit(false); // PostgreSQL reads with a cursor only in a transaction
      }
      try (PreparedStatement statement =
          connection.prepareStatement(
              text.jdbc(), ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
        statement.setFetchSize(Math.max(streamBatch, 256));
        statement.setQueryTimeout(0);
        Parameters.bind(statement, Parameters.values(text, body, params));
        long count = 0;
        try (ResultSet rows = statement.executeQuery()) {
          Rows reader = new Rows(rows);
          List<Map<String, Object>> chunk = new ArrayList<>(streamBatch);
          while (rows.next()) {
            Map<String, Object> row = reader.row(rows);
            count++;
            if (streamBatch == 1) {
              emit(body, row, count - 1, out);
            } else {
              chunk.add(row);
              if (chunk.size() == streamBatch) {
                emit(body, chunk, count - chunk.size(), out);
                chunk = new ArrayList<>(streamBatch);
              }
            }
          }
          if (!chunk.isEmpty()) {
            emit(body, chunk, count - chunk.size(), out);
          }
        }
        body.remove("index");
        body.put("payload", Map.of("rowCount", count));
        body.put("rowCount", count);
        body.put("complete", true);
        MessageBodies.send(out, 0, body, null);
      } finally {
        if (kind.equals("postgres")) {
          connection.commit();
          connection.setAutoCommit(autoCommit);
        }
      }
    }
  }

  private static void emit(Map<String, Object> body, Object payload, long index, Output out) {
    body.put("payload", payload);
    body.put("index", index);
    MessageBodies.send(out, 0, body, null);
  }

  private void transaction(Map<String, Object> body, Output out, MessageFlyweight msg)
      throws SQLException {
    List<Map<String, Object>> results = new ArrayList<>();
    try (Connection connection = lease.client().getConnection()) {
      connection.setAutoCommit(false);
      try {
        for (String statement : SqlText.statements(query)) {
          results.add(execute(connection, SqlText.parse(statement), body));
        }
        connection.commit();
      } catch (SQLException | RuntimeException failed) {
        connection.rollback();
        throw failed;
      } finally {
        connection.setAutoCommit(true);
      }
    }
    long rowCount = 0;
    for (Map<String, Object> result : results) {
      rowCount += ((Number) result.get("rowCount")).longValue();
    }
    body.put("payload", results);
    body.put("rowCount", rowCount);
    MessageBodies.send(out, 0, body, msg);
  }

  private void fail(
      SQLException failed, String sql, Map<String, Object> body, Output out, MessageFlyweight msg)
      throws SQLException {
    if (!out.isWired(1)) {
      String state = Errors.sqlState(failed);
      throw new SQLException(
          "SQL state " + state + ": " + failed.getMessage(), state, failed.getErrorCode(), failed);
    }
    body.put("error", Errors.describe(failed, context));
    if (z8runFormat) {
      body.put("payload", Map.of("error", "Query failed: " + failed.getMessage(), "query", sql));
    }
    MessageBodies.send(out, 1, body, msg);
  }

  @Override
  public void onStop() {
    try {
      if (batch != null) {
        batch.close();
      }
    } finally {
      lease.close();
    }
  }
}
