package dev.z8run.nodes.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * JSONata's regular-expression functions on a clock ({@link JsonataRegex}) give what dashjoin's own
 * give, on ordinary inputs: the same results (types included), and an error where dashjoin gives
 * one.
 */
class JsonataRegexTest {
  private static final Map<String, Object> INPUT =
      Map.of("payload", "a1,b22,,c333", "n", 1L, "limit", 2);

  @ParameterizedTest
  @ValueSource(
      strings = {
        "$match(\"ababbabbcc\", /a(b+)/)",
        "$match(\"ababbabbcc\", /a(b+)/, 1)",
        "$match(\"ababbabbcc\", /a(b+)/, 0)",
        "$match(\"ababbabbcc\", /a(b+)/, 7)",
        "$match(\"ababbabbcc\", /a(b+)/, limit)",
        "$match(\"ababbabbcc\", /a(b+)/, n)",
        "$match(\"abc\", /(x)?b/)",
        "$match(\"abc\", /z/)",
        "$match(\"aaa\", /a*?/)",
        "$match(\"\", /^$/)",
        "$match(\"Hello World\", /(?<first>\\w+) (\\w+)/)",
        "$match(\"A1b2C3\", /[a-z](\\d)/i)",
        "$match(\"line1\\nline2\", /^line\\d$/m)",
        "payload ~> $match(/\\d+/)",
        "payload.$match(/(\\w)(\\d)/)",
        "$match(nothing, /a/)",
        "$match(\"abc\", /b/, -1)",
        "$count($match(payload, /,/))",
      })
  void shouldMatchAsDashjoinDoes(String expression) {
    assertSameAsDashjoin(expression);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "$replace(\"abcabc\", /b(c)/, \"[$1]\")",
        "$replace(\"abcabc\", /b(c)/, \"[$0]\")",
        "$replace(\"abc\", /b/, \"$3\")",
        "$replace(\"abc\", /(b)/, \"<$1$2>\")",
        "$replace(\"price 5\", /(\\d)/, \"$$$1\")",
        "$replace(\"abc\", /b/, \"x$\")",
        "$replace(\"abc\", /b/, \"$x\")",
        "$replace(\"John Smith\", /(\\w+)\\s(\\w+)/, \"$2, $1\")",
        "$replace(\"abab\", /a/, \"ba\", 2)",
        "$replace(\"aaa\", /a/, \"b\", 0)",
        "$replace(\"aaa\", /a/, \"b\", 2)",
        "$replace(\"aaa\", /a/, \"b\", 10)",
        "$replace(\"abc\", /x*/, \"-\")",
        "$replace(\"abc\", /x*/, \"-\", 2)",
        "$replace(\"abcabc\", /(b)(c)/, function($m){ $uppercase($m.match) })",
        "$replace(\"abcabc\", /(b)(c)/, function($m){ $m.groups[2] & $m.groups[1] })",
        "$replace(\"abcabc\", /(b)(c)/, function($m){ $m.groups[0] & \"!\" })",
        "$replace(\"a.b.c\", \".\", \"-\")",
        "$replace(\"a.b.c\", \".\", \"-\", 1)",
        "$replace(\"a.b.c\", \"b\", \"$0$0\", 1)",
        "$replace(\"abc\", \"\", \"x\")",
        "$replace(\"abc\", /b/, \"x\", -1)",
        "payload ~> $replace(/\\d/, \"#\")",
        "$replace(payload, /,+/, \";\", limit)",
        "$replace(nothing, /a/, \"b\")",
      })
  void shouldReplaceAsDashjoinDoes(String expression) {
    assertSameAsDashjoin(expression);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "$split(\"a1b22c\", /\\d+/)",
        "$split(\"a1b22c\", /\\d+/, 2)",
        "$split(\"a1b22c\", /\\d+/, 0)",
        "$split(\"a1b22c\", /\\d+/, 9)",
        "$split(\"abc\", /x*/)",
        "$split(\"a,b,,c,\", /,/)",
        "$split(\"a, b ,c\", /\\s*,\\s*/)",
        "$split(\"\", /,/)",
        "$split(\"abc\", /z/)",
        "$split(\"AbCd\", /[a-z]/i)",
        "$split(\"abc\", \"\")",
        "$split(\"abc\", \"\", 2)",
        "$split(\"a.b.c\", \".\")",
        "$split(\"abc\", /b/, -1)",
        "payload ~> $split(/,/, limit)",
        "$split(nothing, /,/)",
        "$split(\"a,b,c\", \",\", 2)",
        "$split(\"a,b,c\", \",\", 3)",
        "$split(\"a,b,c\", \",\", 4)",
        "$split(\",a,,\", \",\")",
        "$split(\"abc\", \"abc\")",
        "$split(\"abc\", \"x\", 1)",
        "$split(\"abc\", /(?=b)/)",
        "$split(\"abc\", /^/)",
        "$split(\"abc\", /$/)",
        "$split(\"a1b2c3\", /\\d/, 2)",
        "$split(\"a1b2c3\", /\\d/, 3)",
        "$split(\"a1b2c3\", /\\d/, 4)",
        "$split(\"\", \",\")",
      })
  void shouldSplitAsDashjoinDoes(String expression) {
    assertSameAsDashjoin(expression);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "$contains(\"abc\", /b/)",
        "$contains(\"abc\", /B/)",
        "$contains(\"abc\", /B/i)",
        "$contains(\"abc\", /^b/)",
        "$contains(\"abc\", /x*/)",
        "$contains(\"\", /^$/)",
        "$contains(\"a\\nb\", /^b/m)",
        "$contains(\"abc\", /(a)(x)?/)",
        "$contains(\"abc\", \"b\")",
        "$contains(\"abc\", \"d\")",
        "$contains(\"abc\", \"\")",
        "payload ~> $contains(/\\d{3}$/)",
        "$contains(nothing, /a/)",
        "$filter([\"a1\", \"b\", \"c2\"], function($v){ $contains($v, /\\d/) })",
      })
  void shouldContainAsDashjoinDoes(String expression) {
    assertSameAsDashjoin(expression);
  }

  /** A regex literal called as a function gives {match, start, end, groups, next}. */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "/a(b)/(\"xabab\").match",
        "/a(b)/(\"xabab\").start",
        "/a(b)/(\"xabab\").end",
        "/a(b)/(\"xabab\").groups",
        "($r := /a(b)/(\"xabab\"); $r.next().start)",
        "($r := /a(b)/(\"xabab\"); $r.next().next())",
        "/z/(\"abc\")",
        "($re := /an/; $re(\"banana\").end)",
        "($re := /an/; [$re(\"banana\").next().start, $re(\"an\").start])",
        "payload ~> /\\d+/() ~> $lookup(\"match\")",
      })
  void shouldCallARegexAsDashjoinDoes(String expression) {
    assertSameAsDashjoin(expression);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "$toMillis(\"2018-02-01T09:42:13.123+0000\")",
        "$toMillis(\"2018-10-21\", \"[Y0001]-[M01]-[D01]\")",
        "$toMillis(\"10/21/2018 9:42pm\", \"[M]/[D]/[Y] [h]:[m][P]\")",
        "$toMillis(\"2018-10-21T09:42:13+0100\", \"[Y]-[M]-[D]T[H]:[m]:[s][Z]\")",
        "$toMillis(\"21 October 2018\", \"[D1] [MNn] [Y]\")",
        "$toMillis(\"x\", \"[Y]\")",
        "$toMillis(nothing, \"[Y]\")",
        "$toMillis(\"2018\", \"[Y\")",
        "$toMillis(\"2018\", \"[Y][M]\")",
      })
  void shouldParseTimestampsAsDashjoinDoes(String expression) {
    assertSameAsDashjoin(expression);
  }

  /**
   * A picture of adjacent markers matched against digits that fail at the end: dashjoin's regular
   * expression of it backtracks for minutes in one call (fifty markers, five seconds). On a clock
   * started near its limit it ends at once, naming the expression.
   */
  @Test
  void shouldEndATimestampPictureThatBacktracksOnTheEvaluationsClock() {
    JsonataExpression expression = JsonataExpression.compile("test", "$toMillis($t, $p)");
    Map<String, Object> hostile = Map.of("t", "1".repeat(60) + "x", "p", "[Y]".repeat(60));
    // dashjoin's date classes loaded first: the steps before the pre-match then take microseconds,
    // and it has half of the 200 ms left
    assertEquals(
        1540080000000L,
        expression.evaluate(Map.of(), Map.of("t", "2018-10-21", "p", "[Y0001]-[M01]-[D01]")));
    long nearTheLimit = System.nanoTime() - (JsonataExpression.TIMEOUT_MS - 200) * 1_000_000;
    IllegalStateException failed =
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
            java.time.Duration.ofSeconds(5),
            () ->
                assertThrows(
                    IllegalStateException.class,
                    () -> expression.evaluateRaw(INPUT, hostile, nearTheLimit)));
    assertTrue(
        failed.getMessage().startsWith("regular expression '^([0-9]{2,4})([0-9]{2,4})")
            && failed.getMessage().contains("ran past its time limit of 1000 ms"),
        failed.getMessage());
  }

  /**
   * A long text split in one-character pieces: forty bytes an item (a regex separator takes the
   * same path, {@code pieces}, but a million matches are slow to reach under load).
   */
  @ParameterizedTest
  @ValueSource(
      strings = {"$split($pad('', 1048577, 'x'), '')", "$split($pad('', 2097154, 'x,'), ',')"})
  void shouldRefuseToSplitPastTheItemLimit(String source) {
    String failed = failure(source);
    assertTrue(
        failed.endsWith(
            "$split: more than 1048576 items exceed the 1048576 items one call may produce"),
        failed);
  }

  /** A match is an object of three values: some 250 bytes. */
  @Test
  void shouldRefuseToMatchPastTheMatchLimit() {
    String failed = failure("$match($pad('', 131073, 'x'), /x/)");
    assertTrue(
        failed.endsWith(
            "$match: more than 131072 items exceed the 131072 items one call may produce"),
        failed);
  }

  /**
   * The failure of {@code source}, on a clock started a minute ahead: a limit reached in a hundred
   * thousand steps is reached, however loaded the machine, before the evaluation's time limit.
   */
  private static String failure(String source) {
    long withTimeToSpare = System.nanoTime() + 60_000_000_000L;
    return assertThrows(
            RuntimeException.class,
            () ->
                JsonataExpression.compile("test", source)
                    .evaluateRaw(INPUT, Map.of(), withTimeToSpare),
            source)
        .getMessage();
  }

  /** A limit keeps the first pieces, looking no further. */
  @Test
  void shouldSplitALongTextUpToItsLimitOnly() {
    assertEquals(
        java.util.List.of("x", "x"),
        JsonataExpression.compile("test", "$split($pad('', 4000000, 'x,'), ',', 2)")
            .evaluate(INPUT));
  }

  @Test
  void shouldGiveJsonThroughTheExpression() {
    assertEquals(
        java.util.List.of(
            Map.of("match", "1", "index", 1L, "groups", java.util.List.of()),
            Map.of("match", "22", "index", 4L, "groups", java.util.List.of())),
        JsonataExpression.compile("test", "$match(payload, /\\d+/, 1)").evaluate(INPUT));
    assertEquals(
        "a#,b#,,c#",
        JsonataExpression.compile("test", "$replace(payload, /\\d+/, \"#\")").evaluate(INPUT));
  }

  /**
   * A replacement function that runs to the evaluation's limit ends it with JSONata's error, where
   * dashjoin would print the error and go on with a null replacement.
   */
  @Test
  void shouldEndAtTheLimitInsideAReplacementFunction() {
    JsonataExpression expression =
        JsonataExpression.compile(
            "test",
            "$replace(\"ab\", /a/, function($m){ $string($sum([1..20000].($sum([1..20000])))) })");
    IllegalStateException failed =
        assertThrows(IllegalStateException.class, () -> expression.evaluate(INPUT));
    assertTrue(failed.getMessage().contains("Expression evaluation timeout"), failed.getMessage());
  }

  /**
   * {@code $replace} with a limit replaces the first match limit times over (dashjoin's loop, one
   * call) in a text that grows each time: the loop, or the match reading the long text, ends at the
   * evaluation's limit.
   */
  @Test
  void shouldEndAReplaceLimitLoopAtTheEvaluationsLimit() {
    JsonataExpression expression =
        JsonataExpression.compile("test", "$length($replace(\"a\", /x*/, \"y\", 2000000000))");
    IllegalStateException failed =
        assertThrows(IllegalStateException.class, () -> expression.evaluate(INPUT));
    String message = failed.getMessage();
    assertTrue(
        message.contains("Expression evaluation timeout")
            || message.contains("ran past its time limit of 1000 ms"),
        message);
  }

  private static void assertSameAsDashjoin(String expression) {
    JsonataDifferential.assertSameAsDashjoin(expression, INPUT);
  }
}
