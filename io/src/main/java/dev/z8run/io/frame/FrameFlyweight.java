package dev.z8run.io.frame;

import static dev.z8run.io.frame.FrameDescriptor.*;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.DirectBuffer;

/**
 * A read view over one received frame (see {@link FrameDescriptor}). Reusable: {@link #wrap} points
 * it at another frame without allocating. Call {@link #validate(int)} before trusting any field: it
 * reads only bytes below {@code offset + available}, and the accessors are safe only once it has
 * answered {@link FrameError#NONE}.
 *
 * <p>Not thread safe; the wrapped bytes are borrowed and valid only as long as their owner says.
 */
public final class FrameFlyweight {
  private DirectBuffer buffer;
  private int offset;

  /** Points this view at the frame whose header starts at {@code offset}. */
  public FrameFlyweight wrap(DirectBuffer buffer, int offset) {
    this.buffer = buffer;
    this.offset = offset;
    return this;
  }

  /**
   * Checks that the {@code available} bytes at the wrapped offset are exactly one well-formed
   * frame. Allocates nothing; never reads at or past {@code offset + available}.
   *
   * @return {@link FrameError#NONE} when valid, else the first problem found, in the order
   *     TOO_SHORT, BAD_VERSION, LENGTH_TOO_LARGE, LENGTH_MISMATCH, UNKNOWN_TYPE
   */
  public FrameError validate(int available) {
    return check(available, true);
  }

  /**
   * Checks the first frame of a server batch: the {@code remaining} bytes at the wrapped offset
   * start with a well-formed frame, which may be followed by more ({@link #frameLength()} says
   * where the next one starts). Allocates nothing; never reads at or past {@code offset +
   * remaining}. LENGTH_MISMATCH here means {@code payload_len} runs past the remaining bytes.
   */
  public FrameError validateInBatch(int remaining) {
    return check(remaining, false);
  }

  private FrameError check(int available, boolean exact) {
    if (available < HEADER_LENGTH) {
      return FrameError.TOO_SHORT;
    }
    if (version() != VERSION) {
      return FrameError.BAD_VERSION;
    }
    long payloadLength = payloadLengthUnsigned();
    if (payloadLength > MAX_PAYLOAD_BYTES) {
      return FrameError.LENGTH_TOO_LARGE;
    }
    long following = available - HEADER_LENGTH;
    if (exact ? payloadLength != following : payloadLength > following) {
      return FrameError.LENGTH_MISMATCH;
    }
    if (!MessageType.isKnown(msgType())) {
      return FrameError.UNKNOWN_TYPE;
    }
    return FrameError.NONE;
  }

  /**
   * Says what was wrong, for the ERROR reply or close reason: {@code "payload_len=" + len + "
   * exceeds " + MAX}. Allocates; call it only when {@link #validate(int)} answered an error, with
   * the same {@code available}.
   */
  public String reason(FrameError error, int available) {
    return switch (error) {
      case NONE -> "frame is valid";
      case TOO_SHORT ->
          "frame length=" + available + " is shorter than the header length=" + HEADER_LENGTH;
      case BAD_VERSION -> "version=" + version() + " is not the supported version=" + VERSION;
      case LENGTH_TOO_LARGE ->
          "payload_len=" + payloadLengthUnsigned() + " exceeds " + MAX_PAYLOAD_BYTES;
      case LENGTH_MISMATCH ->
          "payload_len="
              + payloadLengthUnsigned()
              + " but "
              + (available - HEADER_LENGTH)
              + " bytes follow the header";
      case UNKNOWN_TYPE -> "msg_type=0x" + String.format("%04X", msgType()) + " is unknown";
    };
  }

  public DirectBuffer buffer() {
    return buffer;
  }

  /** Offset of the frame (its header) in {@link #buffer()}. */
  public int offset() {
    return offset;
  }

  public int version() {
    return buffer.getByte(offset + VERSION_OFFSET) & 0xFF;
  }

  /** The unsigned 16-bit message type; see {@link MessageType}. */
  public int msgType() {
    return buffer.getShort(offset + MSG_TYPE_OFFSET, LITTLE_ENDIAN) & 0xFFFF;
  }

  /** The correlation id as the 32 bits sent; compare as an int, print unsigned. */
  public int correlationId() {
    return buffer.getInt(offset + CORRELATION_ID_OFFSET, LITTLE_ENDIAN);
  }

  /** Payload length; exact after a successful {@link #validate(int)}. */
  public int payloadLength() {
    return buffer.getInt(offset + PAYLOAD_LENGTH_OFFSET, LITTLE_ENDIAN);
  }

  /** Offset in {@link #buffer()} of the first payload byte. */
  public int payloadOffset() {
    return offset + HEADER_LENGTH;
  }

  /** Header plus payload: the whole frame. */
  public int frameLength() {
    return HEADER_LENGTH + payloadLength();
  }

  private long payloadLengthUnsigned() {
    return buffer.getInt(offset + PAYLOAD_LENGTH_OFFSET, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
  }
}
