package dev.z8run.store.lmdb;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds and takes apart the composite keys described in {@link Table}. Stateless.
 *
 * <pre>
 *   id key:        | id UTF-8 |
 *   pair key:      | first id UTF-8 | 0x00 | second id UTF-8 |
 *   revision key:  | flow id UTF-8  | 0x00 | revision i32 BE |
 *   sequence key:  | flow id UTF-8  | 0x00 | sequence i64 BE |
 * </pre>
 */
public final class Keys {
  /** The longest id in UTF-8 bytes: two ids and a separator stay below LMDB's 511-byte keys. */
  public static final int MAX_ID_BYTES = 200;

  private static final byte SEPARATOR = 0;

  private Keys() {}

  /**
   * The UTF-8 bytes of an id after checking it.
   *
   * @param what names the id in the error message, e.g. {@code "flow id"}
   * @throws IllegalArgumentException if the id is null, empty, longer than {@link #MAX_ID_BYTES} or
   *     contains a control character
   */
  public static byte[] id(String what, String id) {
    if (id == null || id.isEmpty()) {
      throw new IllegalArgumentException(what + " is required");
    }
    for (int i = 0; i < id.length(); i++) {
      if (Character.isISOControl(id.charAt(i))) {
        throw new IllegalArgumentException(
            what
                + " must not contain control characters, found U+"
                + String.format("%04X", (int) id.charAt(i))
                + " at index "
                + i);
      }
    }
    byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > MAX_ID_BYTES) {
      throw new IllegalArgumentException(
          what + " is " + bytes.length + " UTF-8 bytes, the limit is " + MAX_ID_BYTES);
    }
    return bytes;
  }

  /** {@code id + 0x00}: the prefix of every key that belongs to {@code id}. */
  public static byte[] prefix(byte[] id) {
    byte[] key = Arrays.copyOf(id, id.length + 1);
    key[id.length] = SEPARATOR;
    return key;
  }

  /** {@code first + 0x00 + second}. */
  public static byte[] pair(byte[] first, byte[] second) {
    byte[] key = Arrays.copyOf(first, first.length + 1 + second.length);
    key[first.length] = SEPARATOR;
    System.arraycopy(second, 0, key, first.length + 1, second.length);
    return key;
  }

  /** {@code id + 0x00 + revision (i32 BE)}. */
  public static byte[] revision(byte[] id, int revision) {
    return ByteBuffer.allocate(id.length + 1 + Integer.BYTES)
        .put(id)
        .put(SEPARATOR)
        .putInt(revision)
        .array();
  }

  /** {@code id + 0x00 + sequence (i64 BE)}. */
  public static byte[] sequence(byte[] id, long sequence) {
    return ByteBuffer.allocate(id.length + 1 + Long.BYTES)
        .put(id)
        .put(SEPARATOR)
        .putLong(sequence)
        .array();
  }

  /** The UTF-8 text after a prefix, e.g. the second id of a pair key. */
  public static String suffix(byte[] key, int prefixLength) {
    return new String(key, prefixLength, key.length - prefixLength, StandardCharsets.UTF_8);
  }

  /** The big-endian i32 that ends a revision key. */
  public static int revisionOf(byte[] key) {
    return ByteBuffer.wrap(key, key.length - Integer.BYTES, Integer.BYTES).getInt();
  }

  /** The big-endian i64 that ends a sequence key. */
  public static long sequenceOf(byte[] key) {
    return ByteBuffer.wrap(key, key.length - Long.BYTES, Long.BYTES).getLong();
  }

  /** ASCII bytes of a {@link Table#META} key. */
  public static byte[] meta(String name) {
    return name.getBytes(StandardCharsets.US_ASCII);
  }
}
