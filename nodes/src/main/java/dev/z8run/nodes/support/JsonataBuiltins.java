package dev.z8run.nodes.support;

import com.dashjoin.jsonata.Functions;
import com.dashjoin.jsonata.JException;
import com.dashjoin.jsonata.Jsonata;
import com.dashjoin.jsonata.Parser;
import com.dashjoin.jsonata.Utils;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSONata's built-ins that dashjoin runs in one call whose time or memory its input does not bound:
 * the evaluation's step check never runs inside one call, so one such call would hold the worker
 * for hours or fill the heap (an OutOfMemoryError lands on whichever thread allocates next). Here
 * they are replaced on the expression, with dashjoin's signatures and results, by linear ones that
 * refuse to produce more than {@link #MAX_CHARS} characters:
 *
 * <ul>
 *   <li>{@code $pad}: dashjoin adds the pad one copy at a time ({@code padding += pad}), quadratic
 *       in the width, and any width is accepted ({@code $pad("x", 300000000)} ran for hours);
 *   <li>{@code $substringBefore}, {@code $substringAfter}: {@link String#indexOf} compares the
 *       needle again at every position (quadratic on {@code aaa…ab}); searched here in linear time
 *       ({@link #indexOf}), as are the string patterns of {@code $contains} and {@code $replace}
 *       ({@link JsonataRegex});
 *   <li>{@code $join}: a long separator between many strings gives their number times its length;
 *   <li>{@code $spread}: dashjoin copies the result so far for every item (quadratic);
 *   <li>{@code $formatInteger}, {@code $fromMillis}, {@code $now}: dashjoin's picture formatting
 *       concatenates the result once per marker, inserts grouping separators and pads digits one at
 *       a time, and pads to any width modifier ({@code [Y,300000000]}); a picture is limited to
 *       {@link #MAX_PICTURE} characters and widths;
 *   <li>{@code $encodeUrl}: dashjoin finds the query with {@link String#indexOf} (quadratic); it,
 *       {@code $encodeUrlComponent} and {@code $base64encode} (up to nine characters a character)
 *       are measured before they are made;
 *   <li>{@code $string}, {@code $clone}: a value built from shared parts ({@code {"a": $o, "b":
 *       $o}} thirty times over) is small in memory but exponential as text; its text is measured
 *       before it is written.
 * </ul>
 *
 * <p>A string concatenation ({@code &}) or an array constructor that doubles its value at each step
 * of a recursion grows exponentially in steps that are each fast: their results are checked against
 * {@link #MAX_CHARS} and {@link #MAX_ITEMS} as each step ends ({@link #onExit}). One per
 * expression, used by its one thread.
 */
final class JsonataBuiltins {
  /**
   * The most characters one built-in call, or one string concatenation, may produce: 16 Mi, a
   * string of 32 MB (UTF-16), of which a server of 512 MB of heap survives several, while no
   * ordinary flow comes near it. A message's body is at most 64 MB, so a few of its strings could
   * be longer: they pass through unchanged, only what an expression builds is limited. Also the
   * most values a result may hold ({@link JsonataExpression}): each is at least a character of
   * JSON.
   */
  static final int MAX_CHARS = 16 * 1024 * 1024;

  /**
   * The most items one array constructor may produce: 1 Mi, 4 MB of references. Doubling an array
   * at each step of a recursion ({@code [$a, $a]}) reaches it in twenty steps, a few milliseconds,
   * where the sixty-four million items of the next five would fill the heap.
   */
  static final int MAX_ITEMS = 1024 * 1024;

  /**
   * The longest picture, and the widest width modifier, of {@code $formatInteger}, {@code
   * $fromMillis} and {@code $now}: dashjoin's formatting is quadratic in both, and 1024 bounds one
   * call to about a million character copies, where ordinary pictures have under forty characters.
   */
  static final int MAX_PICTURE = 1024;

  /** Needles up to this long are found by {@link String#indexOf}: its worst case is n × this. */
  private static final int SHORT_NEEDLE = 64;

  /** A syntax node's type ({@code "binary"}, {@code "unary"}, ...). */
  private static final VarHandle SYMBOL_TYPE;

  /** A syntax node's value: its operator for an operator. */
  private static final VarHandle SYMBOL_VALUE;

  static {
    try {
      MethodHandles.Lookup lookup =
          MethodHandles.privateLookupIn(Parser.Symbol.class, MethodHandles.lookup());
      SYMBOL_TYPE = lookup.findVarHandle(Parser.Symbol.class, "type", String.class);
      SYMBOL_VALUE = lookup.findVarHandle(Parser.Symbol.class, "value", Object.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private JsonataBuiltins() {}

  /** Replaces dashjoin's unbounded built-ins on {@code expression} with these. */
  static void install(Jsonata expression) {
    expression.registerFunction(
        "pad",
        new Jsonata.JFunction(
            (input, args) ->
                pad((String) arg(args, 0), (Number) arg(args, 1), (String) arg(args, 2)),
            "<s-ns?:s>"));
    expression.registerFunction(
        "substringBefore",
        new Jsonata.JFunction(
            (input, args) -> substringBefore((String) arg(args, 0), (String) arg(args, 1)),
            "<s-s:s>"));
    expression.registerFunction(
        "substringAfter",
        new Jsonata.JFunction(
            (input, args) -> substringAfter((String) arg(args, 0), (String) arg(args, 1)),
            "<s-s:s>"));
    expression.registerFunction(
        "join",
        new Jsonata.JFunction(
            (input, args) -> join((List<?>) arg(args, 0), (String) arg(args, 1)), "<a<s>s?:s>"));
    expression.registerFunction(
        "spread", new Jsonata.JFunction((input, args) -> spread(arg(args, 0)), "<x-:a<o>>"));
    expression.registerFunction(
        "formatInteger",
        new Jsonata.JFunction(
            (input, args) -> {
              String picture = (String) arg(args, 1);
              checkPicture("formatInteger", picture, false);
              return Functions.formatInteger((Number) arg(args, 0), picture);
            },
            "<n-s:s>"));
    expression.registerFunction(
        "fromMillis",
        new Jsonata.JFunction(
            (input, args) -> {
              String picture = (String) arg(args, 1);
              checkPicture("fromMillis", picture, true);
              return Functions.dateTimeFromMillis(
                  (Number) arg(args, 0), picture, (String) arg(args, 2));
            },
            "<n-s?s?:s>"));
    expression.registerFunction(
        "now",
        new Jsonata.JFunction(
            (input, args) -> {
              String picture = (String) arg(args, 0);
              checkPicture("now", picture, true);
              return Functions.now(picture, (String) arg(args, 1));
            },
            "<s?s?:s>"));
    expression.registerFunction(
        "encodeUrl",
        new Jsonata.JFunction((input, args) -> encodeUrl((String) arg(args, 0)), "<s-:s>"));
    expression.registerFunction(
        "encodeUrlComponent",
        new Jsonata.JFunction(
            (input, args) -> {
              String str = (String) arg(args, 0);
              checkProduced("$encodeUrlComponent", urlEncodedLength(str));
              return Functions.encodeUrlComponent(str);
            },
            "<s-:s>"));
    expression.registerFunction(
        "base64encode",
        new Jsonata.JFunction(
            (input, args) -> {
              String str = (String) arg(args, 0);
              checkProduced("$base64encode", (utf8Length(str) + 2) / 3 * 4);
              return Functions.base64encode(str);
            },
            "<s-:s>"));
    expression.registerFunction(
        "string",
        new Jsonata.JFunction(
            (input, args) -> {
              Object value = arg(args, 0);
              Boolean prettify = (Boolean) arg(args, 1);
              checkText("$string", value, prettify != null && prettify);
              return Functions.string(value, prettify);
            },
            "<x-b?:s>"));
    // a transform (~> |path|update|) clones through dashjoin's clone itself: JsonataOperators
    expression.registerFunction(
        "clone",
        new Jsonata.JFunction(
            (input, args) -> {
              Object value = arg(args, 0);
              checkText("$clone", value, false);
              return Functions.functionClone(value);
            },
            "<(oa)-:o>"));
  }

  /**
   * Called as a step of the evaluation ends with {@code result}: an array constructor that produced
   * more than {@link #MAX_ITEMS} items ends the evaluation (a concatenation's result is checked as
   * it is made: {@link JsonataOperators}).
   */
  static void onExit(Parser.Symbol expression, Object result) {
    if (result instanceof List<?> list
        && list.size() > MAX_ITEMS
        && !(list instanceof Utils.RangeList)
        && is(expression, "unary", "[")) {
      throw new JException(
          "[]: an array of "
              + list.size()
              + " items exceeds the "
              + MAX_ITEMS
              + " items one step may produce",
          -1);
    }
  }

  /** Whether {@code expression} is the operator {@code operator} of {@code type}. */
  private static boolean is(Parser.Symbol expression, String type, String operator) {
    // an operator's value is a String or a Character, as the parser read it
    return type.equals(SYMBOL_TYPE.get(expression))
        && operator.equals(String.valueOf(SYMBOL_VALUE.get(expression)));
  }

  /** {@code $pad(str, width, char)}: dashjoin's {@code Functions.pad}, in linear time. */
  static String pad(String str, Number width, String pad) {
    if (str == null) {
      return null;
    }
    if (pad == null || pad.isEmpty()) {
      pad = " ";
    }
    int signed = width.intValue();
    // in longs: dashjoin's int arithmetic overflows at -2^31 into a pad of 2^31 - 1 - length
    long size = Math.abs((long) signed);
    long pads = size - str.codePointCount(0, str.length());
    if (pads <= 0) {
      return str;
    }
    if (size > MAX_CHARS) {
      throw new JException(
          "$pad: a width of "
              + size
              + " exceeds the "
              + MAX_CHARS
              + " characters one call may produce",
          -1);
    }
    // the first `pads` code points of the pad repeated
    int padPoints = pad.codePointCount(0, pad.length());
    String repeated = pad.repeat((int) pads / padPoints + 1);
    String padding = repeated.substring(0, repeated.offsetByCodePoints(0, (int) pads));
    return signed < 0 ? padding.concat(str) : str.concat(padding);
  }

  /** {@code $substringBefore(str, chars)}: dashjoin's, with a linear search. */
  static String substringBefore(String str, String chars) {
    if (str == null) {
      return null;
    }
    if (chars == null) {
      return str;
    }
    int at = indexOf(str, chars, 0);
    return at > -1 ? str.substring(0, at) : str;
  }

  /** {@code $substringAfter(str, chars)}: dashjoin's, with a linear search. */
  static String substringAfter(String str, String chars) {
    if (str == null) {
      return null;
    }
    if (chars == null) {
      // dashjoin fails on a missing second argument (str.indexOf(null))
      throw new JException("T0410", -1, "substringAfter");
    }
    int at = indexOf(str, chars, 0);
    return at > -1 ? str.substring(at + chars.length()) : str;
  }

  /**
   * {@code $join(strings, separator)}: dashjoin's, refusing a result past {@link #MAX_CHARS} (a
   * long separator between many strings: its length times theirs).
   */
  static String join(List<?> strings, String separator) {
    if (strings == null) {
      return null;
    }
    if (separator == null) {
      separator = "";
    }
    long length = (long) separator.length() * Math.max(0, strings.size() - 1);
    for (Object s : strings) {
      length += String.valueOf(s).length();
    }
    checkProduced("$join", length);
    List<String> texts = new ArrayList<>(strings.size());
    for (Object s : strings) {
      texts.add((String) s);
    }
    return String.join(separator, texts);
  }

  /**
   * {@code $spread(arg)}: dashjoin's {@code Functions.spread}, which appends each item's spread to
   * a copy of the result so far, in one list: an array of one-property objects (a sequence when
   * nothing was added, as dashjoin's), or {@code arg} itself when neither an object nor an array.
   */
  static Object spread(Object arg) {
    if (arg instanceof List<?> list) {
      List<Object> collected = new ArrayList<>();
      boolean appended = false;
      for (Object item : list) {
        Object spread = spread(item);
        if (spread == null) {
          continue; // dashjoin's append ignores an undefined argument
        }
        appended = true;
        if (spread instanceof List<?> items) {
          collected.addAll(items);
        } else {
          collected.add(spread);
        }
      }
      if (!appended) {
        return Utils.createSequence();
      }
      return new Utils.JList<>(collected);
    }
    if (arg instanceof Map<?, ?> map) {
      List<Object> result = Utils.createSequence();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        Map<Object, Object> one = new LinkedHashMap<>();
        one.put(entry.getKey(), entry.getValue());
        result.add(one);
      }
      return result;
    }
    return arg;
  }

  /**
   * Refuses a picture longer than {@link #MAX_PICTURE}, or (for a date picture, {@code dates}) a
   * marker's width modifier ({@code [Y,min-max]}) wider: dashjoin's formatting is quadratic in
   * both.
   */
  static void checkPicture(String function, String picture, boolean dates) {
    if (picture == null) {
      return;
    }
    if (picture.length() > MAX_PICTURE) {
      throw new JException(
          "$"
              + function
              + ": a picture of "
              + picture.length()
              + " characters exceeds the "
              + MAX_PICTURE
              + " characters a picture may have",
          -1);
    }
    if (!dates) {
      return;
    }
    // dashjoin's reading: a marker runs from [ (not [[) to the next ], its width after its last
    // comma, whitespace ignored
    int pos = 0;
    while (pos < picture.length()) {
      if (picture.charAt(pos) != '[') {
        pos++;
        continue;
      }
      if (pos + 1 < picture.length() && picture.charAt(pos + 1) == '[') {
        pos += 2;
        continue;
      }
      int end = picture.indexOf(']', pos);
      if (end == -1) {
        return; // dashjoin's own error
      }
      String marker = picture.substring(pos + 1, end).replaceAll("\\s+", "");
      int comma = marker.lastIndexOf(',');
      if (comma != -1) {
        String widths = marker.substring(comma + 1);
        int dash = widths.indexOf('-');
        checkWidth(function, dash == -1 ? widths : widths.substring(0, dash));
        if (dash != -1) {
          checkWidth(function, widths.substring(dash + 1));
        }
      }
      pos = end + 1;
    }
  }

  /** Refuses a width modifier dashjoin reads as more than {@link #MAX_PICTURE}. */
  private static void checkWidth(String function, String width) {
    int parsed;
    try {
      parsed = Integer.parseInt(width);
    } catch (NumberFormatException notAWidth) {
      return; // "*", or dashjoin's own error
    }
    if (parsed > MAX_PICTURE) {
      throw new JException(
          "$"
              + function
              + ": a width of "
              + parsed
              + " exceeds the "
              + MAX_PICTURE
              + " characters a picture may ask for",
          -1);
    }
  }

  /**
   * {@code $encodeUrl(str)}: dashjoin's {@code Functions.encodeUrl}, which finds a URL's query in
   * the text with {@link String#indexOf} (quadratic on {@code http://h/aaa…a?aaa…ab}), with a
   * linear search ({@link #indexOf}); a result past {@link #MAX_CHARS} is refused before it is
   * made.
   */
  @SuppressWarnings("deprecation") // dashjoin's parsing of the URL, kept for the same results
  static String encodeUrl(String str) {
    if (str == null) {
      return null;
    }
    Utils.checkUrl(str);
    checkProduced("$encodeUrl", urlEncodedLength(str));
    try {
      String query = new java.net.URL(str).getQuery();
      if (query != null) {
        return str.substring(0, indexOf(str, query, 0)) + encodeUri(query);
      }
    } catch (Exception e) {
      // as dashjoin: the whole text encoded as a component (this too when encodeUri fails)
    }
    return java.net.URLEncoder.encode(str, StandardCharsets.UTF_8);
  }

  /** Dashjoin's {@code Functions.encodeURI}: its quirk included (a {@code $} in it fails). */
  private static String encodeUri(String uri) {
    return java.net.URLEncoder.encode(uri, StandardCharsets.UTF_8)
        .replaceAll("\\+", "%20")
        .replaceAll("%20", " ")
        .replaceAll("\\%21", "!")
        .replaceAll("\\%23", "#")
        .replaceAll("\\%24", "$")
        .replaceAll("\\%26", "&")
        .replaceAll("\\%27", "'")
        .replaceAll("\\%28", "(")
        .replaceAll("\\%29", ")")
        .replaceAll("\\%2A", "*")
        .replaceAll("\\%2B", "+")
        .replaceAll("\\%2C", ",")
        .replaceAll("\\%2D", "-")
        .replaceAll("\\%2E", ".")
        .replaceAll("\\%2F", "/")
        .replaceAll("\\%3A", ":")
        .replaceAll("\\%3B", ";")
        .replaceAll("\\%3D", "=")
        .replaceAll("\\%3F", "?")
        .replaceAll("\\%40", "@")
        .replaceAll("\\%5F", "_")
        .replaceAll("\\%7E", "~");
  }

  /**
   * At least the length of {@link java.net.URLEncoder}'s encoding of {@code str} (in UTF-8), which
   * bounds dashjoin's URL encodings: a character it leaves is one, another three a byte.
   */
  static long urlEncodedLength(String str) {
    if (str == null) {
      return 0;
    }
    long length = 0;
    for (int i = 0; i < str.length(); i++) {
      char c = str.charAt(i);
      if ((c >= 'a' && c <= 'z')
          || (c >= 'A' && c <= 'Z')
          || (c >= '0' && c <= '9')
          || ".-*_ ".indexOf(c) >= 0) {
        length++;
      } else {
        length += 3L * utf8Bytes(c);
      }
    }
    return length;
  }

  /** At least the number of bytes of {@code str} in UTF-8. */
  static long utf8Length(String str) {
    if (str == null) {
      return 0;
    }
    long length = 0;
    for (int i = 0; i < str.length(); i++) {
      length += utf8Bytes(str.charAt(i));
    }
    return length;
  }

  /** A char's bytes in UTF-8: a surrogate two, half of its pair's four. */
  private static int utf8Bytes(char c) {
    if (c < 0x80) {
      return 1;
    }
    if (c < 0x800 || Character.isSurrogate(c)) {
      return 2;
    }
    return 3;
  }

  /**
   * Refuses a value whose text ({@code $string}) would exceed {@link #MAX_CHARS} characters,
   * measured without writing it: the parts a value shares are counted each time they appear, as
   * they are written, and the count stops at the limit.
   */
  static void checkText(String function, Object value, boolean prettify) {
    if (value instanceof String) {
      return; // returned as it is
    }
    long size = textSize(value, prettify ? 2 : 0, 0);
    if (size > MAX_CHARS) {
      throw new JException(
          function
              + ": the text of the value exceeds the "
              + MAX_CHARS
              + " characters one call may produce",
          -1);
    }
  }

  /** About the length of {@code value}'s text ({@link #textSize(Object, int, int)}). */
  static long textSize(Object value) {
    return textSize(value, 0, 0);
  }

  /**
   * About the length of {@code value}'s text at {@code depth} (at most a few characters a value
   * more), counted up to just past {@link #MAX_CHARS}: each value its characters, quoted, and its
   * separator, an indent of {@code indent} per level when pretty. A shared part is counted each
   * time it appears, as it is written; each value counts at least two, so the count stops after at
   * most half the limit of values.
   */
  private static long textSize(Object value, int indent, int depth) {
    long size = (long) indent * depth;
    switch (value) {
      case String s -> size += quotedLength(s) + 3L;
      case List<?> list -> {
        size += 2L;
        for (Object item : list) {
          size += textSize(item, indent, depth + 1);
          if (size > MAX_CHARS) {
            return size;
          }
        }
      }
      case Map<?, ?> map -> {
        size += 2L;
        for (Map.Entry<?, ?> entry : map.entrySet()) {
          size += quotedLength(String.valueOf(entry.getKey())) + 4L;
          size += textSize(entry.getValue(), indent, depth + 1);
          if (size > MAX_CHARS) {
            return size;
          }
        }
      }
      case null -> size += 5L;
      default -> size += String.valueOf(value).length() + 2L;
    }
    return size;
  }

  /**
   * The number of values in {@code value} (itself, and those of its lists and maps, a shared part
   * each time it appears), counted up to just past {@link #MAX_CHARS}.
   */
  static long treeSize(Object value) {
    return treeSize(value, 0);
  }

  private static long treeSize(Object value, long counted) {
    counted++;
    if (value instanceof List<?> list) {
      for (Object item : list) {
        if (counted > MAX_CHARS) {
          break;
        }
        counted = treeSize(item, counted);
      }
    } else if (value instanceof Map<?, ?> map) {
      for (Object item : map.values()) {
        if (counted > MAX_CHARS) {
          break;
        }
        counted = treeSize(item, counted);
      }
    }
    return counted;
  }

  /** {@code s}'s length quoted: a quote or backslash escaped in two, a control character in six. */
  private static long quotedLength(String s) {
    long length = s.length();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        length++;
      } else if (c < 0x20) {
        length += 5;
      }
    }
    return length;
  }

  /**
   * The first index of {@code needle} in {@code text} from {@code from}, or -1, in time linear in
   * both: {@link String#indexOf} for a short needle, Knuth-Morris-Pratt otherwise (whose table
   * takes four bytes a character of the needle).
   */
  static int indexOf(String text, String needle, int from) {
    int m = needle.length();
    if (m <= SHORT_NEEDLE) {
      return text.indexOf(needle, from);
    }
    int[] border = new int[m];
    for (int i = 1, k = 0; i < m; i++) {
      while (k > 0 && needle.charAt(i) != needle.charAt(k)) {
        k = border[k - 1];
      }
      if (needle.charAt(i) == needle.charAt(k)) {
        k++;
      }
      border[i] = k;
    }
    for (int i = Math.max(from, 0), k = 0; i < text.length(); i++) {
      while (k > 0 && text.charAt(i) != needle.charAt(k)) {
        k = border[k - 1];
      }
      if (text.charAt(i) == needle.charAt(k)) {
        k++;
      }
      if (k == m) {
        return i - m + 1;
      }
    }
    return -1;
  }

  /** {@code text} with every {@code target} replaced by {@code replacement}, as String.replace. */
  static String replaceAll(String text, String target, String replacement) {
    int at = indexOf(text, target, 0);
    if (at < 0) {
      return text;
    }
    StringBuilder result = new StringBuilder(text.length());
    int from = 0;
    while (at >= 0) {
      result.append(text, from, at).append(replacement);
      checkProduced("$replace", result.length());
      from = at + target.length();
      at = indexOf(text, target, from);
    }
    return result.append(text, from, text.length()).toString();
  }

  /** Refuses a result of {@code length} characters past {@link #MAX_CHARS}. */
  static void checkProduced(String function, long length) {
    if (length > MAX_CHARS) {
      throw new JException(
          function
              + ": a result of "
              + length
              + " characters exceeds the "
              + MAX_CHARS
              + " characters one call may produce",
          -1);
    }
  }

  private static Object arg(List<?> args, int index) {
    return index < args.size() ? args.get(index) : null;
  }
}
