package dev.z8run.nodes.support;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one parser of {@code name=value} pairs in a {@code Cookie} header (and in a {@code
 * Set-Cookie} header's attributes), as the {@code cookie} package's {@code parse} reads them, which
 * Express's cookie-parser (Node-RED's {@code msg.req.cookies}) and Node-RED's HTTP Request ({@code
 * msg.responseCookies}) use:
 *
 * <ul>
 *   <li>pairs are separated by {@code ;}; spaces and tabs around names and values are dropped;
 *   <li>a value in double quotes loses them ({@code a="x y"} gives {@code x y});
 *   <li>a value with percent escapes is decoded as {@code decodeURIComponent} does ({@code +} stays
 *       a plus); one that does not decode (a lone {@code %}, bytes that are not UTF-8) is kept as
 *       sent;
 *   <li>the first pair of a name wins: browsers send the cookie of the most specific path first;
 *   <li>a segment without {@code =}, or with an empty name, is skipped.
 * </ul>
 *
 * <p>Hostile input throws nothing, and the work is linear in the header's length: each character is
 * looked at a bounded number of times, and at most {@link #MAX_COOKIES} names are kept.
 */
public final class CookieHeader {
  /** Names kept at most (browsers send no more than about 180 cookies to a site). */
  public static final int MAX_COOKIES = 1024;

  private CookieHeader() {}

  /** The pairs of {@code header}, the first of each name. */
  public static Map<String, String> parse(String header) {
    Map<String, String> pairs = new LinkedHashMap<>();
    parse(header, pairs);
    return pairs;
  }

  /**
   * Adds the pairs of {@code header} to {@code into}, whose names already there win (the pairs of a
   * request's earlier {@code Cookie} headers), until it holds {@link #MAX_COOKIES}.
   */
  public static void parse(String header, Map<String, String> into) {
    if (header == null) {
      return;
    }
    int length = header.length();
    int index = 0;
    while (index < length && into.size() < MAX_COOKIES) {
      int end = header.indexOf(';', index);
      if (end < 0) {
        end = length;
      }
      int eq = header.indexOf('=', index);
      if (eq < 0) {
        return; // no pair left
      }
      if (eq > end) {
        // segments without '=' up to the '=' found: go on from the last ';' before it
        index = header.lastIndexOf(';', eq - 1) + 1;
        continue;
      }
      int nameStart = skipBlanks(header, index, eq);
      int nameEnd = trimBlanks(header, nameStart, eq);
      if (nameEnd > nameStart) {
        String name = header.substring(nameStart, nameEnd);
        if (!into.containsKey(name)) {
          int valueStart = skipBlanks(header, eq + 1, end);
          int valueEnd = trimBlanks(header, valueStart, end);
          if (valueEnd - valueStart >= 2
              && header.charAt(valueStart) == '"'
              && header.charAt(valueEnd - 1) == '"') {
            valueStart++;
            valueEnd--;
          }
          into.put(name, decode(header.substring(valueStart, valueEnd)));
        }
      }
      index = end + 1;
    }
  }

  private static boolean blank(char c) {
    return c == ' ' || c == '\t';
  }

  private static int skipBlanks(String text, int from, int to) {
    while (from < to && blank(text.charAt(from))) {
      from++;
    }
    return from;
  }

  private static int trimBlanks(String text, int from, int to) {
    while (to > from && blank(text.charAt(to - 1))) {
      to--;
    }
    return to;
  }

  /** An ASCII hex digit's value, else -1 (no other script's digits, as decodeURIComponent). */
  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    char lower = (char) (c | 0x20);
    return lower >= 'a' && lower <= 'f' ? lower - 'a' + 10 : -1;
  }

  /**
   * {@code decodeURIComponent}, or {@code value} as it is when that would throw: a {@code %} not
   * followed by two hex digits, or escaped bytes that are not UTF-8.
   */
  static String decode(String value) {
    int percent = value.indexOf('%');
    if (percent < 0) {
      return value;
    }
    byte[] bytes = new byte[value.length() * 3];
    int size = 0;
    for (int i = 0; i < value.length(); ) {
      char c = value.charAt(i);
      if (c != '%') {
        int end = i + 1;
        while (end < value.length() && value.charAt(end) != '%') {
          end++;
        }
        byte[] plain = value.substring(i, end).getBytes(StandardCharsets.UTF_8);
        System.arraycopy(plain, 0, bytes, size, plain.length);
        size += plain.length;
        i = end;
        continue;
      }
      int high = i + 2 < value.length() ? hex(value.charAt(i + 1)) : -1;
      int low = high < 0 ? -1 : hex(value.charAt(i + 2));
      if (low < 0) {
        return value;
      }
      bytes[size++] = (byte) (high << 4 | low);
      i += 3;
    }
    try {
      CharBuffer decoded =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes, 0, size));
      return decoded.toString();
    } catch (CharacterCodingException notUtf8) {
      return value;
    }
  }
}
