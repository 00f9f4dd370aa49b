package dev.z8run.io.json;

import org.agrona.DirectBuffer;

/**
 * Finds values inside UTF-8 JSON bytes in place, without building an object tree and without
 * allocating: the path reader of the hot path.
 *
 * <p>A found value is returned as a packed span: {@code (start << 32) | end}, both offsets into the
 * buffer, end exclusive; {@link #NOT_FOUND} (-1) when the path does not exist. The scanner assumes
 * well-formed JSON (the engine only carries JSON it has produced or validated); on malformed input
 * it answers {@link #NOT_FOUND} or a span that stops at the first surprise, never throws out of
 * bounds.
 *
 * <p>Keys are compared as raw bytes: a key written with escape sequences matches only a path
 * segment with the same escapes.
 */
public final class JsonScanner {
  public static final long NOT_FOUND = -1L;

  /** Per byte value: +1 opens a container, -1 closes one, {@link #QUOTE} starts a string. */
  private static final byte[] STRUCTURE = new byte[256];

  private static final byte QUOTE = 2;

  static {
    STRUCTURE['{'] = 1;
    STRUCTURE['['] = 1;
    STRUCTURE['}'] = -1;
    STRUCTURE[']'] = -1;
    STRUCTURE['"'] = QUOTE;
  }

  private JsonScanner() {}

  public static int spanStart(long span) {
    return (int) (span >>> 32);
  }

  public static int spanEnd(long span) {
    return (int) span;
  }

  /**
   * Finds the value at {@code path} (a key per level, objects only) in the JSON object at {@code
   * [offset, offset + length)}.
   */
  public static long find(DirectBuffer buffer, int offset, int length, byte[][] path) {
    int limit = offset + length;
    int start = skipWhitespace(buffer, offset, limit);
    int end = limit;
    for (byte[] key : path) {
      long span = findKey(buffer, start, end, key);
      if (span == NOT_FOUND) {
        return NOT_FOUND;
      }
      start = spanStart(span);
      end = spanEnd(span);
    }
    return ((long) start << 32) | (end & 0xFFFFFFFFL);
  }

  /**
   * Finds {@code key} among the members of the object starting at {@code objectStart}.
   *
   * @return the span of its value, or {@link #NOT_FOUND}
   */
  public static long findKey(DirectBuffer buffer, int objectStart, int limit, byte[] key) {
    int i = skipWhitespace(buffer, objectStart, limit);
    if (i >= limit || buffer.getByte(i) != '{') {
      return NOT_FOUND;
    }
    i = skipWhitespace(buffer, i + 1, limit);
    if (i < limit && buffer.getByte(i) == '}') {
      return NOT_FOUND;
    }
    while (i < limit) {
      if (buffer.getByte(i) != '"') {
        return NOT_FOUND;
      }
      int keyStart = i + 1;
      int keyEnd = skipString(buffer, i, limit) - 1;
      if (keyEnd < keyStart) {
        return NOT_FOUND;
      }
      i = skipWhitespace(buffer, keyEnd + 1, limit);
      if (i >= limit || buffer.getByte(i) != ':') {
        return NOT_FOUND;
      }
      int valueStart = skipWhitespace(buffer, i + 1, limit);
      int valueEnd = skipValue(buffer, valueStart, limit);
      if (valueEnd < 0) {
        return NOT_FOUND;
      }
      if (keyEquals(buffer, keyStart, keyEnd, key)) {
        return ((long) valueStart << 32) | (valueEnd & 0xFFFFFFFFL);
      }
      i = skipWhitespace(buffer, valueEnd, limit);
      if (i >= limit) {
        return NOT_FOUND;
      }
      byte b = buffer.getByte(i);
      if (b == '}') {
        return NOT_FOUND;
      }
      if (b != ',') {
        return NOT_FOUND;
      }
      i = skipWhitespace(buffer, i + 1, limit);
    }
    return NOT_FOUND;
  }

  /**
   * Finds several keys among the members of the object starting at {@code objectStart} in one pass:
   * {@code spans[k]} becomes the span of {@code keys[k]}'s value (its first occurrence), or {@link
   * #NOT_FOUND}. Stops early once every key is found.
   *
   * @return how many of the keys were found
   */
  public static int findKeys(
      DirectBuffer buffer, int objectStart, int limit, byte[][] keys, long[] spans) {
    java.util.Arrays.fill(spans, 0, keys.length, NOT_FOUND);
    int found = 0;
    int i = skipWhitespace(buffer, objectStart, limit);
    if (i >= limit || buffer.getByte(i) != '{') {
      return 0;
    }
    i = skipWhitespace(buffer, i + 1, limit);
    while (i < limit && buffer.getByte(i) == '"') {
      int keyStart = i + 1;
      int keyEnd = skipString(buffer, i, limit) - 1;
      if (keyEnd < keyStart) {
        return found;
      }
      i = skipWhitespace(buffer, keyEnd + 1, limit);
      if (i >= limit || buffer.getByte(i) != ':') {
        return found;
      }
      int valueStart = skipWhitespace(buffer, i + 1, limit);
      int valueEnd = skipValue(buffer, valueStart, limit);
      if (valueEnd < 0) {
        return found;
      }
      for (int k = 0; k < keys.length; k++) {
        if (spans[k] == NOT_FOUND && keyEquals(buffer, keyStart, keyEnd, keys[k])) {
          spans[k] = ((long) valueStart << 32) | (valueEnd & 0xFFFFFFFFL);
          if (++found == keys.length) {
            return found;
          }
          break;
        }
      }
      i = skipWhitespace(buffer, valueEnd, limit);
      if (i >= limit || buffer.getByte(i) != ',') {
        return found;
      }
      i = skipWhitespace(buffer, i + 1, limit);
    }
    return found;
  }

  /**
   * Offset of the closing brace of the object starting at {@code objectStart}, or -1.
   *
   * <p>Used to append a member to an object.
   */
  public static int objectEnd(DirectBuffer buffer, int objectStart, int limit) {
    int start = skipWhitespace(buffer, objectStart, limit);
    if (start >= limit || buffer.getByte(start) != '{') {
      return -1;
    }
    int end = skipValue(buffer, start, limit);
    return end < 0 ? -1 : end - 1;
  }

  /** Whether the object at {@code objectStart} has no members. */
  public static boolean isEmptyObject(DirectBuffer buffer, int objectStart, int limit) {
    int i = skipWhitespace(buffer, objectStart, limit);
    if (i >= limit || buffer.getByte(i) != '{') {
      return false;
    }
    i = skipWhitespace(buffer, i + 1, limit);
    return i < limit && buffer.getByte(i) == '}';
  }

  private static boolean keyEquals(DirectBuffer buffer, int start, int end, byte[] key) {
    if (end - start != key.length) {
      return false;
    }
    for (int k = 0; k < key.length; k++) {
      if (buffer.getByte(start + k) != key[k]) {
        return false;
      }
    }
    return true;
  }

  /** The offset of the first byte from {@code i} that is not JSON white space, or {@code limit}. */
  public static int skipWhitespace(DirectBuffer buffer, int i, int limit) {
    while (i < limit) {
      byte b = buffer.getByte(i);
      if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
        return i;
      }
      i++;
    }
    return i;
  }

  /** Returns the offset just past the string whose opening quote is at {@code i}. */
  static int skipString(DirectBuffer buffer, int i, int limit) {
    i++;
    while (i < limit) {
      byte b = buffer.getByte(i);
      if (b == '\\') {
        i += 2;
      } else if (b == '"') {
        return i + 1;
      } else {
        i++;
      }
    }
    return -1;
  }

  /** Returns the offset just past the value starting at {@code i}, or -1 if it is cut short. */
  public static int skipValue(DirectBuffer buffer, int i, int limit) {
    if (i >= limit) {
      return -1;
    }
    byte b = buffer.getByte(i);
    if (b == '"') {
      return skipString(buffer, i, limit);
    }
    if (b == '{' || b == '[') {
      int depth = 0;
      while (i < limit) {
        int kind = STRUCTURE[buffer.getByte(i) & 0xFF];
        if (kind == 0) {
          i++;
          continue;
        }
        if (kind == QUOTE) {
          i = skipString(buffer, i, limit);
          if (i < 0) {
            return -1;
          }
          continue;
        }
        depth += kind;
        if (depth == 0) {
          return i + 1;
        }
        i++;
      }
      return -1;
    }
    while (i < limit) {
      b = buffer.getByte(i);
      if (b == ',' || b == '}' || b == ']' || b == ' ' || b == '\n' || b == '\r' || b == '\t') {
        return i;
      }
      i++;
    }
    return i;
  }
}
