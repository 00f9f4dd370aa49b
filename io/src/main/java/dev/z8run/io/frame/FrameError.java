package dev.z8run.io.frame;

/**
 * What {@link FrameFlyweight#validate(int)} found wrong with a received frame, and what the server
 * does about it: answer an ERROR frame and keep the connection ({@link #closeCode()} is 0), or
 * close the WebSocket with {@link #closeCode()} because the byte stream can no longer be trusted.
 */
public enum FrameError {
  /** The frame is well formed. */
  NONE(0, 0),
  /** Fewer bytes than the 11-byte header. */
  TOO_SHORT(400, 1002),
  /** {@code version} is not {@value FrameDescriptor#VERSION}. */
  BAD_VERSION(400, 1002),
  /** {@code msg_type} is not one this version defines; the rest of the frame is well formed. */
  UNKNOWN_TYPE(400, 0),
  /** {@code payload_len} exceeds {@link FrameDescriptor#MAX_PAYLOAD_BYTES}. */
  LENGTH_TOO_LARGE(413, 1009),
  /** {@code payload_len} disagrees with the number of bytes that follow the header. */
  LENGTH_MISMATCH(400, 1002);

  private final int errorCode;
  private final int closeCode;

  FrameError(int errorCode, int closeCode) {
    this.errorCode = errorCode;
    this.closeCode = closeCode;
  }

  /** The {@code code} of the ERROR reply the server sends for this error. */
  public int errorCode() {
    return errorCode;
  }

  /** The WebSocket close code the server closes with after the ERROR reply, or 0 to keep open. */
  public int closeCode() {
    return closeCode;
  }
}
