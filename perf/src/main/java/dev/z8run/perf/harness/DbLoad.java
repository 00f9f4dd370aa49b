package dev.z8run.perf.harness;

import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.node.InjectResult;
import dev.z8run.core.runtime.Engine;
import dev.z8run.core.runtime.NodeCounters;
import dev.z8run.nodes.BuiltinNodes;
import dev.z8run.nodes.support.LiveConnections;
import dev.z8run.nodes.support.OutboundPolicy;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Scenario f: a stream of messages into PostgreSQL inserts. Modes: {@code batch} (an engine with
 * {@code inject -> database} in batch mode, 500 rows a batch), {@code single} (the same flow, one
 * INSERT per message) and {@code jdbc} (the ceiling: a plain loop of {@code addBatch} / {@code
 * executeBatch} of 500 rows with {@code reWriteBatchedInserts}, no engine) and {@code jdbc1} (the
 * ceiling of one INSERT per message: 10 threads, as many as the node's default pool, each inserting
 * one auto-committed row per statement). The batch mode may write several batches at once on
 * different pooled connections, so it can pass the one-threaded batched loop. Each run has a table
 * of its own ({@code (id bigint, name text)}), dropped afterwards. The engine is fed as the harness
 * feeds its scenarios (at most {@code window} messages in flight, counted at the database node's
 * input); after the measured window the clock runs on until every row sent is in the table, so
 * rows/s counts rows that are stored.
 *
 * <p>Prints {@code f_<mode> rows_per_s rss_mb cpu_ns_per_row=N rows=N}: the CPU time of this
 * process (every thread: generator, engine, driver) per row stored in the measured window, the
 * figure a loaded machine disturbs least. The generator writes each message's JSON into one reused
 * buffer, so it adds little to the engine's figure.
 *
 * <p>{@code java -cp perf/target/z8run-perf.jar dev.z8run.perf.harness.DbLoad
 * batch|single|jdbc|jdbc1 durMs warmMs jdbcUrl}
 */
public final class DbLoad {
  private static final int BATCH = 500;
  private static final int WINDOW = 2_000;
  private static final int CONNECTIONS = 10;

  private DbLoad() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    long durMs = Long.parseLong(args[1]);
    long warmMs = Long.parseLong(args[2]);
    String url = args[3];
    String table = "h15bench_f_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    try (Connection admin = DriverManager.getConnection(url);
        Statement statement = admin.createStatement()) {
      statement.execute("CREATE TABLE " + table + " (id bigint, name text)");
    }
    try {
      long[] result =
          switch (mode) {
            case "jdbc" -> jdbc(url, table, warmMs, durMs);
            case "jdbc1" -> jdbcSingle(url, table, warmMs, durMs);
            default -> engine(mode.equals("batch"), url, table, warmMs, durMs);
          };
      long rows = result[0];
      double rowsPerSecond = rows * 1e9 / result[1];
      System.out.printf(
          Locale.ROOT,
          "f_%s %.0f %.1f cpu_ns_per_row=%.0f rows=%d%n",
          mode,
          rowsPerSecond,
          Harness.rssMb(),
          rows == 0 ? 0.0 : (double) result[2] / rows,
          rows);
    } finally {
      try (Connection admin = DriverManager.getConnection(url);
          Statement statement = admin.createStatement()) {
        statement.execute("DROP TABLE " + table);
      }
    }
  }

  /** The ceiling: rows and nanoseconds of the measured window. */
  private static long[] jdbc(String url, String table, long warmMs, long durMs) throws Exception {
    Properties properties = new Properties();
    properties.setProperty("reWriteBatchedInserts", "true");
    try (Connection connection = DriverManager.getConnection(url, properties);
        PreparedStatement insert =
            connection.prepareStatement("INSERT INTO " + table + " (id, name) VALUES (?, ?)")) {
      long[] next = {0};
      insertFor(insert, next, warmMs);
      long start = next[0];
      long t0 = System.nanoTime();
      long cpu0 = Harness.cpuNs();
      insertFor(insert, next, durMs);
      return new long[] {next[0] - start, System.nanoTime() - t0, Harness.cpuNs() - cpu0};
    }
  }

  /**
   * The ceiling of one INSERT per message: {@link #CONNECTIONS} threads (the node's default pool
   * size), each with its own connection, inserting one row per auto-committed statement. Rows and
   * nanoseconds of the measured window, and the CPU per row of the whole run times the rows of the
   * window (the threads measure no window of their own).
   */
  private static long[] jdbcSingle(String url, String table, long warmMs, long durMs)
      throws Exception {
    AtomicLong next = new AtomicLong();
    AtomicLong measured = new AtomicLong();
    long warmEnd = System.nanoTime() + warmMs * 1_000_000L;
    long end = warmEnd + durMs * 1_000_000L;
    List<Thread> threads = new ArrayList<>();
    AtomicReference<Exception> failure = new AtomicReference<>();
    long cpu0 = Harness.cpuNs();
    for (int t = 0; t < CONNECTIONS; t++) {
      Thread thread =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try (Connection connection = DriverManager.getConnection(url);
                        PreparedStatement insert =
                            connection.prepareStatement(
                                "INSERT INTO " + table + " (id, name) VALUES (?, ?)")) {
                      long now;
                      while ((now = System.nanoTime()) < end) {
                        long id = next.getAndIncrement();
                        insert.setLong(1, id);
                        insert.setString(2, "row " + id);
                        insert.executeUpdate();
                        if (now >= warmEnd) {
                          measured.incrementAndGet();
                        }
                      }
                    } catch (Exception failed) {
                      failure.set(failed);
                    }
                  });
      threads.add(thread);
    }
    for (Thread thread : threads) {
      thread.join();
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    long cpu = Harness.cpuNs() - cpu0;
    return new long[] {
      measured.get(), durMs * 1_000_000L, next.get() == 0 ? 0 : cpu * measured.get() / next.get()
    };
  }

  private static void insertFor(PreparedStatement insert, long[] next, long ms) throws Exception {
    long end = System.nanoTime() + ms * 1_000_000L;
    while (System.nanoTime() < end) {
      for (int i = 0; i < BATCH; i++) {
        long id = next[0]++;
        insert.setLong(1, id);
        insert.setString(2, "row " + id);
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  /** The engine's database node: rows stored and nanoseconds until the last is in the table. */
  private static long[] engine(boolean batch, String url, String table, long warmMs, long durMs)
      throws Exception {
    URI uri = URI.create(url.substring("jdbc:".length()));
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("dbType", "postgres");
    config.put("host", uri.getHost());
    config.put("port", uri.getPort());
    config.put("database", uri.getPath().substring(1));
    String query = uri.getQuery() == null ? "" : uri.getQuery();
    for (String pair : query.split("&")) {
      if (pair.startsWith("user=")) {
        config.put("user", pair.substring(5));
      } else if (pair.startsWith("password=")) {
        config.put("password", pair.substring(9));
      }
    }
    config.put("query", "INSERT INTO " + table + " (id, name) VALUES ($payload.id, $payload.name)");
    if (batch) {
      config.put("mode", "batch");
      config.put("batchSize", (long) BATCH);
      config.put("lingerMs", 20L);
    }
    Flow flow =
        new Flow(
            "f",
            "f",
            "",
            List.of(
                new FlowNode("src", "inject", "", 0, 0, false, Map.of()),
                new FlowNode("db", "database", "", 0, 0, false, config)),
            List.of(new Wire("src", 0, "db", 0)));
    try (Engine engine = new Engine(EngineConfig.defaults(), BuiltinNodes.registry())) {
      engine.registerService(OutboundPolicy.class, OutboundPolicy.parse("*"));
      engine.registerService(LiveConnections.class, new LiveConnections());
      engine.deploy(flow);
      Engine.Trigger source = engine.trigger("f", "src");
      Engine.CounterReader consumed = engine.counter("f", "db", NodeCounters.MESSAGES_IN);
      long[] sent = {0};
      feed(source, consumed, sent, warmMs);
      awaitRows(url, table, sent[0]);
      long start = sent[0];
      long t0 = System.nanoTime();
      long cpu0 = Harness.cpuNs();
      feed(source, consumed, sent, durMs);
      awaitRows(url, table, sent[0]);
      return new long[] {sent[0] - start, System.nanoTime() - t0, Harness.cpuNs() - cpu0};
    }
  }

  private static void feed(
      Engine.Trigger source, Engine.CounterReader consumed, long[] sent, long ms) {
    UnsafeBuffer json = new UnsafeBuffer(new byte[128]);
    int prefix = json.putStringWithoutLengthAscii(0, "{\"payload\":{\"id\":");
    long end = System.nanoTime() + ms * 1_000_000L;
    while (System.nanoTime() < end) {
      if (sent[0] - consumed.get() >= WINDOW) {
        LockSupport.parkNanos(20_000);
        continue;
      }
      long id = sent[0];
      int at = prefix + json.putLongAscii(prefix, id);
      at += json.putStringWithoutLengthAscii(at, ",\"name\":\"row ");
      at += json.putLongAscii(at, id);
      at += json.putStringWithoutLengthAscii(at, "\"}}");
      if (source.tryInject(json, 0, at) == InjectResult.ACCEPTED) {
        sent[0]++;
      } else {
        LockSupport.parkNanos(20_000);
      }
    }
  }

  private static void awaitRows(String url, String table, long rows) throws Exception {
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement()) {
      while (true) {
        try (ResultSet count = statement.executeQuery("SELECT count(*) FROM " + table)) {
          count.next();
          if (count.getLong(1) >= rows) {
            return;
          }
        }
        LockSupport.parkNanos(5_000_000);
      }
    }
  }
}
