package dev.z8run.nodes.timing;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.NodeTypeRegistry;
import dev.z8run.core.runtime.DeployException;
import dev.z8run.core.runtime.Engine;
import dev.z8run.nodes.BuiltinNodes;
import dev.z8run.nodes.FlowHarness;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code timer} node inside a deployed flow: timer "t" -> capture "out". */
class TimerNodeTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  @Test
  void shouldTickAtTheIntervalForAsLongAsTheFlowIsDeployed() {
    harness.engine.deploy(
        chain(
            "f",
            node(
                "t",
                "timer",
                "{\"interval\":20,\"unit\":\"ms\",\"payload\":\"hi\",\"topic\":\"x\"}"),
            node("out", "capture")));

    List<FlowHarness.Captured> ticks = harness.awaitCaptured("out", 3);

    for (int i = 0; i < 3; i++) {
      Map<?, ?> tick = (Map<?, ?>) ticks.get(i).parsed();
      assertEquals("hi", tick.get("payload"));
      assertEquals("x", tick.get("topic"));
      assertEquals((long) i + 1, ((Number) tick.get("tick")).longValue());
    }
    harness.engine.stop("f", 1_000);
    int afterStop = harness.captured("out").size();
    harness.engine.deploy(
        chain(
            "g",
            node("t2", "timer", "{\"interval\":20,\"unit\":\"ms\"}"),
            node("out2", "capture")));
    harness.awaitCaptured("out2", 3);
    assertEquals(afterStop, harness.captured("out").size(), "a stopped timer does not tick");
  }

  @Test
  void shouldTickOnACronScheduleWithSeconds() {
    harness.engine.deploy(
        chain(
            "f",
            node("t", "timer", "{\"cron\":\"* * * * * *\",\"timezone\":\"Europe/Paris\"}"),
            node("out", "capture")));

    Map<?, ?> tick = (Map<?, ?>) harness.awaitCaptured("out", 1).get(0).parsed();

    Map<?, ?> payload = (Map<?, ?>) tick.get("payload");
    assertEquals(1L, payload.get("tick"), "z8run's tick object: " + tick);
    assertTrue(payload.containsKey("interval_ms") && payload.get("interval_ms") == null, "cron");
    Instant.parse((String) payload.get("timestamp"));
  }

  @Test
  void shouldRefuseABadCronExpressionNamingTheField() {
    DeployException failure =
        assertThrows(
            DeployException.class,
            () ->
                harness.engine.deploy(
                    chain(
                        "f",
                        node("t", "timer", "{\"cron\":\"61 * * * *\"}"),
                        node("out", "capture"))));

    assertTrue(failure.getMessage().contains("minute 61 is outside 0..59"), failure.getMessage());
  }

  @Test
  void shouldRefuseAnUnknownTimeZone() {
    DeployException failure =
        assertThrows(
            DeployException.class,
            () ->
                harness.engine.deploy(
                    chain(
                        "f",
                        node("t", "timer", "{\"cron\":\"0 * * * *\",\"timezone\":\"Mars/Base\"}"),
                        node("out", "capture"))));

    assertTrue(failure.getMessage().contains("timezone: unknown time zone"), failure.getMessage());
  }

  @Test
  void shouldCountTicksSkippedByAPauseInsteadOfReplayingThem() {
    Ticker.Schedule every10s = Ticker.every(10_000, 0);

    assertEquals(0, Ticker.skipped(every10s, 10_000, 10_005), "a little late is not a miss");
    assertEquals(3, Ticker.skipped(every10s, 10_000, 45_000), "20, 30 and 40 s were skipped");
    assertEquals(50_000, every10s.nextAfter(45_000), "the next tick stays on the grid");
  }

  @Test
  void shouldFireOnceAfterAPauseAndCountTheTicksItSkipped() {
    AtomicLong nowMs = new AtomicLong(1_000_000);
    EngineConfig config = EngineConfig.builder().workers(2).epochClock(nowMs::get).build();
    Queue<String> ticks = new ConcurrentLinkedQueue<>();
    NodeTypeRegistry registry = BuiltinNodes.registry();
    registry.register(
        NodeType.builder("collect")
            .outputs()
            .factory(ctx -> (msg, out) -> ticks.add(msg.jsonString()))
            .build());
    try (Engine engine = new Engine(config, registry)) {
      engine.deploy(
          chain(
              "f", node("t", "timer", "{\"interval\":2,\"unit\":\"s\"}"), node("out", "collect")));

      nowMs.addAndGet(11_000); // the process "sleeps" through the ticks at +2 .. +10 s

      FlowHarness.await("two ticks", () -> ticks.size() >= 2);
    }
    List<Map<?, ?>> received = new ArrayList<>();
    for (String tick : ticks) {
      received.add((Map<?, ?>) FlowHarness.json(tick));
    }
    assertEquals(1L, received.get(0).get("tick"));
    assertEquals(4L, received.get(0).get("missed"), "+4, +6, +8 and +10 s were skipped");
    assertEquals(2L, received.get(1).get("tick"), "then back on the grid, at +12 s");
    assertEquals(4L, received.get(1).get("missed"));
  }
}
