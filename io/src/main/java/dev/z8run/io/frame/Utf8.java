package dev.z8run.io.frame;

import java.nio.charset.StandardCharsets;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * UTF-8 without the intermediate {@code byte[]} of {@link String#getBytes}: the encoders write
 * names and texts straight into the frame. An unpaired surrogate is written as {@code '?'}, as
 * {@link String#getBytes} does.
 */
public final class Utf8 {
  private Utf8() {}

  /** Whether {@code bytes} are well-formed UTF-8 (no malformed or truncated sequence). */
  public static boolean isValid(byte[] bytes) {
    for (byte b : bytes) {
      if (b < 0) { // not all ASCII: decode strictly
        try {
          java.nio.charset.StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
              .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
              .decode(java.nio.ByteBuffer.wrap(bytes));
          return true;
        } catch (java.nio.charset.CharacterCodingException malformed) {
          return false;
        }
      }
    }
    return true;
  }

  /** The number of bytes {@link #put} writes for {@code text}. */
  public static int encodedLength(CharSequence text) {
    int length = 0;
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        length += 1;
      } else if (c < 0x800) {
        length += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        length += 4;
        i++;
      } else if (Character.isSurrogate(c)) {
        length += 1;
      } else {
        length += 3;
      }
    }
    return length;
  }

  /**
   * Writes {@code text} as UTF-8 at {@code index}.
   *
   * @return the number of bytes written
   */
  public static int put(MutableDirectBuffer buffer, int index, CharSequence text) {
    int p = index;
    int n = text.length();
    for (int i = 0; i < n; i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        buffer.putByte(p++, (byte) c);
      } else if (c < 0x800) {
        buffer.putByte(p++, (byte) (0xC0 | (c >> 6)));
        buffer.putByte(p++, (byte) (0x80 | (c & 0x3F)));
      } else if (Character.isHighSurrogate(c)
          && i + 1 < n
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, text.charAt(++i));
        buffer.putByte(p++, (byte) (0xF0 | (cp >> 18)));
        buffer.putByte(p++, (byte) (0x80 | ((cp >> 12) & 0x3F)));
        buffer.putByte(p++, (byte) (0x80 | ((cp >> 6) & 0x3F)));
        buffer.putByte(p++, (byte) (0x80 | (cp & 0x3F)));
      } else if (Character.isSurrogate(c)) {
        buffer.putByte(p++, (byte) '?');
      } else {
        buffer.putByte(p++, (byte) (0xE0 | (c >> 12)));
        buffer.putByte(p++, (byte) (0x80 | ((c >> 6) & 0x3F)));
        buffer.putByte(p++, (byte) (0x80 | (c & 0x3F)));
      }
    }
    return p - index;
  }

  /**
   * Decodes {@code length} bytes at {@code index} into a new String; malformed sequences become
   * U+FFFD. Allocates: for cold paths and tests.
   */
  public static String get(DirectBuffer buffer, int index, int length) {
    byte[] bytes = new byte[length];
    buffer.getBytes(index, bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
