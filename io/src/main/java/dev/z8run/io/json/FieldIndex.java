package dev.z8run.io.json;

import dev.z8run.io.message.MessageFlyweight;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The field index a message record may carry after its body: where each top-level member of the
 * JSON object lies, so that a node reaches {@code msg.payload} or {@code msg.topic} without
 * scanning the body. Written by whoever scanned the body anyway (the first Change node of a chain,
 * {@link JsonPatch}), kept current by every in-place patch, and copied with the record by {@code
 * forward}; a message sent with new JSON carries none until a node builds one.
 *
 * <pre>
 *  0                   4                   8                   12                  16
 *  +-------------------+-------------------+-------------------+-------------------+
 *  | count_and_flags   | then count entries of 16 bytes:                           |
 *  +-------------------+-------------------+-------------------+-------------------+
 *  | key_offset i32    | key_length i32    | value_start i32   | value_end i32     |  x count
 *  +-------------------+-------------------+-------------------+-------------------+
 *  count_and_flags: one i32, the count in bits 0-15 (COUNT_MASK), PLAIN_KEYS in bit 16, COMPACT in
 *  bit 17, the other bits 0. Offsets relative to the first JSON byte; key_offset is the key's first byte (after the
 *  quote); value_end is exclusive. Index length = 4 + 16 * count; an object of more than
 *  MAX_FIELDS members, or a body that is not an object, has no index (length 0).
 * </pre>
 *
 * <p>{@link #PLAIN_KEYS} says that every key is plain (printable ASCII, no backslash: its bytes are
 * its characters) and that no key repeats, so that a reader may compare keys with names byte by
 * byte and take the first match as the only one without checking every key of every message again.
 * A writer sets it only when that is true ({@link #build} says exactly; a patch keeps it when the
 * keys it adds keep it true); clear means "not known", and a reader checks for itself.
 *
 * <p>{@link #COMPACT} says that the JSON is {@code {"k":v,...,"k":v}} exactly: nothing between the
 * members, the closing brace its last byte. The entries alone tell it (each key two bytes after the
 * previous value, each value two after its key, the JSON one byte past the last value), and the
 * flag spares a writer that patches the JSON in runs reading them all again to learn it ({@link
 * ObjectPatch}); like {@link #PLAIN_KEYS}, a writer sets it only when it knows, clear means "not
 * known", and a copy of the index with its JSON keeps it true.
 *
 * <p>All methods are static and allocation-free; offsets are checked against the record's length by
 * {@link #validate}.
 */
public final class FieldIndex {
  public static final int COUNT_OFFSET = 0;

  /** The bits of the count in the i32 at {@link #COUNT_OFFSET}. */
  public static final int COUNT_MASK = 0xFFFF;

  /** Flag in the i32 at {@link #COUNT_OFFSET}: every key is plain and none repeats. */
  public static final int PLAIN_KEYS = 1 << 16;

  /** Flag in the i32 at {@link #COUNT_OFFSET}: the JSON is compact, nothing between its members. */
  public static final int COMPACT = 1 << 17;

  public static final int ENTRIES_OFFSET = COUNT_OFFSET + Integer.BYTES;
  public static final int KEY_OFFSET = 0;
  public static final int KEY_LENGTH = KEY_OFFSET + Integer.BYTES;
  public static final int VALUE_START = KEY_LENGTH + Integer.BYTES;
  public static final int VALUE_END = VALUE_START + Integer.BYTES;
  public static final int ENTRY_BYTES = VALUE_END + Integer.BYTES;

  /** Objects with more top-level members than this travel without an index. */
  public static final int MAX_FIELDS = 16;

  /** The largest index: {@value}. */
  public static final int MAX_INDEX_BYTES = ENTRIES_OFFSET + MAX_FIELDS * ENTRY_BYTES;

  private FieldIndex() {}

  /** Length of an index of {@code count} entries. */
  public static int lengthFor(int count) {
    return ENTRIES_OFFSET + count * ENTRY_BYTES;
  }

  /** Entries in the index of {@code indexLength} bytes. */
  public static int countFor(int indexLength) {
    return (indexLength - ENTRIES_OFFSET) / ENTRY_BYTES;
  }

  /**
   * Scans the object at {@code [offset, offset + length)} once and writes its index at {@code
   * dstOffset}.
   *
   * @return the index length written, or 0 when the body is not an object, is malformed or has more
   *     than {@link #MAX_FIELDS} members (nothing useful was written)
   */
  public static int build(
      DirectBuffer json, int offset, int length, MutableDirectBuffer dst, int dstOffset) {
    int limit = offset + length;
    int i = JsonScanner.skipWhitespace(json, offset, limit);
    if (i >= limit || json.getByte(i) != '{') {
      return 0;
    }
    i = JsonScanner.skipWhitespace(json, i + 1, limit);
    int count = 0;
    boolean plainKeys = true;
    if (i < limit && json.getByte(i) == '}') {
      return putCount(dst, dstOffset, 0, true);
    }
    while (i < limit) {
      if (json.getByte(i) != '"' || count == MAX_FIELDS) {
        return 0;
      }
      // the key, read once: where it ends and whether it is plain
      int keyStart = i + 1;
      int keyEnd = keyStart;
      boolean plain = true;
      while (true) {
        if (keyEnd >= limit) {
          return 0;
        }
        byte b = json.getByte(keyEnd);
        if (b == '"') {
          break;
        }
        if (b < 0x20 || b == '\\') { // negative: a UTF-8 byte
          plain = false;
          keyEnd += b == '\\' ? 2 : 1;
        } else {
          keyEnd++;
        }
      }
      i = keyEnd + 1;
      if (i < limit && json.getByte(i) != ':') {
        i = JsonScanner.skipWhitespace(json, i, limit);
      }
      if (i >= limit || json.getByte(i) != ':') {
        return 0;
      }
      int valueStart = i + 1;
      if (valueStart < limit && isBlank(json.getByte(valueStart))) {
        valueStart = JsonScanner.skipWhitespace(json, valueStart, limit);
      }
      int valueEnd = JsonScanner.skipValue(json, valueStart, limit);
      if (valueEnd < 0) {
        return 0;
      }
      int keyLength = keyEnd - keyStart;
      plainKeys =
          plainKeys
              && plain
              && (count == 0 || !repeats(json, offset, dst, dstOffset, count, keyStart, keyLength));
      putEntry(
          dst,
          dstOffset,
          count,
          keyStart - offset,
          keyLength,
          valueStart - offset,
          valueEnd - offset);
      count++;
      i = valueEnd;
      if (i < limit && isBlank(json.getByte(i))) {
        i = JsonScanner.skipWhitespace(json, i, limit);
      }
      if (i >= limit) {
        return 0;
      }
      byte b = json.getByte(i);
      if (b == '}') {
        // the entries are written: they tell whether nothing lay between the members
        return putCount(dst, dstOffset, count, plainKeys, isCompact(dst, dstOffset, count, length));
      }
      if (b != ',') {
        return 0;
      }
      i++;
      if (i < limit && isBlank(json.getByte(i))) {
        i = JsonScanner.skipWhitespace(json, i, limit);
      }
    }
    return 0;
  }

  private static boolean isBlank(byte b) {
    return b == ' ' || b == '\n' || b == '\r' || b == '\t';
  }

  /**
   * Writes entry {@code n} (0-based) of the index at {@code indexOffset} (offsets relative to the
   * first JSON byte); {@link #putCount} completes the index. The one writer of entries: {@link
   * #build}, the patches that keep an index current, and writers that know where their members lie.
   */
  public static void putEntry(
      MutableDirectBuffer dst,
      int indexOffset,
      int n,
      int keyOffset,
      int keyLength,
      int valueStart,
      int valueEnd) {
    int entry = indexOffset + lengthFor(n);
    dst.putInt(entry + KEY_OFFSET, keyOffset);
    dst.putInt(entry + KEY_LENGTH, keyLength);
    dst.putInt(entry + VALUE_START, valueStart);
    dst.putInt(entry + VALUE_END, valueEnd);
  }

  /**
   * Writes the count of the index at {@code indexOffset} (at most {@link #MAX_FIELDS}), with {@link
   * #PLAIN_KEYS} clear: for a writer that does not know whether its keys are plain.
   *
   * @return the index's length
   */
  public static int putCount(MutableDirectBuffer dst, int indexOffset, int count) {
    return putCount(dst, indexOffset, count, false);
  }

  /**
   * Writes the count of the index at {@code indexOffset} (at most {@link #MAX_FIELDS}) and whether
   * its keys are plain and unique ({@link #PLAIN_KEYS}: only when that is known to be true).
   *
   * @return the index's length
   */
  public static int putCount(
      MutableDirectBuffer dst, int indexOffset, int count, boolean plainKeys) {
    dst.putInt(indexOffset + COUNT_OFFSET, plainKeys ? count | PLAIN_KEYS : count);
    return lengthFor(count);
  }

  /**
   * Writes the count of the index at {@code indexOffset} (at most {@link #MAX_FIELDS}), whether its
   * keys are plain and unique ({@link #PLAIN_KEYS}) and whether its JSON is compact ({@link
   * #COMPACT}), each flag only when that is known to be true.
   *
   * @return the index's length
   */
  public static int putCount(
      MutableDirectBuffer dst, int indexOffset, int count, boolean plainKeys, boolean compact) {
    int flags = (plainKeys ? PLAIN_KEYS : 0) | (compact ? COMPACT : 0);
    dst.putInt(indexOffset + COUNT_OFFSET, count | flags);
    return lengthFor(count);
  }

  /** The number of entries of the index at {@code indexOffset}. */
  public static int count(DirectBuffer index, int indexOffset) {
    return index.getInt(indexOffset + COUNT_OFFSET) & COUNT_MASK;
  }

  /** Whether the index at {@code indexOffset} says its keys are plain and unique. */
  public static boolean plainKeys(DirectBuffer index, int indexOffset) {
    return (index.getInt(indexOffset + COUNT_OFFSET) & PLAIN_KEYS) != 0;
  }

  /** Whether the index at {@code indexOffset} says its JSON is compact ({@link #COMPACT}). */
  public static boolean compact(DirectBuffer index, int indexOffset) {
    return (index.getInt(indexOffset + COUNT_OFFSET) & COMPACT) != 0;
  }

  /**
   * Whether the first {@code count} entries of the index at {@code indexOffset} describe a compact
   * JSON object of {@code jsonLength} bytes ({@link #COMPACT}): at least one member, each key two
   * bytes after the previous value ({@code ,"}), each value two bytes after its key ({@code ":}),
   * the closing brace just after the last value. Reads the entries only, not the JSON.
   */
  public static boolean isCompact(DirectBuffer index, int indexOffset, int count, int jsonLength) {
    if (count == 0) {
      return false;
    }
    int expectedKey = 2; // after {"
    int end = 0;
    int entry = indexOffset + ENTRIES_OFFSET;
    for (int n = 0; n < count; n++, entry += ENTRY_BYTES) {
      int key = index.getInt(entry + KEY_OFFSET);
      if (key != expectedKey
          || index.getInt(entry + VALUE_START) != key + index.getInt(entry + KEY_LENGTH) + 2) {
        return false;
      }
      end = index.getInt(entry + VALUE_END);
      expectedKey = end + 2;
    }
    return end + 1 == jsonLength;
  }

  /** Whether {@code key}'s bytes are plain: see {@link #isPlain(DirectBuffer, int, int)}. */
  public static boolean isPlain(byte[] key) {
    for (byte b : key) {
      if (b < 0x20 || b == '\\' || b == '"') {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether the {@code length} bytes of a key at {@code at} are plain: printable ASCII without a
   * backslash, so that its bytes are its characters.
   */
  public static boolean isPlain(DirectBuffer bytes, int at, int length) {
    for (int i = at, end = at + length; i < end; i++) {
      byte b = bytes.getByte(i);
      if (b < 0x20 || b == '\\' || b == '"') { // negative: a UTF-8 byte
        return false;
      }
    }
    return true;
  }

  /**
   * Whether the key of {@code length} bytes at {@code at} of {@code json} equals one of the first
   * {@code count} keys of the index at {@code indexOffset} of {@code index} (offsets relative to
   * {@code jsonOffset}).
   */
  public static boolean repeats(
      DirectBuffer json,
      int jsonOffset,
      DirectBuffer index,
      int indexOffset,
      int count,
      int at,
      int length) {
    int entry = indexOffset + ENTRIES_OFFSET;
    for (int n = 0; n < count; n++, entry += ENTRY_BYTES) {
      if (index.getInt(entry + KEY_LENGTH) == length
          && sameBytes(json, jsonOffset + index.getInt(entry + KEY_OFFSET), json, at, length)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the {@code length} bytes at {@code a} of {@code x} and {@code b} of {@code y} match.
   */
  public static boolean sameBytes(DirectBuffer x, int a, DirectBuffer y, int b, int length) {
    for (int i = 0; i < length; i++) {
      if (x.getByte(a + i) != y.getByte(b + i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Finds the entry of {@code key} in the index at {@code indexOffset}.
   *
   * @return the entry's offset in {@code index}, or -1
   */
  public static int entry(
      DirectBuffer index, int indexOffset, DirectBuffer json, int jsonOffset, byte[] key) {
    int count = count(index, indexOffset);
    int entry = indexOffset + ENTRIES_OFFSET;
    for (int n = 0; n < count; n++, entry += ENTRY_BYTES) {
      if (index.getInt(entry + KEY_LENGTH) == key.length
          && keyEquals(json, jsonOffset + index.getInt(entry + KEY_OFFSET), key)) {
        return entry;
      }
    }
    return -1;
  }

  /**
   * As {@link #entry(DirectBuffer, int, DirectBuffer, int, byte[])}, trying the entry at position
   * {@code hint} (0-based) first: a node that looks up the same key in every message (a change
   * node's path) finds it where the last message had it, with one comparison instead of a scan.
   *
   * @return the entry's offset in {@code index}, or -1
   */
  public static int entry(
      DirectBuffer index,
      int indexOffset,
      DirectBuffer json,
      int jsonOffset,
      byte[] key,
      int hint) {
    if (hint >= 0 && hint < count(index, indexOffset)) {
      int entry = indexOffset + ENTRIES_OFFSET + hint * ENTRY_BYTES;
      if (index.getInt(entry + KEY_LENGTH) == key.length
          && keyEquals(json, jsonOffset + index.getInt(entry + KEY_OFFSET), key)) {
        return entry;
      }
    }
    return entry(index, indexOffset, json, jsonOffset, key);
  }

  /**
   * The value of top-level member {@code key} of {@code msg}'s JSON, through its index when it
   * carries one, else by scanning.
   *
   * @return a {@link JsonScanner} span in {@code msg.buffer()}, or {@link JsonScanner#NOT_FOUND}
   */
  public static long find(MessageFlyweight msg, byte[] key) {
    DirectBuffer buffer = msg.buffer();
    int json = msg.jsonOffset();
    if (msg.indexLength() == 0) {
      return JsonScanner.findKey(buffer, json, json + msg.jsonLength(), key);
    }
    int entry = entry(buffer, msg.indexOffset(), buffer, json, key);
    if (entry < 0) {
      return JsonScanner.NOT_FOUND;
    }
    return ((long) (json + buffer.getInt(entry + VALUE_START)) << 32)
        | ((json + buffer.getInt(entry + VALUE_END)) & 0xFFFFFFFFL);
  }

  /**
   * The value at {@code path} (a key per level) of {@code msg}'s JSON: the first level through the
   * index, the rest by scanning only inside that value.
   */
  public static long find(MessageFlyweight msg, byte[][] path) {
    long span = find(msg, path[0]);
    for (int level = 1; level < path.length && span != JsonScanner.NOT_FOUND; level++) {
      span =
          JsonScanner.findKey(
              msg.buffer(), JsonScanner.spanStart(span), JsonScanner.spanEnd(span), path[level]);
    }
    return span;
  }

  /**
   * Checks an index against the JSON it describes.
   *
   * @return null when valid, else a sentence saying what is wrong
   */
  public static String validate(DirectBuffer index, int indexOffset, int indexLength, int json) {
    if (indexLength < ENTRIES_OFFSET || (indexLength - ENTRIES_OFFSET) % ENTRY_BYTES != 0) {
      return "index_length=" + indexLength + " is not 4 + 16 * count";
    }
    int countAndFlags = index.getInt(indexOffset + COUNT_OFFSET);
    if ((countAndFlags & ~(COUNT_MASK | PLAIN_KEYS | COMPACT)) != 0) {
      return "index count_and_flags=" + Integer.toHexString(countAndFlags) + " has unknown flags";
    }
    int count = countAndFlags & COUNT_MASK;
    if (count != countFor(indexLength)) {
      return "index count=" + count + " does not match index_length=" + indexLength;
    }
    for (int n = 0; n < count; n++) {
      int entry = indexOffset + lengthFor(n);
      int key = index.getInt(entry + KEY_OFFSET);
      int keyLength = index.getInt(entry + KEY_LENGTH);
      int start = index.getInt(entry + VALUE_START);
      int end = index.getInt(entry + VALUE_END);
      if (key < 1 || keyLength < 0 || key + keyLength >= start || start >= end || end > json) {
        return "index entry " + n + " lies outside the json_length=" + json;
      }
    }
    if ((countAndFlags & COMPACT) != 0 && !isCompact(index, indexOffset, count, json)) {
      return "index says COMPACT but its entries do not describe a compact json_length=" + json;
    }
    return null;
  }

  private static boolean keyEquals(DirectBuffer json, int at, byte[] key) {
    for (int k = 0; k < key.length; k++) {
      if (json.getByte(at + k) != key[k]) {
        return false;
      }
    }
    return true;
  }
}
