package dev.z8run.nodes.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * JSONata's built-ins that dashjoin runs unbounded in one call, replaced ({@link JsonataBuiltins}):
 * on ordinary inputs they give what dashjoin's give (types included, an error where dashjoin gives
 * one); on hostile ones they end at once, in linear time or with an error naming the function and
 * the limit, where dashjoin's would run for hours or fill the heap.
 */
class JsonataBuiltinsTest {
  private static final String LONG_NEEDLE = "ab".repeat(50) + "c";

  private static final Map<String, Object> INPUT =
      Map.of(
          "payload",
          "a1,b22,,c333",
          "n",
          1L,
          "width",
          7,
          "long",
          "x" + "ab".repeat(80) + "c" + "ab".repeat(60) + "c-tail",
          "needle",
          LONG_NEEDLE,
          "objects",
          List.of(Map.of("a", 1L), Map.of("b", 2L, "c", List.of(1L, 2L))),
          "words",
          List.of("one", "two", "three"));

  @ParameterizedTest
  @ValueSource(
      strings = {
        "$pad(\"x\", 5)",
        "$pad(\"x\", -5)",
        "$pad(\"abc\", 2)",
        "$pad(\"abc\", -3)",
        "$pad(\"x\", 5, \"#\")",
        "$pad(\"x\", -6, \"ab\")",
        "$pad(\"x\", 6, \"ab\")",
        "$pad(\"x\", 5, \"\")",
        "$pad(\"\\uD83D\\uDE00\", 4, \"\u00e9\")",
        "$pad(\"x\", 4, \"\\uD83D\\uDE00\")",
        "$pad(\"x\", -4, \"a\\uD83D\\uDE00\")",
        "$pad(nothing, 5)",
        "$pad(\"x\", 0)",
        "$pad(\"x\", 3.7)",
        "$pad(\"x\", -3.7)",
        "$pad(payload, 20, \"-\")",
        "payload ~> $pad(15)",
        "$pad(\"x\", width, \"*\")",
        "$pad(\"x\")",
      })
  void shouldPadAsDashjoinDoes(String expression) {
    assertSameAsDashjoin(expression);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "$substringBefore(\"Hello World\", \" \")",
        "$substringBefore(\"Hello World\", \"x\")",
        "$substringBefore(\"Hello World\", \"\")",
        "$substringBefore(\"Hello World\", \"World\")",
        "$substringBefore(payload, \",\")",
        "payload ~> $substringBefore(\",,\")",
        "$substringBefore(nothing, \",\")",
        "$substringBefore(\"abc\")",
        "$substringBefore(long, needle)",
        "$substringBefore(long, needle & \"x\")",
        "$substringBefore(needle & needle, needle)",
        "$substringAfter(\"Hello World\", \" \")",
        "$substringAfter(\"Hello World\", \"x\")",
        "$substringAfter(\"Hello World\", \"\")",
        "$substringAfter(payload, \",\")",
        "$substringAfter(nothing, \",\")",
        "$substringAfter(\"abc\")",
        "$substringAfter(long, needle)",
        "$substringAfter(long, \"z\" & needle)",
        "$substringAfter(\"ab\" & needle, needle)",
      })
  void shouldTakeSubstringsAsDashjoinDoes(String expression) {
    assertSameAsDashjoin(expression);
  }

  /** The string patterns of $contains and $replace, searched by {@link JsonataBuiltins#indexOf}. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "$contains(long, needle)",
        "$contains(long, needle & \"-\")",
        "$contains(needle, long)",
        "$replace(long, needle, \"#\")",
        "$replace(long & long, needle, \"<$0>\")",
        "$replace(long, \"ab\", \"\")",
        "$replace(\"aaaa\", \"aa\", \"b\")",
        "$replace(long, needle & \"q\", \"#\")",
      })
  void shouldSearchStringsAsDashjoinDoes(String expression) {
    assertSameAsDashjoin(expression);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "$join(words)",
        "$join(words, \", \")",
        "$join([], \",\")",
        "$join(\"one\", \",\")",
        "$join(nothing, \",\")",
        "$join(words, \"\")",
        "words ~> $join(\"-\")",
        "$join([payload, payload], needle)",
        "$join([\"a\", 1], \",\")",
        "$join(objects.a, \",\")",
        "$join($split(payload, \",\"), \";\")",
        "$join([\"\"], \",\")",
      })
  void shouldJoinAsDashjoinDoes(String expression) {
    assertSameAsDashjoin(expression);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "$spread(objects)",
        "$spread(objects[0])",
        "$spread({\"a\": 1, \"b\": [1, 2], \"c\": {\"d\": 1}})",
        "$spread([])",
        "$spread({})",
        "$spread(\"x\")",
        "$spread([1, \"x\", {\"a\": 1}])",
        "$spread([[{\"a\": 1}, {\"b\": 2}], {\"c\": 3}])",
        "$spread([[], {}])",
        "$spread(nothing)",
        "objects ~> $spread()",
        "$count($spread(objects))",
        "$spread(objects).b",
        "$spread([{\"a\": 1}])[0]",
      })
  void shouldSpreadAsDashjoinDoes(String expression) {
    assertSameAsDashjoin(expression);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "$formatInteger(2789, \"#,##0\")",
        "$formatInteger(123, \"0000\")",
        "$formatInteger(12, \"w\")",
        "$formatInteger(12, \"I\")",
        "$formatInteger(1234567, \"000,000,000\")",
        "$formatInteger(-7, \"01\")",
        "$formatInteger(nothing, \"0\")",
        "$fromMillis(1510067557121)",
        "$fromMillis(1510067557121, \"[M01]/[D01]/[Y0001] [h#1]:[m01][P]\")",
        "$fromMillis(1510067557121, \"[Y,6]-[M,3]\")",
        "$fromMillis(1510067557121, \"[Y,2-4] [MNn,3-3] [D1o]\")",
        "$fromMillis(1510067557121, \"[Y0001] [[literal]]\", \"-0500\")",
        "$fromMillis(1510067557121, \"[Y, 8 ]\")",
        "$fromMillis(1510067557121, \"[Y,*-3]\")",
        "$fromMillis(1510067557121, \"[Y\")",
        "$fromMillis(nothing, \"[Y]\")",
        "$length($now(\"[Y0001]\")) = 4",
      })
  void shouldFormatAsDashjoinDoes(String expression) {
    assertSameAsDashjoin(expression);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "$string(objects)",
        "$string(objects, true)",
        "$string(objects, false)",
        "$string(\"x\\\"y\")",
        "$string(1.5)",
        "$string(1e21)",
        "$string(null)",
        "$string(nothing)",
        "$string(true)",
        "$string({\"a\": [1, {\"b\": \"\\u0001\"}]}, true)",
        "$string([])",
        "$string({})",
        "$string(function($x){$x})",
        "objects ~> $string()",
        "$string(words)",
      })
  void shouldStringifyAsDashjoinDoes(String expression) {
    assertSameAsDashjoin(expression);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"a\" & \"b\"",
        "[1, [2, 3], words]",
        "[1..5]",
        "$count([1..10000000])",
        "[objects, objects]",
      })
  void shouldBuildAsDashjoinDoes(String expression) {
    assertSameAsDashjoin(expression);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "$encodeUrl(\"https://mozilla.org/?x=\u0448\u0435\u043b\u043b\u044b\")",
        "$encodeUrl(\"https://h/p?a=1&b=2 3#f\")",
        "$encodeUrl(\"https://h/p?a=1&b=$x\")",
        "$encodeUrl(\"https://h/a?b?c\")",
        "$encodeUrl(\"https://h/p\")",
        "$encodeUrl(\"not a url \u00e9\")",
        "$encodeUrl(\"http://h/\" & long & \"?\" & long)",
        "$encodeUrl(\"\\uD800\")",
        "$encodeUrl(nothing)",
        "payload ~> $encodeUrl()",
        "$encodeUrlComponent(\"?x=test \u00e9!()~*'\")",
        "$encodeUrlComponent(\"\\uD83D\\uDE00 \\uDC00\")",
        "$encodeUrlComponent(\"\\uD800\\uD800\")",
        "$encodeUrlComponent(nothing)",
        "$decodeUrl(\"https://h/?x=%D1%88 a+b\")",
        "$decodeUrl(\"%zz\")",
        "$decodeUrlComponent(\"%3Fx%3Dtest%20%C3%A9\")",
        "$base64encode(\"my\u00e9 \\uD83D\\uDE00\")",
        "$base64encode(\"\")",
        "$base64encode(nothing)",
        "$base64decode(\"bXnDqSDwn5iA\")",
        "$base64decode(\"!!\")",
      })
  void shouldEncodeAsDashjoinDoes(String expression) {
    assertSameAsDashjoin(expression);
  }

  /**
   * JSONata's nulls come out as JSON nulls: {@link JsonataExpression} converts them as it copies
   * the result, in place of dashjoin's own pass, which a result of shared parts makes exponential.
   */
  @Test
  void shouldGiveNullsAsJsonNulls() {
    Map<String, Object> expected = new java.util.LinkedHashMap<>();
    expected.put("a", null);
    expected.put("b", java.util.Arrays.asList(null, 1L));
    Map<String, Object> inner = new java.util.LinkedHashMap<>();
    inner.put("d", null);
    expected.put("c", inner);
    assertEquals(expected, evaluate("{'a': null, 'b': [null, 1], 'c': {'d': null}}"));
    // JSONata's null is JSON's null (Node-RED's change node sets it); undefined is no result
    assertEquals(null, evaluate("null"));
    assertEquals(MessagePath.MISSING, evaluate("$lookup({}, 'x')"));
    assertEquals(java.util.Arrays.asList(null, null), evaluate("[null, null]"));
  }

  /**
   * A null in the input is JSON's null, not undefined, as in JSONata (and so in Node-RED): dashjoin
   * reads a Java null as undefined, so it is given its NULL_VALUE; the caller's value is not
   * changed. Before, {@code v} of {@code {"v": null}} was no result, and a change node setting
   * {@code msg.payload} to it deleted the payload where Node-RED sets it to null.
   */
  @Test
  void shouldReadANullInTheInputAsNull() {
    Map<String, Object> message = new java.util.LinkedHashMap<>();
    message.put("v", null);
    message.put("list", java.util.Arrays.asList(1L, null));
    Map<String, Object> before = new java.util.LinkedHashMap<>(message);
    assertEquals(null, JsonataExpression.compile("test", "v").evaluate(message));
    assertEquals("null", JsonataExpression.compile("test", "$type(v)").evaluate(message));
    assertEquals(true, JsonataExpression.compile("test", "$exists(v)").evaluate(message));
    assertEquals(
        java.util.Arrays.asList(1L, null),
        JsonataExpression.compile("test", "list").evaluate(message));
    assertEquals(
        java.util.Arrays.asList(null, 1L),
        JsonataExpression.compile("test", "[v, list[0]]").evaluate(message));
    assertEquals(before, message);
  }

  /** The width of the attack on the server, which dashjoin pads one copy at a time for hours. */
  @Test
  void shouldRefuseAPadPastTheLimitNamingIt() {
    assertEquals(
        "$pad: a width of 300000000 exceeds the 16777216 characters one call may produce",
        failure("$pad('x', 300000000)"));
    assertEquals(
        "$pad: a width of 16777217 exceeds the 16777216 characters one call may produce",
        failure("$pad('x', -16777217, '-')"));
    // where dashjoin's int arithmetic overflows into a pad of 2^31 - 4
    assertEquals(
        "$pad: a width of 2147483648 exceeds the 16777216 characters one call may produce",
        failure("$pad('abc', -2147483648)"));
    // a string already as wide pads nothing, whatever the width
    assertEquals("abc", evaluate("$pad('abc', 3)"));
  }

  /** Linear: the widest pad allowed takes milliseconds, where dashjoin's takes days. */
  @Test
  void shouldPadToTheLimitInLinearTime() {
    // on a clock started a minute ahead, as below: a loaded machine took the evaluation's second
    long withTimeToSpare = System.nanoTime() + 60_000_000_000L;
    Object padded =
        assertTimeoutPreemptively(
            Duration.ofSeconds(10),
            () ->
                JsonataExpression.compile("test", "$length($pad('x', 16777216, 'ab'))")
                    .evaluateRaw(INPUT, Map.of(), withTimeToSpare));
    assertEquals((long) JsonataBuiltins.MAX_CHARS, ((Number) padded).longValue());
  }

  /** {@code aaa…a} searched for {@code aaa…ab}: String.indexOf's worst case, quadratic. */
  @Test
  void shouldSearchInLinearTime() {
    String text = "a".repeat(2_000_000);
    String needle = "a".repeat(1_000_000) + "b";
    Map<String, Object> input = Map.of("text", text, "needle", needle);
    for (String expression :
        List.of(
            "$substringBefore(text, needle) = text",
            "$substringAfter(text, needle) = text",
            "$contains(text, needle) = false",
            "$replace(text, needle, 'x') = text")) {
      // on a clock started a minute ahead: the test is of the call's time, not the evaluation's
      // (a loaded machine took the evaluation's second for the linear search)
      long withTimeToSpare = System.nanoTime() + 60_000_000_000L;
      Object result =
          assertTimeoutPreemptively(
              Duration.ofSeconds(10),
              () ->
                  JsonataExpression.compile("test", expression)
                      .evaluateRaw(input, Map.of(), withTimeToSpare),
              expression);
      assertEquals(true, result, expression);
    }
  }

  @Test
  void shouldSpreadInLinearTime() {
    List<Object> objects = new ArrayList<>();
    for (int i = 0; i < 300_000; i++) {
      objects.add(Map.of("k" + i, (long) i));
    }
    // on a clock started a minute ahead, as above
    long withTimeToSpare = System.nanoTime() + 60_000_000_000L;
    Object count =
        assertTimeoutPreemptively(
            Duration.ofSeconds(10),
            () ->
                JsonataExpression.compile("test", "$count($spread(objects))")
                    .evaluateRaw(Map.of("objects", objects), Map.of(), withTimeToSpare));
    assertEquals(300_000L, ((Number) count).longValue());
  }

  /**
   * A URL whose path is the start of its query, {@code http://h/aaa…a?aaa…ab}: dashjoin finds the
   * query with String.indexOf, quadratic (24 s at 300,000 characters).
   */
  @Test
  void shouldEncodeAUrlInLinearTime() {
    // on a clock started a minute ahead: the test is of the call's time, not the evaluation's
    long withTimeToSpare = System.nanoTime() + 60_000_000_000L;
    Object length =
        assertTimeoutPreemptively(
            Duration.ofSeconds(5),
            () ->
                JsonataExpression.compile(
                        "test",
                        "$length($encodeUrl('http://h/' & $pad('', 300000, 'a') & '?'"
                            + " & $pad('', 300000, 'a') & 'b'))")
                    .evaluateRaw(INPUT, Map.of(), withTimeToSpare));
    assertEquals(600_011L, ((Number) length).longValue());
  }

  /** An encoding triples a byte, and a character may have three: refused before it is made. */
  @Test
  void shouldRefuseAnEncodingPastTheLimit() {
    assertEquals(
        "$encodeUrlComponent: a result of 18000000 characters exceeds the 16777216 characters one"
            + " call may produce",
        failureWithTimeToSpare("$encodeUrlComponent($pad('', 3000000, '\u00e9'))"));
    assertEquals(
        "$encodeUrl: a result of 18000000 characters exceeds the 16777216 characters one call may"
            + " produce",
        failureWithTimeToSpare("$encodeUrl($pad('', 3000000, '\u00e9'))"));
    assertEquals(
        "$base64encode: a result of 18000000 characters exceeds the 16777216 characters one call"
            + " may produce",
        failureWithTimeToSpare("$base64encode($pad('', 6750000, '\u00e9'))"));
  }

  /**
   * A separator times the strings it separates, or a replacement times the matches; on a clock
   * started a minute ahead (a million pieces to split first: on a loaded machine the evaluation's
   * second ran out before the limit, once in CI).
   */
  @Test
  void shouldRefuseAJoinOrReplaceProducingPastTheLimit() {
    assertEquals(
        "$join: a result of 19999981 characters exceeds the 16777216 characters one call may"
            + " produce",
        failureWithTimeToSpare("$join($split($pad('', 1000000, 'x'), ''), '-------------------')"));
    String replaced =
        failureWithTimeToSpare("$replace($pad('', 1000000, 'x'), 'x', '12345678901234567890')");
    assertTrue(
        replaced.startsWith("$replace: a result of ")
            && replaced.endsWith(
                " characters exceeds the 16777216 characters one call may produce"),
        replaced);
    // 840,000 matches: on a clock started a minute ahead, so that a loaded machine reaches the
    // limit, not the evaluation's second (it ran out of it in the whole module's run)
    String byPattern =
        failureWithTimeToSpare("$replace($pad('', 1000000, 'x'), /x/, '12345678901234567890')");
    assertTrue(byPattern.startsWith("$replace: a result of "), byPattern);
    // few matches with long replacements: the limit comes in ~20 calls, well inside the second the
    // evaluation has on a loaded machine (a thousand calls of 20,000 characters ran out of it in
    // CI)
    String byFunction =
        failureWithTimeToSpare(
            "$replace($join([1..20].('x')), /x/, function($m){ $pad('', 1000000, 'y') })");
    assertTrue(byFunction.startsWith("$replace: a result of "), byFunction);
  }

  @Test
  void shouldRefuseAPictureOrWidthPastTheLimit() {
    assertEquals(
        "$fromMillis: a width of 300000000 exceeds the 1024 characters a picture may ask for",
        failure("$fromMillis(0, '[Y,300000000]')"));
    assertEquals(
        "$now: a width of 300000000 exceeds the 1024 characters a picture may ask for",
        failure("$now('[M01] [Y, 2 - 300000000 ]')"));
    assertEquals(
        "$formatInteger: a picture of 2000 characters exceeds the 1024 characters a picture may"
            + " have",
        failure("$formatInteger(1, $join([1..500].('0,00')))"));
    assertEquals(
        "$fromMillis: a picture of 3000 characters exceeds the 1024 characters a picture may have",
        failure("$fromMillis(1, $join([1..1000].('[Y]')))"));
    assertEquals("0000000000000001970", evaluate("$fromMillis(0, '[Y,19]')"));
  }

  /**
   * A value built of shared parts, thirty levels of {@code {"a": $o, "b": $o}}: small in memory, a
   * billion values as text, or copied as the result.
   */
  @Test
  void shouldRefuseTheTextOrResultOfAValueBuiltOfSharedParts() {
    String doubling = "$f := function($o, $n){ $n = 0 ? $o : $f({'a': $o, 'b': $o}, $n - 1) };";
    assertEquals(
        "$string: the text of the value exceeds the 16777216 characters one call may produce",
        failure("(" + doubling + " $string($f('x', 30)))"));
    assertTrue(
        failure("(" + doubling + " $f('x', 30))")
            .endsWith("gave more than 16777216 values, more than one evaluation may produce"));
  }

  /** A string or an array doubled at each step of a recursion: each step fast, the total not. */
  @Test
  void shouldRefuseAStepThatProducesPastTheLimit() {
    assertEquals(
        "&: a string of 33554432 characters exceeds the 16777216 characters one step may produce",
        failure(
            "($f := function($s, $n){ $n = 0 ? $s : $f($s & $s, $n - 1) }; $length($f('x', 40)))"));
    assertEquals(
        "[]: an array of 2097152 items exceeds the 1048576 items one step may produce",
        failure(
            "($f := function($a, $n){ $n = 0 ? $a : $f([$a, $a], $n - 1) }; $count($f(['x'],"
                + " 40)))"));
  }

  /** The message of the evaluation's failure, without the expression's name. */
  private static String failure(String source) {
    IllegalStateException failed =
        assertThrows(
            IllegalStateException.class,
            () -> JsonataExpression.compile("test", source).evaluate(INPUT),
            source);
    String message = failed.getMessage();
    String prefix = "JSONata expression '" + source + "' failed: ";
    message = message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    // dashjoin's words for an error of its own, not one of its codes
    return message.startsWith("JSonataException ")
        ? message.substring("JSonataException ".length())
        : message;
  }

  /** As {@link #failure}, on a clock started a minute ahead: a test of a limit, not of the time. */
  private static String failureWithTimeToSpare(String source) {
    long withTimeToSpare = System.nanoTime() + 60_000_000_000L;
    String message =
        assertThrows(
                RuntimeException.class,
                () ->
                    JsonataExpression.compile("test", source)
                        .evaluateRaw(INPUT, Map.of(), withTimeToSpare),
                source)
            .getMessage();
    return message.startsWith("JSonataException ")
        ? message.substring("JSonataException ".length())
        : message;
  }

  private static Object evaluate(String source) {
    return JsonataExpression.compile("test", source).evaluate(INPUT);
  }

  private static void assertSameAsDashjoin(String expression) {
    JsonataDifferential.assertSameAsDashjoin(expression, INPUT);
  }
}
