package dev.z8run.io.frame;

import org.agrona.DirectBuffer;

/**
 * A read view over a {@link MessageType#COUNTERS} payload: per-node message counters of one flow.
 *
 * <pre>
 *  0              2             2+F          6+F
 *  +--------------+-------------+------------+------------------------------
 *  | flow_len u16 | flow_id (F) | count u32  | count entries, back to back:
 *  +--------------+-------------+------------+------------------------------
 *
 *  entry:
 *  0              2             2+N      10+N      18+N        26+N       34+N         38+N
 *  +--------------+-------------+--------+---------+-----------+----------+------------+--
 *  | node_len u16 | node_id (N) | in u64 | out u64 | errors u64| drops u64| queued u32 |
 *  +--------------+-------------+--------+---------+-----------+----------+------------+--
 *  38+N          42+N         50+N         58+N
 *  +-------------+------------+------------+
 *  | samples u32 | p50_ns u64 | p99_ns u64 |   processing time of the messages timed
 *  +-------------+------------+------------+   since the previous COUNTERS to this client
 * </pre>
 *
 * <p>{@link #wrap} walks and validates every entry (a count that could not fit is rejected before
 * the walk); then {@link #nextEntry()} iterates them without allocating.
 */
public final class CountersFlyweight extends FlowEventFlyweight {
  /** The smallest entry: an empty node id and the fixed counters. */
  public static final int MIN_ENTRY_LENGTH = Short.BYTES + 6 * Long.BYTES + 2 * Integer.BYTES;

  private final PayloadCursor entries = new PayloadCursor();
  private int count;
  private int entriesOffset;
  private int entriesLength;
  private int index;
  private long in;
  private long out;
  private long errors;
  private long drops;
  private int queued;
  private int samples;
  private long p50Ns;
  private long p99Ns;

  public CountersFlyweight() {
    super("COUNTERS");
  }

  public CountersFlyweight wrap(FrameFlyweight frame) {
    return wrap(frame.buffer(), frame.payloadOffset(), frame.payloadLength());
  }

  public CountersFlyweight wrap(DirectBuffer buffer, int offset, int length) {
    PayloadCursor c = begin(buffer, offset, length);
    long n = c.u32("count") & 0xFFFF_FFFFL;
    c.expectRecords("count", n, MIN_ENTRY_LENGTH);
    entriesOffset = c.position();
    count = c.ok() ? (int) n : 0;
    for (int i = 0; i < count && c.ok(); i++) {
      c.string16("node_id");
      c.u64("in");
      c.u64("out");
      c.u64("errors");
      c.u64("drops");
      c.u32("queued");
      c.u32("samples");
      c.u64("p50_ns");
      c.u64("p99_ns");
    }
    c.end();
    entriesLength = c.position() - entriesOffset;
    if (!c.ok()) {
      count = 0;
    }
    resetEntries();
    return this;
  }

  /** Number of entries; 0 when the payload is invalid. */
  public int count() {
    return count;
  }

  /** Rewinds {@link #nextEntry()} to the first entry. */
  public void resetEntries() {
    index = 0;
    entries.wrap(buffer(), entriesOffset, entriesLength);
  }

  /** Moves to the next entry; false when there is none. The entry accessors then read it. */
  public boolean nextEntry() {
    if (index >= count) {
      return false;
    }
    PayloadCursor e = entries;
    readNodeId(e);
    in = e.u64("in");
    out = e.u64("out");
    errors = e.u64("errors");
    drops = e.u64("drops");
    queued = e.u32("queued");
    samples = e.u32("samples");
    p50Ns = e.u64("p50_ns");
    p99Ns = e.u64("p99_ns");
    index++;
    return e.ok();
  }

  public long in() {
    return in;
  }

  public long out() {
    return out;
  }

  public long errors() {
    return errors;
  }

  public long drops() {
    return drops;
  }

  /** Unsigned messages waiting in the node's inbox. */
  public long queued() {
    return queued & 0xFFFF_FFFFL;
  }

  /** Unsigned messages timed since the previous COUNTERS; 0 when the figures below mean nothing. */
  public long samples() {
    return samples & 0xFFFF_FFFFL;
  }

  /** Median processing time of the timed messages, ns. */
  public long p50Ns() {
    return p50Ns;
  }

  /** 99th-percentile processing time of the timed messages, ns. */
  public long p99Ns() {
    return p99Ns;
  }
}
