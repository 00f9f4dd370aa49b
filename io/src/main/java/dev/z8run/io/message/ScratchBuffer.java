package dev.z8run.io.message;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A growable off-heap work area that is always an {@link UnsafeBuffer}. The hot path reads and
 * writes inbox rings through {@code UnsafeBuffer}; giving scratch space the same class keeps every
 * buffer call site monomorphic, so the JIT inlines them (a second buffer class on the path turns
 * each byte access into a virtual call).
 *
 * <p>Growth replaces the underlying buffer: fetch {@link #buffer()} again after {@link #ensure}.
 * Not thread-safe.
 */
public final class ScratchBuffer {
  private UnsafeBuffer buffer;

  public ScratchBuffer(int initialCapacity) {
    buffer = allocate(initialCapacity);
  }

  public UnsafeBuffer buffer() {
    return buffer;
  }

  /**
   * Makes room for at least {@code capacity} bytes, keeping the first {@code keep} bytes.
   *
   * @return the (possibly new) buffer
   */
  public UnsafeBuffer ensure(int capacity, int keep) {
    if (capacity > buffer.capacity()) {
      UnsafeBuffer grown = allocate(capacity);
      grown.putBytes(0, buffer, 0, keep);
      buffer = grown;
    }
    return buffer;
  }

  private static UnsafeBuffer allocate(int capacity) {
    return new UnsafeBuffer(
        BufferUtil.allocateDirectAligned(
            BitUtil.findNextPositivePowerOfTwo(Math.max(capacity, 64)), BitUtil.CACHE_LINE_LENGTH));
  }
}
