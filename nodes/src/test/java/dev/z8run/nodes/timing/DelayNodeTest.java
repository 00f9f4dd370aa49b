package dev.z8run.nodes.timing;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.json;
import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.runtime.DeployException;
import dev.z8run.core.runtime.FlowMetrics;
import dev.z8run.nodes.FlowHarness;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code delay} node inside a deployed flow: source "in" -> delay "d" -> capture "out". */
class DelayNodeTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private void deploy(String delayConfig) {
    harness.engine.deploy(
        chain("f", node("in", "source"), node("d", "delay", delayConfig), node("out", "capture")));
  }

  /**
   * A body past the inbox's eighth waits by reference, as it travels: it was copied into the
   * deferred record whole, which the node's own inbox refused ("exceeds the node's own inbox
   * limit"), so a 100 KB webhook body through a delay never reached its http-out (504).
   */
  @Test
  void shouldDelayALargeMessageAndGiveItsBlockBackWhenDeliveredResetOrStopped() {
    deploy("{\"timeout\":50,\"timeoutUnits\":\"milliseconds\"}");
    String big = "{\"payload\":\"" + "x".repeat(300_000) + "\"}";

    harness.inject("f", "in", big);

    assertEquals(json(big), harness.awaitCaptured("out", 1).get(0).parsed());
    FlowHarness.await(
        "the execution completed", () -> harness.engine.metrics("f").completed() == 1);
    FlowHarness.await(
        "every block given back", () -> harness.engine.bodyBlocks().liveBlocks() == 0);

    // held, then reset: the reset gives the block back
    harness.engine.stop("f", 1_000);
    deploy("{\"timeout\":1,\"timeoutUnits\":\"days\"}");
    harness.inject("f", "in", big);
    FlowHarness.await(
        "the message held", () -> harness.engine.metrics("f").node("d").messagesIn() == 1);
    assertEquals(1, harness.engine.bodyBlocks().liveBlocks());
    harness.inject("f", "in", "{\"reset\":true}");
    FlowHarness.await(
        "the reset gave the block back", () -> harness.engine.bodyBlocks().liveBlocks() == 0);

    // held, then the flow stops: the stop gives it back
    harness.inject("f", "in", big);
    FlowHarness.await(
        "the message held", () -> harness.engine.metrics("f").node("d").messagesIn() == 3);
    assertEquals(1, harness.engine.bodyBlocks().liveBlocks());
    harness.engine.stop("f", 100);
    assertEquals(0, harness.engine.bodyBlocks().liveBlocks());
  }

  @Test
  void shouldKeepTheExecutionOpenWhileTheMessageIsHeld() {
    deploy("{\"timeout\":1,\"timeoutUnits\":\"days\"}");

    harness.inject("f", "in", "{\"payload\":1}");

    FlowHarness.await(
        "the message held by the delay",
        () -> harness.engine.metrics("f").node("d").messagesIn() == 1);
    FlowMetrics held = harness.engine.metrics("f");
    assertEquals(0, held.completed(), "the execution waits for its delayed message");
    assertEquals(1, held.live());
    assertTrue(harness.captured("out").isEmpty());
  }

  @Test
  void shouldDeliverTheDelayedMessageAndThenCompleteItsExecution() {
    deploy("{\"timeout\":100,\"timeoutUnits\":\"milliseconds\"}");

    harness.inject("f", "in", "{\"payload\":1}");

    assertEquals(json("{\"payload\":1}"), harness.awaitCaptured("out", 1).get(0).parsed());
    FlowHarness.await(
        "the execution completed", () -> harness.engine.metrics("f").completed() == 1);
  }

  @Test
  void shouldKeepTheOrderOfMessagesWithTheSameDelay() {
    deploy("{\"timeout\":50,\"timeoutUnits\":\"milliseconds\"}");

    for (int i = 0; i < 20; i++) {
      harness.inject("f", "in", "{\"payload\":" + i + "}");
    }

    List<Object> payloads = new ArrayList<>();
    for (FlowHarness.Captured c : harness.awaitCaptured("out", 20)) {
      payloads.add(((java.util.Map<?, ?>) c.parsed()).get("payload"));
    }
    List<Object> expected = new ArrayList<>();
    for (long i = 0; i < 20; i++) {
      expected.add(i);
    }
    assertEquals(expected, payloads);
  }

  @Test
  void shouldUseMsgDelayInDelayvMode() {
    deploy("{\"pauseType\":\"delayv\",\"timeout\":1,\"timeoutUnits\":\"days\"}");

    harness.inject("f", "in", "{\"payload\":\"soon\",\"delay\":10}");

    assertEquals(
        "soon",
        ((java.util.Map<?, ?>) harness.awaitCaptured("out", 1).get(0).parsed()).get("payload"));
  }

  @Test
  void shouldRateLimitAndQueueInOrder() {
    deploy(
        "{\"pauseType\":\"rate\",\"rate\":\"50\",\"nbRateUnits\":\"1\",\"rateUnits\":\"second\"}");

    for (int i = 0; i < 5; i++) {
      harness.inject("f", "in", "{\"payload\":" + i + "}");
    }

    List<FlowHarness.Captured> out = harness.awaitCaptured("out", 5);
    for (int i = 0; i < 5; i++) {
      assertEquals((long) i, ((java.util.Map<?, ?>) out.get(i).parsed()).get("payload"));
    }
    FlowHarness.await(
        "all executions completed", () -> harness.engine.metrics("f").completed() == 5);
  }

  @Test
  void shouldDropMessagesOverTheRateWhenAskedTo() {
    deploy("{\"pauseType\":\"rate\",\"rate\":1,\"rateUnits\":\"day\",\"drop\":true}");

    for (int i = 0; i < 3; i++) {
      harness.inject("f", "in", "{\"payload\":" + i + "}");
    }

    FlowHarness.await("two drops", () -> harness.statuses("d").contains("dropped 2"));
    FlowHarness.await("all executions ended", () -> harness.engine.metrics("f").completed() == 3);
    assertEquals(1, harness.captured("out").size());
  }

  @Test
  void shouldBoundTheMessagesItHolds() {
    deploy("{\"timeout\":1,\"timeoutUnits\":\"days\",\"maxQueue\":2}");

    for (int i = 0; i < 3; i++) {
      harness.inject("f", "in", "{\"payload\":" + i + "}");
    }

    FlowHarness.await("one drop", () -> harness.statuses("d").contains("dropped 1"));
    FlowHarness.await(
        "the dropped one's execution ended", () -> harness.engine.metrics("f").completed() == 1);
    assertEquals(2, harness.engine.metrics("f").live(), "two executions wait in the delay");
    assertTrue(harness.engine.stop("f", 0).abandonedExecutions() >= 2);
  }

  @Test
  void shouldRefuseANonNumericTimeoutNamingTheField() {
    DeployException failure =
        assertThrows(DeployException.class, () -> deploy("{\"timeout\":\"soon\"}"));

    assertTrue(failure.getMessage().contains("timeout: expected a number"), failure.getMessage());
  }

  @Test
  void shouldDropHeldMessagesOnResetAndSendThemAtOnceOnFlush() {
    try (FlowHarness harness = new FlowHarness()) {
      harness.engine.deploy(
          FlowHarness.chain(
              "f",
              FlowHarness.node("in", "source"),
              FlowHarness.node(
                  "d",
                  "delay",
                  "{\"pauseType\":\"delay\",\"timeout\":\"1\",\"timeoutUnits\":\"minutes\"}"),
              FlowHarness.node("out", "capture")));
      harness.inject("f", "in", "{\"payload\":\"dropped\"}");
      harness.inject("f", "in", "{\"reset\":true}");
      harness.inject("f", "in", "{\"payload\":\"a\"}");
      harness.inject("f", "in", "{\"payload\":\"b\"}");
      harness.inject("f", "in", "{\"flush\":1}");
      harness.inject("f", "in", "{\"flush\":true,\"topic\":\"t\"}");

      var out = harness.awaitCaptured("out", 3);
      org.junit.jupiter.api.Assertions.assertEquals(
          java.util.List.of(
              "{\"payload\":\"a\"}", "{\"payload\":\"b\"}", "{\"flush\":true,\"topic\":\"t\"}"),
          out.stream().map(FlowHarness.Captured::json).toList());
    }
  }

  @Test
  void shouldPassABurstAndDropWhatFindsNoPlaceUntilReset() {
    // 89-delay_spec.js "can handle a burst in burst mode" / "can reset a burst in burst mode"
    deploy("{\"pauseType\":\"burst\",\"rate\":3,\"nbRateUnits\":1,\"rateUnits\":\"minute\"}");
    for (int i = 1; i <= 5; i++) {
      harness.inject("f", "in", "{\"payload\":" + i + "}");
    }
    harness.inject("f", "in", "{\"reset\":true}");
    harness.inject("f", "in", "{\"payload\":6}");
    FlowHarness.await("every message handled", () -> harness.engine.metrics("f").completed() == 7);
    assertEquals(
        List.of("{\"payload\":1}", "{\"payload\":2}", "{\"payload\":3}", "{\"payload\":6}"),
        harness.captured("out").stream().map(FlowHarness.Captured::json).toList());
  }

  @Test
  void shouldFlushAndResetTheQueueInRateMode() {
    // 89-delay_spec.js "can part flush and reset rate limit queue": one message a minute
    deploy(
        "{\"pauseType\":\"rate\",\"rate\":\"1\",\"nbRateUnits\":\"1\",\"rateUnits\":\"minute\"}");
    harness.inject("f", "in", "{\"payload\":1}"); // the first passes
    harness.inject("f", "in", "{\"payload\":2}");
    harness.inject("f", "in", "{\"payload\":3}");
    harness.inject("f", "in", "{\"payload\":4}");
    harness.inject("f", "in", "{\"flush\":2}"); // 2 and 3 now; the flush message is not queued
    var out = harness.awaitCaptured("out", 3);
    assertEquals(
        List.of("{\"payload\":1}", "{\"payload\":2}", "{\"payload\":3}"),
        out.stream().map(FlowHarness.Captured::json).toList());
    harness.inject("f", "in", "{\"reset\":true}"); // 4 is dropped
    harness.inject("f", "in", "{\"payload\":5}"); // and the next passes at once
    FlowHarness.await("5 is sent", () -> harness.captured("out").size() == 4);
    assertEquals("{\"payload\":5}", harness.captured("out").get(3).json());
    FlowHarness.await(
        "every execution ended, the dropped one too",
        () -> harness.engine.metrics("f").completed() == 7);
    harness.inject("f", "in", "{\"payload\":6}"); // held: 5 took this minute's slot
    harness.inject("f", "in", "{\"flush\":1}"); // releases 6
    FlowHarness.await("6 is sent", () -> harness.captured("out").size() == 5);
    harness.inject("f", "in", "{\"flush\":1}"); // an empty queue: the next passes at once
    harness.inject("f", "in", "{\"payload\":7}");
    FlowHarness.await("7 is sent", () -> harness.captured("out").size() == 6);
  }

  @Test
  void shouldReleaseTheLatestMessageOfEachTopicPerTick() {
    try (FlowHarness harness = new FlowHarness()) {
      harness.engine.deploy(
          FlowHarness.chain(
              "f",
              FlowHarness.node("in", "source"),
              FlowHarness.node(
                  "d",
                  "delay",
                  "{\"pauseType\":\"timed\",\"rate\":\"1\",\"nbRateUnits\":\"0.2\","
                      + "\"rateUnits\":\"second\"}"),
              FlowHarness.node("out", "capture")));
      for (String message :
          List.of(
              "{\"topic\":\"a\",\"payload\":1}",
              "{\"topic\":\"b\",\"payload\":1}",
              "{\"topic\":\"a\",\"payload\":2}",
              "{\"topic\":\"b\",\"payload\":2}")) {
        harness.inject("f", "in", message);
      }

      var out = harness.awaitCaptured("out", 2);
      List<String> seen = new ArrayList<>();
      out.forEach(m -> seen.add(m.json()));
      // released together on the next tick, unless a tick fell between the injections
      assertTrue(
          seen.equals(List.of("{\"topic\":\"a\",\"payload\":2}", "{\"topic\":\"b\",\"payload\":2}"))
              || seen.get(0).contains("\"payload\":1"),
          seen.toString());
    }
  }
}
