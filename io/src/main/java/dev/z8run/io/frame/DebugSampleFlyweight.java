package dev.z8run.io.frame;

import org.agrona.DirectBuffer;

/**
 * A read view over a {@link MessageType#DEBUG_SAMPLE} payload: one message a debug node saw, with a
 * JSON preview capped in size. All integers little endian; strings are UTF-8.
 *
 * <pre>
 *  0              2                 2+F            4+F                  4+F+N
 *  +--------------+-----------------+--------------+--------------------+
 *  | flow_len u16 | flow_id (F)     | node_len u16 | node_id (N)        |
 *  +--------------+-----------------+--------------+--------------------+
 *  +0 (= 4+F+N)         +8                  +16         +17                +21            +25
 *  +--------------------+-------------------+-----------+------------------+--------------+------------------
 *  | execution_id u64   | timestamp_ms u64  | truncated | original_len u32 | preview_len  | preview (P):
 *  |                    | (epoch millis)    | u8 0 / 1  | (bytes, uncapped)| u32 = P      | UTF-8 JSON
 *  +--------------------+-------------------+-----------+------------------+--------------+------------------
 * </pre>
 *
 * <p>{@link #wrap} validates as it reads: every length is checked against the payload, {@code
 * truncated} must be 0 or 1, and no bytes may follow the preview. It never throws and never reads
 * outside the payload; {@link #validate()} says what was wrong. Reusable, not thread safe.
 */
public final class DebugSampleFlyweight extends FlowEventFlyweight {
  /** Fixed bytes after the node id: execution id, timestamp, truncated flag, original length. */
  public static final int FIXED_LENGTH = Long.BYTES + Long.BYTES + Byte.BYTES + Integer.BYTES;

  private long executionId;
  private long timestampMs;
  private boolean truncated;
  private int originalLength;
  private int previewOffset;
  private int previewLength;

  public DebugSampleFlyweight() {
    super("DEBUG_SAMPLE");
  }

  /** Reads the payload of a validated frame. */
  public DebugSampleFlyweight wrap(FrameFlyweight frame) {
    return wrap(frame.buffer(), frame.payloadOffset(), frame.payloadLength());
  }

  /** Reads and validates the payload of {@code length} bytes at {@code offset}. */
  public DebugSampleFlyweight wrap(DirectBuffer buffer, int offset, int length) {
    PayloadCursor c = begin(buffer, offset, length);
    readNodeId(c);
    executionId = c.u64("execution_id");
    timestampMs = c.u64("timestamp_ms");
    truncated = c.flag("truncated");
    originalLength = c.u32("original_len");
    previewOffset = c.bytes32("preview");
    previewLength = c.lastLength();
    c.end();
    return this;
  }

  public long executionId() {
    return executionId;
  }

  public long timestampMs() {
    return timestampMs;
  }

  /** Whether the preview was cut short of the message's full JSON. */
  public boolean truncated() {
    return truncated;
  }

  /** Length in bytes of the full JSON before capping; unsigned. */
  public int originalLength() {
    return originalLength;
  }

  public int previewOffset() {
    return previewOffset;
  }

  public int previewLength() {
    return previewLength;
  }

  /** Allocates: for cold paths and tests. */
  public String preview() {
    return Utf8.get(buffer(), previewOffset, previewLength);
  }
}
