package dev.z8run.io.json;

import dev.z8run.io.message.Bytes;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Sets a field of a JSON object in place: the result is the source bytes with one span replaced or
 * one member inserted, copied straight into the destination (an inbox claim). Missing objects along
 * the path are created; a non-object in the way is replaced by an object.
 *
 * <p>Use: {@link #prepare} computes the edit and returns the result length, so the caller can claim
 * exactly that many bytes; {@link #write} then writes the result. Reusable and allocation-free; not
 * thread-safe (one per node instance).
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
  private boolean wrapInObject;

  /**
   * Works out how to set {@code path} to a value of {@code valueLength} bytes in the object at
   * {@code [offset, offset + length)}.
   *
   * @param path one key per level, at least one
   * @return the length of the patched JSON, or -1 when the source is not a JSON object
   * @throws IllegalArgumentException if {@code path} is empty
   */
  public int prepare(DirectBuffer source, int offset, int length, byte[][] path, int valueLength) {
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
    int depth = 0;
    while (depth < path.length) {
      long span = JsonScanner.findKey(source, objectStart, limit, path[depth]);
      if (span == JsonScanner.NOT_FOUND) {
        break;
      }
      int valueStart = JsonScanner.spanStart(span);
      int valueEnd = JsonScanner.spanEnd(span);
      depth++;
      if (depth == path.length) {
        editStart = valueStart;
        editEnd = valueEnd;
        createdFrom = path.length;
        wrapInObject = false;
        return length - (valueEnd - valueStart) + valueLength;
      }
      if (source.getByte(valueStart) != '{') {
        // a scalar or array in the way: replace it by an object holding the rest of the path
        editStart = valueStart;
        editEnd = valueEnd;
        createdFrom = depth;
        wrapInObject = true;
        return length - (valueEnd - valueStart) + createdLength(depth, true);
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
    wrapInObject = false;
    needsComma = !JsonScanner.isEmptyObject(source, objectStart, limit);
    return length + createdLength(depth, false);
  }

  /** Length of the text created for path segments {@code from..end}, plus the value. */
  private int createdLength(int from, boolean wrapped) {
    int n = wrapped ? 2 : (needsComma ? 1 : 0);
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
    int at = dstOffset + head;
    if (createdFrom == path.length) {
      at = putValue(dst, at, value, valueOffset);
    } else {
      if (wrapInObject) {
        dst.putByte(at++, (byte) '{');
      } else if (needsComma) {
        dst.putByte(at++, (byte) ',');
      }
      for (int i = createdFrom; i < path.length; i++) {
        if (i > createdFrom) {
          dst.putByte(at++, (byte) '{');
        }
        dst.putByte(at++, (byte) '"');
        dst.putBytes(at, path[i]);
        at += path[i].length;
        dst.putByte(at++, (byte) '"');
        dst.putByte(at++, (byte) ':');
      }
      at = putValue(dst, at, value, valueOffset);
      for (int i = createdFrom + 1; i < path.length; i++) {
        dst.putByte(at++, (byte) '}');
      }
      if (wrapInObject) {
        dst.putByte(at++, (byte) '}');
      }
    }
    int tail = sourceOffset + sourceLength - editEnd;
    Bytes.copy(source, editEnd, dst, at, tail);
    return at + tail - dstOffset;
  }

  private int putValue(MutableDirectBuffer dst, int at, DirectBuffer value, int valueOffset) {
    if (value == null) {
      dst.putBytes(at, NULL);
      return at + NULL.length;
    }
    Bytes.copy(value, valueOffset, dst, at, valueLength);
    return at + valueLength;
  }
}
