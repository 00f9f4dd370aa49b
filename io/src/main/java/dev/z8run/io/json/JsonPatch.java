package dev.z8run.io.json;

import dev.z8run.io.message.Bytes;
import dev.z8run.io.message.MessageFlyweight;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Sets a field of a JSON object in place: the result is the source bytes with one span replaced or
 * one member inserted, copied straight into the destination (an inbox claim). Missing objects along
 * the path are created. A value in the way that is not an object (a string, number, boolean, null
 * or array) is left as it is and nothing is set, as Node-RED's {@code setMessageProperty} does (it
 * cannot create a property beneath such a value; an array's would not be in its JSON): the result
 * is then the source unchanged.
 *
 * <p>Use: {@link #prepare} computes the edit and returns the result length, so the caller can claim
 * exactly that many bytes; {@link #write} then writes the result. Reusable and allocation-free; not
 * thread-safe (one per node instance).
 *
 * <p>On a message ({@link #prepare(MessageFlyweight, byte[][], int)}) the top-level key is found
 * through the record's {@link FieldIndex} instead of a scan (one is built when the record carries
 * none), and {@link #writeIndex} writes the index of the result: the source index with the entries
 * after the edit shifted, so the next node finds its fields without scanning either.
 */
public final class JsonPatch {
  private static final byte[] NULL = {'n', 'u', 'l', 'l'};

  private DirectBuffer source;
  private int sourceOffset;
  private int sourceLength;
  private byte[][] path;
  private int valueLength;
  private int editStart;
  private int editEnd;
  private int createdFrom;
  private boolean needsComma;

  /** The last prepare found a non-object in the way: its result is the source, unchanged. */
  private boolean unchanged;

  private final UnsafeBuffer builtIndex = new UnsafeBuffer(new byte[FieldIndex.MAX_INDEX_BYTES]);
  private DirectBuffer index;
  private int indexOffset;
  private int indexCount;
  private boolean indexPlainKeys;
  private boolean indexCompact;
  private int resultIndexLength;

  /** Position in the index where the last message's top-level key was found; -1: none yet. */
  private int entryHint = -1;

  /**
   * The top-level key of the last prepare ({@code path[0]}, compared by reference) when it is at
   * most 8 bytes long, packed for a comparison in one load: its bytes and a mask of as many bytes,
   * in the native order {@link DirectBuffer#getLong(int)} reads.
   */
  private byte[] packedKey;

  private long packedBytes;
  private long packedMask;
  private final UnsafeBuffer packing = new UnsafeBuffer(new byte[Long.BYTES]);

  /**
   * Works out how to set {@code path} to a value of {@code valueLength} bytes in {@code msg}'s
   * JSON, through its field index; afterwards {@link #resultIndexLength()} says how long the
   * result's index is (0: the result carries none).
   *
   * @return the length of the patched JSON, or -1 when the JSON is not an object
   */
  public int prepare(MessageFlyweight msg, byte[][] path, int valueLength) {
    unchanged = false;
    DirectBuffer json = msg.buffer();
    int offset = msg.jsonOffset();
    int length = msg.jsonLength();
    int carried = msg.indexLength();
    if (carried > 0) {
      index = json;
      indexOffset = msg.indexOffset();
    } else if (FieldIndex.build(json, offset, length, builtIndex, 0) > 0) {
      index = builtIndex;
      indexOffset = 0;
    } else {
      resultIndexLength = 0;
      return prepare(json, offset, length, path, valueLength);
    }
    if (path.length == 0) {
      throw new IllegalArgumentException("path is empty: name at least one key to set");
    }
    indexCount = FieldIndex.count(index, indexOffset);
    indexPlainKeys = FieldIndex.plainKeys(index, indexOffset);
    // an edit inside a value keeps what lies between the members: the result is compact as the
    // source is (FieldIndex.COMPACT); the index with an appended member is checked
    indexCompact = FieldIndex.compact(index, indexOffset);
    this.source = json;
    this.sourceOffset = offset;
    this.sourceLength = length;
    this.path = path;
    this.valueLength = valueLength;
    // the key was where the last message had it (a chain of change nodes: every time)
    int entry = hintedEntry(json, offset, path[0]);
    if (entry < 0) {
      entry = FieldIndex.entry(index, indexOffset, json, offset, path[0]);
    }
    if (entry >= 0) {
      entryHint = (entry - indexOffset - FieldIndex.ENTRIES_OFFSET) / FieldIndex.ENTRY_BYTES;
    }
    if (entry < 0) {
      int close = offset + length - 1;
      while (close > offset && json.getByte(close) != '}') {
        close--;
      }
      editStart = close;
      editEnd = close;
      createdFrom = 0;
      needsComma = indexCount > 0;
      resultIndexLength =
          indexCount < FieldIndex.MAX_FIELDS ? FieldIndex.lengthFor(indexCount + 1) : 0;
      return length + createdLength(0);
    }
    resultIndexLength = FieldIndex.lengthFor(indexCount);
    int valueStart = offset + index.getInt(entry + FieldIndex.VALUE_START);
    int valueEnd = offset + index.getInt(entry + FieldIndex.VALUE_END);
    return descend(1, valueStart, valueEnd, offset + length);
  }

  /**
   * The index entry at {@link #entryHint} when it names {@code key}, else -1. A key of up to 8
   * bytes is compared in one load of the JSON where the entry says it is (masked to its length);
   * the load stays inside the buffer.
   */
  private int hintedEntry(DirectBuffer json, int jsonOffset, byte[] key) {
    int hint = entryHint;
    if (hint < 0 || hint >= indexCount) {
      return -1;
    }
    int entry = indexOffset + FieldIndex.ENTRIES_OFFSET + hint * FieldIndex.ENTRY_BYTES;
    if (index.getInt(entry + FieldIndex.KEY_LENGTH) != key.length) {
      return -1;
    }
    int at = jsonOffset + index.getInt(entry + FieldIndex.KEY_OFFSET);
    return keyAt(json, at, key) ? entry : -1;
  }

  /** Whether {@code key} lies at {@code at}: one masked load for a key of up to 8 bytes. */
  private boolean keyAt(DirectBuffer json, int at, byte[] key) {
    if (key.length > Long.BYTES || at + Long.BYTES > json.capacity()) {
      for (int k = 0; k < key.length; k++) {
        if (json.getByte(at + k) != key[k]) {
          return false;
        }
      }
      return true;
    }
    if (key != packedKey) {
      pack(key);
    }
    return (json.getLong(at) & packedMask) == packedBytes;
  }

  /**
   * The cheap case of setting top-level member {@code key} of {@code msg}'s JSON: the message
   * carries a field index, the key is where the last message had it (a chain of change nodes: every
   * time) and its value is {@code valueLength} bytes long, as the new one. Writing the new value
   * over the old one is then the whole edit: the record keeps its length and its index (a counter,
   * a flag, a hop number of as many digits). Nothing of this patch's prepared state changes.
   *
   * @return the offset of the old value in {@code msg.buffer()}, or -1 when the case does not apply
   *     (then {@link #prepare(MessageFlyweight, byte[][], int)} does the general edit)
   */
  public int sameLengthValue(MessageFlyweight msg, byte[] key, int valueLength) {
    int hint = entryHint;
    if (hint < 0 || msg.indexLength() <= 0) {
      return -1;
    }
    DirectBuffer json = msg.buffer();
    int at = msg.indexOffset();
    if (hint >= FieldIndex.count(json, at)) {
      return -1;
    }
    int entry = at + FieldIndex.ENTRIES_OFFSET + hint * FieldIndex.ENTRY_BYTES;
    int jsonOffset = msg.jsonOffset();
    int start = json.getInt(entry + FieldIndex.VALUE_START);
    if (json.getInt(entry + FieldIndex.VALUE_END) - start != valueLength
        || json.getInt(entry + FieldIndex.KEY_LENGTH) != key.length
        || !keyAt(json, jsonOffset + json.getInt(entry + FieldIndex.KEY_OFFSET), key)) {
      return -1;
    }
    return jsonOffset + start;
  }

  private void pack(byte[] key) {
    packing.setMemory(0, Long.BYTES, (byte) 0);
    packing.putBytes(0, key);
    packedBytes = packing.getLong(0);
    packing.setMemory(0, key.length, (byte) 0xFF);
    packedMask = packing.getLong(0);
    packedKey = key;
  }

  /**
   * Writes the result of the last {@link #prepare(MessageFlyweight, byte[][], int)} over the
   * message it was prepared on, in place: {@code record} is that message's buffer, made writable,
   * with room after it for the result. The bytes after the edit (the rest of the JSON and the
   * {@code binaryLength} bytes of binary payload that follow it) move by the size difference, the
   * new value (and the keys created for it) is written, and, when {@link #resultIndexLength()} is
   * not 0, the result's field index right after the binary payload.
   */
  public void writeInPlace(
      DirectBuffer value, int valueOffset, MutableDirectBuffer record, int binaryLength) {
    if (record != source) {
      throw new IllegalStateException("writeInPlace needs the buffer that was prepared");
    }
    int written = writtenLength();
    int delta = written - (editEnd - editStart);
    int tail = sourceOffset + sourceLength + binaryLength - editEnd;
    if (index == source && resultIndexLength > 0) {
      // the record's own index, right after the binary payload, moves with the tail and is
      // brought up to date where it lands: no copy of it aside, no rewrite of every entry
      int indexLength = FieldIndex.lengthFor(indexCount);
      move(record, editEnd, tail + indexLength, delta);
      if (delta != 0 || createdFrom != path.length) {
        shiftIndex(record, indexOffset + delta, delta, written);
      }
      putEdit(record, editStart, value, valueOffset);
      return;
    }
    move(record, editEnd, tail, delta);
    putEdit(record, editStart, value, valueOffset);
    if (resultIndexLength > 0) {
      writeIndex(record, sourceOffset + sourceLength + delta + binaryLength);
    }
  }

  /**
   * Moves the {@code length} bytes at {@code from} by {@code delta} within {@code record}
   * (overlapping): 8 bytes at a time, from the end when they move up, with the first (or last)
   * eight read before anything is written; a move shorter than 8 bytes goes byte by byte, a long
   * one ({@link Bytes#LOOP_LIMIT} or more) is a memmove.
   */
  static void move(MutableDirectBuffer record, int from, int length, int delta) {
    if (delta == 0 || length <= 0) {
      return;
    }
    if (length >= Bytes.LOOP_LIMIT) {
      record.putBytes(from + delta, record, from, length);
    } else if (length < Long.BYTES) {
      if (delta > 0) {
        for (int i = length - 1; i >= 0; i--) {
          record.putByte(from + delta + i, record.getByte(from + i));
        }
      } else {
        for (int i = 0; i < length; i++) {
          record.putByte(from + delta + i, record.getByte(from + i));
        }
      }
    } else if (delta > 0) {
      // each write lands above every byte still to be read
      long first = record.getLong(from);
      for (int i = length - Long.BYTES; i > 0; i -= Long.BYTES) {
        record.putLong(from + delta + i, record.getLong(from + i));
      }
      record.putLong(from + delta, first);
    } else {
      // each write lands below every byte still to be read
      int last = length - Long.BYTES;
      long lastBytes = record.getLong(from + last);
      for (int i = 0; i < last; i += Long.BYTES) {
        record.putLong(from + delta + i, record.getLong(from + i));
      }
      record.putLong(from + delta + last, lastBytes);
    }
  }

  /**
   * Brings the index of the prepared edit's source, already moved to {@code at} with the bytes
   * after the edit, up to date with the result: the entries after the edit shift by {@code delta},
   * the one holding the edit grows by it, and an appended member gets its entry.
   */
  private void shiftIndex(MutableDirectBuffer record, int at, int delta, int written) {
    int start = editStart - sourceOffset;
    int end = editEnd - sourceOffset;
    int count = indexCount;
    if (createdFrom == 0) {
      // a member appended: every entry stays where it was, one more after them
      int key = start + (needsComma ? 1 : 0) + 1;
      FieldIndex.putEntry(
          record, at, count, key, path[0].length, key + path[0].length + 2, start + written);
      FieldIndex.putCount(
          record,
          at,
          count + 1,
          indexPlainKeys && FieldIndex.isPlain(path[0]),
          FieldIndex.isCompact(record, at, count + 1, sourceLength + delta));
      return;
    }
    int entry = at + FieldIndex.ENTRIES_OFFSET;
    for (int n = 0; n < count; n++, entry += FieldIndex.ENTRY_BYTES) {
      int valueStart = record.getInt(entry + FieldIndex.VALUE_START);
      if (valueStart >= end) {
        record.putInt(
            entry + FieldIndex.KEY_OFFSET, record.getInt(entry + FieldIndex.KEY_OFFSET) + delta);
        record.putInt(entry + FieldIndex.VALUE_START, valueStart + delta);
        record.putInt(
            entry + FieldIndex.VALUE_END, record.getInt(entry + FieldIndex.VALUE_END) + delta);
      } else if (valueStart <= start && end <= record.getInt(entry + FieldIndex.VALUE_END)) {
        record.putInt(
            entry + FieldIndex.VALUE_END, record.getInt(entry + FieldIndex.VALUE_END) + delta);
      }
    }
  }

  /** Length of the index {@link #writeIndex} writes for the last prepared message edit. */
  public int resultIndexLength() {
    return resultIndexLength;
  }

  /**
   * Writes the field index of the JSON {@link #write} wrote, after a {@link
   * #prepare(MessageFlyweight, byte[][], int)} whose {@link #resultIndexLength()} was not 0.
   */
  public void writeIndex(MutableDirectBuffer dst, int dstOffset) {
    int start = editStart - sourceOffset;
    int end = editEnd - sourceOffset;
    int written = writtenLength();
    int delta = written - (end - start);
    int count = indexCount;
    boolean appended = createdFrom == 0;
    if (delta == 0 || appended) {
      // a value of the same length (most counters, flags, timestamps), or a member appended:
      // every entry stays where it was
      Bytes.copy(index, indexOffset, dst, dstOffset, FieldIndex.lengthFor(count));
      if (appended) {
        int key = start + (needsComma ? 1 : 0) + 1;
        FieldIndex.putEntry(
            dst, dstOffset, count, key, path[0].length, key + path[0].length + 2, start + written);
        // a key not found among unique plain keys is new: plain, the result's keys are too
        FieldIndex.putCount(
            dst,
            dstOffset,
            count + 1,
            indexPlainKeys && FieldIndex.isPlain(path[0]),
            FieldIndex.isCompact(dst, dstOffset, count + 1, sourceLength + delta));
      }
      return;
    }
    FieldIndex.putCount(dst, dstOffset, count, indexPlainKeys, indexCompact);
    int from = indexOffset + FieldIndex.ENTRIES_OFFSET;
    for (int n = 0; n < count; n++, from += FieldIndex.ENTRY_BYTES) {
      int key = index.getInt(from + FieldIndex.KEY_OFFSET);
      int valueStart = index.getInt(from + FieldIndex.VALUE_START);
      int valueEnd = index.getInt(from + FieldIndex.VALUE_END);
      if (valueStart >= end) {
        key += delta;
        valueStart += delta;
        valueEnd += delta;
      } else if (valueStart <= start && end <= valueEnd) {
        valueEnd += delta;
      }
      FieldIndex.putEntry(
          dst, dstOffset, n, key, index.getInt(from + FieldIndex.KEY_LENGTH), valueStart, valueEnd);
    }
  }

  /**
   * Works out how to set {@code path} to a value of {@code valueLength} bytes in the object at
   * {@code [offset, offset + length)}.
   *
   * @param path one key per level, at least one
   * @return the length of the patched JSON, or -1 when the source is not a JSON object
   * @throws IllegalArgumentException if {@code path} is empty
   */
  public int prepare(DirectBuffer source, int offset, int length, byte[][] path, int valueLength) {
    resultIndexLength = 0;
    unchanged = false;
    if (path.length == 0) {
      throw new IllegalArgumentException("path is empty: name at least one key to set");
    }
    this.source = source;
    this.sourceOffset = offset;
    this.sourceLength = length;
    this.path = path;
    this.valueLength = valueLength;
    int limit = offset + length;
    int objectStart = JsonScanner.skipWhitespace(source, offset, limit);
    if (objectStart >= limit || source.getByte(objectStart) != '{') {
      return -1;
    }
    return descendFrom(0, objectStart, limit);
  }

  /** Continues below the top-level value at {@code [valueStart, valueEnd)}, found at depth 1. */
  private int descend(int depth, int valueStart, int valueEnd, int limit) {
    if (depth == path.length) {
      editStart = valueStart;
      editEnd = valueEnd;
      createdFrom = path.length;
      return sourceLength - (valueEnd - valueStart) + valueLength;
    }
    if (source.getByte(valueStart) != '{') {
      // a scalar, null or array in the way: Node-RED sets nothing beneath it, and neither do we
      editStart = valueEnd;
      editEnd = valueEnd;
      createdFrom = path.length;
      unchanged = true;
      return sourceLength;
    }
    return descendFrom(depth, valueStart, limit);
  }

  /** Looks for {@code path[depth..]} in the object at {@code objectStart}. */
  private int descendFrom(int depth, int objectStart, int limit) {
    while (depth < path.length) {
      long span = JsonScanner.findKey(source, objectStart, limit, path[depth]);
      if (span == JsonScanner.NOT_FOUND) {
        break;
      }
      int valueStart = JsonScanner.spanStart(span);
      int valueEnd = JsonScanner.spanEnd(span);
      depth++;
      if (depth == path.length || source.getByte(valueStart) != '{') {
        return descend(depth, valueStart, valueEnd, limit);
      }
      objectStart = valueStart;
    }
    int close = JsonScanner.objectEnd(source, objectStart, limit);
    if (close < 0) {
      return -1;
    }
    editStart = close;
    editEnd = close;
    createdFrom = depth;
    needsComma = !JsonScanner.isEmptyObject(source, objectStart, limit);
    return sourceLength + createdLength(depth);
  }

  /** Length of the text created for path segments {@code from..end}, plus the value. */
  private int createdLength(int from) {
    int n = needsComma ? 1 : 0;
    for (int i = from; i < path.length; i++) {
      n += path[i].length + 3; // "key":
      if (i > from) {
        n += 2; // { and } of a nested object
      }
    }
    return n + valueLength;
  }

  /**
   * Writes the patched JSON prepared by {@link #prepare} into {@code dst} at {@code dstOffset}.
   *
   * @param value the new value's JSON bytes (exactly the {@code valueLength} given to prepare);
   *     null writes {@code null} (then valueLength must have been 4)
   * @return the number of bytes written
   */
  public int write(DirectBuffer value, int valueOffset, MutableDirectBuffer dst, int dstOffset) {
    int head = editStart - sourceOffset;
    Bytes.copy(source, sourceOffset, dst, dstOffset, head);
    int at = putEdit(dst, dstOffset + head, value, valueOffset);
    int tail = sourceOffset + sourceLength - editEnd;
    Bytes.copy(source, editEnd, dst, at, tail);
    return at + tail - dstOffset;
  }

  /** The length of what replaces {@code [editStart, editEnd)}. */
  private int writtenLength() {
    if (unchanged) {
      return 0;
    }
    return createdFrom == path.length ? valueLength : createdLength(createdFrom);
  }

  /** Writes what replaces {@code [editStart, editEnd)} at {@code at}; returns where it ends. */
  private int putEdit(MutableDirectBuffer dst, int at, DirectBuffer value, int valueOffset) {
    if (unchanged) {
      return at;
    }
    if (createdFrom == path.length) {
      at = putValue(dst, at, value, valueOffset);
    } else {
      if (needsComma) {
        dst.putByte(at++, (byte) ',');
      }
      for (int i = createdFrom; i < path.length; i++) {
        if (i > createdFrom) {
          dst.putByte(at++, (byte) '{');
        }
        dst.putByte(at++, (byte) '"');
        at = putKey(dst, at, path[i]);
        dst.putByte(at++, (byte) '"');
        dst.putByte(at++, (byte) ':');
      }
      at = putValue(dst, at, value, valueOffset);
      for (int i = createdFrom + 1; i < path.length; i++) {
        dst.putByte(at++, (byte) '}');
      }
    }
    return at;
  }

  /** Writes {@code key}'s bytes at {@code at}; a short key byte by byte (no copy call). */
  private static int putKey(MutableDirectBuffer dst, int at, byte[] key) {
    if (key.length > Long.BYTES) {
      dst.putBytes(at, key);
      return at + key.length;
    }
    for (byte b : key) {
      dst.putByte(at++, b);
    }
    return at;
  }

  private int putValue(MutableDirectBuffer dst, int at, DirectBuffer value, int valueOffset) {
    if (value == null) {
      dst.putBytes(at, NULL);
      return at + NULL.length;
    }
    if (valueLength > 0 && valueLength <= 2) {
      // a digit or two (a counter, a flag's hop number): no call for a loop of one or two bytes
      dst.putByte(at, value.getByte(valueOffset));
      if (valueLength == 2) {
        dst.putByte(at + 1, value.getByte(valueOffset + 1));
      }
      return at + valueLength;
    }
    Bytes.copy(value, valueOffset, dst, at, valueLength);
    return at + valueLength;
  }
}
