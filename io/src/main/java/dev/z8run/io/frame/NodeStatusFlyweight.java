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
public final class NodeStatusFlyweight {
  private final PayloadCursor cursor = new PayloadCursor();
  private DirectBuffer buffer;
  private int flowIdOffset;
  private int flowIdLength;
  private int nodeIdOffset;
  private int nodeIdLength;
  private int textOffset;
  private int textLength;

  public NodeStatusFlyweight wrap(FrameFlyweight frame) {
    return wrap(frame.buffer(), frame.payloadOffset(), frame.payloadLength());
  }

  public NodeStatusFlyweight wrap(DirectBuffer buffer, int offset, int length) {
    this.buffer = buffer;
    PayloadCursor c = cursor;
    c.wrap(buffer, offset, length);
    flowIdOffset = c.string16("flow_id");
    flowIdLength = c.lastLength();
    nodeIdOffset = c.string16("node_id");
    nodeIdLength = c.lastLength();
    textOffset = c.string16("text");
    textLength = c.lastLength();
    c.end();
    return this;
  }

  public boolean isValid() {
    return cursor.ok();
  }

  /** Null when valid, else what was wrong. Allocates only on error. */
  public String validate() {
    return cursor.error("NODE_STATUS");
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

  public String flowId() {
    return Utf8.get(buffer, flowIdOffset, flowIdLength);
  }

  public int nodeIdOffset() {
    return nodeIdOffset;
  }

  public int nodeIdLength() {
    return nodeIdLength;
  }

  public String nodeId() {
    return Utf8.get(buffer, nodeIdOffset, nodeIdLength);
  }

  public int textOffset() {
    return textOffset;
  }

  public int textLength() {
    return textLength;
  }

  public String text() {
    return Utf8.get(buffer, textOffset, textLength);
  }
}
