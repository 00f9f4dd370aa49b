package dev.z8run.api.ws;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The payload side of z8run's {@code Z8Codec} in bincode mode, written for the tests from z8run's
 * crate alone ({@code crates/z8run-protocol}, bincode 1.3.3 per z8run's Cargo.lock), sharing no
 * code with the server's {@code dev.z8run.api.ws.z8}:
 *
 * <ul>
 *   <li>message.rs lines 100-187: {@code ProtocolMessage}; bincode writes the variant's index in
 *       declaration order as a u32 little endian ({@code bincode::serialize}, message.rs line 192,
 *       codec.rs line 46: fixint, little endian), then the fields in declaration order;
 *   <li>a {@code String} is a u64 byte count then UTF-8; a {@code Uuid} (uuid 1.22's serde impl,
 *       not human readable) is {@code serialize_bytes}: u64 16 then the 16 bytes; an {@code Option}
 *       is a u8 0 or 1 then the value;
 *   <li>frame.rs lines 56-63: the 11-byte header, little endian, version 1.
 * </ul>
 */
final class Z8CrateClient {
  // ProtocolMessage variant indices (message.rs, declaration order from line 102)
  static final int PING = 0;
  static final int PONG = 1;
  static final int AUTHENTICATE = 2;
  static final int AUTH_RESULT = 3;
  static final int FLOW_CREATE = 4;
  static final int FLOW_START = 7;
  static final int FLOW_STOP = 8;
  static final int FLOW_LIST = 9;
  static final int FLOW_GET = 10;
  static final int EXEC_STARTED = 11;
  static final int EXEC_NODE_COMPLETED = 13;
  static final int EXEC_COMPLETED = 15;
  static final int OK = 20;
  static final int ERROR = 21;

  // MessageType numbers the codec puts in the header (message.rs lines 11-53, codec.rs 76-103)
  static final int T_PING = 0x0001;
  static final int T_PONG = 0x0002;
  static final int T_AUTHENTICATE = 0x0003;
  static final int T_AUTH_RESULT = 0x0004;
  static final int T_FLOW_CREATE = 0x0100;
  static final int T_FLOW_START = 0x0104;
  static final int T_FLOW_STOP = 0x0105;
  static final int T_FLOW_LIST = 0x0108;
  static final int T_FLOW_GET = 0x0109;
  static final int T_EXEC_STARTED = 0x0200;
  static final int T_OK = 0x0F00;
  static final int T_ERROR = 0x0F01;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  static Z8CrateClient variant(int index) {
    return new Z8CrateClient().u32(index);
  }

  Z8CrateClient u32(long value) {
    return le(value, 4);
  }

  Z8CrateClient u64(long value) {
    return le(value, 8);
  }

  Z8CrateClient le(long value, int size) {
    for (int i = 0; i < size; i++) {
      out.write((int) (value >>> (8 * i)));
    }
    return this;
  }

  Z8CrateClient raw(int... bytes) {
    for (int b : bytes) {
      out.write(b);
    }
    return this;
  }

  Z8CrateClient str(String text) {
    byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
    u64(utf8.length);
    out.writeBytes(utf8);
    return this;
  }

  Z8CrateClient uuid(UUID id) {
    u64(16);
    out.writeBytes(uuidBytes(id));
    return this;
  }

  byte[] bytes() {
    return out.toByteArray();
  }

  static byte[] uuidBytes(UUID id) {
    return ByteBuffer.allocate(16)
        .putLong(id.getMostSignificantBits())
        .putLong(id.getLeastSignificantBits())
        .array();
  }

  /** A decoded bincode {@code Error { correlation_id: u32, code: u16, message: String }}. */
  record Z8Error(long correlationId, int code, String message) {}

  static Z8Error error(byte[] payload) {
    ByteBuffer in = ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
    int variant = in.getInt();
    if (variant != ERROR) {
      throw new AssertionError("not an Error variant: " + variant);
    }
    long correlationId = in.getInt() & 0xFFFF_FFFFL;
    int code = in.getShort() & 0xFFFF;
    int length = (int) in.getLong();
    byte[] text = new byte[length];
    in.get(text);
    if (in.hasRemaining()) {
      throw new AssertionError(in.remaining() + " bytes after the Error");
    }
    return new Z8Error(correlationId, code, new String(text, StandardCharsets.UTF_8));
  }
}
