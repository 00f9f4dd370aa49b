package dev.z8run.nodes.ai.vector;

import dev.z8run.io.json.JsonCodec;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The metadata filter of a vector search, in the style of MongoDB and most vector databases: an
 * object whose every key must match (AND).
 *
 * <pre>
 *   {"source": "manual.pdf"}                 equal (a string, number or boolean)
 *   {"tags": "billing"}                      an array holding the value matches too
 *   {"year": {"$gte": 2020, "$lt": 2025}}    $eq $ne $gt $gte $lt $lte (ranges on numbers)
 *   {"lang": {"$in": ["en", "de"]}}          $in $nin (arrays of values)
 * </pre>
 *
 * Keys are top-level metadata keys; a key the entry lacks matches only {@code $ne} and {@code
 * $nin}. {@link #check} refuses anything else with a message naming the key, so that a typo fails
 * instead of matching nothing. Stateless.
 */
public final class MetadataFilter {
  private static final List<String> OPERATORS =
      List.of("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin");

  private MetadataFilter() {}

  /**
   * Checks a filter's shape.
   *
   * @throws IllegalArgumentException naming the key and what is wrong
   */
  public static void check(Map<?, ?> filter) {
    for (Map.Entry<?, ?> entry : filter.entrySet()) {
      String key = String.valueOf(entry.getKey());
      if (key.isEmpty() || key.startsWith("$")) {
        throw new IllegalArgumentException(
            "filter: '" + key + "' is not a metadata key (operators go inside a key's object)");
      }
      Object condition = entry.getValue();
      if (condition instanceof Map<?, ?> operators) {
        if (operators.isEmpty()) {
          throw new IllegalArgumentException("filter." + key + ": an empty condition");
        }
        for (Map.Entry<?, ?> op : operators.entrySet()) {
          String name = String.valueOf(op.getKey());
          Object value = op.getValue();
          if (!OPERATORS.contains(name)) {
            throw new IllegalArgumentException(
                "filter." + key + ": unknown operator '" + name + "' (" + OPERATORS + ")");
          }
          boolean list = name.equals("$in") || name.equals("$nin");
          boolean range = name.startsWith("$g") || name.startsWith("$l");
          if (list
              && !(value instanceof List<?> values
                  && values.stream().allMatch(MetadataFilter::scalar))) {
            throw new IllegalArgumentException(
                "filter."
                    + key
                    + "."
                    + name
                    + ": expected an array of strings, numbers or booleans");
          }
          if (range && !(value instanceof Number)) {
            throw new IllegalArgumentException(
                "filter."
                    + key
                    + "."
                    + name
                    + ": expected a number, got "
                    + JsonCodec.describe(value));
          }
          if (!list && !range && !scalar(value)) {
            throw new IllegalArgumentException(
                "filter." + key + "." + name + ": expected a string, number or boolean");
          }
        }
      } else if (!scalar(condition)) {
        throw new IllegalArgumentException(
            "filter."
                + key
                + ": expected a string, number, boolean or an operator object, got "
                + JsonCodec.describe(condition));
      }
    }
  }

  /** Whether {@code metadata} matches {@code filter} (which {@link #check} accepted). */
  public static boolean matches(Map<?, ?> filter, Map<?, ?> metadata) {
    for (Map.Entry<?, ?> entry : filter.entrySet()) {
      Object actual = metadata.get(entry.getKey());
      if (entry.getValue() instanceof Map<?, ?> operators) {
        for (Map.Entry<?, ?> op : operators.entrySet()) {
          if (!test(String.valueOf(op.getKey()), op.getValue(), actual)) {
            return false;
          }
        }
      } else if (!contains(actual, entry.getValue())) {
        return false;
      }
    }
    return true;
  }

  private static boolean test(String operator, Object expected, Object actual) {
    return switch (operator) {
      case "$eq" -> contains(actual, expected);
      case "$ne" -> !contains(actual, expected);
      case "$in" -> ((List<?>) expected).stream().anyMatch(value -> contains(actual, value));
      case "$nin" -> ((List<?>) expected).stream().noneMatch(value -> contains(actual, value));
      default -> {
        if (!(actual instanceof Number number)) {
          yield false;
        }
        double a = number.doubleValue();
        double b = ((Number) expected).doubleValue();
        yield switch (operator) {
          case "$gt" -> a > b;
          case "$gte" -> a >= b;
          case "$lt" -> a < b;
          default -> a <= b;
        };
      }
    };
  }

  /** Equal, or an array holding an equal value; numbers compare by value. */
  private static boolean contains(Object actual, Object expected) {
    if (actual instanceof List<?> values) {
      return values.stream().anyMatch(value -> same(value, expected));
    }
    return same(actual, expected);
  }

  private static boolean same(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return x.doubleValue() == y.doubleValue();
    }
    return a != null && Objects.equals(a, b);
  }

  private static boolean scalar(Object value) {
    return value instanceof String || value instanceof Number || value instanceof Boolean;
  }
}
