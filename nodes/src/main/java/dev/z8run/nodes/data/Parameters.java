package dev.z8run.nodes.data;

import dev.z8run.io.json.JsonCodec;
import java.math.BigDecimal;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Map;

/** The values a message gives a statement's parameters ({@link SqlText}), and their binding. */
final class Parameters {
  private Parameters() {}

  /**
   * One value per parameter of {@code text}, from the message {@code body}.
   *
   * @param paths z8run's {@code params}: paths in {@code msg.payload} for the positional values
   * @throws java.sql.SQLException (state 07001) when a positional value is missing
   */
  static Object[] values(SqlText text, Map<String, Object> body, List<String> paths)
      throws SQLException {
    List<SqlText.Source> sources = text.sources();
    Object[] values = new Object[sources.size()];
    Object payload = body.get("payload");
    Object msgParams = body.get("params");
    for (int i = 0; i < values.length; i++) {
      values[i] =
          switch (sources.get(i)) {
            case SqlText.Positional positional ->
                positional(positional.index(), payload, msgParams, paths);
            case SqlText.Named named -> named(named.name(), payload, msgParams);
            case SqlText.DollarNamed named -> dollarNamed(named.name(), payload, msgParams);
            case SqlText.MessageValue value -> messageValue(value.path(), body, msgParams);
          };
    }
    return values;
  }

  private static Object positional(int index, Object payload, Object msgParams, List<String> paths)
      throws SQLException {
    if (!paths.isEmpty()) {
      if (index >= paths.size()) {
        throw new SQLException(
            "parameter " + (index + 1) + " has no path in 'params' (" + paths.size() + " given)",
            "07001");
      }
      return at(payload, paths.get(index));
    }
    List<?> list =
        msgParams instanceof List<?> given
            ? given
            : payload instanceof List<?> array ? array : null;
    if (list == null) {
      if (index == 0 && !(payload instanceof Map<?, ?>)) {
        return payload;
      }
      throw new SQLException(
          "parameter " + (index + 1) + ": msg.params (or msg.payload) is not an array", "07001");
    }
    if (index >= list.size()) {
      throw new SQLException(
          "parameter " + (index + 1) + " has no value (" + list.size() + " given)", "07001");
    }
    return list.get(index);
  }

  /**
   * {@code $path}: {@code msg.params["$path"]} when {@code msg.params} is an object holding that
   * key (node-red-node-sqlite's prepared statements take {@code msg.params = {$id: 1}}), else the
   * message's value at {@code path}.
   */
  private static Object messageValue(String path, Map<String, Object> body, Object msgParams) {
    if (msgParams instanceof Map<?, ?> map) {
      String key = "$" + path;
      if (map.containsKey(key)) {
        return map.get(key);
      }
    }
    return at(body, path);
  }

  /**
   * {@code $name}: {@code msg.params["$name"]} (node-red-node-sqlite's prepared statements), else
   * as {@code :name}.
   */
  private static Object dollarNamed(String name, Object payload, Object msgParams) {
    if (msgParams instanceof Map<?, ?> map) {
      String key = "$" + name;
      if (map.containsKey(key)) {
        return map.get(key);
      }
    }
    return named(name, payload, msgParams);
  }

  /**
   * {@code :name}: {@code msg.params.name} (or {@code msg.params[":name"]}, as node-sqlite3 keys
   * it), else {@code msg.payload.name}.
   */
  private static Object named(String name, Object payload, Object msgParams) {
    if (msgParams instanceof Map<?, ?> map) {
      if (map.containsKey(name)) {
        return map.get(name);
      }
      String prefixed = ":" + name;
      if (map.containsKey(prefixed)) {
        return map.get(prefixed);
      }
    }
    return payload instanceof Map<?, ?> map ? map.get(name) : null;
  }

  /** The value at dotted {@code path} (array indices as numbers) under {@code root}, or null. */
  static Object at(Object root, String path) {
    Object current = root;
    if (path.isEmpty()) {
      return current;
    }
    for (String segment : path.split("\\.")) {
      if (current instanceof Map<?, ?> map) {
        current = map.get(segment);
      } else if (current instanceof List<?> list && isIndex(segment)) {
        int index = Integer.parseInt(segment);
        current = index < list.size() ? list.get(index) : null;
      } else {
        return null;
      }
    }
    return current;
  }

  private static boolean isIndex(String segment) {
    return !segment.isEmpty()
        && segment.length() < 10
        && segment.chars().allMatch(Character::isDigit);
  }

  /** Binds the values: strings, numbers, booleans, null; objects and arrays as JSON text. */
  static void bind(PreparedStatement statement, Object[] values) throws SQLException {
    for (int i = 0; i < values.length; i++) {
      bind(statement, i + 1, values[i]);
    }
  }

  static void bind(PreparedStatement statement, int index, Object value) throws SQLException {
    switch (value) {
      case null -> statement.setNull(index, Types.NULL);
      case String text -> statement.setString(index, text);
      case Long number -> statement.setLong(index, number);
      case Integer number -> statement.setLong(index, number);
      case Double number -> statement.setDouble(index, number);
      case BigDecimal number -> statement.setBigDecimal(index, number);
      case Boolean flag -> statement.setBoolean(index, flag);
      case Number number -> statement.setDouble(index, number.doubleValue());
      default -> statement.setString(index, JsonCodec.writeString(value));
    }
  }
}
