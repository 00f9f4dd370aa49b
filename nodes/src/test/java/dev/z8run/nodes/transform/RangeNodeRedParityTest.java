package dev.z8run.nodes.transform;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.z8run.nodes.FlowHarness;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The {@code range} node answers as Node-RED's: the cases of {@code
 * test/nodes/core/function/16-range_spec.js}, with the node's config as Node-RED exports it
 * (numbers, as its {@code genericRangeTest} writes them). Flow: source "in" → range "r" → capture
 * "out".
 */
class RangeNodeRedParityTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  /** Sends every message, waits until all have been handled, returns what came out. */
  private List<Map<?, ?>> run(String config, String... messages) {
    harness.engine.deploy(
        chain("f", node("in", "source"), node("r", "range", config), node("out", "capture")));
    for (String message : messages) {
      harness.inject("f", "in", message);
    }
    FlowHarness.await(
        "every message handled",
        () ->
            harness.engine.metrics("f").completed() + harness.engine.metrics("f").failed()
                >= messages.length);
    List<Map<?, ?>> out = new ArrayList<>();
    harness.captured("out").forEach(m -> out.add((Map<?, ?>) m.parsed()));
    return out;
  }

  /** {@code genericRangeTest(action, minin, maxin, minout, maxout, round, payload, expected)} */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ranges numbers up tenfold                                 | scale | 0   | 100 | 0    | 1000  | false | 50      | 500
          ranges numbers down such as centimetres to metres         | scale | 0   | 100 | 0    | 1     | false | 55      | 0.55
          wraps numbers down say for degree/rotation reading 1/2    | roll  | 0   | 10  | 0    | 360   | true  | 15      | 180
          wraps numbers around say for degree/rotation reading 1/3  | roll  | 0   | 10  | 0    | 360   | true  | 13.3333 | 120
          wraps numbers around say for degree/rotation reading 1/4  | roll  | 0   | 10  | 0    | 360   | true  | 12.5    | 90
          wraps numbers down say for degree/rotation reading 1/4    | roll  | 0   | 10  | 0    | 360   | true  | -12.5   | 270
          wraps numbers around say for degree/rotation reading 0    | roll  | 0   | 10  | 0    | 360   | true  | -10     | 0
          clamps numbers within a range - over max                  | clamp | 0   | 10  | 0    | 1000  | false | 111     | 1000
          clamps numbers within a range - below min                 | clamp | 0   | 10  | 0    | 1000  | false | -1      | 0
          clamps numbers within a range - above max fp              | clamp | 0   | 9.5 | 0.5  | 100.5 | true  | 13.1    | 100
          clamps numbers within a range - below min fp              | clamp | 0   | 9.5 | 0.3  | 100.5 | true  | -13.1   | 1
          handles input range where max < min                      | scale | 100 | 0   | 0    | -100  | false | 40      | -60
          handles input range where max < min (2)                   | scale | 100 | 0   | -100 | 0     | false | 10      | -10
          """)
  void shouldAnswerAsNodeRedsGenericRangeTest(
      String name,
      String action,
      String minin,
      String maxin,
      String minout,
      String maxout,
      boolean round,
      String payload,
      double expected) {
    String config =
        "{\"minin\":%s,\"maxin\":%s,\"minout\":%s,\"maxout\":%s,\"action\":\"%s\",\"round\":%s}"
            .formatted(minin, maxin, minout, maxout, action, round);
    List<Map<?, ?>> out = run(config, "{\"payload\":" + payload + "}");
    assertEquals(1, out.size(), name);
    assertEquals(expected, ((Number) out.get(0).get("payload")).doubleValue(), 1e-9, name);
  }

  /** 'drops msg if in drop mode and input outside range' */
  @Test
  void shouldDropMessagesOutsideTheRangeInDropMode() {
    List<Map<?, ?>> out =
        run(
            "{\"minin\":2,\"maxin\":8,\"minout\":20,\"maxout\":80,\"action\":\"drop\","
                + "\"round\":true}",
            "{\"payload\":1}",
            "{\"payload\":9}",
            "{\"payload\":5}");
    assertEquals(List.of(Map.of("payload", 50L)), out);
  }

  /** 'just passes on msg if payload not present' */
  @Test
  void shouldPassOnAMessageWithoutPayload() {
    List<Map<?, ?>> out =
        run(
            "{\"minin\":0,\"maxin\":100,\"minout\":0,\"maxout\":100,\"action\":\"scale\","
                + "\"round\":true}",
            "{\"topic\":\"pass on\"}");
    assertEquals(List.of(Map.of("topic", "pass on")), out);
  }

  /**
   * 'reports if input is not a number': as 16-range.js, which only logs it ({@code node.log}, not
   * {@code node.error}: no Catch node sees it) and sends nothing: a warning of the node, not its
   * error, and the message dropped. The spec's ranges are all 0, which ours refuses at deploy
   * (minin = maxin), so the input range here is 0..100.
   */
  @Test
  void shouldWarnOfAnInputThatIsNotANumberAndDropIt() {
    List<Map<?, ?>> out =
        run(
            "{\"minin\":0,\"maxin\":100,\"minout\":0,\"maxout\":0,\"action\":\"scale\","
                + "\"round\":true}",
            "{\"payload\":\"NOT A NUMBER\"}");
    assertEquals(List.of(), out);
    FlowHarness.await("warned", () -> !harness.warnings("r").isEmpty());
    assertEquals(
        List.of("msg.payload is not a number: NOT A NUMBER; message dropped"),
        harness.warnings("r"));
    assertEquals(List.of(), harness.errors("r"));
  }
}
