package dev.z8run.nodes.routing;

import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.Wire;
import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.FlowHarness.Captured;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code junction} node inside a deployed flow: source "in" -> junction -> three captures. */
class JunctionNodeTest {
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
  void shouldForwardEveryMessageUnchangedToEveryWiredTargetInOrder() {
    byte[] binary = {1, 0, (byte) 0xFE, '"'};
    String source = "{\"binaryBase64\":\"" + Base64.getEncoder().encodeToString(binary) + "\"}";
    List<String> targets = List.of("a", "b", "c");
    harness.engine.deploy(
        new Flow(
            "fan",
            "fan",
            "",
            List.of(
                node("in", "source", source),
                node("j", "junction"),
                node("a", "capture"),
                node("b", "capture"),
                node("c", "capture")),
            List.of(
                new Wire("in", 0, "j", 0),
                new Wire("j", 0, "a", 0),
                new Wire("j", 0, "b", 0),
                new Wire("j", 0, "c", 0))));
    int count = 100;
    for (int i = 0; i < count; i++) {
      harness.inject("fan", "in", "{ \"payload\" : " + i + ", \"topic\":\"t\\u00e9\" }");
    }

    for (String target : targets) {
      List<Captured> received = harness.awaitCaptured(target, count);
      assertEquals(count, received.size(), target);
      for (int i = 0; i < count; i++) {
        assertEquals(
            "{ \"payload\" : " + i + ", \"topic\":\"t\\u00e9\" }", received.get(i).json(), target);
        assertArrayEquals(binary, received.get(i).binary(), target);
      }
    }
    FlowHarness.await(
        "executions complete", () -> harness.engine.metrics("fan").completed() == count);
    assertEquals(count, harness.engine.metrics("fan").node("j").messagesIn());
    assertEquals(count * targets.size(), harness.engine.metrics("fan").node("j").messagesOut());
  }
}
