package dev.z8run.nodes.data;

import dev.z8run.io.json.JsonCodec;
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Result rows as JSON values, with z8run's column typing: integers as numbers, floats as numbers,
 * booleans, JSON columns parsed, UUIDs as strings, timestamps and dates as ISO-8601 strings, bytes
 * as base64 strings, decimals as numbers (exact when they fit a long), arrays as arrays.
 */
final class Rows {
  private final ResultSetMetaData meta;
  private final String[] names;
  private final int[] types;
  private final String[] typeNames;

  Rows(ResultSet rows) throws SQLException {
    meta = rows.getMetaData();
    int count = meta.getColumnCount();
    names = new String[count];
    types = new int[count];
    typeNames = new String[count];
    for (int i = 0; i < count; i++) {
      names[i] = meta.getColumnLabel(i + 1);
      types[i] = meta.getColumnType(i + 1);
      String typeName = meta.getColumnTypeName(i + 1);
      typeNames[i] = typeName == null ? "" : typeName.toLowerCase(Locale.ROOT);
    }
  }

  /** The current row as a map, column label to value. */
  Map<String, Object> row(ResultSet rows) throws SQLException {
    Map<String, Object> row = new LinkedHashMap<>(names.length * 2);
    for (int i = 0; i < names.length; i++) {
      row.put(names[i], value(rows, i));
    }
    return row;
  }

  /** Every remaining row. */
  List<Map<String, Object>> all(ResultSet rows) throws SQLException {
    List<Map<String, Object>> all = new ArrayList<>();
    while (rows.next()) {
      all.add(row(rows));
    }
    return all;
  }

  private Object value(ResultSet rows, int i) throws SQLException {
    int column = i + 1;
    Object value;
    switch (types[i]) {
      case Types.TINYINT, Types.SMALLINT, Types.INTEGER, Types.BIGINT -> {
        long number = rows.getLong(column);
        value = rows.wasNull() ? null : number;
      }
      case Types.REAL, Types.FLOAT, Types.DOUBLE -> {
        double number = rows.getDouble(column);
        value = rows.wasNull() ? null : number;
      }
      case Types.NUMERIC, Types.DECIMAL -> value = decimal(rows.getBigDecimal(column));
      case Types.BIT, Types.BOOLEAN -> {
        boolean flag = rows.getBoolean(column);
        value = rows.wasNull() ? null : flag;
      }
      case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> {
        byte[] bytes = rows.getBytes(column);
        value = bytes == null ? null : Base64.getEncoder().encodeToString(bytes);
      }
      case Types.TIMESTAMP_WITH_TIMEZONE -> {
        OffsetDateTime time = rows.getObject(column, OffsetDateTime.class);
        value = time == null ? null : time.toInstant().toString();
      }
      case Types.TIMESTAMP -> value = timestamp(rows, column);
      case Types.DATE -> {
        java.sql.Date date = rows.getDate(column);
        value = date == null ? null : date.toLocalDate().toString();
      }
      case Types.TIME -> {
        Time time = rows.getTime(column);
        value = time == null ? null : time.toLocalTime().toString();
      }
      case Types.ARRAY -> {
        Array array = rows.getArray(column);
        value = array == null ? null : List.of((Object[]) array.getArray());
      }
      default -> value = other(rows, column, typeNames[i]);
    }
    return value;
  }

  private static Object timestamp(ResultSet rows, int column) throws SQLException {
    if ("timestamptz".equals(rows.getMetaData().getColumnTypeName(column))) {
      OffsetDateTime time = rows.getObject(column, OffsetDateTime.class);
      return time == null ? null : time.toInstant().toString();
    }
    Timestamp time = rows.getTimestamp(column);
    return time == null ? null : time.toLocalDateTime().toString();
  }

  private static Object other(ResultSet rows, int column, String typeName) throws SQLException {
    Object raw = rows.getObject(column);
    if (raw == null) {
      return null;
    }
    if (typeName.equals("json") || typeName.equals("jsonb")) {
      return JsonCodec.parse(raw.toString());
    }
    if (raw instanceof UUID uuid) {
      return uuid.toString();
    }
    if (raw instanceof byte[] bytes) {
      return Base64.getEncoder().encodeToString(bytes);
    }
    if (raw instanceof Number || raw instanceof Boolean) {
      return raw;
    }
    return raw.toString();
  }

  private static Object decimal(BigDecimal value) {
    if (value == null) {
      return null;
    }
    if (value.scale() <= 0 || value.stripTrailingZeros().scale() <= 0) {
      try {
        return value.longValueExact();
      } catch (ArithmeticException tooBig) {
        return value.doubleValue();
      }
    }
    return value.doubleValue();
  }
}
