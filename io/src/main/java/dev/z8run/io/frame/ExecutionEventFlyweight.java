package dev.z8run.io.frame;

import org.agrona.DirectBuffer;

/**
 * A read view over the payload of an execution event. Three layouts, chosen by the frame's {@code
 * msg_type}; strings are a little-endian u16 length then UTF-8, integers little endian.
 *
 * <pre>
 *  EXECUTION_STARTED, NODE_STARTED (value = timestamp_ms), NODE_COMPLETED (value = duration_ns):
 *  +--------------+-------------+-------------------+--------------+-------------+-----------+
 *  | flow_len u16 | flow_id (F) | execution_id u64  | node_len u16 | node_id (N) | value u64 |
 *  +--------------+-------------+-------------------+--------------+-------------+-----------+
 *  0              2             2+F                 10+F           12+F          12+F+N      20+F+N
 *
 *  EXECUTION_COMPLETED (value = duration_ns):
 *  +--------------+-------------+-------------------+-----------+
 *  | flow_len u16 | flow_id (F) | execution_id u64  | value u64 |
 *  +--------------+-------------+-------------------+-----------+
 *  0              2             2+F                 10+F        18+F
 *
 *  EXECUTION_FAILED, NODE_ERROR, NODE_WARN (error = the warning; execution_id 0 outside one):
 *  +--------------+-------------+-------------------+--------------+-------------+---------------+------------+
 *  | flow_len u16 | flow_id (F) | execution_id u64  | node_len u16 | node_id (N) | error_len u16 | error (E)  |
 *  +--------------+-------------+-------------------+--------------+-------------+---------------+------------+
 *  0              2             2+F                 10+F           12+F          12+F+N          14+F+N       14+F+N+E
 * </pre>
 *
 * <p>For EXECUTION_STARTED the node is the trigger node. {@link #wrap} validates as it reads and
 * never throws; {@link #validate()} says what was wrong, including a type this view does not read.
 */
public final class ExecutionEventFlyweight extends FlowEventFlyweight {
  private int msgType;
  private boolean supported;
  private long executionId;
  private long value;
  private int errorOffset;
  private int errorLength;

  public ExecutionEventFlyweight() {
    super("execution event");
  }

  /** Whether this view reads payloads of {@code msgType}. */
  public static boolean reads(int msgType) {
    return switch (msgType) {
      case MessageType.EXECUTION_STARTED,
          MessageType.NODE_STARTED,
          MessageType.NODE_COMPLETED,
          MessageType.EXECUTION_COMPLETED,
          MessageType.EXECUTION_FAILED,
          MessageType.NODE_ERROR,
          MessageType.NODE_WARN ->
          true;
      default -> false;
    };
  }

  public ExecutionEventFlyweight wrap(FrameFlyweight frame) {
    return wrap(frame.msgType(), frame.buffer(), frame.payloadOffset(), frame.payloadLength());
  }

  public ExecutionEventFlyweight wrap(int msgType, DirectBuffer buffer, int offset, int length) {
    this.msgType = msgType;
    this.supported = reads(msgType);
    PayloadCursor c = begin(buffer, offset, length);
    value = 0;
    errorOffset = 0;
    errorLength = 0;
    executionId = c.u64("execution_id");
    if (msgType != MessageType.EXECUTION_COMPLETED) {
      readNodeId(c);
    }
    if (msgType == MessageType.EXECUTION_FAILED
        || msgType == MessageType.NODE_ERROR
        || msgType == MessageType.NODE_WARN) {
      errorOffset = c.string16("error");
      errorLength = c.lastLength();
    } else {
      value = c.u64(msgType == MessageType.NODE_COMPLETED ? "duration_ns" : "value");
    }
    c.end();
    return this;
  }

  @Override
  public boolean isValid() {
    return supported && cursor.ok();
  }

  /** Null when valid, else what was wrong. Allocates only on error. */
  @Override
  public String validate() {
    if (!supported) {
      return "msg_type=" + MessageType.name(msgType) + " is not an execution event";
    }
    return cursor.error(MessageType.name(msgType));
  }

  public int msgType() {
    return msgType;
  }

  public long executionId() {
    return executionId;
  }

  /** EXECUTION_STARTED, NODE_STARTED: epoch millis. */
  public long timestampMs() {
    return value;
  }

  /** NODE_COMPLETED, EXECUTION_COMPLETED: nanoseconds. */
  public long durationNs() {
    return value;
  }

  public int errorOffset() {
    return errorOffset;
  }

  /** EXECUTION_FAILED, NODE_ERROR only; else 0. */
  public int errorLength() {
    return errorLength;
  }

  public String error() {
    return Utf8.get(buffer(), errorOffset, errorLength);
  }
}
