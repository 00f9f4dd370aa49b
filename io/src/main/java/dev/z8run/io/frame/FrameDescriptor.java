package dev.z8run.io.frame;

/**
 * Layout of the header that starts every binary WebSocket message on {@code /ws/engine}. One
 * WebSocket message carries exactly one frame. All fields little endian.
 *
 * <pre>
 *  0        1                 3                               7                               11
 *  +--------+--------+--------+-------+-------+-------+-------+-------+-------+-------+-------+--------
 *  | version|    msg_type     |         correlation_id        |          payload_len          | payload
 *  |  u8 =1 |      u16        |              u32              |        u32 (&lt;= 16 MiB)        | ...
 *  +--------+--------+--------+-------+-------+-------+-------+-------+-------+-------+-------+--------
 * </pre>
 *
 * <p>{@code correlation_id} is chosen by the client for a request and echoed by the server in the
 * reply; server events carry 0. {@code payload_len} counts the bytes after the header and must
 * equal the WebSocket message length minus {@value #HEADER_LENGTH}.
 */
public final class FrameDescriptor {
  public static final int VERSION_OFFSET = 0;
  public static final int MSG_TYPE_OFFSET = VERSION_OFFSET + Byte.BYTES;
  public static final int CORRELATION_ID_OFFSET = MSG_TYPE_OFFSET + Short.BYTES;
  public static final int PAYLOAD_LENGTH_OFFSET = CORRELATION_ID_OFFSET + Integer.BYTES;
  public static final int HEADER_LENGTH = PAYLOAD_LENGTH_OFFSET + Integer.BYTES;

  /** The only protocol version so far. */
  public static final int VERSION = 1;

  /** The largest payload a frame may carry (16 MiB). */
  public static final int MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

  /** The largest whole frame: header plus the largest payload. */
  public static final int MAX_FRAME_BYTES = HEADER_LENGTH + MAX_PAYLOAD_BYTES;

  private FrameDescriptor() {}
}
