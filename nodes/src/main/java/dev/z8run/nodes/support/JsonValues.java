package dev.z8run.nodes.support;

import dev.z8run.io.json.JsonScanner;
import java.nio.charset.StandardCharsets;
import org.agrona.DirectBuffer;

/**
 * Reads single JSON values found by a path in place: their kind, a number's value, a string's
 * bytes. Allocation-free except where noted; for the hot path of nodes that test or scale a value.
 */
public final class JsonValues {
  public static final int UNDEFINED = 0;
  public static final int NULL = 1;
  public static final int BOOLEAN = 2;
  public static final int NUMBER = 3;
  public static final int STRING = 4;
  public static final int OBJECT = 5;
  public static final int ARRAY = 6;

  private static final double[] POWERS_OF_TEN = {
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22
  };

  private JsonValues() {}

  /**
   * The kind of the value in {@code span} ({@link JsonScanner#NOT_FOUND} is {@link #UNDEFINED}).
   */
  public static int kind(DirectBuffer buffer, long span) {
    if (span == JsonScanner.NOT_FOUND) {
      return UNDEFINED;
    }
    int start = JsonScanner.spanStart(span);
    if (start >= JsonScanner.spanEnd(span)) {
      return UNDEFINED;
    }
    return switch (buffer.getByte(start)) {
      case '"' -> STRING;
      case '{' -> OBJECT;
      case '[' -> ARRAY;
      case 't', 'f' -> BOOLEAN;
      case 'n' -> NULL;
      default -> NUMBER;
    };
  }

  /** Whether the value is the literal {@code true}. */
  public static boolean isTrue(DirectBuffer buffer, long span) {
    return kind(buffer, span) == BOOLEAN && buffer.getByte(JsonScanner.spanStart(span)) == 't';
  }

  /**
   * The value as a number: a JSON number, or a string holding one (JavaScript's {@code Number()} of
   * a numeric string, blanks around it ignored); NaN for anything else. Allocates only for numbers
   * with more than 15 significant digits or an exponent.
   */
  public static double number(DirectBuffer buffer, long span) {
    int kind = kind(buffer, span);
    int start = JsonScanner.spanStart(span);
    int end = JsonScanner.spanEnd(span);
    if (kind == STRING) {
      start++;
      end--;
      while (start < end && buffer.getByte(start) == ' ') {
        start++;
      }
      while (end > start && buffer.getByte(end - 1) == ' ') {
        end--;
      }
      if (start == end) {
        return Double.NaN;
      }
    } else if (kind != NUMBER) {
      return Double.NaN;
    }
    return parseNumber(buffer, start, end);
  }

  /** Parses the decimal number in {@code [start, end)}; NaN when it is not one. */
  public static double parseNumber(DirectBuffer buffer, int start, int end) {
    int i = start;
    boolean negative = false;
    byte first = buffer.getByte(i);
    if (first == '-' || first == '+') {
      negative = first == '-';
      i++;
    }
    long mantissa = 0;
    int digits = 0;
    int fraction = 0;
    boolean dot = false;
    boolean any = false;
    for (; i < end; i++) {
      byte b = buffer.getByte(i);
      if (b >= '0' && b <= '9') {
        any = true;
        if (mantissa != 0 || b != '0') {
          digits++;
        }
        if (digits > 15) {
          return slowParse(buffer, start, end);
        }
        mantissa = mantissa * 10 + (b - '0');
        if (dot) {
          fraction++;
        }
      } else if (b == '.' && !dot) {
        dot = true;
      } else if (b == 'e' || b == 'E' || b == 'I' || b == 'N') {
        return slowParse(buffer, start, end);
      } else {
        return Double.NaN;
      }
    }
    if (!any || fraction >= POWERS_OF_TEN.length) {
      return any ? slowParse(buffer, start, end) : Double.NaN;
    }
    // exact: a mantissa below 2^53 divided by an exact power of ten rounds once
    double value = mantissa / POWERS_OF_TEN[fraction];
    return negative ? -value : value;
  }

  private static double slowParse(DirectBuffer buffer, int start, int end) {
    try {
      String text = buffer.getStringWithoutLengthAscii(start, end - start);
      if (text.contains("Infinity") || text.contains("NaN")) {
        return Double.NaN;
      }
      return Double.parseDouble(text);
    } catch (NumberFormatException notNumber) {
      return Double.NaN;
    }
  }

  /**
   * Whether the string value in {@code span} (quotes included) equals {@code expected}, the UTF-8
   * bytes of a JSON string body as this codebase writes it (escapes included, no quotes).
   */
  public static boolean stringEquals(DirectBuffer buffer, long span, byte[] expected) {
    int start = JsonScanner.spanStart(span) + 1;
    int end = JsonScanner.spanEnd(span) - 1;
    if (end - start != expected.length) {
      return false;
    }
    for (int k = 0; k < expected.length; k++) {
      if (buffer.getByte(start + k) != expected[k]) {
        return false;
      }
    }
    return true;
  }

  /** Whether the bytes in {@code [start, end)} contain those in {@code [from, to)} of another. */
  public static boolean contains(
      DirectBuffer buffer, int start, int end, DirectBuffer needle, int from, int to) {
    int n = to - from;
    int last = end - n;
    outer:
    for (int i = start; i <= last; i++) {
      for (int k = 0; k < n; k++) {
        if (buffer.getByte(i + k) != needle.getByte(from + k)) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /** Whether the bytes in {@code [start, end)} contain {@code needle}. */
  public static boolean contains(DirectBuffer buffer, int start, int end, byte[] needle) {
    int last = end - needle.length;
    outer:
    for (int i = start; i <= last; i++) {
      for (int k = 0; k < needle.length; k++) {
        if (buffer.getByte(i + k) != needle[k]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }

  /** Whether the container (object or array) in {@code span} has no members. */
  public static boolean isEmptyContainer(DirectBuffer buffer, long span) {
    int i =
        MessagePath.skipBlanks(buffer, JsonScanner.spanStart(span) + 1, JsonScanner.spanEnd(span));
    byte b = buffer.getByte(i);
    return b == '}' || b == ']';
  }

  /** The text of a value for a cold path: a string unescaped, anything else as its JSON. */
  public static String text(DirectBuffer buffer, long span) {
    int start = JsonScanner.spanStart(span);
    int end = JsonScanner.spanEnd(span);
    if (kind(buffer, span) == STRING) {
      boolean escaped = false;
      for (int i = start + 1; i < end - 1; i++) {
        if (buffer.getByte(i) == '\\') {
          escaped = true;
          break;
        }
      }
      if (!escaped) {
        byte[] bytes = new byte[end - start - 2];
        buffer.getBytes(start + 1, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
      }
      byte[] bytes = new byte[end - start];
      buffer.getBytes(start, bytes);
      return (String) dev.z8run.io.json.JsonCodec.parse(bytes);
    }
    byte[] bytes = new byte[end - start];
    buffer.getBytes(start, bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
