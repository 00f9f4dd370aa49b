package dev.z8run.nodes.routing;

import dev.z8run.nodes.support.MessagePath;
import java.util.List;
import java.util.Map;

/** JavaScript's {@code Number(x)}, {@code ===}, {@code <} and {@code >} for sort keys. */
final class JsCompare {
  private JsCompare() {}

  /** {@code Number(value)}: NaN when it is not a number. */
  static double toNumber(Object value) {
    if (value instanceof Number number) {
      return number.doubleValue();
    }
    if (value == null) {
      return 0;
    }
    if (value instanceof Boolean bool) {
      return bool ? 1 : 0;
    }
    if (value instanceof String text) {
      String trimmed = text.strip();
      if (trimmed.isEmpty()) {
        return 0;
      }
      try {
        return Double.parseDouble(trimmed);
      } catch (NumberFormatException notANumber) {
        return Double.NaN;
      }
    }
    return Double.NaN;
  }

  /**
   * Node-RED's comparison: 0 when strictly equal, {@code direction} when {@code x > y}, else {@code
   * -direction}.
   */
  static int order(Object x, Object y, int direction) {
    if (x == MessagePath.MISSING) {
      x = null;
    }
    if (y == MessagePath.MISSING) {
      y = null;
    }
    if (strictEquals(x, y)) {
      return 0;
    }
    return greater(x, y) ? direction : -direction;
  }

  private static boolean strictEquals(Object x, Object y) {
    if (x instanceof Number a && y instanceof Number b) {
      return a.doubleValue() == b.doubleValue();
    }
    if (x instanceof Map<?, ?> || x instanceof List<?>) {
      return x == y;
    }
    return x == null ? y == null : x.equals(y);
  }

  private static boolean greater(Object x, Object y) {
    if (x instanceof String a && y instanceof String b) {
      return a.compareTo(b) > 0;
    }
    return toNumber(x) > toNumber(y);
  }
}
