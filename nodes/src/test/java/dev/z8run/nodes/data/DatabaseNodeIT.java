package dev.z8run.nodes.data;

import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.runtime.DeployException;
import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.support.LiveConnections;
import dev.z8run.nodes.support.OutboundPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code database} node in deployed flows against the real PostgreSQL and MariaDB of {@code
 * bin/services} and SQLite files: bound parameters, typing, modes, errors, sharing.
 */
class DatabaseNodeIT {
  private FlowHarness harness;
  private final LiveConnections live = new LiveConnections();
  private final List<String> dropAfter = new ArrayList<>();
  @TempDir Path dataDir;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
    harness.engine.registerService(OutboundPolicy.class, OutboundPolicy.parse("127.0.0.0/8,::1"));
    harness.engine.registerService(LiveConnections.class, live);
    harness.engine.registerService(SqliteFiles.class, new SqliteFiles(dataDir, List.of()));
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
    for (String drop : dropAfter) {
      String[] parts = drop.split("\\|", 2);
      Databases.execute(parts[0], "DROP TABLE IF EXISTS " + parts[1]);
    }
  }

  private String table(String url, String columns) throws Exception {
    String table = Databases.uniqueName();
    Databases.execute(url, "CREATE TABLE " + table + " (" + columns + ")");
    dropAfter.add(url + "|" + table);
    return table;
  }

  /** source "in" -> database "db" -> capture "ok" (results), capture "err" (error). */
  private void deploy(String flowId, String config) {
    List<FlowNode> nodes =
        List.of(
            node("in", "source"),
            node("db", "database", config),
            node("ok", "capture"),
            node("err", "capture"));
    List<Wire> wires =
        List.of(
            new Wire("in", 0, "db", 0), new Wire("db", 0, "ok", 0), new Wire("db", 1, "err", 0));
    harness.engine.deploy(new Flow(flowId, flowId, "", nodes, wires));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> body(FlowHarness.Captured captured) {
    return (Map<String, Object>) captured.parsed();
  }

  /**
   * As {@link #deploy(String, String)}, the database at {@code url} ({@code dbType} postgres,
   * mysql).
   */
  private void deploy(String flowId, String dbType, String url, Map<String, Object> settings) {
    deploy(flowId, config(dbType, url, settings));
  }

  /** The node's config for the database at {@code url} ({@code dbType} postgres, mysql). */
  private static String config(String dbType, String url, Map<String, Object> settings) {
    return Databases.config(Databases.fields(dbType, url), settings);
  }

  /** The body of the first result at "ok". */
  private Map<String, Object> firstResult() {
    return body(harness.awaitCaptured("ok", 1).get(0));
  }

  /** The first row of the first result at "ok" (its payload a list of rows). */
  private Map<?, ?> firstRow() {
    return (Map<?, ?>) ((List<?>) firstResult().get("payload")).get(0);
  }

  /** The SQL states of the first {@code count} errors at "err". */
  private List<Object> sqlStates(int count) {
    List<Object> states = new ArrayList<>();
    for (FlowHarness.Captured error : harness.awaitCaptured("err", count)) {
      states.add(((Map<?, ?>) body(error).get("error")).get("sqlState"));
    }
    return states;
  }

  /**
   * The columns of the typing tests as z8run types them: n 7, f 1.5, ok true, doc {"a":[1,2]}, raw
   * bytes 1 2 (base64), name "x"; the server databases also big 9e9, d, price 12.50 and {@code at}.
   */
  private static void assertTyped(Map<?, ?> row, String at) {
    assertEquals(7L, ((Number) row.get("n")).longValue());
    assertEquals(1.5, ((Number) row.get("f")).doubleValue());
    assertEquals(true, row.get("ok"));
    assertEquals(Map.of("a", List.of(1L, 2L)), normalise(row.get("doc")));
    assertEquals("AQI=", row.get("raw"));
    assertEquals("x", row.get("name"));
    if (at != null) {
      assertEquals(9_000_000_000L, ((Number) row.get("big")).longValue());
      assertEquals(at, row.get("at"));
      assertEquals("2026-01-02", row.get("d"));
      assertEquals(12.5, ((Number) row.get("price")).doubleValue());
    }
  }

  @Test
  void shouldTypeEveryColumnAsZ8runDoes() throws Exception {
    String url = Databases.postgresUrl();
    String t =
        table(
            url,
            "id serial primary key, n int, big bigint, f double precision, ok boolean, doc jsonb,"
                + " u uuid, at timestamptz, d date, raw bytea, price numeric(10,2), name text");
    Databases.execute(
        url,
        "INSERT INTO "
            + t
            + " (n, big, f, ok, doc, u, at, d, raw, price, name) VALUES (7, 9000000000, 1.5, true,"
            + " '{\"a\":[1,2]}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '2026-01-02T03:04:05Z',"
            + " '2026-01-02', '\\x0102', 12.50, 'x')");
    deploy(
        "types",
        "postgres",
        url,
        Map.of("query", "SELECT n, big, f, ok, doc, u, at, d, raw, price, name FROM " + t));
    harness.inject("types", "in", "{\"payload\":{}}");
    Map<?, ?> row = firstRow();
    assertTyped(row, "2026-01-02T03:04:05Z");
    assertEquals("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", row.get("u"));
  }

  @Test
  void shouldTypeMariaDbColumnsAsZ8runDoes() throws Exception {
    String url = Databases.mariadbUrl();
    String t =
        table(
            url,
            "n int, big bigint, f double, ok boolean, doc json, at datetime, d date,"
                + " raw varbinary(8), price decimal(10,2), name varchar(20)");
    Databases.execute(
        url,
        "INSERT INTO "
            + t
            + " VALUES (7, 9000000000, 1.5, true, '{\"a\":[1,2]}', '2026-01-02 03:04:05',"
            + " '2026-01-02', x'0102', 12.50, 'x')");
    deploy("maria-types", "mysql", url, Map.of("query", "SELECT * FROM " + t));
    harness.inject("maria-types", "in", "{\"payload\":{}}");
    assertTyped(firstRow(), "2026-01-02T03:04:05");
  }

  @Test
  void shouldTypeSqliteColumnsAsZ8runDoes() throws Exception {
    deploy(
        "lite-types",
        "{\"dbType\":\"sqlite\",\"database\":\"types.db\",\"mode\":\"transaction\",\"query\":"
            + "\"CREATE TABLE t (n INTEGER, f REAL, ok BOOLEAN, doc JSON, raw BLOB, name TEXT);"
            + " INSERT INTO t VALUES (7, 1.5, 1, '{\\\"a\\\":[1,2]}', x'0102', 'x');"
            + " SELECT * FROM t\"}");
    harness.inject("lite-types", "in", "{\"payload\":{}}");
    List<?> results = (List<?>) firstResult().get("payload");
    assertTyped((Map<?, ?>) ((List<?>) ((Map<?, ?>) results.get(2)).get("rows")).get(0), null);
  }

  @Test
  void shouldBindNodeRedSqlitePreparedStatementParams() throws Exception {
    deploy(
        "lite-params",
        "{\"dbType\":\"sqlite\",\"database\":\"params.db\",\"query\":"
            + "\"SELECT $word || :tail || $payload AS shout\"}");
    // node-red-node-sqlite: msg.params = {$word: ..., :tail: ...}; $payload without such a key
    harness.inject(
        "lite-params", "in", "{\"params\":{\"$word\":\"hey\",\":tail\":\"!\"},\"payload\":\"?\"}");
    Object rows = firstResult().get("payload");
    assertEquals(List.of(Map.of("shout", "hey!?")), normalise(rows));
  }

  @Test
  void shouldStreamRowsInBatchesOfNThenACompleteMessage() throws Exception {
    String url = Databases.postgresUrl();
    deploy(
        "chunks",
        "postgres",
        url,
        Map.of(
            "mode",
            "stream",
            "streamBatch",
            3,
            "query",
            "SELECT g AS id FROM generate_series(1, :last) g ORDER BY g"));
    harness.inject("chunks", "in", "{\"payload\":{\"last\":10}}");
    List<FlowHarness.Captured> messages = harness.awaitCaptured("ok", 5);
    List<Object> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Map<String, Object> chunk = body(messages.get(i));
      assertEquals(3L * i, ((Number) chunk.get("index")).longValue());
      for (Object row : (List<?>) chunk.get("payload")) {
        ids.add(((Number) ((Map<?, ?>) row).get("id")).longValue());
      }
    }
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L), ids);
    Map<String, Object> last = body(messages.get(4));
    assertEquals(true, last.get("complete"));
    assertEquals(10L, ((Number) last.get("rowCount")).longValue());
  }

  @Test
  void shouldSendAFailedBatchToTheErrorPortWithItsSqlState() throws Exception {
    String url = Databases.postgresUrl();
    String t = table(url, "id int primary key");
    Databases.execute(url, "INSERT INTO " + t + " VALUES (3)");
    deploy(
        "bad-batch",
        "postgres",
        url,
        Map.of(
            "mode",
            "batch",
            "batchSize",
            5,
            "lingerMs",
            60_000,
            "query",
            "INSERT INTO " + t + " VALUES ($payload)"));
    for (int i = 0; i < 10; i++) {
      harness.inject("bad-batch", "in", "{\"payload\":" + (i < 5 ? i : 10 + i) + "}");
    }
    Map<?, ?> error = (Map<?, ?>) body(harness.awaitCaptured("err", 1).get(0)).get("error");
    assertEquals("23505", error.get("sqlState"));
    Map<String, Object> written = firstResult();
    assertEquals(Map.of("rowCount", 5L), normalise(written.get("payload")));
    // the failed batch wrote nothing (one statement), the good one its five rows
    assertEquals(6, Databases.count(url, t));
  }

  @Test
  void shouldSendMariaDbErrorsWithTheirSqlState() throws Exception {
    String url = Databases.mariadbUrl();
    String t = table(url, "id int primary key");
    deploy("maria-errors", "mysql", url, Map.of());
    harness.inject("maria-errors", "in", "{\"topic\":\"SELEC nothing\"}");
    harness.inject("maria-errors", "in", "{\"topic\":\"INSERT INTO " + t + " VALUES (1), (1)\"}");
    List<Object> states = sqlStates(2);
    assertTrue(states.containsAll(List.of("42000", "23000")), states.toString());
  }

  private static Object normalise(Object json) {
    return dev.z8run.io.json.JsonCodec.parse(dev.z8run.io.json.JsonCodec.writeString(json));
  }

  @Test
  void shouldKeepAnInjectionAttemptAsDataInEveryParameterStyle() throws Exception {
    String url = Databases.postgresUrl();
    String t = table(url, "id serial primary key, name text");
    String attack = "x'); DROP TABLE " + t + "; --";
    deploy(
        "inject",
        "postgres",
        url,
        Map.of("query", "INSERT INTO " + t + " (name) VALUES (:name), ($payload.name), ($1)"));
    harness.inject(
        "inject",
        "in",
        dev.z8run.io.json.JsonCodec.writeString(
            Map.of("payload", Map.of("name", attack), "params", List.of(attack))));
    Map<String, Object> answer = firstResult();
    assertEquals(3L, ((Number) answer.get("rowCount")).longValue());
    assertEquals(3, ((List<?>) answer.get("generatedKeys")).size());
    assertEquals(3, Databases.count(url, t));
    try (var connection = Databases.connect(url);
        var rows =
            connection
                .createStatement()
                .executeQuery(
                    "SELECT count(*) FROM "
                        + t
                        + " WHERE name = '"
                        + attack.replace("'", "''")
                        + "'")) {
      rows.next();
      assertEquals(3, rows.getInt(1));
    }
  }

  @Test
  void shouldReadZ8runParamsAndAnswerInZ8runFormat() throws Exception {
    String url = Databases.postgresUrl();
    String t = table(url, "id int, age int");
    Databases.execute(url, "INSERT INTO " + t + " VALUES (1, 20), (2, 40), (3, 60)");
    deploy(
        "z8",
        "postgres",
        url,
        Map.of(
            "query",
            "SELECT id FROM " + t + " WHERE age > $1 ORDER BY id",
            "params",
            List.of("req.body.min_age"),
            "format",
            "z8run"));
    harness.inject("z8", "in", "{\"payload\":{\"req\":{\"body\":{\"min_age\":30}}}}");
    Map<?, ?> payload = (Map<?, ?>) firstResult().get("payload");
    assertEquals(2L, ((Number) payload.get("count")).longValue());
    assertEquals("postgres", payload.get("dbType"));
    assertEquals(List.of(Map.of("id", 2L), Map.of("id", 3L)), normalise(payload.get("rows")));
  }

  @Test
  void shouldCacheThePreparedStatementOnTheServer() throws Exception {
    String url = Databases.postgresUrl();
    String t = table(url, "id int");
    // one connection in the pool, so the catalogue read below is that connection's
    deploy("cached", "postgres", url, Map.of("poolSize", 1));
    String insert = "INSERT INTO " + t + " VALUES (?)";
    for (int i = 0; i < 10; i++) {
      harness.inject("cached", "in", "{\"topic\":\"" + insert + "\",\"payload\":[" + i + "]}");
    }
    harness.awaitCaptured("ok", 10);
    harness.inject(
        "cached",
        "in",
        "{\"topic\":\"SELECT name, statement FROM pg_prepared_statements\",\"payload\":[]}");
    List<FlowHarness.Captured> ok = harness.awaitCaptured("ok", 11);
    List<?> rows = (List<?>) body(ok.get(10)).get("payload");
    List<Object> named = new ArrayList<>();
    for (Object row : rows) {
      Map<?, ?> statement = (Map<?, ?>) row;
      if (String.valueOf(statement.get("statement")).startsWith("INSERT INTO " + t)) {
        named.add(statement.get("name"));
      }
    }
    // the driver's cache kept one statement for the ten messages, prepared once on the server
    assertEquals(1, named.size(), rows.toString());
    assertEquals(10L, Databases.count(url, t));
  }

  @Test
  void shouldTakeTheQueryFromMsgTopicAsNodeRedDoes() throws Exception {
    String url = Databases.postgresUrl();
    deploy("topic", "postgres", url, Map.of());
    harness.inject("topic", "in", "{\"topic\":\"SELECT ?::int + 1 AS x\",\"payload\":[41]}");
    Object rows = firstResult().get("payload");
    assertEquals(List.of(Map.of("x", 42L)), normalise(rows));
  }

  @Test
  void shouldSendErrorsWithTheirSqlStateToTheErrorPort() throws Exception {
    String url = Databases.postgresUrl();
    String t = table(url, "id int primary key");
    deploy("errors", "postgres", url, Map.of("statementTimeoutMs", 1000));
    harness.inject("errors", "in", "{\"topic\":\"SELEC nothing\"}");
    harness.inject("errors", "in", "{\"topic\":\"INSERT INTO " + t + " VALUES (1), (1)\"}");
    harness.inject("errors", "in", "{\"topic\":\"SELECT pg_sleep(5)\"}");
    List<Object> states = sqlStates(3);
    assertTrue(states.containsAll(List.of("42601", "23505", "57014")), states.toString());
  }

  @Test
  void shouldRollBackTheWholeTransactionWhenOneStatementFails() throws Exception {
    String url = Databases.postgresUrl();
    String t = table(url, "id int primary key, v text");
    deploy(
        "tx",
        "postgres",
        url,
        Map.of(
            "mode",
            "transaction",
            "query",
            "INSERT INTO "
                + t
                + " VALUES (:id, 'a'); INSERT INTO "
                + t
                + " VALUES (:id + 1, 'b'); INSERT INTO "
                + t
                + " VALUES (:dup, 'c')"));
    harness.inject("tx", "in", "{\"payload\":{\"id\":1,\"dup\":5}}");
    Map<String, Object> ok = firstResult();
    assertEquals(3L, ((Number) ok.get("rowCount")).longValue());
    harness.inject("tx", "in", "{\"payload\":{\"id\":10,\"dup\":1}}");
    harness.awaitCaptured("err", 1);
    assertEquals(3, Databases.count(url, t));
  }

  @Test
  void shouldInsertAStreamOfMessagesInBatches() throws Exception {
    for (String[] db :
        List.of(
            new String[] {"postgres", Databases.postgresUrl()},
            new String[] {"mysql", Databases.mariadbUrl()})) {
      String url = db[1];
      String t = table(url, "id int, name varchar(40)");
      String flowId = "batch-" + db[0];
      deploy(
          flowId,
          db[0],
          url,
          Map.of(
              "mode",
              "batch",
              "batchSize",
              100,
              "lingerMs",
              50,
              "query",
              "INSERT INTO " + t + " (id, name) VALUES ($payload.id, $payload.name)"));
      for (int i = 0; i < 1_050; i++) {
        harness.inject(flowId, "in", "{\"payload\":{\"id\":" + i + ",\"name\":\"n" + i + "\"}}");
      }
      FlowHarness.await(db[0] + " rows", () -> count(url, t) == 1_050);
      harness.engine.stop(flowId, 5_000);
    }
  }

  private static long count(String url, String table) {
    try {
      return Databases.count(url, table);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void shouldWorkOnMariaDbWithGeneratedKeys() throws Exception {
    String url = Databases.mariadbUrl();
    String t = table(url, "id int auto_increment primary key, name varchar(80), ok boolean");
    deploy(
        "maria", "mysql", url, Map.of("query", "INSERT INTO " + t + " (name, ok) VALUES (?, ?)"));
    harness.inject("maria", "in", "{\"payload\":[\"it's'; DROP TABLE x; --\", true]}");
    Map<String, Object> answer = firstResult();
    assertEquals(1L, ((Number) answer.get("rowCount")).longValue());
    assertEquals(1, ((List<?>) answer.get("generatedKeys")).size());
    try (var connection = Databases.connect(url);
        var rows = connection.createStatement().executeQuery("SELECT name, ok FROM " + t)) {
      rows.next();
      assertEquals("it's'; DROP TABLE x; --", rows.getString(1));
      assertTrue(rows.getBoolean(2));
    }
  }

  @Test
  void shouldKeepSqliteFilesUnderTheDataDirectory() throws Exception {
    deploy(
        "lite",
        "{\"dbType\":\"sqlite\",\"database\":\"h15/test.db\",\"mode\":\"transaction\",\"query\":"
            + "\"CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t (v)"
            + " VALUES (:v); SELECT v FROM t\"}");
    harness.inject("lite", "in", "{\"payload\":{\"v\":\"hello\"}}");
    List<?> results = (List<?>) firstResult().get("payload");
    assertEquals(
        List.of(Map.of("v", "hello")), normalise(((Map<?, ?>) results.get(2)).get("rows")));
    assertTrue(Files.exists(dataDir.resolve("h15/test.db")));
    DeployException outside =
        org.junit.jupiter.api.Assertions.assertThrows(
            DeployException.class,
            () ->
                deploy(
                    "escape",
                    "{\"dbType\":\"sqlite\",\"database\":\"../../etc/x.db\",\"query\":\"SELECT 1\"}"));
    assertTrue(outside.getMessage().contains("outside the data directory"), outside.getMessage());
  }

  @Test
  void shouldRefuseAHostTheOutboundPolicyForbids() {
    harness.engine.registerService(OutboundPolicy.class, OutboundPolicy.parse("public"));
    DeployException refused =
        org.junit.jupiter.api.Assertions.assertThrows(
            DeployException.class,
            () ->
                deploy("policy", "postgres", Databases.postgresUrl(), Map.of("query", "SELECT 1")));
    assertTrue(refused.getMessage().contains("outbound policy"), refused.getMessage());
  }

  @Test
  void shouldShareOnePoolAmongFiftyFlows() throws Exception {
    String url = Databases.postgresUrl();
    String config = config("postgres", url, Map.of("query", "SELECT 1 AS one"));
    for (int i = 0; i < 50; i++) {
      deploy("share-" + i, config);
    }
    assertEquals(1, live.size());
    for (int i = 0; i < 50; i++) {
      harness.inject("share-" + i, "in", "{}");
    }
    harness.awaitCaptured("ok", 50);
    for (int i = 0; i < 49; i++) {
      harness.engine.stop("share-" + i, 5_000);
    }
    assertEquals(1, live.size());
    harness.engine.stop("share-49", 5_000);
    assertEquals(0, live.size());
  }
}
