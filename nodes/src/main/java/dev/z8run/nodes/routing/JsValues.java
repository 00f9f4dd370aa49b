package dev.z8run.nodes.routing;

import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.support.MessagePath;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * JavaScript's comparisons on JSON values, as Node-RED's switch node applies them ({@code a == b},
 * {@code a < b}, {@code a + ""}): the general path of the switch, where values come from context,
 * env or JSONata. {@link MessagePath#MISSING} is JavaScript's {@code undefined}.
 */
final class JsValues {
  private JsValues() {}

  static boolean isNullish(Object value) {
    return value == null || value == MessagePath.MISSING;
  }

  /** JavaScript's {@code ==}. */
  static boolean looseEquals(Object a, Object b) {
    if (isNullish(a) || isNullish(b)) {
      return isNullish(a) && isNullish(b);
    }
    if (a instanceof Number x && b instanceof Number y) {
      return x.doubleValue() == y.doubleValue();
    }
    if (a instanceof String x && b instanceof String y) {
      return x.equals(y);
    }
    if (a instanceof Boolean x) {
      return looseEquals(x ? 1L : 0L, b);
    }
    if (b instanceof Boolean y) {
      return looseEquals(a, y ? 1L : 0L);
    }
    if (a instanceof Number && b instanceof String text) {
      return a instanceof Number x && x.doubleValue() == toNumber(text);
    }
    if (a instanceof String text && b instanceof Number y) {
      return toNumber(text) == y.doubleValue();
    }
    boolean objectA = a instanceof Map<?, ?> || a instanceof List<?>;
    boolean objectB = b instanceof Map<?, ?> || b instanceof List<?>;
    if (objectA && objectB) {
      return a == b; // distinct objects are never == in JavaScript
    }
    return looseEquals(objectA ? toText(a) : a, objectB ? toText(b) : b);
  }

  /**
   * The sign of a compared to b as JavaScript's {@code <} sees them: both strings compare as text,
   * anything else as numbers; null (not comparable: NaN) when either is NaN.
   */
  static Integer compare(Object a, Object b) {
    Object x = primitive(a);
    Object y = primitive(b);
    if (x instanceof String s && y instanceof String t) {
      return Integer.signum(s.compareTo(t));
    }
    double m = toNumber(x);
    double n = toNumber(y);
    if (Double.isNaN(m) || Double.isNaN(n)) {
      return null;
    }
    return Double.compare(m, n) == 0 ? 0 : m < n ? -1 : 1;
  }

  /** Whether a {@link #compare} result is within {@code [low, high]}; never for NaN (null). */
  static boolean within(Integer sign, int low, int high) {
    return sign != null && sign >= low && sign <= high;
  }

  /** JavaScript's {@code (a >= low && a <= high) || (a <= low && a >= high)}: the switch's btwn. */
  static boolean between(Object a, Object low, Object high) {
    Integer toLow = compare(a, low);
    Integer toHigh = compare(a, high);
    return (within(toLow, 0, 1) && within(toHigh, -1, 0))
        || (within(toLow, -1, 0) && within(toHigh, 0, 1));
  }

  private static Object primitive(Object value) {
    return value instanceof Map<?, ?> || value instanceof List<?> ? toText(value) : value;
  }

  /** JavaScript's {@code Number(value)}. */
  static double toNumber(Object value) {
    return switch (value) {
      case null -> 0;
      case Number number -> number.doubleValue();
      case Boolean bool -> bool ? 1 : 0;
      case String text -> {
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
          yield 0;
        }
        try {
          if (trimmed.startsWith("0x") || trimmed.startsWith("0X")) {
            yield Long.parseLong(trimmed.substring(2), 16);
          }
          yield new BigDecimal(trimmed).doubleValue();
        } catch (NumberFormatException notNumber) {
          yield trimmed.equals("Infinity")
              ? Double.POSITIVE_INFINITY
              : trimmed.equals("-Infinity") ? Double.NEGATIVE_INFINITY : Double.NaN;
        }
      }
      default -> value == MessagePath.MISSING ? Double.NaN : toNumber(toText(value));
    };
  }

  /** JavaScript's {@code value + ""}. */
  static String toText(Object value) {
    if (value == MessagePath.MISSING) {
      return "undefined";
    }
    return switch (value) {
      case null -> "null";
      case String text -> text;
      case Boolean bool -> bool.toString();
      case Number number -> numberText(number.doubleValue());
      case List<?> list -> {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < list.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          Object item = list.get(i);
          out.append(item == null ? "" : toText(item));
        }
        yield out.toString();
      }
      case Map<?, ?> map -> "[object Object]";
      default -> JsonCodec.writeString(value);
    };
  }

  private static String numberText(double d) {
    if (d == Math.rint(d) && Math.abs(d) < 1e21) {
      return Long.toString((long) d);
    }
    return Double.toString(d);
  }

  /** JavaScript's truth. */
  static boolean truthy(Object value) {
    return switch (value) {
      case null -> false;
      case Boolean bool -> bool;
      case Number number -> number.doubleValue() != 0 && !Double.isNaN(number.doubleValue());
      case String text -> !text.isEmpty();
      default -> value != MessagePath.MISSING;
    };
  }
}
