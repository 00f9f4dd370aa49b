package dev.z8run.nodes.function;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.node;
import static dev.z8run.nodes.function.FunctionNodeTest.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.FlowHarness.Captured;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * No script holds an engine worker (issue 12, finding 7): on an engine with one worker, while a
 * hostile script runs to its limit, another flow's Function nodes on that same worker keep handling
 * messages, in order; the hostile script still ends as its node's error, and the hostile node's
 * later messages wait for it and come out in order.
 */
class FunctionIsolationTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness(1);
    harness.engine.deploy(
        chain(
            "neighbour",
            node("nsrc", "source"),
            node("n1", "function", config("msg.hop = 1; return msg;")),
            node("n2", "function", config("msg.hop = 2; return msg;")),
            node("nout", "capture")));
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private void hostile(String attack, long timeoutMs) {
    harness.engine.deploy(
        chain(
            "hostile",
            node("hsrc", "source"),
            node(
                "fn",
                "function",
                config(
                    "if (msg.payload === 'attack') {\n" + attack + "\n}\nreturn msg;",
                    "timeoutMs",
                    timeoutMs)),
            node("hout", "capture")));
  }

  /** Sends the attack, then neighbour messages that must all arrive before the attack has ended. */
  private String attackWhileTheNeighbourFlows(String attack, long timeoutMs) {
    hostile(attack, timeoutMs);
    harness.inject("hostile", "hsrc", "{\"payload\":\"attack\"}");
    harness.inject("hostile", "hsrc", "{\"payload\":\"after\"}");
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      harness.inject("neighbour", "nsrc", "{\"payload\":" + i + "}");
      expected.add("{\"payload\":" + i + ",\"hop\":2}");
    }
    List<Captured> flowed = harness.awaitCaptured("nout", 50);
    // the one worker was not held: the neighbour's messages went through while the attack ran
    assertTrue(
        harness.errors("fn").isEmpty(),
        "the attack was still running when the neighbour's 50 messages had arrived");
    assertEquals(expected, flowed.stream().map(Captured::json).toList());
    assertTrue(harness.captured("hout").isEmpty(), "the hostile node's next message waits");

    String error = harness.awaitErrors("fn", 1).get(0);
    List<Captured> after = harness.awaitCaptured("hout", 1);
    assertEquals("{\"payload\":\"after\"}", after.get(0).json());
    // the neighbour still flows afterwards
    harness.inject("neighbour", "nsrc", "{\"payload\":50}");
    harness.awaitCaptured("nout", 51);
    return error;
  }

  @Test
  void shouldKeepTheNeighbourFlowingWhileALoopRunsToItsLimit() {
    String error = attackWhileTheNeighbourFlows("while (true) {}", 400);
    assertTrue(error.contains("ms of CPU time (limit 400 ms per message)"), error);
  }

  @Test
  void shouldKeepTheNeighbourFlowingWhileAStringifyOfASharedGraphRuns() {
    String error =
        attackWhileTheNeighbourFlows(
            "var o = {leaf: 'x'};\n"
                + "for (var i = 0; i < 25; i++) { o = {a: o, b: o}; }\n"
                + "JSON.stringify(o);",
            400);
    assertTrue(
        error.contains("JSON.stringify would make")
            || error.contains("stopped after allocating")
            || error.contains("ms of CPU time"),
        error);
  }

  @Test
  void shouldKeepTheNeighbourFlowingWhileARegularExpressionBacktracks() {
    String error =
        attackWhileTheNeighbourFlows(
            "/(a+)+$/.test('aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!');", 400);
    // Rhino's backtracking keeps its states on the heap: the allocation limit may stop it first
    assertTrue(
        error.contains("ms of CPU time (limit 400 ms per message)")
            || error.contains("stopped after allocating"),
        error);
  }
}
