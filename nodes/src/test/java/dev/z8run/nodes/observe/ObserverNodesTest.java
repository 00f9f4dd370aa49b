package dev.z8run.nodes.observe;

import static dev.z8run.nodes.FlowHarness.json;
import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.validate.FlowValidator;
import dev.z8run.core.validate.Problem;
import dev.z8run.nodes.FlowHarness;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code catch}, {@code status} and {@code complete} inside deployed flows. */
class ObserverNodesTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
    harness
        .engine
        .registry()
        .register(
            NodeType.builder("boom")
                .factory(
                    ctx ->
                        (msg, out) -> {
                          throw new IllegalStateException("boom at " + ctx.nodeId());
                        })
                .build());
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private static Flow flow(List<FlowNode> nodes, Wire... wires) {
    return new Flow("f", "f", "", nodes, List.of(wires));
  }

  @Test
  void shouldCatchTheFailedMessageWithMsgError() {
    harness.engine.deploy(
        flow(
            List.of(
                node("in", "source"),
                new FlowNode("b", "boom", "Exploder", 0, 0, false, Map.of()),
                node("c", "catch", "{\"scope\":[\"b\"]}"),
                node("out", "capture")),
            new Wire("in", 0, "b", 0),
            new Wire("c", 0, "out", 0)));

    harness.inject("f", "in", "{\"payload\":42,\"topic\":\"t\"}");

    assertEquals(
        json(
            "{\"payload\":42,\"topic\":\"t\",\"error\":{\"message\":\"boom at"
                + " b\",\"source\":{\"id\":\"b\",\"type\":\"boom\",\"name\":\"Exploder\","
                + "\"count\":1}}}"),
        harness.awaitCaptured("out", 1).get(0).parsed());
    FlowHarness.await(
        "the failed execution counted", () -> harness.engine.metrics("f").failed() == 1);

    // failed again by the same node (a catch wired back to it): count 2, the old error in _error,
    // as Node-RED's Flow.handleError counts a message's passes
    harness.inject(
        "f",
        "in",
        "{\"payload\":1,\"error\":{\"message\":\"boom at b\",\"source\":{\"id\":\"b\",\"count\":1}}}");
    Map<?, ?> again = (Map<?, ?>) harness.awaitCaptured("out", 2).get(1).parsed();
    assertEquals(2L, ((Map<?, ?>) ((Map<?, ?>) again.get("error")).get("source")).get("count"));
    assertEquals(
        json("{\"message\":\"boom at b\",\"source\":{\"id\":\"b\",\"count\":1}}"),
        again.get("_error"));
  }

  @Test
  void shouldNotCatchErrorsOfNodesOutsideItsScope() {
    harness.engine.deploy(
        flow(
            List.of(
                node("in", "source"),
                node("b", "boom"),
                node("b2", "boom"),
                node("c", "catch", "{\"scope\":[\"b2\"]}"),
                node("all", "catch"),
                node("out", "capture"),
                node("outAll", "capture")),
            new Wire("in", 0, "b", 0),
            new Wire("c", 0, "out", 0),
            new Wire("all", 0, "outAll", 0)));

    harness.inject("f", "in", "{\"payload\":1}");

    harness.awaitCaptured("outAll", 1);
    FlowHarness.await(
        "the catch-all's execution ended", () -> harness.engine.metrics("f").completed() == 1);
    assertTrue(harness.captured("out").isEmpty());
  }

  @Test
  void shouldGiveAnUncaughtCatchOnlyTheErrorsNoOtherCatchWatches() {
    harness.engine.deploy(
        flow(
            List.of(
                node("in", "source"),
                node("b", "boom"),
                node("b2", "boom"),
                node("c", "catch", "{\"scope\":[\"b\"]}"),
                node("rest", "catch", "{\"uncaught\":true}"),
                node("out", "capture"),
                node("outRest", "capture")),
            new Wire("in", 0, "b", 0),
            new Wire("in", 0, "b2", 0),
            new Wire("c", 0, "out", 0),
            new Wire("rest", 0, "outRest", 0)));

    harness.inject("f", "in", "{\"payload\":1}");

    Map<?, ?> toRest = (Map<?, ?>) harness.awaitCaptured("outRest", 1).get(0).parsed();
    assertEquals("b2", ((Map<?, ?>) ((Map<?, ?>) toRest.get("error")).get("source")).get("id"));
    Map<?, ?> toC = (Map<?, ?>) harness.awaitCaptured("out", 1).get(0).parsed();
    assertEquals("b", ((Map<?, ?>) ((Map<?, ?>) toC.get("error")).get("source")).get("id"));
    FlowHarness.await(
        "both catch executions ended", () -> harness.engine.metrics("f").completed() == 2);
    assertEquals(1, harness.captured("outRest").size());
  }

  @Test
  void shouldNotLoopWhenTheCatchPathFailsToo() {
    harness.engine.deploy(
        flow(
            List.of(
                node("in", "source"), node("b", "boom"), node("c", "catch"), node("b2", "boom")),
            new Wire("in", 0, "b", 0),
            new Wire("c", 0, "b2", 0)));

    harness.inject("f", "in", "{\"payload\":1}");

    FlowHarness.await("two failed executions", () -> harness.engine.metrics("f").failed() == 2);
    assertEquals(1, harness.engine.metrics("f").node("c").messagesIn());
  }

  @Test
  void shouldReceiveTheStatusOfObservedNodes() {
    harness.engine.deploy(
        flow(
            List.of(
                node("in", "source"),
                node("n", "counter", "{\"statusEvery\":1}"),
                node("s", "status", "{\"scope\":[\"n\"]}"),
                node("out", "capture")),
            new Wire("in", 0, "n", 0),
            new Wire("s", 0, "out", 0)));

    harness.inject("f", "in", "{\"payload\":1}");

    Map<?, ?> status =
        (Map<?, ?>) ((Map<?, ?>) harness.awaitCaptured("out", 1).get(0).parsed()).get("status");
    assertEquals(Map.of("id", "n", "type", "counter", "name", ""), status.get("source"));
    assertEquals("1 messages, 13 bytes", status.get("text"));
  }

  @Test
  void shouldReceiveEachMessageAListedNodeCompletedWithMsgCompleteSource() {
    harness.engine.deploy(
        flow(
            List.of(
                node("in", "source"),
                node("j", "junction"),
                node("k", "junction"),
                node("done", "complete", "{\"scope\":[\"k\"]}"),
                node("out", "capture")),
            new Wire("in", 0, "j", 0),
            new Wire("j", 0, "k", 0),
            new Wire("done", 0, "out", 0)));

    harness.inject("f", "in", "{\"payload\":\"a\"}");
    harness.inject("f", "in", "{\"payload\":\"b\"}");

    List<FlowHarness.Captured> out = harness.awaitCaptured("out", 2);
    String source = "\"complete\":{\"source\":{\"id\":\"k\",\"type\":\"junction\",\"name\":\"\"}}";
    assertEquals(json("{\"payload\":\"a\"," + source + "}"), out.get(0).parsed());
    assertEquals(json("{\"payload\":\"b\"," + source + "}"), out.get(1).parsed());
  }

  @Test
  void shouldRefuseAScopeNamingNodesThatAreNotInTheFlow() {
    FlowValidator.ValidationException refused =
        assertThrows(
            FlowValidator.ValidationException.class,
            () ->
                harness.engine.deploy(
                    flow(
                        List.of(
                            node("c", "catch", "{\"scope\":[\"ghost\"]}"), node("out", "capture")),
                        new Wire("c", 0, "out", 0))));

    assertEquals(Problem.CONFIG_UNKNOWN_NODE, refused.problems().get(0).code());
  }
}
