package dev.z8run.io.frame;

import org.agrona.DirectBuffer;

/**
 * A read view over a {@link MessageType#DEBUG_SKIPPED} payload: how many debug samples of a flow
 * the server dropped for this client since the last DEBUG_SKIPPED, because of its rate limit.
 *
 * <pre>
 *  0              2             2+F           6+F
 *  +--------------+-------------+-------------+
 *  | flow_len u16 | flow_id (F) | skipped u32 |
 *  +--------------+-------------+-------------+
 * </pre>
 */
public final class DebugSkippedFlyweight {
  private final PayloadCursor cursor = new PayloadCursor();
  private DirectBuffer buffer;
  private int flowIdOffset;
  private int flowIdLength;
  private int skipped;

  public DebugSkippedFlyweight wrap(FrameFlyweight frame) {
    return wrap(frame.buffer(), frame.payloadOffset(), frame.payloadLength());
  }

  public DebugSkippedFlyweight wrap(DirectBuffer buffer, int offset, int length) {
    this.buffer = buffer;
    PayloadCursor c = cursor;
    c.wrap(buffer, offset, length);
    flowIdOffset = c.string16("flow_id");
    flowIdLength = c.lastLength();
    skipped = c.u32("skipped");
    c.end();
    return this;
  }

  public boolean isValid() {
    return cursor.ok();
  }

  /** Null when valid, else what was wrong. Allocates only on error. */
  public String validate() {
    return cursor.error("DEBUG_SKIPPED");
  }

  public int flowIdOffset() {
    return flowIdOffset;
  }

  public int flowIdLength() {
    return flowIdLength;
  }

  public String flowId() {
    return Utf8.get(buffer, flowIdOffset, flowIdLength);
  }

  /** Unsigned count of samples skipped. */
  public long skipped() {
    return skipped & 0xFFFF_FFFFL;
  }
}
