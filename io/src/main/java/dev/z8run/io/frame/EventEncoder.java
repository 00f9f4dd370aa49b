package dev.z8run.io.frame;

import static dev.z8run.io.frame.FrameDescriptor.HEADER_LENGTH;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Writes whole event frames, header and payload, in the layouts drawn by {@link
 * DebugSampleFlyweight}, {@link NodeStatusFlyweight}, {@link ExecutionEventFlyweight} and {@link
 * DebugSkippedFlyweight} ({@link CountersEncoder} writes COUNTERS). Events carry correlation id 0.
 *
 * <p>Allocation free: strings are encoded straight into the buffer and the header is written last,
 * once the payload length is known. The caller sizes the buffer; a string longer than 65,535 UTF-8
 * bytes is a caller bug and throws {@link IllegalArgumentException}.
 */
public final class EventEncoder {
  private EventEncoder() {}

  /**
   * Writes a DEBUG_SAMPLE frame at {@code offset}.
   *
   * @return the frame length
   */
  public static int debugSample(
      MutableDirectBuffer buffer,
      int offset,
      CharSequence flowId,
      CharSequence nodeId,
      long executionId,
      long timestampMs,
      boolean truncated,
      int originalLength,
      DirectBuffer preview,
      int previewOffset,
      int previewLength) {
    int p = putFlowNode(buffer, offset + HEADER_LENGTH, flowId, nodeId);
    buffer.putLong(p, executionId, LITTLE_ENDIAN);
    p += Long.BYTES;
    buffer.putLong(p, timestampMs, LITTLE_ENDIAN);
    p += Long.BYTES;
    buffer.putByte(p, (byte) (truncated ? 1 : 0));
    p += Byte.BYTES;
    buffer.putInt(p, originalLength, LITTLE_ENDIAN);
    p += Integer.BYTES;
    buffer.putInt(p, previewLength, LITTLE_ENDIAN);
    p += Integer.BYTES;
    buffer.putBytes(p, preview, previewOffset, previewLength);
    p += previewLength;
    return finish(buffer, offset, MessageType.DEBUG_SAMPLE, p);
  }

  /**
   * Writes a NODE_STATUS frame at {@code offset}.
   *
   * @return the frame length
   */
  public static int nodeStatus(
      MutableDirectBuffer buffer,
      int offset,
      CharSequence flowId,
      CharSequence nodeId,
      CharSequence text) {
    int p = putFlowNode(buffer, offset + HEADER_LENGTH, flowId, nodeId);
    p += putString16(buffer, p, text, "text");
    return finish(buffer, offset, MessageType.NODE_STATUS, p);
  }

  /**
   * Writes an EXECUTION_STARTED, NODE_STARTED (value = timestamp_ms) or NODE_COMPLETED (value =
   * duration_ns) frame at {@code offset}.
   *
   * @return the frame length
   */
  public static int nodeEvent(
      MutableDirectBuffer buffer, int offset, int msgType, Origin origin, long value) {
    requireLayout(
        msgType,
        "node event",
        MessageType.EXECUTION_STARTED,
        MessageType.NODE_STARTED,
        MessageType.NODE_COMPLETED);
    int p = putOrigin(buffer, offset + HEADER_LENGTH, origin);
    buffer.putLong(p, value, LITTLE_ENDIAN);
    p += Long.BYTES;
    return finish(buffer, offset, msgType, p);
  }

  /** Writes the flow id and node id at {@code p}; returns the position after them. */
  private static int putFlowNode(
      MutableDirectBuffer buffer, int p, CharSequence flowId, CharSequence nodeId) {
    p += putString16(buffer, p, flowId, "flow_id");
    return p + putString16(buffer, p, nodeId, "node_id");
  }

  /** Refuses a {@code msgType} that is not one of the {@code layout}'s three. */
  private static void requireLayout(int msgType, String layout, int a, int b, int c) {
    if (msgType != a && msgType != b && msgType != c) {
      throw new IllegalArgumentException(
          "msg_type=" + MessageType.name(msgType) + " does not have the " + layout + " layout");
    }
  }

  /**
   * Where a node event or a failure happened: the prefix of those frames.
   *
   * @param flowId the flow's id
   * @param executionId the execution's id
   * @param nodeId the node's id; empty for an execution's own events
   */
  public record Origin(CharSequence flowId, long executionId, CharSequence nodeId) {}

  /**
   * Writes {@code origin} (flow id, execution id, node id) at {@code p}; returns the position after
   * it.
   */
  private static int putOrigin(MutableDirectBuffer buffer, int p, Origin origin) {
    p += putString16(buffer, p, origin.flowId(), "flow_id");
    buffer.putLong(p, origin.executionId(), LITTLE_ENDIAN);
    p += Long.BYTES;
    return p + putString16(buffer, p, origin.nodeId(), "node_id");
  }

  /**
   * Writes an EXECUTION_COMPLETED frame at {@code offset}.
   *
   * @return the frame length
   */
  public static int executionCompleted(
      MutableDirectBuffer buffer,
      int offset,
      CharSequence flowId,
      long executionId,
      long durationNs) {
    int p = offset + HEADER_LENGTH;
    p += putString16(buffer, p, flowId, "flow_id");
    buffer.putLong(p, executionId, LITTLE_ENDIAN);
    p += Long.BYTES;
    buffer.putLong(p, durationNs, LITTLE_ENDIAN);
    p += Long.BYTES;
    return finish(buffer, offset, MessageType.EXECUTION_COMPLETED, p);
  }

  /**
   * Writes an EXECUTION_FAILED, NODE_ERROR or NODE_WARN frame at {@code offset}.
   *
   * @return the frame length
   */
  public static int failure(
      MutableDirectBuffer buffer, int offset, int msgType, Origin origin, CharSequence error) {
    requireLayout(
        msgType,
        "failure",
        MessageType.EXECUTION_FAILED,
        MessageType.NODE_ERROR,
        MessageType.NODE_WARN);
    int p = putOrigin(buffer, offset + HEADER_LENGTH, origin);
    p += putString16(buffer, p, error, "error");
    return finish(buffer, offset, msgType, p);
  }

  /**
   * Writes a DEBUG_SKIPPED frame at {@code offset}.
   *
   * @return the frame length
   */
  public static int debugSkipped(
      MutableDirectBuffer buffer, int offset, CharSequence flowId, int skipped) {
    int p = offset + HEADER_LENGTH;
    p += putString16(buffer, p, flowId, "flow_id");
    buffer.putInt(p, skipped, LITTLE_ENDIAN);
    p += Integer.BYTES;
    return finish(buffer, offset, MessageType.DEBUG_SKIPPED, p);
  }

  /** Writes a u16 length and the UTF-8 of {@code text}; returns the bytes written. */
  static int putString16(MutableDirectBuffer buffer, int index, CharSequence text, String field) {
    int length = Utf8.put(buffer, index + Short.BYTES, text);
    if (length > 0xFFFF) {
      throw new IllegalArgumentException(field + " length=" + length + " exceeds 65535 bytes");
    }
    buffer.putShort(index, (short) length, LITTLE_ENDIAN);
    return Short.BYTES + length;
  }

  static int finish(MutableDirectBuffer buffer, int offset, int msgType, int end) {
    int frameLength = end - offset;
    FrameEncoder.encodeHeader(buffer, offset, msgType, 0, frameLength - HEADER_LENGTH);
    return frameLength;
  }
}
