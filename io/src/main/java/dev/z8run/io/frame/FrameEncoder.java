package dev.z8run.io.frame;

import static dev.z8run.io.frame.FrameDescriptor.*;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Writes frames (see {@link FrameDescriptor}) into a caller's buffer. Stateless and allocation free
 * for headers and binary payloads; the caller sizes the buffer (a write past its capacity is a bug
 * and throws {@link IndexOutOfBoundsException} with bounds checks on).
 */
public final class FrameEncoder {
  private FrameEncoder() {}

  /**
   * Writes an 11-byte header at {@code offset}.
   *
   * @return {@value FrameDescriptor#HEADER_LENGTH}
   * @throws IllegalArgumentException if {@code payloadLength} is negative or exceeds {@link
   *     FrameDescriptor#MAX_PAYLOAD_BYTES}, or {@code msgType} does not fit 16 bits
   */
  public static int encodeHeader(
      MutableDirectBuffer buffer, int offset, int msgType, int correlationId, int payloadLength) {
    if (payloadLength < 0 || payloadLength > MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException(
          "payload_len=" + payloadLength + " exceeds " + MAX_PAYLOAD_BYTES + " or is negative");
    }
    if ((msgType & ~0xFFFF) != 0) {
      throw new IllegalArgumentException("msg_type=" + msgType + " does not fit u16");
    }
    buffer.putByte(offset + VERSION_OFFSET, (byte) VERSION);
    buffer.putShort(offset + MSG_TYPE_OFFSET, (short) msgType, LITTLE_ENDIAN);
    buffer.putInt(offset + CORRELATION_ID_OFFSET, correlationId, LITTLE_ENDIAN);
    buffer.putInt(offset + PAYLOAD_LENGTH_OFFSET, payloadLength, LITTLE_ENDIAN);
    return HEADER_LENGTH;
  }

  /**
   * Writes a header and copies {@code length} payload bytes from {@code payload}.
   *
   * @return the frame length
   */
  public static int encode(
      MutableDirectBuffer buffer,
      int offset,
      int msgType,
      int correlationId,
      DirectBuffer payload,
      int payloadOffset,
      int length) {
    encodeHeader(buffer, offset, msgType, correlationId, length);
    buffer.putBytes(offset + HEADER_LENGTH, payload, payloadOffset, length);
    return HEADER_LENGTH + length;
  }

  /**
   * Writes a header and a UTF-8 payload, such as the JSON of a control message. Allocation free.
   *
   * @return the frame length
   */
  public static int encodeUtf8(
      MutableDirectBuffer buffer, int offset, int msgType, int correlationId, CharSequence text) {
    int length = Utf8.encodedLength(text);
    encodeHeader(buffer, offset, msgType, correlationId, length);
    Utf8.put(buffer, offset + HEADER_LENGTH, text);
    return HEADER_LENGTH + length;
  }

  /**
   * Writes a header with an empty payload (PING, PONG).
   *
   * @return {@value FrameDescriptor#HEADER_LENGTH}
   */
  public static int encodeEmpty(
      MutableDirectBuffer buffer, int offset, int msgType, int correlationId) {
    return encodeHeader(buffer, offset, msgType, correlationId, 0);
  }
}
