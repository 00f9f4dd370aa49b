package dev.z8run.nodes.observe;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.z8run.core.validate.FlowValidator.ValidationException;
import dev.z8run.nodes.FlowHarness;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code counter} node inside a deployed flow: source "in" -> counter. */
class CounterNodeTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private long messagesIn(String flowId) {
    return harness.engine.metrics(flowId).node("counter").messagesIn();
  }

  @Test
  void shouldPublishCountAndBytesAsStatusEveryStatusEveryMessages() {
    harness.engine.deploy(
        chain("f", node("in", "source"), node("counter", "counter", "{\"statusEvery\":5}")));

    for (int i = 10; i < 22; i++) {
      harness.inject("f", "in", "{\"n\":" + i + "}"); // 8 bytes each
    }

    FlowHarness.await("12 messages counted", () -> messagesIn("f") == 12);
    FlowHarness.await("two statuses", () -> harness.statuses("counter").size() >= 2);
    assertEquals(
        List.of("5 messages, 40 bytes", "10 messages, 80 bytes"), harness.statuses("counter"));
    FlowHarness.await("executions complete", () -> harness.engine.metrics("f").completed() == 12);
    assertEquals(12, messagesIn("f"));
  }

  @Test
  void shouldCountBinaryPayloadBytes() {
    String source =
        "{\"binaryBase64\":\"" + Base64.getEncoder().encodeToString(new byte[4]) + "\"}";
    harness.engine.deploy(
        chain(
            "f", node("in", "source", source), node("counter", "counter", "{\"statusEvery\":2}")));

    harness.inject("f", "in", "{}");
    harness.inject("f", "in", "{}");

    FlowHarness.await("a status", () -> !harness.statuses("counter").isEmpty());
    assertEquals(List.of("2 messages, 12 bytes"), harness.statuses("counter"));
  }

  @Test
  void shouldRefuseNegativeStatusEveryAtDeploy() {
    ValidationException refused =
        assertThrows(
            ValidationException.class,
            () ->
                harness.engine.deploy(
                    chain(
                        "f",
                        node("in", "source"),
                        node("counter", "counter", "{\"statusEvery\":-1}"))));

    assertEquals(
        "node 'counter': field 'statusEvery' must be 0 or more, got -1", refused.getMessage());
    assertEquals("counter", refused.problems().get(0).nodeId());
    assertFalse(harness.engine.isRunning("f"));
  }

  @Test
  void shouldFailValidationWhenStatusEveryIsNotAnInteger() {
    ValidationException invalid =
        assertThrows(
            ValidationException.class,
            () ->
                harness.engine.deploy(
                    chain(
                        "f",
                        node("in", "source"),
                        node("counter", "counter", "{\"statusEvery\":2.5}"))));

    assertEquals(
        "node 'counter': field 'statusEvery' must be an integer, got number 2.5",
        invalid.getMessage());
  }
}
