package dev.z8run.nodes.routing;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.FlowHarness.Captured;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A user's JSONata built-in call that dashjoin would run for hours in one call ({@code $pad} to a
 * width of 300 million, padded one copy at a time), or that would fill the heap, in a change node:
 * on an engine with one worker, another flow on that worker keeps flowing, the call ends at once as
 * the node's error naming the function and its limit, and the node goes on with its next message.
 */
class BuiltinLimitTest {
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
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "$pad(payload.s, payload.w)|300000000|\"x    \""
            + "|$pad: a width of 300000000 exceeds the 16777216 characters one call may produce",
        "$pad(payload.s, -payload.w, '-')|300000000|\"----x\""
            + "|$pad: a width of 300000000 exceeds the 16777216 characters one call may produce",
        "$fromMillis(0, '[Y,' & payload.w & ']')|300000000|\"01970\""
            + "|$fromMillis: a width of 300000000 exceeds the 1024 characters a picture may ask for",
        "$join([1..1000].($$.payload.s), $pad('', payload.w, '-'))|20000|x-----x-----x"
            + "|$join: a result of 19981000 characters exceeds the 16777216 characters one call"
            + " may produce",
        "$encodeUrlComponent($pad(payload.s, payload.w, 'é'))|3000000|x%C3%A9%C3%A9"
            + "|$encodeUrlComponent: a result of 17999995 characters exceeds the 16777216"
            + " characters one call may produce",
        // a transform copies its input through its text: {'a': $o, 'b': $o}, 34 deep
        "\"($o := $reduce([1..payload.w], function($a, $i){ {'a': $a, 'b': $a} }, {'s': payload.s});"
            + " $join($keys($o ~> |$|{'y': 1}|), ','))\"|34|a,b,y"
            + "|transform |...|: the text of the value exceeds the 16777216 characters one call may"
            + " produce",
      })
  void shouldEndAnUnboundedBuiltinAtItsLimitWhileTheWorkerGoesOn(
      String expression, long hostileWidth, String expected, String error) {
    harness.engine.deploy(
        chain(
            "hostile",
            node("hsrc", "source"),
            node(
                "re",
                "change",
                "{\"rules\":[{\"t\":\"set\",\"p\":\"payload\",\"pt\":\"msg\",\"to\":"
                    + jsonString(expression)
                    + ",\"tot\":\"jsonata\"}]}"),
            node("hout", "capture")));
    harness.inject("hostile", "hsrc", "{\"payload\":{\"s\":\"x\",\"w\":" + hostileWidth + "}}");
    long ordinary = 5;
    harness.inject("hostile", "hsrc", "{\"payload\":{\"s\":\"x\",\"w\":" + ordinary + "}}");

    List<String> flowed = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      harness.inject("neighbour", "nsrc", "{\"payload\":" + i + "}");
      flowed.add("{\"payload\":" + i + "}");
    }
    assertEquals(flowed, harness.awaitCaptured("nout", 20).stream().map(Captured::json).toList());

    String failed = harness.awaitErrors("re", 1).get(0);
    assertTrue(failed.contains(error), failed);
    // the node is not stuck: its next message goes through
    String result = harness.awaitCaptured("hout", 1).get(0).json();
    assertTrue(result.contains("\"payload\":\"" + expected), result);
    assertEquals(1, harness.errors("re").size());
  }

  /**
   * Two arrays built apart of {@code [[$a], [$a]]} nested 34 deep: dashjoin's {@code =} walks 2^34
   * leaves in one step, for minutes, holding the worker; here it is decided at once, and the
   * neighbour's messages flow.
   */
  @org.junit.jupiter.api.Test
  void shouldCompareValuesOfSharedPartsAtOnceWhileTheWorkerGoesOn() {
    String expression =
        "($g := function($leaf){ $reduce([1..$$.payload], function($a, $i){ [[$a], [$a]] },"
            + " [$leaf]) }; $g(1) = $g(1) and $g(1) != $g(2))";
    harness.engine.deploy(
        chain(
            "hostile",
            node("hsrc", "source"),
            node(
                "eq",
                "change",
                "{\"rules\":[{\"t\":\"set\",\"p\":\"payload\",\"pt\":\"msg\",\"to\":"
                    + jsonString(expression)
                    + ",\"tot\":\"jsonata\"}]}"),
            node("hout", "capture")));
    harness.inject("hostile", "hsrc", "{\"payload\":34}");
    harness.inject("hostile", "hsrc", "{\"payload\":3}");

    List<String> flowed = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      harness.inject("neighbour", "nsrc", "{\"payload\":" + i + "}");
      flowed.add("{\"payload\":" + i + "}");
    }
    assertEquals(flowed, harness.awaitCaptured("nout", 20).stream().map(Captured::json).toList());
    List<String> results = harness.awaitCaptured("hout", 2).stream().map(Captured::json).toList();
    assertEquals(2, results.size());
    for (String result : results) {
      assertTrue(result.contains("\"payload\":true"), result);
    }
    assertEquals(0, harness.errors("eq").size());
  }

  private static String jsonString(String text) {
    return "\"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
