package dev.z8run.nodes.routing;

import static dev.z8run.nodes.support.JsonValues.ARRAY;
import static dev.z8run.nodes.support.JsonValues.BOOLEAN;
import static dev.z8run.nodes.support.JsonValues.NULL;
import static dev.z8run.nodes.support.JsonValues.NUMBER;
import static dev.z8run.nodes.support.JsonValues.OBJECT;
import static dev.z8run.nodes.support.JsonValues.STRING;
import static dev.z8run.nodes.support.JsonValues.UNDEFINED;

import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.NodeEnvironment;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.json.JsonScanner;
import dev.z8run.nodes.support.BoundedText;
import dev.z8run.nodes.support.EnvValues;
import dev.z8run.nodes.support.JsonValues;
import dev.z8run.nodes.support.MessagePath;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.agrona.DirectBuffer;

/**
 * One compiled test of a message property, in Node-RED's switch rule format: {@code
 * {"t":"eq","v":"5","vt":"num"}}, {@code {"t":"btwn","v":"1","vt":"num","v2":"9","v2t":"num"}},
 * {@code {"t":"regex","v":"^a","case":true}}, {@code {"t":"istype","v":"string"}}, {@code
 * {"t":"else"}}. Used by the switch and filter nodes.
 *
 * <p>{@link #test} reads the property's bytes where they lie (a span found by {@link MessagePath});
 * numbers are parsed from the bytes and strings compared as bytes, so a test allocates nothing,
 * except a regex against a string with escapes or non-ASCII characters, a lexical comparison of two
 * strings, and {@code istype json} / a {@code json} operand (which parse). Not thread-safe: a regex
 * test keeps its matcher.
 */
final class PropertyTest {
  static final List<String> KINDS =
      List.of(
          "eq", "neq", "lt", "lte", "gt", "gte", "btwn", "cont", "regex", "true", "false", "null",
          "nnull", "empty", "nempty", "istype", "else");
  static final List<String> VALUE_TYPES = List.of("str", "num", "bool", "json", "env", "msg");
  static final List<String> TYPE_NAMES =
      List.of(
          "string", "number", "boolean", "object", "array", "null", "undefined", "json", "buffer");

  private final String kind;
  private final Operand value;
  private final Operand value2;
  private final Matcher matcher;

  /** The text {@link #matcher} reads, with the time limit of a user's pattern (regex only). */
  private final BoundedText bounded;

  private final AsciiView view = new AsciiView();
  private final int typeName;

  /**
   * A compiled operand: its number as JavaScript's {@code Number(v)} gives it (NaN if none), its
   * string body bytes, its JSON, and its value as Node-RED holds it ({@code js}: a Double for
   * {@code num}, the text for {@code str}, a Boolean for {@code bool}, the parsed value for {@code
   * json}; null for a {@code msg} operand, read from each message).
   */
  private record Operand(
      String type,
      double number,
      String text,
      byte[] stringBytes,
      Object json,
      boolean bool,
      MessagePath path,
      Object js) {}

  private PropertyTest(
      String kind,
      Operand value,
      Operand value2,
      Matcher matcher,
      int typeName,
      NodeContext context) {
    this.kind = kind;
    this.value = value;
    this.value2 = value2;
    this.matcher = matcher;
    this.bounded = matcher == null ? null : new BoundedText(matcher.pattern(), context);
    this.typeName = typeName;
  }

  /**
   * The rule {@code raw}, checked to be an object whose test {@code t} is one of {@code kinds}.
   *
   * @throws IllegalArgumentException naming the field at fault ({@code where} names the rule)
   */
  static Map<?, ?> ruleObject(String where, Object raw, List<String> kinds) {
    if (!(raw instanceof Map<?, ?> rule)) {
      throw new IllegalArgumentException(
          where + ": expected an object, got " + JsonCodec.describe(raw));
    }
    Object t = rule.get("t");
    if (!(t instanceof String kind) || !kinds.contains(kind)) {
      throw new IllegalArgumentException(
          where + ".t: unknown test '" + t + "' (supported: " + String.join(", ", kinds) + ")");
    }
    return rule;
  }

  /**
   * Compiles a rule; {@code where} names it in errors ({@code rules[2]}).
   *
   * @param context the node's: its environment for env operands, its worker to release while a
   *     regular expression runs long ({@link BoundedText})
   * @throws IllegalArgumentException naming the field at fault
   */
  static PropertyTest compile(String where, Object raw, NodeContext context) {
    NodeEnvironment env = context.environment();
    Map<?, ?> rule = ruleObject(where, raw, KINDS);
    String kind = (String) rule.get("t");
    switch (kind) {
      case "true", "false", "null", "nnull", "empty", "nempty", "else" -> {
        return new PropertyTest(kind, null, null, null, -1, context);
      }
      case "istype" -> {
        Object v = rule.get("v");
        int index = TYPE_NAMES.indexOf(String.valueOf(v));
        if (index < 0) {
          throw new IllegalArgumentException(
              where
                  + ".v: unknown type '"
                  + v
                  + "' (supported: "
                  + String.join(", ", TYPE_NAMES)
                  + ")");
        }
        return new PropertyTest(kind, null, null, null, index, context);
      }
      case "regex" -> {
        String pattern = String.valueOf(rule.get("v") == null ? "" : rule.get("v"));
        boolean ignoreCase = Boolean.TRUE.equals(rule.get("case"));
        try {
          Matcher matcher =
              Pattern.compile(pattern, ignoreCase ? Pattern.CASE_INSENSITIVE : 0).matcher("");
          return new PropertyTest(kind, null, null, matcher, -1, context);
        } catch (PatternSyntaxException bad) {
          throw new IllegalArgumentException(
              where + ".v: invalid regular expression: " + bad.getDescription());
        }
      }
      default -> {
        Operand v = operand(where + ".v", rule.get("v"), rule.get("vt"), env);
        Operand v2 =
            kind.equals("btwn")
                ? operand(where + ".v2", rule.get("v2"), rule.get("v2t"), env)
                : null;
        if (kind.equals("btwn")
            && ((Double.isNaN(v.number()) && v.path() == null)
                || (Double.isNaN(v2.number()) && v2.path() == null))) {
          throw new IllegalArgumentException(
              where
                  + ": between needs two numbers, got '"
                  + v.text()
                  + "' and '"
                  + v2.text()
                  + "'");
        }
        return new PropertyTest(kind, v, v2, null, -1, context);
      }
    }
  }

  /** The error for a value type ({@code where} + {@code t}) that is not one of {@code types}. */
  static IllegalArgumentException unsupportedType(String where, String type, List<String> types) {
    return new IllegalArgumentException(
        where
            + "t: value type '"
            + type
            + "' is not supported (supported: "
            + String.join(", ", types)
            + ")");
  }

  private static Operand operand(String where, Object raw, Object rawType, NodeEnvironment env) {
    String type = rawType == null ? "str" : rawType.toString();
    if (!VALUE_TYPES.contains(type)) {
      throw unsupportedType(where, type, VALUE_TYPES);
    }
    String text = raw == null ? "" : raw instanceof String s ? s : JsonCodec.writeString(raw);
    if (type.equals("msg")) {
      try {
        return new Operand(type, Double.NaN, text, null, null, false, MessagePath.of(text), null);
      } catch (IllegalArgumentException bad) {
        throw new IllegalArgumentException(where + ": " + bad.getMessage());
      }
    }
    if (type.equals("env")) {
      text = EnvValues.lookup(where, text, env);
      type = "str";
    }
    Object json = null;
    switch (type) {
      case "num" -> {
        double number = numberOf(text);
        if (Double.isNaN(number)) {
          throw new IllegalArgumentException(where + ": '" + text + "' is not a number");
        }
      }
      case "bool" -> {
        if (!text.equals("true") && !text.equals("false")) {
          throw new IllegalArgumentException(
              where + ": expected true or false, got '" + text + "'");
        }
      }
      case "json" -> {
        try {
          json = raw instanceof String s ? JsonCodec.parse(s) : raw;
        } catch (RuntimeException malformed) {
          throw new IllegalArgumentException(where + ": " + malformed.getMessage(), malformed);
        }
      }
      default -> {}
    }
    byte[] quoted = JsonCodec.write(text);
    double number =
        switch (type) {
          case "num" -> numberOf(text);
          case "str" -> JsValues.toNumber(text); // "" is 0, "0x10" 16, as in JavaScript
          default -> Double.NaN;
        };
    Object js =
        switch (type) {
          case "num" -> number;
          case "bool" -> text.equals("true");
          case "json" -> json;
          default -> text;
        };
    return new Operand(
        type,
        number,
        text,
        type.equals("str") ? Arrays.copyOfRange(quoted, 1, quoted.length - 1) : null,
        json,
        text.equals("true"),
        null,
        js);
  }

  private static double numberOf(String text) {
    try {
      return new BigDecimal(text.strip()).doubleValue();
    } catch (NumberFormatException notNumber) {
      return Double.NaN;
    }
  }

  /** Whether this is the {@code else} (otherwise) rule. */
  boolean isOtherwise() {
    return kind.equals("else");
  }

  /**
   * Tests the value in {@code span} of {@code buffer} ({@link JsonScanner#NOT_FOUND} when the
   * property is missing); {@code binaryPayload} says whether the property is a binary payload.
   * {@code [offset, offset + length)} is the message's JSON, where {@code msg} operands are read.
   */
  boolean test(DirectBuffer buffer, int offset, int length, long span, boolean binaryPayload) {
    int kind = binaryPayload ? UNDEFINED : JsonValues.kind(buffer, span);
    if ((value != null && value.path() != null) || (value2 != null && value2.path() != null)) {
      return testAgainstProperties(buffer, offset, length, span, kind);
    }
    return switch (this.kind) {
      case "eq" -> equalsOperand(buffer, span, kind);
      case "neq" -> !equalsOperand(buffer, span, kind);
      case "lt" -> is(compare(buffer, span, kind), -1, -1);
      case "lte" -> is(compare(buffer, span, kind), -1, 0);
      case "gt" -> is(compare(buffer, span, kind), 1, 1);
      case "gte" -> is(compare(buffer, span, kind), 0, 1);
      case "btwn" -> between(buffer, span, kind);
      case "cont" ->
          kind == STRING && value.stringBytes() != null
              ? JsonValues.contains(
                  buffer,
                  JsonScanner.spanStart(span) + 1,
                  JsonScanner.spanEnd(span) - 1,
                  value.stringBytes())
              : JsValues.toText(valueAt(buffer, span, kind)).contains(JsValues.toText(value.js()));
      case "regex" -> regex(buffer, span, kind);
      case "true" -> JsonValues.isTrue(buffer, span);
      case "false" -> kind == BOOLEAN && !JsonValues.isTrue(buffer, span);
      case "null" -> !binaryPayload && (kind == NULL || kind == UNDEFINED);
      case "nnull" -> binaryPayload || (kind != NULL && kind != UNDEFINED);
      case "empty" -> isEmpty(buffer, span, kind);
      case "nempty" -> isNotEmpty(buffer, span, kind);
      case "istype" -> isType(buffer, span, kind, binaryPayload);
      case "else" -> true;
      default -> throw new IllegalStateException("unchecked test " + this.kind);
    };
  }

  /**
   * JavaScript's {@code a == v}: in place when both are strings (their bytes), both numbers, a
   * number against a {@code str} value (the text's number) or a numeric string against a {@code
   * num} value, both booleans; parsed otherwise ({@code null == 0} is false, {@code "" == 0} and
   * {@code [1] == true} are true). A {@code json} value matches a property with the same JSON.
   */
  private boolean equalsOperand(DirectBuffer buffer, long span, int kind) {
    switch (value.type()) {
      case "json" -> {
        if (kind == UNDEFINED) {
          return false;
        }
        return Objects.equals(
            JsonCodec.writeString(parse(buffer, span)), JsonCodec.writeString(value.json()));
      }
      case "bool" -> {
        if (kind == BOOLEAN) {
          return JsonValues.isTrue(buffer, span) == value.bool();
        }
      }
      case "str" -> {
        if (kind == STRING) {
          return JsonValues.stringEquals(buffer, span, value.stringBytes());
        }
        if (kind == NUMBER) {
          return JsonValues.number(buffer, span) == value.number(); // NaN equals nothing
        }
      }
      default -> { // num
        if (kind == NUMBER || kind == STRING) {
          double number = JsonValues.number(buffer, span);
          if (!Double.isNaN(number)) {
            return number == value.number();
          }
          if (kind == NUMBER) {
            return false;
          }
        }
      }
    }
    return JsValues.looseEquals(valueAt(buffer, span, kind), value.js());
  }

  /** Not comparable: JavaScript's {@code <}, {@code <=}, {@code >}, {@code >=} are all false. */
  private static final int UNORDERED = Integer.MIN_VALUE;

  /** Whether a comparison's sign is within {@code [low, high]}. */
  private static boolean is(int sign, int low, int high) {
    return sign != UNORDERED && sign >= low && sign <= high;
  }

  private static int sign(double a, double b) {
    return Double.isNaN(a) || Double.isNaN(b) ? UNORDERED : a < b ? -1 : a > b ? 1 : 0;
  }

  private static int sign(Integer compared) {
    return compared == null ? UNORDERED : compared;
  }

  /**
   * The sign of the property against the value as JavaScript's {@code <} sees them: two strings as
   * text ({@code "5" > "10"}), anything else as numbers ({@code null} is 0, {@code true} 1, {@code
   * [1]} 1, {@code "0x10"} 16); {@link #UNORDERED} when either is NaN. In place for a number, or a
   * string against a {@code str} value or a numeric string against a {@code num} one.
   */
  private int compare(DirectBuffer buffer, long span, int kind) {
    boolean str = value.type().equals("str");
    if (kind == NUMBER && (str || value.type().equals("num"))) {
      return sign(JsonValues.number(buffer, span), value.number());
    }
    if (kind == STRING && str) {
      return Integer.signum(JsonValues.text(buffer, span).compareTo(value.text()));
    }
    if (kind == STRING && value.type().equals("num")) {
      double number = JsonValues.number(buffer, span);
      if (!Double.isNaN(number)) {
        return sign(number, value.number());
      }
    }
    return sign(JsValues.compare(valueAt(buffer, span, kind), value.js()));
  }

  /** JavaScript's {@code (a >= v && a <= v2) || (a <= v && a >= v2)}; in place for a number. */
  private boolean between(DirectBuffer buffer, long span, int kind) {
    if (kind == NUMBER) {
      double number = JsonValues.number(buffer, span);
      double low = Math.min(value.number(), value2.number());
      double high = Math.max(value.number(), value2.number());
      return number >= low && number <= high;
    }
    return JsValues.between(valueAt(buffer, span, kind), value.js(), value2.js());
  }

  /** The property's value, parsed: {@link MessagePath#MISSING} when it is missing. */
  private static Object valueAt(DirectBuffer buffer, long span, int kind) {
    return kind == UNDEFINED ? MessagePath.MISSING : parse(buffer, span);
  }

  private boolean regex(DirectBuffer buffer, long span, int kind) {
    if (kind == UNDEFINED || kind == OBJECT || kind == ARRAY) {
      // JavaScript's a + "": "undefined", "[object Object]", "1,2"
      return matcher.reset(bounded.wrap(JsValues.toText(valueAt(buffer, span, kind)))).find();
    }
    int start = JsonScanner.spanStart(span);
    int end = JsonScanner.spanEnd(span);
    if (kind == STRING) {
      start++;
      end--;
    }
    CharSequence text = view.wrap(buffer, start, end) ? view : JsonValues.text(buffer, span);
    return matcher.reset(bounded.wrap(text)).find();
  }

  /**
   * A test whose operand is another message property ({@code vt: msg}), read in place when both are
   * numbers or both strings, parsed and compared as JavaScript does otherwise.
   */
  private boolean testAgainstProperties(
      DirectBuffer buffer, int offset, int length, long span, int kind) {
    long other = value.path() != null ? value.path().find(buffer, offset, length) : NO_SPAN;
    int otherKind = value.path() != null ? JsonValues.kind(buffer, other) : UNDEFINED;
    return switch (this.kind) {
      case "eq" -> equalsProperty(buffer, span, kind, other, otherKind);
      case "neq" -> !equalsProperty(buffer, span, kind, other, otherKind);
      case "lt" -> is(compareProperty(buffer, span, kind, other, otherKind), -1, -1);
      case "lte" -> is(compareProperty(buffer, span, kind, other, otherKind), -1, 0);
      case "gt" -> is(compareProperty(buffer, span, kind, other, otherKind), 1, 1);
      case "gte" -> is(compareProperty(buffer, span, kind, other, otherKind), 0, 1);
      case "btwn" -> {
        long other2 = value2.path() != null ? value2.path().find(buffer, offset, length) : NO_SPAN;
        double low = bound(value, buffer, other);
        double high = bound(value2, buffer, other2);
        if (kind == NUMBER && !Double.isNaN(low) && !Double.isNaN(high)) {
          double number = JsonValues.number(buffer, span);
          yield number >= Math.min(low, high) && number <= Math.max(low, high);
        }
        yield JsValues.between(
            valueAt(buffer, span, kind),
            operandValue(value, buffer, other),
            operandValue(value2, buffer, other2));
      }
      case "cont" ->
          kind == STRING && otherKind == STRING
              ? JsonValues.contains(
                  buffer,
                  JsonScanner.spanStart(span) + 1,
                  JsonScanner.spanEnd(span) - 1,
                  buffer,
                  JsonScanner.spanStart(other) + 1,
                  JsonScanner.spanEnd(other) - 1)
              : JsValues.toText(valueAt(buffer, span, kind))
                  .contains(JsValues.toText(valueAt(buffer, other, otherKind)));
      default -> throw new IllegalStateException("test " + this.kind + " takes no value");
    };
  }

  private static final long NO_SPAN = JsonScanner.NOT_FOUND;

  /** A {@code btwn} bound as a number: NaN for a property that is not a JSON number. */
  private static double bound(Operand operand, DirectBuffer buffer, long span) {
    if (operand.path() == null) {
      return operand.number();
    }
    return JsonValues.kind(buffer, span) == NUMBER ? JsonValues.number(buffer, span) : Double.NaN;
  }

  private static Object operandValue(Operand operand, DirectBuffer buffer, long span) {
    return operand.path() != null
        ? valueAt(buffer, span, JsonValues.kind(buffer, span))
        : operand.js();
  }

  /**
   * JavaScript's {@code ==}: in place for two numbers and for two values of one other kind (by
   * their JSON: two objects or arrays with the same JSON are equal, where JavaScript's distinct
   * objects never are); parsed otherwise ({@code 5 == "5"}, {@code null == undefined}).
   */
  private static boolean equalsProperty(
      DirectBuffer buffer, long span, int kind, long other, int otherKind) {
    if (kind == NUMBER && otherKind == NUMBER) {
      return JsonValues.number(buffer, span) == JsonValues.number(buffer, other);
    }
    if (kind != otherKind || kind == UNDEFINED) {
      return JsValues.looseEquals(valueAt(buffer, span, kind), valueAt(buffer, other, otherKind));
    }
    int start = JsonScanner.spanStart(span);
    int otherStart = JsonScanner.spanStart(other);
    int n = JsonScanner.spanEnd(span) - start;
    if (n != JsonScanner.spanEnd(other) - otherStart) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (buffer.getByte(start + i) != buffer.getByte(otherStart + i)) {
        return false;
      }
    }
    return true;
  }

  private static int compareProperty(
      DirectBuffer buffer, long span, int kind, long other, int otherKind) {
    if (kind == NUMBER && otherKind == NUMBER) {
      return sign(JsonValues.number(buffer, span), JsonValues.number(buffer, other));
    }
    if (kind == STRING && otherKind == STRING) {
      return Integer.signum(
          JsonValues.text(buffer, span).compareTo(JsonValues.text(buffer, other)));
    }
    return sign(JsValues.compare(valueAt(buffer, span, kind), valueAt(buffer, other, otherKind)));
  }

  private static boolean isEmpty(DirectBuffer buffer, long span, int kind) {
    return switch (kind) {
      case STRING -> JsonScanner.spanEnd(span) - JsonScanner.spanStart(span) == 2;
      case OBJECT, ARRAY -> JsonValues.isEmptyContainer(buffer, span);
      default -> false;
    };
  }

  private static boolean isNotEmpty(DirectBuffer buffer, long span, int kind) {
    return switch (kind) {
      case STRING, OBJECT, ARRAY -> !isEmpty(buffer, span, kind);
      default -> false;
    };
  }

  private boolean isType(DirectBuffer buffer, long span, int kind, boolean binaryPayload) {
    return switch (TYPE_NAMES.get(typeName)) {
      case "string" -> kind == STRING;
      case "number" -> kind == NUMBER;
      case "boolean" -> kind == BOOLEAN;
      case "object" -> kind == OBJECT;
      case "array" -> kind == ARRAY;
      case "null" -> kind == NULL;
      case "undefined" -> kind == UNDEFINED && !binaryPayload;
      case "buffer" -> binaryPayload;
      case "json" -> kind == STRING && parsesAsJson(JsonValues.text(buffer, span));
      default -> false;
    };
  }

  private static boolean parsesAsJson(String text) {
    try {
      JsonCodec.parse(text);
      return true;
    } catch (RuntimeException notJson) {
      return false;
    }
  }

  private static Object parse(DirectBuffer buffer, long span) {
    int start = JsonScanner.spanStart(span);
    byte[] bytes = new byte[JsonScanner.spanEnd(span) - start];
    buffer.getBytes(start, bytes);
    return JsonCodec.parse(bytes);
  }

  /**
   * The bytes of a JSON string body as a CharSequence, when they are plain ASCII without escapes
   * (then one byte is one char): lets a reused Matcher run over the message without a String.
   */
  private static final class AsciiView implements CharSequence {
    private DirectBuffer buffer;
    private int start;
    private int length;

    /** Points at {@code [start, end)}; false (and unusable) when the bytes are not plain ASCII. */
    boolean wrap(DirectBuffer buffer, int start, int end) {
      for (int i = start; i < end; i++) {
        byte b = buffer.getByte(i);
        if (b < 0 || b == '\\') {
          return false;
        }
      }
      this.buffer = buffer;
      this.start = start;
      this.length = end - start;
      return true;
    }

    @Override
    public int length() {
      return length;
    }

    @Override
    public char charAt(int index) {
      return (char) buffer.getByte(start + index);
    }

    @Override
    public CharSequence subSequence(int from, int to) {
      return toString().substring(from, to);
    }

    @Override
    public String toString() {
      return buffer.getStringWithoutLengthAscii(start, length);
    }
  }
}
