package dev.z8run.nodes.data;

import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.registry.NodeType;
import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.support.LiveConnections;
import dev.z8run.nodes.support.OutboundPolicy;
import dev.z8run.testkit.Poll;
import dev.z8run.testkit.PrivatePostgres;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The database node under stress: a million streamed rows, and its server restarted under load. */
class DatabaseRecoveryIT {
  private FlowHarness harness;
  private final AtomicLong slowCount = new AtomicLong();

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
    harness.engine.registerService(OutboundPolicy.class, OutboundPolicy.parse("127.0.0.0/8,::1"));
    harness.engine.registerService(LiveConnections.class, new LiveConnections());
    harness
        .engine
        .registry()
        .register(
            NodeType.builder("slow")
                .outputs()
                .factory(
                    context ->
                        (msg, out) -> {
                          if (slowCount.incrementAndGet() % 1_000 == 0) {
                            LockSupport.parkNanos(1_000_000);
                          }
                        })
                .build());
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  @Test
  void shouldStreamAMillionRowsThroughASlowNodeWithAFlatHeap() {
    String url = Databases.postgresUrl();
    harness.engine.deploy(
        FlowHarness.chain(
            "million",
            node("in", "source"),
            node(
                "db",
                "database",
                Databases.config(
                    Databases.fields("postgres", url),
                    Map.of(
                        "mode",
                        "stream",
                        "query",
                        "SELECT g AS id, md5(g::text) AS hash FROM generate_series(1, 1000000) g"))),
            node("sink", "slow")));
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    System.gc();
    long baseline = memory.getHeapMemoryUsage().getUsed();
    harness.inject("million", "in", "{}");
    long[] peak = {0};
    long[] progress = {0, System.nanoTime()};
    // a full collection at every poll: twice a second (at Poll's 1 ms they starved the stream);
    // the time limit is for a stall (a minute without a row), not for a slow, loaded machine
    Poll.eventually("1,000,001 messages at the slow node", Duration.ofMinutes(15))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              System.gc();
              peak[0] = Math.max(peak[0], memory.getHeapMemoryUsage().getUsed() - baseline);
              long count = slowCount.get();
              if (count != progress[0]) {
                progress[0] = count;
                progress[1] = System.nanoTime();
              } else if (System.nanoTime() - progress[1] > 60_000_000_000L) {
                throw new AssertionError("the stream stalled at " + count + " messages");
              }
              return count == 1_000_001;
            });
    // a million rows held at once would take hundreds of MiB; streamed, the live heap stays small
    assertTrue(peak[0] < 64L * 1024 * 1024, "heap grew by " + peak[0] / 1024 / 1024 + " MiB");
  }

  @Test
  void shouldRecoverWhenTheDatabaseRestartsUnderLoad() throws Exception {
    try (PrivatePostgres server = PrivatePostgres.start()) {
      String url = server.jdbcUrl() + "?user=postgres";
      Databases.execute(url, "CREATE TABLE load (id int)");
      harness.engine.deploy(
          new Flow(
              "restart",
              "restart",
              "",
              List.of(
                  node("in", "source"),
                  node(
                      "db",
                      "database",
                      Databases.config(
                          Databases.fields("postgres", url),
                          Map.of(
                              "query",
                              "INSERT INTO load VALUES ($payload)",
                              "connectTimeoutMs",
                              1000))),
                  node("ok", "capture"),
                  node("err", "capture")),
              List.of(
                  new Wire("in", 0, "db", 0),
                  new Wire("db", 0, "ok", 0),
                  new Wire("db", 1, "err", 0))));
      int[] next = {0};
      FlowHarness.await(
          "inserts before the restart",
          () -> {
            harness.inject("restart", "in", "{\"payload\":" + next[0]++ + "}");
            return harness.captured("ok").size() >= 100;
          });
      server.stop();
      FlowHarness.await(
          "errors while the server is down",
          () -> {
            harness.inject("restart", "in", "{\"payload\":" + next[0]++ + "}");
            LockSupport.parkNanos(20_000_000);
            return !harness.captured("err").isEmpty();
          });
      // every failure carries a SQL state: 08xxx for a connection lost or not to be had (the
      // pool's "no connection in time" included), 57P0x for the server shutting down or starting
      for (FlowHarness.Captured failed : harness.captured("err")) {
        Map<?, ?> error = (Map<?, ?>) ((Map<?, ?>) failed.parsed()).get("error");
        assertTrue(String.valueOf(error.get("sqlState")).matches("08...|57P0."), error.toString());
      }
      server.startServer();
      int okBefore = harness.captured("ok").size();
      FlowHarness.await(
          "inserts after the restart",
          () -> {
            harness.inject("restart", "in", "{\"payload\":" + next[0]++ + "}");
            LockSupport.parkNanos(5_000_000);
            return harness.captured("ok").size() >= okBefore + 100;
          });
      assertEquals(
          1,
          ((Map<?, ?>) harness.captured("ok").get(okBefore).parsed()).get("rowCount")
                  instanceof Number n
              ? n.intValue()
              : 0);
    }
  }
}
