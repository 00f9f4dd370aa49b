package dev.z8run.nodes.data;

/**
 * A check, without allocating, that bytes are one JSON document {@link
 * dev.z8run.io.json.JsonCodec#parse(byte[], int, int)} accepts: for {@code mqtt-in}, which passes a
 * JSON payload on as its bytes and only needs to know that it parses. Conservative: it answers true
 * only for documents it is sure of (strict RFC 8259 grammar, well-formed UTF-8, no unescaped
 * control characters, no surrogate escapes, numbers of at most {@value #MAX_NUMBER} characters, at
 * most {@value #MAX_DEPTH} levels, objects of at most {@value #MAX_KEYS} keys without escapes, none
 * of them twice); false means "not sure", and the caller parses.
 */
final class JsonCheck {
  static final int MAX_DEPTH = 64;
  static final int MAX_KEYS = 32;
  static final int MAX_NUMBER = 64;

  private static final int FAIL = -1;

  private JsonCheck() {}

  /** Whether {@code b[start, end)} is surely one JSON value, white space around it allowed. */
  static boolean surelyValid(byte[] b, int start, int end) {
    int i = value(b, space(b, start, end), end, 0, KEYS.get());
    return i >= 0 && space(b, i, end) == end;
  }

  private static int space(byte[] b, int i, int end) {
    while (i < end) {
      byte c = b[i];
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return i;
      }
      i++;
    }
    return i;
  }

  /** The offset past the value at {@code i}, or {@link #FAIL}. */
  private static int value(byte[] b, int i, int end, int depth, long[][] keys) {
    if (i >= end) {
      return FAIL;
    }
    return switch (b[i]) {
      case '{' -> object(b, i + 1, end, depth + 1, keys);
      case '[' -> array(b, i + 1, end, depth + 1, keys);
      case '"' -> string(b, i + 1, end, false);
      case 't' -> word(b, i, end, "true");
      case 'f' -> word(b, i, end, "false");
      case 'n' -> word(b, i, end, "null");
      default -> number(b, i, end);
    };
  }

  private static int object(byte[] b, int i, int end, int depth, long[][] all) {
    if (depth > MAX_DEPTH) {
      return FAIL;
    }
    i = space(b, i, end);
    if (i < end && b[i] == '}') {
      return i + 1;
    }
    // the keys seen so far, as (start, end) pairs of their bytes between the quotes
    long[] keys = all[depth];
    int count = 0;
    while (true) {
      if (i >= end || b[i] != '"') {
        return FAIL;
      }
      int keyStart = i + 1;
      int keyEnd = string(b, keyStart, end, true);
      if (keyEnd < 0 || count == MAX_KEYS) {
        return FAIL;
      }
      for (int k = 0; k < count; k++) {
        if (same(b, keys[k], keyStart, keyEnd - 1)) {
          return FAIL; // a duplicate key: the parser refuses it
        }
      }
      keys[count++] = ((long) keyStart << 32) | (keyEnd - 1);
      i = space(b, keyEnd, end);
      if (i >= end || b[i] != ':') {
        return FAIL;
      }
      i = value(b, space(b, i + 1, end), end, depth, all);
      if (i < 0) {
        return FAIL;
      }
      i = space(b, i, end);
      if (i >= end) {
        return FAIL;
      }
      if (b[i] == '}') {
        return i + 1;
      }
      if (b[i] != ',') {
        return FAIL;
      }
      i = space(b, i + 1, end);
    }
  }

  /** Per thread, per level: the keys of the object open at that level. */
  private static final ThreadLocal<long[][]> KEYS =
      ThreadLocal.withInitial(() -> new long[MAX_DEPTH + 1][MAX_KEYS]);

  private static boolean same(byte[] b, long key, int start, int end) {
    int s = (int) (key >>> 32);
    int e = (int) key;
    if (e - s != end - start) {
      return false;
    }
    for (int k = 0; k < end - start; k++) {
      if (b[s + k] != b[start + k]) {
        return false;
      }
    }
    return true;
  }

  private static int array(byte[] b, int i, int end, int depth, long[][] keys) {
    if (depth > MAX_DEPTH) {
      return FAIL;
    }
    i = space(b, i, end);
    if (i < end && b[i] == ']') {
      return i + 1;
    }
    while (true) {
      i = value(b, i, end, depth, keys);
      if (i < 0) {
        return FAIL;
      }
      i = space(b, i, end);
      if (i >= end) {
        return FAIL;
      }
      if (b[i] == ']') {
        return i + 1;
      }
      if (b[i] != ',') {
        return FAIL;
      }
      i = space(b, i + 1, end);
    }
  }

  /**
   * The offset past the closing quote of the string whose text starts at {@code i}; a key ({@code
   * key}) must have no escape, so that equal keys are equal bytes.
   */
  private static int string(byte[] b, int i, int end, boolean key) {
    while (i < end) {
      int c = b[i] & 0xFF;
      if (c == '"') {
        return i + 1;
      }
      if (c < 0x20) {
        return FAIL;
      }
      if (c == '\\') {
        if (key || i + 1 >= end) {
          return FAIL;
        }
        byte e = b[i + 1];
        if (e == 'u') {
          if (i + 6 > end) {
            return FAIL;
          }
          int unit = 0;
          for (int k = i + 2; k < i + 6; k++) {
            int h = hex(b[k]);
            if (h < 0) {
              return FAIL;
            }
            unit = unit << 4 | h;
          }
          if (unit >= 0xD800 && unit <= 0xDFFF) {
            return FAIL; // surrogates: whether they pair is the parser's to say
          }
          i += 6;
        } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r'
            || e == 't') {
          i += 2;
        } else {
          return FAIL;
        }
      } else if (c < 0x80) {
        i++;
      } else {
        i = utf8(b, i, end, c);
        if (i < 0) {
          return FAIL;
        }
      }
    }
    return FAIL;
  }

  /**
   * The offset past the well-formed UTF-8 sequence (RFC 3629) whose lead byte {@code c} is at i.
   */
  private static int utf8(byte[] b, int i, int end, int c) {
    int n;
    int min;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 1;
      min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 2;
      min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 3;
      min = 0x10000;
    } else {
      return FAIL;
    }
    if (i + n >= end) {
      return FAIL;
    }
    int cp = c & (0x3F >> n);
    for (int k = 1; k <= n; k++) {
      int t = b[i + k] & 0xFF;
      if ((t & 0xC0) != 0x80) {
        return FAIL;
      }
      cp = cp << 6 | (t & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return FAIL;
    }
    return i + n + 1;
  }

  private static int hex(byte c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }

  private static int word(byte[] b, int i, int end, String word) {
    if (i + word.length() > end) {
      return FAIL;
    }
    for (int k = 0; k < word.length(); k++) {
      if (b[i + k] != word.charAt(k)) {
        return FAIL;
      }
    }
    int after = i + word.length();
    return after < end && isWordChar(b[after]) ? FAIL : after;
  }

  /** -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? of at most {@link #MAX_NUMBER} characters. */
  private static int number(byte[] b, int i, int end) {
    int start = i;
    if (i < end && b[i] == '-') {
      i++;
    }
    if (i >= end || !digit(b[i])) {
      return FAIL;
    }
    if (b[i] == '0') {
      i++;
    } else {
      while (i < end && digit(b[i])) {
        i++;
      }
    }
    if (i < end && b[i] == '.') {
      i++;
      if (i >= end || !digit(b[i])) {
        return FAIL;
      }
      while (i < end && digit(b[i])) {
        i++;
      }
    }
    if (i < end && (b[i] == 'e' || b[i] == 'E')) {
      i++;
      if (i < end && (b[i] == '+' || b[i] == '-')) {
        i++;
      }
      if (i >= end || !digit(b[i])) {
        return FAIL;
      }
      while (i < end && digit(b[i])) {
        i++;
      }
    }
    if (i - start > MAX_NUMBER || (i < end && isWordChar(b[i]))) {
      return FAIL;
    }
    return i;
  }

  private static boolean digit(byte c) {
    return c >= '0' && c <= '9';
  }

  /** A character that may not follow a number or a literal directly ("1x", "truex", "01"). */
  private static boolean isWordChar(byte c) {
    return (c >= '0' && c <= '9')
        || (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || c == '.'
        || c == '+'
        || c == '-'
        || c == '_'
        || (c & 0x80) != 0;
  }
}
