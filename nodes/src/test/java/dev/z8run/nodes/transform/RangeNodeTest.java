package dev.z8run.nodes.transform;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.z8run.core.runtime.DeployException;
import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.FlowHarness.Captured;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code range} node in a deployed flow: source -> range -> capture. */
class RangeNodeTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private List<String> run(String config, String... messages) {
    harness.engine.deploy(
        chain("f", node("in", "source"), node("r", "range", config), node("out", "capture")));
    for (String message : messages) {
      harness.inject("f", "in", message);
    }
    FlowHarness.await(
        "executions complete",
        () ->
            harness.engine.metrics("f").completed() + harness.engine.metrics("f").failed()
                == messages.length);
    return harness.captured("out").stream().map(Captured::json).toList();
  }

  @Test
  void shouldScaleLinearlyEvenOutsideTheInputRange() {
    assertEquals(
        List.of(
            "{\"payload\":50}",
            "{\"payload\":0,\"topic\":\"t\"}",
            "{\"payload\":150}",
            "{\"payload\":25.5}",
            "{\"payload\":-10}"),
        run(
            "{\"minin\":0,\"maxin\":10,\"minout\":0,\"maxout\":100}",
            "{\"payload\":5}",
            "{\"payload\":0,\"topic\":\"t\"}",
            "{\"payload\":15}",
            "{\"payload\":\"2.55\"}",
            "{\"payload\":-1}"));
  }

  @Test
  void shouldClampTheInputToItsRangeFirst() {
    assertEquals(
        List.of("{\"payload\":100}", "{\"payload\":0}"),
        run(
            "{\"minin\":0,\"maxin\":10,\"minout\":0,\"maxout\":100,\"action\":\"clamp\"}",
            "{\"payload\":15}",
            "{\"payload\":-3}"));
  }

  @Test
  void shouldWrapTheInputAroundItsRangeWhenRolling() {
    assertEquals(
        List.of("{\"payload\":50}", "{\"payload\":90}"),
        run(
            "{\"minin\":0,\"maxin\":10,\"minout\":0,\"maxout\":100,\"action\":\"roll\"}",
            "{\"payload\":15}",
            "{\"payload\":-1}"));
  }

  @Test
  void shouldDropOutOfRangeInputsAndRoundWhenAsked() {
    assertEquals(
        List.of("{\"payload\":{\"v\":3}}"),
        run(
            "{\"property\":\"payload.v\",\"minin\":0,\"maxin\":3,\"minout\":0,\"maxout\":10,"
                + "\"action\":\"drop\",\"round\":true}",
            "{\"payload\":{\"v\":5}}",
            "{\"payload\":{\"v\":1}}"));
  }

  @Test
  void shouldWarnOfNonNumbersDroppingThemAndPassOnAMessageWithoutTheProperty() {
    assertEquals(List.of("{\"topic\":1}"), run("{}", "{\"payload\":\"abc\"}", "{\"topic\":1}"));

    FlowHarness.await("warned", () -> !harness.warnings("r").isEmpty());
    assertEquals(
        List.of("msg.payload is not a number: abc; message dropped"), harness.warnings("r"));
    assertEquals(List.of(), harness.errors("r"));
  }

  @Test
  void shouldRefuseAnEmptyInputRange() {
    DeployException refused =
        assertThrows(
            DeployException.class,
            () ->
                harness.engine.deploy(
                    chain(
                        "f",
                        node("in", "source"),
                        node("r", "range", "{\"minin\":5,\"maxin\":5}"),
                        node("out", "capture"))));
    assertEquals(
        "node 'r' (range): maxin: the input range is empty (minin = maxin = 5.0)",
        refused.getMessage());
  }
}
