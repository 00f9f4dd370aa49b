package dev.z8run.io.frame;

import org.agrona.DirectBuffer;

/**
 * A read view over a {@link MessageType#NODE_STATUS} payload: the status text a node shows under
 * itself in the editor ("connected", "3 queued"). Strings are UTF-8 with a little-endian u16
 * length.
 *
 * <pre>
 *  0              2              2+F            4+F            4+F+N          6+F+N          6+F+N+S
 *  +--------------+--------------+--------------+--------------+--------------+--------------+
 *  | flow_len u16 | flow_id (F)  | node_len u16 | node_id (N)  | text_len u16 | text (S)     |
 *  +--------------+--------------+--------------+--------------+--------------+--------------+
 * </pre>
 *
 * <p>{@link #wrap} validates as it reads and never throws; {@link #validate()} says what was wrong.
 */
public final class NodeStatusFlyweight extends FlowEventFlyweight {
  private int textOffset;
  private int textLength;

  public NodeStatusFlyweight() {
    super("NODE_STATUS");
  }

  public NodeStatusFlyweight wrap(FrameFlyweight frame) {
    return wrap(frame.buffer(), frame.payloadOffset(), frame.payloadLength());
  }

  public NodeStatusFlyweight wrap(DirectBuffer buffer, int offset, int length) {
    PayloadCursor c = begin(buffer, offset, length);
    readNodeId(c);
    textOffset = c.string16("text");
    textLength = c.lastLength();
    c.end();
    return this;
  }

  public int textOffset() {
    return textOffset;
  }

  public int textLength() {
    return textLength;
  }

  public String text() {
    return Utf8.get(buffer(), textOffset, textLength);
  }
}
