package dev.z8run.io.json;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable UTF-8 JSON text written by hand, for messages made of a few fixed keys, strings and
 * numbers (the hook's request messages, an MQTT message): a generator per message (its context,
 * buffers and recycler pool) costs more than the text itself.
 *
 * <p>Strings are escaped as Jackson's generator escapes them: {@code "} and {@code \} with a
 * backslash, {@code \b \t \n \f \r} by their short forms, other characters below U+0020 as {@code
 * \}{@code u00XX} (upper-case hex); everything else as its UTF-8 bytes. Two exceptions: a character
 * outside the BMP is its four UTF-8 bytes (Jackson writes two escaped surrogates: the same string
 * to a reader), and a lone surrogate is {@code ?}, as {@link String#getBytes} writes it (Jackson
 * refuses it). Numbers are written as {@link Long#toString} writes them, without allocating.
 *
 * <p>Nothing checks that the calls make well-formed JSON: the caller writes the punctuation. Not
 * thread-safe.
 */
public final class JsonBytes {
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] LONG_MIN =
      Long.toString(Long.MIN_VALUE).getBytes(StandardCharsets.US_ASCII);

  private byte[] bytes;
  private int length;

  /** An empty text with room for {@code capacity} bytes (at least 16) before it grows. */
  public JsonBytes(int capacity) {
    bytes = new byte[Math.max(16, capacity)];
  }

  /**
   * Empties the text, keeping its buffer: a writer reused for one text after another (the hook's
   * request messages, each copied into the engine before the next is written) allocates nothing
   * once its buffer is large enough.
   */
  public JsonBytes clear() {
    length = 0;
    return this;
  }

  /** How many bytes the buffer holds before it grows. */
  public int capacity() {
    return bytes.length;
  }

  /** How many bytes have been written. */
  public int length() {
    return length;
  }

  /**
   * The text's own buffer, its bytes {@code [0, length())}: valid until the next write, which may
   * replace it. For a caller that copies the text at once (into a ring, say).
   */
  public byte[] array() {
    return bytes;
  }

  /** A copy of the text. */
  public byte[] toByteArray() {
    return Arrays.copyOf(bytes, length);
  }

  private void ensure(int more) {
    if (length + more > bytes.length) {
      bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
    }
  }

  /** Appends one byte, as is. */
  public JsonBytes write(byte b) {
    ensure(1);
    bytes[length++] = b;
    return this;
  }

  /** Appends {@code source}, as is: JSON text already written. */
  public JsonBytes write(byte[] source) {
    return write(source, 0, source.length);
  }

  /** Appends {@code source[offset, offset + count)}, as is. */
  public JsonBytes write(byte[] source, int offset, int count) {
    ensure(count);
    System.arraycopy(source, offset, bytes, length, count);
    length += count;
    return this;
  }

  /** Appends a copy of this text's own bytes {@code [from, from + count)}. */
  public JsonBytes repeat(int from, int count) {
    ensure(count);
    System.arraycopy(bytes, from, bytes, length, count);
    length += count;
    return this;
  }

  /** Appends {@code ascii} as is: a key, a literal or punctuation with nothing to escape. */
  public JsonBytes raw(String ascii) {
    int n = ascii.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      bytes[length++] = (byte) ascii.charAt(i);
    }
    return this;
  }

  /** Appends {@code value} as a JSON number. */
  public JsonBytes number(long value) {
    if (value == Long.MIN_VALUE) {
      return write(LONG_MIN);
    }
    ensure(20);
    if (value < 0) {
      bytes[length++] = '-';
      value = -value;
    }
    int digits = 1;
    for (long rest = value / 10; rest != 0; rest /= 10) {
      digits++;
    }
    for (int at = length + digits - 1; at >= length; at--) {
      bytes[at] = (byte) ('0' + value % 10);
      value /= 10;
    }
    length += digits;
    return this;
  }

  /** Appends {@code value} as a JSON string, quoted and escaped. */
  public JsonBytes string(String value) {
    int n = value.length();
    ensure(n + 2);
    bytes[length++] = '"';
    for (int i = 0; i < n; i++) {
      char c = value.charAt(i);
      if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
        ensure(1);
        bytes[length++] = (byte) c;
      } else if (c < 0x80) {
        escape(c);
      } else {
        i = nonAscii(value, i, c);
      }
    }
    ensure(1);
    bytes[length++] = '"';
    return this;
  }

  /** Appends {@code "key":"value"}, after a comma unless {@code first}. */
  public JsonBytes member(boolean first, String key, String value) {
    if (!first) {
      write((byte) ',');
    }
    return string(key).write((byte) ':').string(value);
  }

  private void escape(char c) {
    ensure(6);
    bytes[length++] = '\\';
    switch (c) {
      case '"' -> bytes[length++] = '"';
      case '\\' -> bytes[length++] = '\\';
      case '\b' -> bytes[length++] = 'b';
      case '\t' -> bytes[length++] = 't';
      case '\n' -> bytes[length++] = 'n';
      case '\f' -> bytes[length++] = 'f';
      case '\r' -> bytes[length++] = 'r';
      default -> {
        bytes[length++] = 'u';
        bytes[length++] = '0';
        bytes[length++] = '0';
        bytes[length++] = HEX[c >> 4];
        bytes[length++] = HEX[c & 0xF];
      }
    }
  }

  /** Writes the character at {@code i} (not ASCII) as UTF-8; returns the index of its last char. */
  private int nonAscii(String value, int i, char c) {
    ensure(4);
    if (c < 0x800) {
      bytes[length++] = (byte) (0xC0 | (c >> 6));
      bytes[length++] = (byte) (0x80 | (c & 0x3F));
      return i;
    }
    if (Character.isHighSurrogate(c)
        && i + 1 < value.length()
        && Character.isLowSurrogate(value.charAt(i + 1))) {
      int cp = Character.toCodePoint(c, value.charAt(i + 1));
      bytes[length++] = (byte) (0xF0 | (cp >> 18));
      bytes[length++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
      bytes[length++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
      bytes[length++] = (byte) (0x80 | (cp & 0x3F));
      return i + 1;
    }
    if (Character.isSurrogate(c)) {
      bytes[length++] = '?';
      return i;
    }
    bytes[length++] = (byte) (0xE0 | (c >> 12));
    bytes[length++] = (byte) (0x80 | ((c >> 6) & 0x3F));
    bytes[length++] = (byte) (0x80 | (c & 0x3F));
    return i;
  }
}
