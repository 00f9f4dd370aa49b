package dev.z8run.nodes.routing;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.node.InjectResult;
import dev.z8run.core.runtime.NodeCounters;
import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.FlowHarness.Captured;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A user's regular expression that backtracks for hours ({@code ^(.*?,){11}P} on thirty fields) in
 * a switch, filter or change node: on an engine with one worker, another flow on that worker keeps
 * flowing while the match runs, the match ends as the node's error at its time limit, and the node
 * goes on with its next message.
 */
class RegexLimitTest {
  /** The classic: on a line of many fields and no P it tries every split into eleven fields. */
  private static final String BACKTRACKS = "^(.*?,){11}P";

  private static final String TEXT = "1,".repeat(30);

  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness(1);
    harness.engine.deploy(chain("neighbour", node("nsrc", "source"), node("nout", "capture")));
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"switch", "switch-jsonata", "switch-z8run", "filter", "change"})
  void shouldEndABacktrackingMatchAtItsLimitWhileTheWorkerGoesOn(String form) {
    harness.engine.deploy(
        chain(
            "hostile",
            node("hsrc", "source"),
            node("re", nodeType(form), config(form)),
            node("hout", "capture")));
    harness.inject("hostile", "hsrc", message(form, TEXT));
    harness.inject("hostile", "hsrc", message(form, "1,".repeat(11) + "P"));

    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      harness.inject("neighbour", "nsrc", "{\"payload\":" + i + "}");
      expected.add("{\"payload\":" + i + "}");
    }
    List<Captured> flowed = harness.awaitCaptured("nout", 20);
    assertEquals(expected, flowed.stream().map(Captured::json).toList());
    // a call is counted when it ends: the neighbour flowed while the match still ran
    assertEquals(0, handled("re"), "the match had ended before the neighbour flowed");

    String error = harness.awaitErrors("re", 1).get(0);
    assertTrue(
        error.contains(
            "regular expression '" + BACKTRACKS + "' ran past its time limit of 1000 ms"),
        error);
    // the node is not stuck: its next message goes through
    harness.awaitCaptured("hout", 1);
    assertEquals(1, harness.errors("re").size());
  }

  /**
   * JSONata's regular-expression functions, which dashjoin runs in one call the evaluation's step
   * check never interrupts, end at the same limit with the same error, in a change node's JSONata,
   * a switch's JSONata property and a sort's JSONata key.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "change:$match(payload, /" + BACKTRACKS + "/)",
        "change:$replace(payload, /" + BACKTRACKS + "/, \"x\")",
        "change:$replace(payload, \"" + BACKTRACKS + "\", \"x\", 1)",
        "change:$split(payload, /" + BACKTRACKS + "/)",
        "change:$contains(payload, /" + BACKTRACKS + "/)",
        "change:/" + BACKTRACKS + "/(payload).match",
        "switch:$match(payload, /" + BACKTRACKS + "/)",
        "sort:$contains($, /" + BACKTRACKS + "/)"
      })
  void shouldEndABacktrackingJsonataRegexAtItsLimitWhileTheWorkerGoesOn(String form) {
    String type = form.substring(0, form.indexOf(':'));
    String expression = jsonString(form.substring(type.length() + 1));
    String config =
        switch (type) {
          case "change" ->
              "{\"rules\":[{\"t\":\"set\",\"p\":\"result\",\"pt\":\"msg\",\"to\":"
                  + expression
                  + ",\"tot\":\"jsonata\"}]}";
          case "switch" ->
              "{\"property\":"
                  + expression
                  + ",\"propertyType\":\"jsonata\",\"rules\":[{\"t\":\"else\"}],\"outputs\":1}";
          case "sort" -> "{\"msgKeyType\":\"jsonata\",\"msgKey\":" + expression + "}";
          default -> throw new IllegalArgumentException(form);
        };
    harness.engine.deploy(
        chain(
            "hostile", node("hsrc", "source"), node("re", type, config), node("hout", "capture")));
    boolean array = type.equals("sort");
    harness.inject("hostile", "hsrc", jsonataMessage(array, TEXT));
    harness.inject("hostile", "hsrc", jsonataMessage(array, "1,".repeat(11) + "P"));

    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      harness.inject("neighbour", "nsrc", "{\"payload\":" + i + "}");
      expected.add("{\"payload\":" + i + "}");
    }
    assertEquals(expected, harness.awaitCaptured("nout", 20).stream().map(Captured::json).toList());
    // a call is counted when it ends: the neighbour flowed while the match still ran
    assertEquals(0, handled("re"), "the match had ended before the neighbour flowed");

    String error = harness.awaitErrors("re", 1).get(0);
    assertTrue(
        error.contains(
            "regular expression '" + BACKTRACKS + "' ran past its time limit of 1000 ms"),
        error);
    // the node is not stuck: its next message goes through
    harness.awaitCaptured("hout", 1);
    assertEquals(1, harness.errors("re").size());
  }

  private static String jsonataMessage(boolean array, String text) {
    return array ? "{\"payload\":[\"" + text + "\",\"x\"]}" : "{\"payload\":\"" + text + "\"}";
  }

  private static String jsonString(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  /** A message whose tested property is {@code text}: z8run's rules read inside the payload. */
  private static String message(String form, String text) {
    return form.equals("switch-z8run")
        ? "{\"payload\":{\"text\":\"" + text + "\"}}"
        : "{\"payload\":\"" + text + "\"}";
  }

  private static String nodeType(String form) {
    return form.startsWith("switch") ? "switch" : form;
  }

  private static String config(String form) {
    String pattern = "\"" + BACKTRACKS.replace("\\", "\\\\") + "\"";
    return switch (form) {
      case "switch" ->
          "{\"property\":\"payload\",\"rules\":[{\"t\":\"regex\",\"v\":"
              + pattern
              + "}],"
              + "\"checkall\":true,\"outputs\":1}";
      case "switch-jsonata" ->
          "{\"property\":\"payload\",\"propertyType\":\"jsonata\",\"rules\":[{\"t\":\"regex\","
              + "\"v\":"
              + pattern
              + "}],\"outputs\":1}";
      case "switch-z8run" ->
          "{\"property\":\"text\",\"rules\":[{\"type\":\"regex\",\"value\":"
              + pattern
              + ",\"port\":0}]}";
      case "filter" ->
          "{\"property\":\"payload\",\"rules\":[{\"t\":\"regex\",\"v\":" + pattern + "}]}";
      case "change" ->
          "{\"rules\":[{\"t\":\"change\",\"p\":\"payload\",\"pt\":\"msg\",\"from\":"
              + pattern
              + ",\"fromt\":\"re\",\"to\":\"x\",\"tot\":\"str\"}]}";
      default -> throw new IllegalArgumentException(form);
    };
  }

  /**
   * A request that runs its flow on its own thread (HTTP In's inline run) holds the worker until
   * the chain ends, and a web server's thread cannot hand the worker to a stand-in: a node that
   * runs the author's expressions takes its executions off the request's thread, to the worker.
   */
  @Test
  void shouldRunAnAuthorsExpressionOnTheWorkerNotOnTheCallersThread() {
    harness.engine.deploy(
        chain(
            "hostile",
            node("hsrc", "source"),
            node("re", "switch", config("switch")),
            node("hout", "capture")));
    byte[] attack = message("switch", TEXT).getBytes(StandardCharsets.UTF_8);

    assertEquals(
        InjectResult.ACCEPTED,
        harness.engine.injectAndRun("hostile", "hsrc", attack, new byte[0], 0));
    // run inline, the match (a second, to its limit) would have ended before the call returned
    assertEquals(0, handled("re"), "the caller's thread ran the switch node");
    for (int i = 0; i < 20; i++) {
      harness.inject("neighbour", "nsrc", "{\"payload\":" + i + "}");
    }
    harness.awaitCaptured("nout", 20);
    assertTrue(harness.awaitErrors("re", 1).get(0).contains("ran past its time limit"));
  }

  /**
   * A JSONata expression that runs to its limit lets the worker go as a regular expression does.
   */
  @Test
  void shouldLetTheWorkerGoWhileAJsonataExpressionRunsToItsLimit() {
    harness.engine.deploy(
        chain(
            "hostile",
            node("hsrc", "source"),
            node(
                "re",
                "change",
                "{\"rules\":[{\"t\":\"set\",\"p\":\"payload\",\"pt\":\"msg\","
                    + "\"to\":\"$sum([1..20000].($sum([1..20000])))\",\"tot\":\"jsonata\"}]}"),
            node("hout", "capture")));
    harness.inject("hostile", "hsrc", "{\"payload\":0}");
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      harness.inject("neighbour", "nsrc", "{\"payload\":" + i + "}");
      expected.add("{\"payload\":" + i + "}");
    }
    assertEquals(expected, harness.awaitCaptured("nout", 20).stream().map(Captured::json).toList());
    // a call is counted when it ends: the neighbour flowed while the expression still ran
    assertEquals(0, handled("re"), "the expression had ended before the neighbour flowed");
    String error = harness.awaitErrors("re", 1).get(0);
    assertTrue(error.contains("Expression evaluation timeout"), error);
  }

  /** Messages node {@code nodeId} of the hostile flow has finished with. */
  private long handled(String nodeId) {
    return harness.engine.counter("hostile", nodeId, NodeCounters.MESSAGES_IN).get();
  }
}
