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
public final class DebugSampleFlyweight {
  /** Fixed bytes after the node id: execution id, timestamp, truncated flag, original length. */
  public static final int FIXED_LENGTH = Long.BYTES + Long.BYTES + Byte.BYTES + Integer.BYTES;

  private final PayloadCursor cursor = new PayloadCursor();
  private DirectBuffer buffer;
  private int flowIdOffset;
  private int flowIdLength;
  private int nodeIdOffset;
  private int nodeIdLength;
  private long executionId;
  private long timestampMs;
  private boolean truncated;
  private int originalLength;
  private int previewOffset;
  private int previewLength;

  /** Reads the payload of a validated frame. */
  public DebugSampleFlyweight wrap(FrameFlyweight frame) {
    return wrap(frame.buffer(), frame.payloadOffset(), frame.payloadLength());
  }

  /** Reads and validates the payload of {@code length} bytes at {@code offset}. */
  public DebugSampleFlyweight wrap(DirectBuffer buffer, int offset, int length) {
    this.buffer = buffer;
    PayloadCursor c = cursor;
    c.wrap(buffer, offset, length);
    flowIdOffset = c.string16("flow_id");
    flowIdLength = c.lastLength();
    nodeIdOffset = c.string16("node_id");
    nodeIdLength = c.lastLength();
    executionId = c.u64("execution_id");
    timestampMs = c.u64("timestamp_ms");
    truncated = c.flag("truncated");
    originalLength = c.u32("original_len");
    previewOffset = c.bytes32("preview");
    previewLength = c.lastLength();
    c.end();
    return this;
  }

  /** Whether the wrapped payload is well formed. Allocation free. */
  public boolean isValid() {
    return cursor.ok();
  }

  /** Null when valid, else what was wrong. Allocates only on error. */
  public String validate() {
    return cursor.error("DEBUG_SAMPLE");
  }

  public DirectBuffer buffer() {
    return buffer;
  }

  public int flowIdOffset() {
    return flowIdOffset;
  }

  public int flowIdLength() {
    return flowIdLength;
  }

  /** Allocates: for cold paths and tests. */
  public String flowId() {
    return Utf8.get(buffer, flowIdOffset, flowIdLength);
  }

  public int nodeIdOffset() {
    return nodeIdOffset;
  }

  public int nodeIdLength() {
    return nodeIdLength;
  }

  /** Allocates: for cold paths and tests. */
  public String nodeId() {
    return Utf8.get(buffer, nodeIdOffset, nodeIdLength);
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
    return Utf8.get(buffer, previewOffset, previewLength);
  }
}
