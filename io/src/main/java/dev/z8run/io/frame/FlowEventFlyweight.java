package dev.z8run.io.frame;

import org.agrona.DirectBuffer;

/**
 * What every engine-event payload shares: it starts with the flow it is about, and most name a
 * node. The ids are UTF-8 with a little-endian u16 length:
 *
 * <pre>
 *  0              2             2+F
 *  +--------------+-------------+------ ... the event's own fields; node_len u16 | node_id (N)
 *  | flow_len u16 | flow_id (F) |          where the event's layout puts them
 *  +--------------+-------------+------
 * </pre>
 *
 * <p>A subclass reads its payload in {@code wrap}: {@link #begin} (the flow id), its own fields
 * from the returned cursor, {@link #readNodeId} where its layout has the node, then {@code
 * cursor.end()}. Reads validate as they go and never throw; {@link #validate()} says what was
 * wrong. Reusable, not thread safe.
 */
public abstract class FlowEventFlyweight {
  /** The reader of the payload being wrapped. */
  final PayloadCursor cursor = new PayloadCursor();

  private final String layout;
  private DirectBuffer buffer;
  private int flowIdOffset;
  private int flowIdLength;
  private int nodeIdOffset;
  private int nodeIdLength;

  /**
   * @param layout the payload's name in error messages ({@code DEBUG_SAMPLE})
   */
  FlowEventFlyweight(String layout) {
    this.layout = layout;
  }

  /**
   * Starts reading the payload of {@code length} bytes at {@code offset}: reads the flow id and
   * forgets the previous payload's node id.
   *
   * @return the cursor, positioned after the flow id
   */
  final PayloadCursor begin(DirectBuffer buffer, int offset, int length) {
    this.buffer = buffer;
    cursor.wrap(buffer, offset, length);
    flowIdOffset = cursor.string16("flow_id");
    flowIdLength = cursor.lastLength();
    nodeIdOffset = 0;
    nodeIdLength = 0;
    return cursor;
  }

  /** Reads a node id at {@code at}'s position (the payload's cursor, or an entry's). */
  final void readNodeId(PayloadCursor at) {
    nodeIdOffset = at.string16("node_id");
    nodeIdLength = at.lastLength();
  }

  /** Whether the wrapped payload is well formed. Allocation free. */
  public boolean isValid() {
    return cursor.ok();
  }

  /** Null when valid, else what was wrong. Allocates only on error. */
  public String validate() {
    return cursor.error(layout);
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

  /** 0 when the payload names no node. */
  public int nodeIdLength() {
    return nodeIdLength;
  }

  /** Allocates: for cold paths and tests. Empty when the payload names no node. */
  public String nodeId() {
    return Utf8.get(buffer, nodeIdOffset, nodeIdLength);
  }
}
