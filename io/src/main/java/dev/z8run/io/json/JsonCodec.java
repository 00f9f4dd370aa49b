package dev.z8run.io.json;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Converts between JSON text (UTF-8) and plain Java values, using jackson-core's streaming parser
 * and generator.
 *
 * <p>The value model, both ways:
 *
 * <table>
 *   <caption>JSON to Java</caption>
 *   <tr><th>JSON</th><th>parsed as</th><th>also written from</th></tr>
 *   <tr><td>object</td><td>{@code LinkedHashMap<String, Object>}, key order kept</td>
 *       <td>any {@code Map} whose keys are strings</td></tr>
 *   <tr><td>array</td><td>{@code ArrayList<Object>}</td><td>any {@code List}</td></tr>
 *   <tr><td>string</td><td>{@code String}</td><td></td></tr>
 *   <tr><td>integer</td><td>{@code Long}, or {@code BigInteger} when it does not fit</td>
 *       <td>{@code Integer}, {@code Short}, {@code Byte}</td></tr>
 *   <tr><td>number with fraction or exponent</td><td>{@code Double}, or {@code BigDecimal} when a
 *       double would overflow to infinity or underflow to zero</td><td>{@code Float}</td></tr>
 *   <tr><td>true / false</td><td>{@code Boolean}</td><td></td></tr>
 *   <tr><td>null</td><td>{@code null}</td><td></td></tr>
 * </table>
 *
 * <p>Parsing is strict: one top-level value and nothing after it but whitespace, no duplicate keys
 * in an object, at most {@value #MAX_DEPTH} levels of nesting, no comments, no NaN. Every failure
 * is a {@link JsonException} whose message says what is wrong and at which line and column.
 *
 * <p>Writing produces compact UTF-8 JSON (no insignificant whitespace). Characters beyond the Basic
 * Multilingual Plane (emoji) are written as two escaped UTF-16 surrogates, six characters each:
 * jackson's mode that writes them as 4-byte UTF-8 corrupts strings holding an unpaired surrogate.
 * Values outside the model, non-finite doubles and structures nested deeper than {@value
 * #MAX_DEPTH} levels (a map that contains itself, say) are refused with an {@link
 * IllegalArgumentException}.
 *
 * <p>Thread-safe and stateless. Allocates freely: this is for the control plane (flow documents,
 * configs, API bodies), not for the message hot path.
 */
public final class JsonCodec {
  /** Deepest nesting of objects and arrays accepted when parsing or writing. */
  public static final int MAX_DEPTH = 512;

  private static final int MAX_DESCRIBED_CHARS = 40;
  // a shared buffer pool: the default one is per thread, and every request runs on a new
  // virtual thread, which would allocate fresh buffers each time
  private static final JsonFactory FACTORY =
      JsonFactory.builder().recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool()).build();

  private JsonCodec() {}

  /**
   * Parses one JSON document.
   *
   * @return the value, as described in the class comment; {@code null} for the document {@code
   *     null}
   * @throws JsonException if the bytes are not exactly one well-formed JSON value
   */
  public static Object parse(byte[] json) {
    return parse(json, 0, json.length);
  }

  /** Parses {@code len} bytes of UTF-8 JSON starting at {@code off}; see {@link #parse(byte[])}. */
  public static Object parse(byte[] json, int off, int len) {
    Objects.checkFromIndexSize(off, len, json.length);
    try (JsonParser parser = FACTORY.createParser(json, off, len)) {
      return parseDocument(parser);
    } catch (JsonProcessingException e) {
      throw malformed(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Parses a JSON document held in a string; see {@link #parse(byte[])}. */
  public static Object parse(String json) {
    try (JsonParser parser = FACTORY.createParser(json)) {
      return parseDocument(parser);
    } catch (JsonProcessingException e) {
      throw malformed(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes a value as compact UTF-8 JSON.
   *
   * @throws IllegalArgumentException naming the offending type or value if {@code value} holds
   *     anything outside the value model, a non-finite number, or nests too deep
   */
  public static byte[] write(Object value) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (JsonGenerator generator = FACTORY.createGenerator(bytes, JsonEncoding.UTF8)) {
      writeValue(generator, value, 0);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Writes a value as a compact JSON string; see {@link #write(Object)}. */
  public static String writeString(Object value) {
    return new String(write(value), StandardCharsets.UTF_8);
  }

  /**
   * A dotted property path ({@code payload.user.name}) as the key bytes {@link JsonScanner} and
   * {@link JsonPatch} compare against: each segment as it appears between the quotes of a JSON key
   * this codec writes (escapes included).
   *
   * @throws IllegalArgumentException if a segment is empty ({@code a..b}, {@code .a}, {@code a.})
   */
  public static byte[][] keyPath(String dotted) {
    String[] segments = dotted.split("\\.", -1);
    byte[][] path = new byte[segments.length][];
    for (int i = 0; i < segments.length; i++) {
      if (segments[i].isEmpty()) {
        throw new IllegalArgumentException("'" + dotted + "' has an empty segment");
      }
      byte[] quoted = write(segments[i]);
      path[i] = Arrays.copyOfRange(quoted, 1, quoted.length - 1);
    }
    return path;
  }

  /**
   * Describes a JSON value for an error message: {@code string "abc"}, {@code number 1.5}, {@code
   * boolean true}, {@code null}, {@code object}, {@code array}. Long strings are shortened.
   */
  public static String describe(Object value) {
    return switch (value) {
      case null -> "null";
      case String s ->
          "string \""
              + (s.length() > MAX_DESCRIBED_CHARS ? s.substring(0, MAX_DESCRIBED_CHARS) + "..." : s)
              + "\"";
      case Number n -> "number " + n;
      case Boolean b -> "boolean " + b;
      case Map<?, ?> m -> "object";
      case List<?> l -> "array";
      default -> value.getClass().getName();
    };
  }

  private static Object parseDocument(JsonParser parser) throws IOException {
    JsonToken first = parser.nextToken();
    if (first == null) {
      throw new JsonException("empty JSON document: expected a value", 1, 1);
    }
    Object value = parseValue(parser, first, 0);
    JsonToken trailing = parser.nextToken();
    if (trailing != null) {
      throw error(parser, "trailing content after the JSON value: " + trailing.asString());
    }
    return value;
  }

  private static Object parseValue(JsonParser parser, JsonToken token, int depth)
      throws IOException {
    // null apart, before the switch: a `case null` makes it a pattern switch, whose bootstrap
    // spins a class and ~20 method-handle forms at the first parse of every start (no AOT cache
    // holds them); an enum switch without one is a plain table switch
    if (token == null) {
      throw error(parser, "unexpected end of JSON input");
    }
    return switch (token) {
      case START_OBJECT -> parseObject(parser, depth + 1);
      case START_ARRAY -> parseArray(parser, depth + 1);
      case VALUE_STRING -> parser.getText();
      case VALUE_NUMBER_INT -> parseInteger(parser);
      case VALUE_NUMBER_FLOAT -> parseFloat(parser);
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> throw error(parser, "unexpected token " + token);
    };
  }

  private static Map<String, Object> parseObject(JsonParser parser, int depth) throws IOException {
    checkDepth(parser, depth);
    Map<String, Object> object = new LinkedHashMap<>();
    JsonToken token;
    while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
      String key = parser.currentName();
      if (object.containsKey(key)) {
        throw error(parser, "duplicate key '" + key + "'");
      }
      object.put(key, parseValue(parser, parser.nextToken(), depth));
    }
    if (token != JsonToken.END_OBJECT) {
      throw error(parser, "unexpected token " + token + " in object");
    }
    return object;
  }

  private static List<Object> parseArray(JsonParser parser, int depth) throws IOException {
    checkDepth(parser, depth);
    List<Object> array = new ArrayList<>();
    JsonToken token;
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      array.add(parseValue(parser, token, depth));
    }
    return array;
  }

  private static Object parseInteger(JsonParser parser) throws IOException {
    JsonParser.NumberType type = parser.getNumberType();
    if (type == JsonParser.NumberType.INT || type == JsonParser.NumberType.LONG) {
      return parser.getLongValue();
    }
    return parser.getBigIntegerValue();
  }

  private static Object parseFloat(JsonParser parser) throws IOException {
    double value = parser.getDoubleValue();
    if (Double.isInfinite(value) || value == 0.0) {
      // A double would lose the number's meaning (1e400 -> Infinity, 1e-400 -> 0): keep it exact.
      BigDecimal exact = parser.getDecimalValue();
      if (Double.isInfinite(value) || exact.signum() != 0) {
        return exact;
      }
    }
    return value;
  }

  private static void checkDepth(JsonParser parser, int depth) {
    if (depth > MAX_DEPTH) {
      throw error(parser, "JSON nested deeper than " + MAX_DEPTH + " levels");
    }
  }

  private static void writeValue(JsonGenerator generator, Object value, int depth)
      throws IOException {
    switch (value) {
      case null -> generator.writeNull();
      case String s -> generator.writeString(s);
      case Boolean b -> generator.writeBoolean(b);
      case Long l -> generator.writeNumber(l);
      case Integer i -> generator.writeNumber(i);
      case Short s -> generator.writeNumber(s);
      case Byte b -> generator.writeNumber(b);
      case BigInteger b -> generator.writeNumber(b);
      case BigDecimal b -> generator.writeNumber(b);
      case Double d -> generator.writeNumber(finite(d));
      case Float f -> generator.writeNumber((float) finite(f));
      case Map<?, ?> map -> writeObject(generator, map, depth + 1);
      case List<?> list -> writeArray(generator, list, depth + 1);
      default ->
          throw new IllegalArgumentException(
              "cannot write a " + value.getClass().getName() + " as JSON");
    }
  }

  private static void writeObject(JsonGenerator generator, Map<?, ?> map, int depth)
      throws IOException {
    checkWriteDepth(depth);
    generator.writeStartObject();
    for (Map.Entry<?, ?> entry : map.entrySet()) {
      if (!(entry.getKey() instanceof String key)) {
        throw new IllegalArgumentException(
            "cannot write a map key of type "
                + (entry.getKey() == null ? "null" : entry.getKey().getClass().getName())
                + " as JSON; object keys must be strings");
      }
      generator.writeFieldName(key);
      writeValue(generator, entry.getValue(), depth);
    }
    generator.writeEndObject();
  }

  private static void writeArray(JsonGenerator generator, List<?> list, int depth)
      throws IOException {
    checkWriteDepth(depth);
    generator.writeStartArray();
    for (Object element : list) {
      writeValue(generator, element, depth);
    }
    generator.writeEndArray();
  }

  private static void checkWriteDepth(int depth) {
    if (depth > MAX_DEPTH) {
      throw new IllegalArgumentException(
          "cannot write JSON nested deeper than "
              + MAX_DEPTH
              + " levels; does a map or list contain itself?");
    }
  }

  private static double finite(double d) {
    if (!Double.isFinite(d)) {
      throw new IllegalArgumentException("cannot write " + d + " as JSON; numbers must be finite");
    }
    return d;
  }

  private static JsonException malformed(JsonProcessingException e) {
    JsonLocation location = e.getLocation();
    String what = e.getOriginalMessage();
    return location == null
        ? new JsonException("malformed JSON: " + what, -1, -1, e)
        : new JsonException(
            "malformed JSON" + at(location.getLineNr(), location.getColumnNr()) + ": " + what,
            location.getLineNr(),
            location.getColumnNr(),
            e);
  }

  private static JsonException error(JsonParser parser, String what) {
    JsonLocation location = parser.currentTokenLocation();
    int line = location.getLineNr();
    int column = location.getColumnNr();
    return new JsonException(what + at(line, column), line, column);
  }

  private static String at(int line, int column) {
    return " at line " + line + ", column " + column;
  }

  /**
   * A JSON document that cannot be parsed. The message says what is wrong and where; {@link
   * #line()} and {@link #column()} give the position (1-based) for editors to point at.
   */
  public static final class JsonException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int line;
    private final int column;

    public JsonException(String message, int line, int column) {
      super(message);
      this.line = line;
      this.column = column;
    }

    public JsonException(String message, int line, int column, Throwable cause) {
      super(message, cause);
      this.line = line;
      this.column = column;
    }

    /** 1-based line of the problem, or -1 if unknown. */
    public int line() {
      return line;
    }

    /** 1-based column of the problem, or -1 if unknown. */
    public int column() {
      return column;
    }
  }
}
