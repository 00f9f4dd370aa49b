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
public final class DebugSkippedFlyweight extends FlowEventFlyweight {
  private int skipped;

  public DebugSkippedFlyweight() {
    super("DEBUG_SKIPPED");
  }

  public DebugSkippedFlyweight wrap(FrameFlyweight frame) {
    return wrap(frame.buffer(), frame.payloadOffset(), frame.payloadLength());
  }

  public DebugSkippedFlyweight wrap(DirectBuffer buffer, int offset, int length) {
    PayloadCursor c = begin(buffer, offset, length);
    skipped = c.u32("skipped");
    c.end();
    return this;
  }

  /** Unsigned count of samples skipped. */
  public long skipped() {
    return skipped & 0xFFFF_FFFFL;
  }
}
