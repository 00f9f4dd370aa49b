package dev.z8run.nodes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.nodes.FlowHarness.Captured;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code rbe} (Node-RED's filter) and {@code trigger} nodes, with the expectations of
 * Node-RED's own tests ({@code test/nodes/core/function/rbe_spec.js}, {@code 89-trigger_spec.js}).
 */
class RbeAndTriggerTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private List<Object> payloads(String type, String config, String... messages) {
    harness.engine.deploy(FlowHarness.switchFlow(type, config, 1, "{}"));
    for (String message : messages) {
      harness.inject("f", "in", message);
    }
    FlowHarness.await(
        "handled", () -> harness.engine.metrics("f").node("sw").messagesIn() == messages.length);
    FlowHarness.await(
        "completed", () -> harness.engine.metrics("f").completed() == messages.length);
    List<Object> payloads = new java.util.ArrayList<>();
    for (Captured captured : harness.captured("o0")) {
      payloads.add(((Map<?, ?>) captured.parsed()).get("payload"));
    }
    return payloads;
  }

  @Test
  void shouldOnlyPassChangedValuesPerTopic() {
    // rbe_spec: "should only send output if payload changes"
    assertEquals(
        List.of("a", "b", "a", 1L, Map.of("x", 1L), Map.of("x", 2L)),
        payloads(
            "rbe",
            "{\"func\":\"rbe\"}",
            "{\"payload\":\"a\"}",
            "{\"payload\":\"a\"}",
            "{\"payload\":\"b\"}",
            "{\"payload\":\"a\"}",
            "{\"payload\":1}",
            "{\"payload\":1}",
            "{\"payload\":{\"x\":1}}",
            "{\"payload\":{\"x\":1}}",
            "{\"payload\":{\"x\":2}}",
            "{\"topic\":\"other\"}"));
  }

  @Test
  void shouldIgnoreTheFirstValueWithRbeiAndKeepTopicsApart() {
    assertEquals(
        List.of("b", "d"),
        payloads(
            "rbe",
            "{\"func\":\"rbei\"}",
            "{\"topic\":\"t1\",\"payload\":\"a\"}",
            "{\"topic\":\"t2\",\"payload\":\"c\"}",
            "{\"topic\":\"t1\",\"payload\":\"b\"}",
            "{\"topic\":\"t2\",\"payload\":\"d\"}",
            "{\"topic\":\"t2\",\"payload\":\"d\"}"));
  }

  @Test
  void shouldPassOnlyMovesBeyondTheDeadband() {
    // rbe_spec: deadband 10 -> 100, 111 pass of 100,105,111,115,120,130
    assertEquals(
        List.of(100L, 111L, 130L),
        payloads(
            "rbe",
            "{\"func\":\"deadband\",\"gap\":\"10\"}",
            "{\"payload\":100}",
            "{\"payload\":105}",
            "{\"payload\":111}",
            "{\"payload\":115}",
            "{\"payload\":120}",
            "{\"payload\":130}"));
  }

  /**
   * The band modes read a number as JavaScript's parseFloat does, through the value's text: [1] is
   * 1 and "12abc" 12 (Node-RED passed [1] where this node warned it was not a number).
   */
  @Test
  void shouldReadNumbersAsParseFloatDoesInTheBandModes() {
    assertEquals(
        List.of(1L, List.of(5L), "12abc"),
        payloads(
            "rbe",
            "{\"func\":\"deadband\",\"gap\":\"2\"}",
            "{\"payload\":1}",
            "{\"payload\":[2]}",
            "{\"payload\":[5]}",
            "{\"payload\":true}",
            "{\"payload\":\"12abc\"}"));
  }

  @Test
  void shouldPassOnlyValuesInsideTheNarrowband() {
    assertEquals(
        List.of(3L, 4L),
        payloads(
            "rbe",
            "{\"func\":\"narrowband\",\"gap\":\"2\",\"start\":\"2\"}",
            "{\"payload\":100}",
            "{\"payload\":3}",
            "{\"payload\":4}",
            "{\"payload\":10}"));
  }

  @Test
  void shouldForgetTheValueOnReset() {
    assertEquals(
        List.of("a", "a"),
        payloads("rbe", "{}", "{\"payload\":\"a\"}", "{\"reset\":true}", "{\"payload\":\"a\"}"));
  }

  @Test
  void shouldSendOp1ThenOp2AfterTheDuration() {
    // 89-trigger_spec: "should output 1st value when triggered" then "2nd value after the wait"
    harness.engine.deploy(
        FlowHarness.switchFlow(
            "trigger",
            "{\"op1\":\"on\",\"op2\":\"off\",\"duration\":\"200\",\"units\":\"ms\"}",
            1,
            "{}"));
    long startNs = System.nanoTime();
    harness.inject("f", "in", "{\"payload\":1}");
    harness.inject("f", "in", "{\"payload\":2}");
    List<Captured> out = harness.awaitCaptured("o0", 2);
    long tookMs = (System.nanoTime() - startNs) / 1_000_000;
    assertEquals("on", ((Map<?, ?>) out.get(0).parsed()).get("payload"));
    assertEquals("off", ((Map<?, ?>) out.get(1).parsed()).get("payload"));
    assertTrue(tookMs >= 190, "op2 after the wait: " + tookMs + " ms");
    FlowHarness.await("both executions done", () -> harness.engine.metrics("f").completed() == 2);
    assertEquals(2, harness.captured("o0").size(), "the second message was ignored");
  }

  @Test
  void shouldCancelOnResetAndSendOp2ToTheSecondOutput() {
    harness.engine.deploy(
        FlowHarness.switchFlow(
            "trigger",
            "{\"op1\":\"1\",\"op1type\":\"num\",\"op2\":\"0\",\"op2type\":\"num\","
                + "\"duration\":\"150\",\"outputs\":2,\"reset\":\"stop\"}",
            2,
            "{}"));
    harness.inject("f", "in", "{\"payload\":\"go\"}");
    harness.inject("f", "in", "{\"payload\":\"stop\"}");
    FlowHarness.await("reset ends it", () -> harness.engine.metrics("f").completed() == 2);
    assertEquals(
        List.of("{\"payload\":1}"), harness.captured("o0").stream().map(Captured::json).toList());
    assertEquals(0, harness.captured("o1").size(), "reset: no op2");
    harness.inject("f", "in", "{\"payload\":\"again\"}");
    List<Captured> second = harness.awaitCaptured("o1", 1);
    assertEquals(0L, ((Map<?, ?>) second.get(0).parsed()).get("payload"));
  }

  @Test
  void shouldSendTheLatestPayloadWhenExtendedWithPayl() {
    // trigger example 03: send a placeholder when a stream stops; extend on each message
    harness.engine.deploy(
        FlowHarness.switchFlow(
            "trigger",
            "{\"op1\":\"\",\"op1type\":\"nul\",\"op2\":\"\",\"op2type\":\"payl\","
                + "\"duration\":\"200\",\"extend\":true}",
            1,
            "{}"));
    harness.inject("f", "in", "{\"payload\":\"a\"}");
    harness.inject("f", "in", "{\"payload\":\"b\"}");
    List<Captured> out = harness.awaitCaptured("o0", 1);
    assertEquals("b", ((Map<?, ?>) out.get(0).parsed()).get("payload"));
  }
}
