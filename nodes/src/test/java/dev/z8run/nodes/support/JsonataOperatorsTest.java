package dev.z8run.nodes.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * JSONata's operators that dashjoin runs over a whole value in one call ({@link JsonataOperators}):
 * {@code =}, {@code !=}, {@code in} and {@code $distinct} give what dashjoin's give on ordinary
 * values, and decide values built of shared parts at once, where dashjoin's {@code equals} and
 * {@code hashCode} walk them for minutes; {@code &} refuses such a value's text before writing it.
 */
class JsonataOperatorsTest {
  private static final Map<String, Object> INPUT = input();

  /**
   * Arrays built apart, each {@code [[$a], [$a]]} nested 34 deep (an array constructor flattens a
   * bare {@code $a}): a few hundred parts, 2^34 leaves as a tree.
   */
  private static final String SHARED =
      "$g := function($leaf){ $reduce([1..34], function($a, $i){ [[$a], [$a]] }, [$leaf]) };";

  private static Map<String, Object> input() {
    Map<String, Object> nulls = new LinkedHashMap<>();
    nulls.put("a", null);
    nulls.put("b", Arrays.asList(null, 1L));
    return Map.of(
        "n",
        1L,
        "d",
        1.5,
        "words",
        List.of("one", "two", "three"),
        "objects",
        List.of(Map.of("a", 1L), Map.of("b", 2L, "c", List.of(1L, 2L)), Map.of("a", 1L)),
        "nulls",
        nulls,
        "same",
        List.of(List.of(1L, 2L), List.of(1L, 2L), Map.of("x", List.of())));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "1 = 1",
        "1 = 1.0",
        "n = 1",
        "d = 1.5",
        "1 = \"1\"",
        "\"a\" = \"a\"",
        "true = true",
        "true != false",
        "null = null",
        "nothing = 1",
        "nothing != 1",
        "nothing = nothing",
        "[1, 2] = [1, 2]",
        "[1, 2] = [2, 1]",
        "[1, 2] != [1, 2, 3]",
        "[1] = [1.0]",
        "[n] = [1]",
        "[[1], {\"a\": [2]}] = [[1], {\"a\": [2]}]",
        "[1..3] = [1, 2, 3]",
        "objects = objects",
        "objects[0] = objects[2]",
        "objects[0] = {\"a\": 1}",
        "objects[1].c = [1, 2]",
        "{\"a\": 1, \"b\": 2} = {\"b\": 2, \"a\": 1}",
        "{\"a\": 1} = {\"a\": 1, \"b\": 2}",
        "{\"a\": null} = {\"a\": null}",
        "{\"a\": null} = {\"b\": null}",
        "nulls = nulls",
        "nulls.b = [null, 1]",
        "same[0] = same[1]",
        "same[2] = {\"x\": []}",
        "words = [\"one\", \"two\", \"three\"]",
        "words != [\"one\"]",
        "[1, 2, 3][$ = 2]",
        "objects[a = 1]",
        "$filter(words, function($w){ $w != \"two\" })",
        "(1 = 1) = true",
        "($f := function($x){ $x = [1] }; $f([1]))",
        "words ~> $count() = 3",
        "function($x){ $x } = function($x){ $x }",
        "($f := function($x){ $x }; $f = $f)",
        "($g := function($l){ $reduce([1..3], function($a, $i){ [[$a], [$a]] }, [$l]) };"
            + " [$g(1) = $g(1), $g(1) = $g(2), $g(1) != $g(1), $g(1) in [[$g(2)], [$g(1)]],"
            + " $g(1) in [$g(2), $g(1)], $distinct([[$g(1)], [$g(2)], [$g(1)]])])",
      })
  void shouldCompareAsDashjoinDoes(String expression) {
    JsonataDifferential.assertSameAsDashjoin(expression, INPUT);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"one\" in words",
        "\"four\" in words",
        "1 in [1, 2]",
        "1 in 1",
        "n in [1.0]",
        "[1] in [[1], [2]]",
        "[1] in [1]",
        "{\"a\": 1} in objects",
        "{\"a\": 2} in objects",
        "nothing in words",
        "\"x\" in nothing",
        "null in [null]",
        "words[$ in [\"one\", \"three\"]]",
      })
  void shouldIncludeAsDashjoinDoes(String expression) {
    JsonataDifferential.assertSameAsDashjoin(expression, INPUT);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "$distinct([1, 2, 1, \"1\", [1], [1], {\"a\": 1}, {\"a\": 1}])",
        "$distinct(objects)",
        "$distinct(same)",
        "$distinct([])",
        "$distinct(1)",
        "$distinct([1])",
        "$distinct(words)",
        "$distinct([1, 1.0, n, d, 1.5])",
        "$distinct(nothing)",
        "$distinct([1..3])",
        "$distinct(objects.a)",
        "$distinct(objects.c)",
        "$distinct([null, null, nulls, nulls])",
        "objects ~> $distinct()",
        "$distinct(\"x\")",
      })
  void shouldDistinguishAsDashjoinDoes(String expression) {
    JsonataDifferential.assertSameAsDashjoin(expression, INPUT);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"a\" & \"b\"",
        "1 & 2",
        "1.5 & \"\"",
        "[1, 2] & \"x\"",
        "{\"a\": 1} & \"\"",
        "nothing & \"x\"",
        "\"a\" & nothing",
        "nothing & nothing",
        "objects & \"!\"",
        "true & null",
        "nulls & words",
        "function($x){ $x } & \"x\"",
        "words.($ & \"!\")",
      })
  void shouldConcatenateAsDashjoinDoes(String expression) {
    JsonataDifferential.assertSameAsDashjoin(expression, INPUT);
  }

  /**
   * Values of shared parts built apart compare in a step per part, where dashjoin's equals walks
   * 2^34 ones (minutes): equal, unequal at the last one, and in {@code in} and {@code $distinct}.
   */
  @Test
  void shouldCompareValuesOfSharedPartsAtOnce() {
    assertEquals(true, evaluate("(" + SHARED + " $g(1) = $g(1))"));
    assertEquals(false, evaluate("(" + SHARED + " $g(1) = $g(2))"));
    assertEquals(false, evaluate("(" + SHARED + " $g(1) != $g(1))"));
    assertEquals(true, evaluate("(" + SHARED + " $g(1) in [[$g(2)], [$g(1)]])"));
    assertEquals(2L, evaluate("(" + SHARED + " $count($distinct([[$g(1)], [$g(2)], [$g(1)]])))"));
    String objects =
        "$o := function($leaf){ $reduce([1..34], function($a, $i){ {'a': $a, 'b': $a} }, $leaf) };";
    assertEquals(true, evaluate("(" + objects + " $o('x') = $o('x'))"));
    assertEquals(false, evaluate("(" + objects + " $o('x') = $o('y'))"));
  }

  /** A value of shared parts as text, a billion values from thirty steps: measured first. */
  @Test
  void shouldRefuseToConcatenateTheTextOfAValueOfSharedPartsPastTheLimit() {
    // on a clock started a minute ahead: the test is of the refusal, not of the evaluation's
    // second, which a loaded machine took (a quarter of a second here, a second in a cold JVM);
    // dashjoin's text of it takes minutes
    long withTimeToSpare = System.nanoTime() + 60_000_000_000L;
    RuntimeException failed =
        assertTimeoutPreemptively(
            Duration.ofSeconds(30),
            () ->
                assertThrows(
                    RuntimeException.class,
                    () ->
                        JsonataExpression.compile("test", "(" + SHARED + " $g(1) & '')")
                            .evaluateRaw(INPUT, Map.of(), withTimeToSpare)));
    assertEquals(
        "JSonataException &: the text of a value exceeds the 16777216 characters one step may"
            + " produce",
        failed.getMessage());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"a\": {\"b\": 1}} ~> |a|{\"c\": 2}|",
        "objects ~> |$|{\"c\": 2}, [\"a\"]|",
        "$clone(objects)",
        "$clone({\"a\": [1, 2.5, null, \"x\"]})",
        "$clone(nothing)",
        "nothing ~> |$|{\"c\": 2}|",
        "\"text\" ~> |$|{\"c\": 2}|",
        "objects ~> |a|{\"a\": a + 1}|",
        "objects ~> |$[a]|{}, \"a\"|",
        "{\"a\": {\"b\": 1}} ~> |a|{\"c\": 2}| ~> |$|{\"d\": 3}|",
        "($t := |a|{\"c\": 2}|; [$t({\"a\": {}}), $t(objects[0]), $type($t)])",
        "($t := |$|{\"c\": 2}|; objects.$t($))",
        "(|$|{\"c\": 2}|)",
        "(nulls ~> |b|{\"e\": 1}|).a",
        "$map(objects, |$|{\"i\": 1}|)",
        "(objects ~> |$|{\"c\": 2}|)[0]",
        "objects ~> |$|\"c\"|",
        "|$|{\"c\": 2}|()",
      })
  void shouldCloneAsDashjoinDoes(String expression) {
    JsonataDifferential.assertSameAsDashjoin(expression, INPUT);
  }

  /** {@code $clone} copies a value through its text: a value of shared parts is measured first. */
  @Test
  void shouldRefuseToCloneAValueOfSharedPartsPastTheLimit() {
    String source =
        "($o := $reduce([1..34], function($a, $i){ {'a': $a, 'b': $a} }, {'x': 1});"
            + " $count($keys($clone($o))))";
    IllegalStateException failed =
        assertTimeoutPreemptively(
            Duration.ofSeconds(5),
            () ->
                assertThrows(
                    IllegalStateException.class,
                    () -> JsonataExpression.compile("test", source).evaluate(INPUT)));
    assertTrue(
        failed
            .getMessage()
            .endsWith(
                "$clone: the text of the value exceeds the 16777216 characters one call may"
                    + " produce"),
        failed.getMessage());
  }

  /**
   * A transform ({@code ~> |path|update|}) copies its input through its text, as {@code $clone}
   * does: a value of shared parts, a billion values from thirty-four steps, is measured first.
   */
  @Test
  void shouldRefuseToTransformAValueOfSharedPartsPastTheLimit() {
    String source =
        "($o := $reduce([1..34], function($a, $i){ {'a': $a, 'b': $a} }, {'x': 1});"
            + " $count($keys($o ~> |$|{'y': 1}|)))";
    IllegalStateException failed =
        assertTimeoutPreemptively(
            Duration.ofSeconds(5),
            () ->
                assertThrows(
                    IllegalStateException.class,
                    () -> JsonataExpression.compile("test", source).evaluate(INPUT)));
    assertTrue(
        failed
            .getMessage()
            .endsWith(
                "transform |...|: the text of the value exceeds the 16777216 characters one call"
                    + " may produce"),
        failed.getMessage());
  }

  private static Object evaluate(String source) {
    return assertTimeoutPreemptively(
        Duration.ofSeconds(5),
        () -> JsonataExpression.compile("test", source).evaluate(INPUT),
        source);
  }
}
