package dev.z8run.nodes.routing;

import dev.z8run.core.node.NodeContext;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.json.JsonScanner;
import dev.z8run.nodes.support.BoundedText;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.agrona.DirectBuffer;

/**
 * One test in z8run's form, with z8run's meaning: a switch rule {@code {type, value, port}} or a
 * filter's {@code condition} and {@code value}, as z8run's {@code evaluate_rule} reads them ({@code
 * crates/z8run-core/src/nodes/switch.rs}):
 *
 * <ul>
 *   <li>{@code eq} / {@code neq}: equal JSON, or equal numbers (a numeric string counts as its
 *       number: {@code "30"} equals {@code 30}), or equal text ({@code true} equals {@code
 *       "true"});
 *   <li>{@code gt}, {@code lt}, {@code gte}, {@code lte}: both sides numbers (numeric strings
 *       included), else false;
 *   <li>{@code contains}: a substring of a string, or an element of an array (by {@code eq});
 *   <li>{@code regex}: the pattern found in a string;
 *   <li>{@code empty} / {@code notempty}: null, {@code ""}, {@code []} and {@code {}} are empty (a
 *       missing property is null);
 *   <li>{@code true}/{@code truthy} and {@code false}/{@code falsy}: JavaScript-like truth (0,
 *       {@code ""}, empty containers, null and false are false).
 * </ul>
 *
 * <p>z8run answers an unknown type with "no match"; here it is refused when the flow deploys, with
 * the field named. The value tested is parsed from the message bytes (z8run configs are a
 * compatibility path; Node-RED's rules read in place, see {@link PropertyTest}).
 */
final class Z8runRule {
  static final List<String> TYPES =
      List.of(
          "eq",
          "neq",
          "gt",
          "lt",
          "gte",
          "lte",
          "contains",
          "regex",
          "empty",
          "notempty",
          "true",
          "truthy",
          "false",
          "falsy");

  private final String type;
  private final Object value;
  private final Pattern pattern;

  /** The text {@link #pattern} reads, with a user's pattern's time limit; null without one. */
  private final BoundedText bounded;

  private Z8runRule(String type, Object value, Pattern pattern, NodeContext context) {
    this.type = type;
    this.value = value;
    this.pattern = pattern;
    this.bounded = pattern == null ? null : new BoundedText(pattern, context);
  }

  /**
   * Compiles a test; {@code where} names the field in errors ({@code rules[1].type}).
   *
   * @throws IllegalArgumentException naming the field for an unknown type or a bad pattern
   */
  static Z8runRule compile(String where, Object type, Object value, NodeContext context) {
    if (!(type instanceof String kind) || !TYPES.contains(kind)) {
      throw new IllegalArgumentException(
          where
              + ": unknown test "
              + (type == null ? "(none given)" : JsonCodec.describe(type))
              + " (z8run's tests: "
              + String.join(", ", TYPES)
              + ")");
    }
    Pattern pattern = null;
    if (kind.equals("regex")) {
      if (!(value instanceof String regex)) {
        throw new IllegalArgumentException(
            where
                + ": regex needs a pattern string as its value, got "
                + JsonCodec.describe(value));
      }
      try {
        pattern = Pattern.compile(regex);
      } catch (PatternSyntaxException bad) {
        throw new IllegalArgumentException(
            where + ": invalid regular expression: " + bad.getDescription());
      }
    }
    return new Z8runRule(kind, value, pattern, context);
  }

  /** The value in {@code span} of {@code buffer} (not found: null), parsed. */
  static Object valueAt(DirectBuffer buffer, long span) {
    if (span == JsonScanner.NOT_FOUND) {
      return null;
    }
    int start = JsonScanner.spanStart(span);
    byte[] bytes = new byte[JsonScanner.spanEnd(span) - start];
    buffer.getBytes(start, bytes);
    return JsonCodec.parse(bytes);
  }

  boolean test(Object actual) {
    return switch (type) {
      case "eq" -> same(actual, value);
      case "neq" -> !same(actual, value);
      case "gt" -> compare(actual) > 0;
      case "lt" -> lessThan(compare(actual), false);
      case "gte" -> compare(actual) >= 0;
      case "lte" -> lessThan(compare(actual), true);
      case "contains" -> contains(actual);
      case "regex" -> actual instanceof String text && pattern.matcher(bounded.wrap(text)).find();
      case "empty" -> isEmpty(actual);
      case "notempty" -> !isEmpty(actual);
      case "true", "truthy" -> isTruthy(actual);
      case "false", "falsy" -> !isTruthy(actual);
      default -> throw new IllegalStateException("unchecked test " + type);
    };
  }

  private static final int NOT_COMPARABLE = Integer.MIN_VALUE;

  private static boolean lessThan(int sign, boolean orEqual) {
    return sign != NOT_COMPARABLE && (orEqual ? sign <= 0 : sign < 0);
  }

  /** The sign of actual - value; NOT_COMPARABLE (negative, never equal) when not two numbers. */
  private int compare(Object actual) {
    Double a = number(actual);
    Double b = number(value);
    if (a == null || b == null || a.isNaN() || b.isNaN()) {
      return NOT_COMPARABLE;
    }
    return Double.compare(a, b);
  }

  private boolean contains(Object actual) {
    if (actual instanceof String haystack && value instanceof String needle) {
      return haystack.contains(needle);
    }
    if (actual instanceof List<?> list) {
      for (Object item : list) {
        if (same(item, value)) {
          return true;
        }
      }
    }
    return false;
  }

  static boolean same(Object a, Object b) {
    if (Objects.equals(JsonCodec.writeString(a), JsonCodec.writeString(b))) {
      return true;
    }
    Double x = number(a);
    Double y = number(b);
    if (x != null && y != null) {
      return Math.abs(x - y) < Math.ulp(1.0);
    }
    return text(a).equals(text(b));
  }

  private static String text(Object value) {
    return value instanceof String text
        ? text
        : value == null ? "null" : JsonCodec.writeString(value);
  }

  /** A number, or a string that parses as one; else null. */
  private static Double number(Object value) {
    if (value instanceof Number number) {
      return number.doubleValue();
    }
    if (value instanceof String text) {
      try {
        return new BigDecimal(text.strip()).doubleValue();
      } catch (NumberFormatException notNumber) {
        return null;
      }
    }
    return null;
  }

  static boolean isEmpty(Object value) {
    return value == null
        || (value instanceof String text && text.isEmpty())
        || (value instanceof List<?> list && list.isEmpty())
        || (value instanceof Map<?, ?> map && map.isEmpty());
  }

  static boolean isTruthy(Object value) {
    return switch (value) {
      case null -> false;
      case Boolean bool -> bool;
      case Number number -> number.doubleValue() != 0;
      case String text -> !text.isEmpty();
      case List<?> list -> !list.isEmpty();
      case Map<?, ?> map -> !map.isEmpty();
      default -> true;
    };
  }

  /**
   * z8run's filter {@code expression} ({@code filter.rs}, {@code parse_expression}): {@code
   * property op value} with the first of {@code != >= <= == > <} found; the value is null, true,
   * false, a number, or text (quotes stripped).
   *
   * @return {property, condition, value}, or null when the expression has no operator
   */
  static Object[] parseExpression(String expression) {
    String[][] operators = {
      {"!=", "neq"}, {">=", "gte"}, {"<=", "lte"}, {"==", "eq"}, {">", "gt"}, {"<", "lt"}
    };
    for (String[] operator : operators) {
      int at = expression.indexOf(operator[0]);
      if (at >= 0) {
        String property = expression.substring(0, at).strip();
        String text = expression.substring(at + operator[0].length()).strip();
        Object parsed;
        if (text.equals("null")) {
          parsed = null;
        } else if (text.equals("true") || text.equals("false")) {
          parsed = Boolean.valueOf(text);
        } else {
          Double number = number(text);
          parsed = number != null && !text.isEmpty() ? number : stripQuotes(text);
        }
        return new Object[] {property, operator[1], parsed};
      }
    }
    return null;
  }

  private static String stripQuotes(String text) {
    String stripped = text;
    while (!stripped.isEmpty() && (stripped.charAt(0) == '"' || stripped.charAt(0) == '\'')) {
      stripped = stripped.substring(1);
    }
    while (!stripped.isEmpty()
        && (stripped.charAt(stripped.length() - 1) == '"'
            || stripped.charAt(stripped.length() - 1) == '\'')) {
      stripped = stripped.substring(0, stripped.length() - 1);
    }
    return stripped;
  }
}
