package dev.z8run.io.message;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Byte copies tuned for the hot path's small messages: below {@link #LOOP_LIMIT} bytes a loop of
 * 8-byte moves beats {@code Unsafe.copyMemory}, whose argument checks dominate a 40-byte copy.
 * Source and destination must not overlap.
 */
public final class Bytes {
  /** Copies at least this long go to {@link MutableDirectBuffer#putBytes}. */
  public static final int LOOP_LIMIT = 256;

  private Bytes() {}

  public static void copy(
      DirectBuffer src, int srcIndex, MutableDirectBuffer dst, int dstIndex, int length) {
    if (length >= LOOP_LIMIT) {
      dst.putBytes(dstIndex, src, srcIndex, length);
      return;
    }
    if (length < Long.BYTES) {
      for (int i = 0; i < length; i++) {
        dst.putByte(dstIndex + i, src.getByte(srcIndex + i));
      }
      return;
    }
    int last = length - Long.BYTES;
    for (int i = 0; i < last; i += Long.BYTES) {
      dst.putLong(dstIndex + i, src.getLong(srcIndex + i));
    }
    // the tail as one overlapping 8-byte move instead of a byte loop
    dst.putLong(dstIndex + last, src.getLong(srcIndex + last));
  }
}
