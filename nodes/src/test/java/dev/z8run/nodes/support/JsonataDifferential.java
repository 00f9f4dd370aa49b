package dev.z8run.nodes.support;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.dashjoin.jsonata.Jsonata;
import com.dashjoin.jsonata.Utils;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * Differential tests of our JSONata against dashjoin's own: an expression evaluated as production
 * evaluates it ({@link JsonataExpression#evaluateRaw}: every replacement installed, on the
 * evaluation's bounds) gives what dashjoin's plain {@code Jsonata} gives, types included, or fails
 * where it fails.
 */
final class JsonataDifferential {
  private JsonataDifferential() {}

  /**
   * Asserts that {@code expression} over {@code input} gives what dashjoin's own gives, on its
   * first evaluation and on a second one (the first rewrites parts of the parsed expression as it
   * reaches them; a node keeps its compiled expression for every message).
   */
  static void assertSameAsDashjoin(String expression, Map<String, Object> input) {
    Outcome expected = outcome(() -> Jsonata.jsonata(expression).evaluate(input));
    JsonataExpression compiled = JsonataExpression.compile("test", expression);
    assertEquals(expected, outcome(() -> compiled.evaluateRaw(input, Map.of())), expression);
    assertEquals(
        expected,
        outcome(() -> compiled.evaluateRaw(input, Map.of())),
        expression + ", evaluated again");
  }

  /** A result (a function in it as "function"), or that the evaluation failed. */
  private record Outcome(String result, boolean failed) {}

  private static Outcome outcome(Supplier<Object> evaluation) {
    try {
      return new Outcome(describe(evaluation.get()), false);
    } catch (RuntimeException failed) {
      return new Outcome(null, true);
    }
  }

  /**
   * {@code value} with its types: a list's class and whether it is a sequence, each scalar's class,
   * maps with sorted keys (a map's class is not compared: a regex's match is a Map.of in ours).
   */
  static String describe(Object value) {
    return switch (value) {
      case null -> "null";
      case Object o when o == Jsonata.NULL_VALUE -> "null"; // dashjoin's, converted by its own pass
      case Map<?, ?> map -> {
        StringBuilder text = new StringBuilder("{");
        new TreeMap<>(map)
            .forEach((k, v) -> text.append(k).append('=').append(describe(v)).append(';'));
        yield text.append('}').toString();
      }
      case List<?> list ->
          list.getClass().getSimpleName()
              + (list instanceof Utils.JList<?> j && j.sequence ? "(seq)" : "")
              + list.stream().map(JsonataDifferential::describe).toList();
      case Jsonata.JLambda lambda -> "function";
      case Jsonata.JFunction function -> "function";
      default -> value.getClass().getSimpleName() + ":" + value;
    };
  }
}
