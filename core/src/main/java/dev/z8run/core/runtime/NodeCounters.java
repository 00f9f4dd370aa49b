package dev.z8run.core.runtime;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Per-node counters of one flow, off-heap, one cache line per node so that workers never share a
 * line. Worker-run nodes have a single writer (their worker), which publishes with ordered stores;
 * blocking nodes are written by many virtual threads and use atomic adds. Readers (metrics, the
 * harness) read with volatile loads.
 *
 * <pre>
 *  node i at i * 64: 0 messages_in | 8 messages_out | 16 errors | 24 drops | 32 busy_ns
 *                    40 blocked (times its output had to wait for a full inbox) | 48..63 reserved
 * </pre>
 */
public final class NodeCounters {
  public static final int MESSAGES_IN = 0;
  public static final int MESSAGES_OUT = 8;
  public static final int ERRORS = 16;
  public static final int DROPS = 24;
  public static final int BUSY_NS = 32;
  public static final int BLOCKED = 40;
  static final int STRIDE = 64;

  private final UnsafeBuffer buffer;

  NodeCounters(int nodeCount) {
    buffer =
        new UnsafeBuffer(BufferUtil.allocateDirectAligned(Math.max(1, nodeCount) * STRIDE, STRIDE));
  }

  /**
   * A view of node {@code node}'s line alone, for its single writer (its worker), which adds
   * through {@link #addOrdered(UnsafeBuffer, int, long)}: no offset computed and no indirection
   * through this object per add, which counts on a hop of a few tens of nanoseconds.
   */
  UnsafeBuffer line(int node) {
    return new UnsafeBuffer(buffer, node * STRIDE, STRIDE);
  }

  /** Adds to {@code counter} of a {@link #line(int)} from the node's single writer thread. */
  static void addOrdered(UnsafeBuffer line, int counter, long delta) {
    line.putLongRelease(counter, line.getLong(counter) + delta);
  }

  /** Adds from any thread. */
  void addAtomic(int node, int counter, long delta) {
    buffer.getAndAddLong(node * STRIDE + counter, delta);
  }

  /** Reads a counter from any thread. */
  public long get(int node, int counter) {
    return buffer.getLongVolatile(node * STRIDE + counter);
  }
}
