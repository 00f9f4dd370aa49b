package dev.z8run.core.runtime;

import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Per-node histograms of processing time (one message's {@code onMessage}, nanoseconds), off-heap
 * and allocation free to record. Buckets are logarithmic with four sub-buckets per power of two
 * (like HdrHistogram with two significant bits): a value is known within 12.5% of the bucket's
 * middle, from 1 ns up to {@value #MAX_EXPONENT}-bit values (about nine minutes; longer is counted
 * in the last bucket).
 *
 * <p>Writers follow {@link NodeCounters}: a worker-run node has one writer (its worker), which
 * publishes with ordered stores; a blocking node's virtual threads use atomic adds. Readers copy a
 * node's buckets with volatile loads ({@link #copy}) and compute percentiles on the copy, usually
 * of the difference between two copies (the last second's window).
 *
 * <pre>
 *  node i at i * {@value #STRIDE}: bucket 0 .. {@value #BUCKETS}-1, a u64 count each
 * </pre>
 */
public final class LatencyHistograms {
  /** Buckets per node. */
  public static final int BUCKETS = 4 * (LatencyHistograms.MAX_EXPONENT - 1);

  static final int MAX_EXPONENT = 40;
  static final int STRIDE = ((BUCKETS * Long.BYTES + 63) / 64) * 64;

  private final UnsafeBuffer buffer;
  private final int nodes;

  LatencyHistograms(int nodeCount) {
    nodes = Math.max(1, nodeCount);
    buffer = new UnsafeBuffer(BufferUtil.allocateDirectAligned(nodes * STRIDE, 64));
  }

  /** Nodes held (the flow's planned node count). */
  public int nodes() {
    return nodes;
  }

  /** The bucket of a duration: values below 4 ns each have their own, then 4 per power of two. */
  public static int bucket(long ns) {
    if (ns < 4) {
      return ns <= 0 ? 0 : (int) ns;
    }
    int exponent = 63 - Long.numberOfLeadingZeros(ns);
    if (exponent >= MAX_EXPONENT) {
      return BUCKETS - 1;
    }
    int sub = (int) (ns >>> (exponent - 2)) & 3;
    return 4 * (exponent - 1) + sub;
  }

  /** The smallest value that falls in {@code bucket}. */
  public static long lowest(int bucket) {
    if (bucket < 4) {
      return bucket;
    }
    int exponent = bucket / 4 + 1;
    return (long) (4 + bucket % 4) << (exponent - 2);
  }

  /** The value a bucket stands for: the middle of its range. */
  public static long value(int bucket) {
    if (bucket < 4) {
      return bucket;
    }
    long low = lowest(bucket);
    long width = 1L << (bucket / 4 - 1);
    return low + width / 2;
  }

  /** Counts one duration, from the node's single writer thread (its worker). */
  void recordOrdered(int node, long ns) {
    int offset = node * STRIDE + bucket(ns) * Long.BYTES;
    buffer.putLongRelease(offset, buffer.getLong(offset) + 1);
  }

  /** Counts one duration, from any thread. */
  void recordAtomic(int node, long ns) {
    buffer.getAndAddLong(node * STRIDE + bucket(ns) * Long.BYTES, 1);
  }

  /**
   * Copies node {@code node}'s buckets into {@code into} at {@code at} ({@value #BUCKETS} longs).
   * Any thread.
   */
  public void copy(int node, long[] into, int at) {
    int base = node * STRIDE;
    for (int b = 0; b < BUCKETS; b++) {
      into[at + b] = buffer.getLongVolatile(base + b * Long.BYTES);
    }
  }

  /**
   * The {@code quantile} (0..1) of the counts {@code now - before} ({@value #BUCKETS} each, from
   * {@code at}; {@code before} may be null: all of {@code now}), as a bucket's {@link #value}; -1
   * when the window holds no sample.
   */
  public static long percentile(long[] now, long[] before, int at, double quantile) {
    long total = 0;
    for (int b = 0; b < BUCKETS; b++) {
      total += now[at + b] - (before == null ? 0 : before[at + b]);
    }
    if (total <= 0) {
      return -1;
    }
    long rank = Math.max(1, (long) Math.ceil(quantile * total));
    long seen = 0;
    for (int b = 0; b < BUCKETS; b++) {
      seen += now[at + b] - (before == null ? 0 : before[at + b]);
      if (seen >= rank) {
        return value(b);
      }
    }
    return value(BUCKETS - 1);
  }

  /** Samples in {@code now - before} (see {@link #percentile}). */
  public static long samples(long[] now, long[] before, int at) {
    long total = 0;
    for (int b = 0; b < BUCKETS; b++) {
      total += now[at + b] - (before == null ? 0 : before[at + b]);
    }
    return total;
  }
}
