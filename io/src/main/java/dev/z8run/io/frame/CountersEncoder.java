package dev.z8run.io.frame;

import static dev.z8run.io.frame.FrameDescriptor.HEADER_LENGTH;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.MutableDirectBuffer;

/**
 * Writes a COUNTERS frame (layout in {@link CountersFlyweight}) one entry at a time: {@link #wrap},
 * {@link #addEntry} per node, then {@link #finish()}. Reusable and allocation free; not thread
 * safe.
 */
public final class CountersEncoder {
  private MutableDirectBuffer buffer;
  private int offset;
  private int countOffset;
  private int position;
  private int count;

  /** Starts a frame at {@code offset} for {@code flowId}. */
  public CountersEncoder wrap(MutableDirectBuffer buffer, int offset, CharSequence flowId) {
    this.buffer = buffer;
    this.offset = offset;
    int p = offset + HEADER_LENGTH;
    p += EventEncoder.putString16(buffer, p, flowId, "flow_id");
    countOffset = p;
    position = p + Integer.BYTES;
    count = 0;
    return this;
  }

  /**
   * Adds one node's entry.
   *
   * @param samples messages timed since this client's previous COUNTERS (0: no latency figures)
   * @param p50Ns median processing time of those, in ns (ignored when {@code samples} is 0)
   * @param p99Ns 99th percentile of those, in ns
   */
  public CountersEncoder addEntry(
      CharSequence nodeId,
      long in,
      long out,
      long errors,
      long drops,
      int queued,
      int samples,
      long p50Ns,
      long p99Ns) {
    int p = position;
    p += EventEncoder.putString16(buffer, p, nodeId, "node_id");
    buffer.putLong(p, in, LITTLE_ENDIAN);
    p += Long.BYTES;
    buffer.putLong(p, out, LITTLE_ENDIAN);
    p += Long.BYTES;
    buffer.putLong(p, errors, LITTLE_ENDIAN);
    p += Long.BYTES;
    buffer.putLong(p, drops, LITTLE_ENDIAN);
    p += Long.BYTES;
    buffer.putInt(p, queued, LITTLE_ENDIAN);
    p += Integer.BYTES;
    buffer.putInt(p, samples, LITTLE_ENDIAN);
    p += Integer.BYTES;
    buffer.putLong(p, samples == 0 ? 0 : p50Ns, LITTLE_ENDIAN);
    p += Long.BYTES;
    buffer.putLong(p, samples == 0 ? 0 : p99Ns, LITTLE_ENDIAN);
    position = p + Long.BYTES;
    count++;
    return this;
  }

  /**
   * Writes the entry count and the header.
   *
   * @return the frame length
   */
  public int finish() {
    buffer.putInt(countOffset, count, LITTLE_ENDIAN);
    return EventEncoder.finish(buffer, offset, MessageType.COUNTERS, position);
  }
}
