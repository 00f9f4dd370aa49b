package dev.z8run.io.message;

import static dev.z8run.io.message.MessageDescriptor.*;

import java.nio.charset.StandardCharsets;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A view over one message record (see {@link MessageDescriptor}). Reusable: {@link #wrap} points it
 * at another record without allocating. A flyweight handed to a node is valid only for the duration
 * of that callback; copy bytes out to keep them.
 *
 * <p>The write methods require the wrapped buffer to be a {@link MutableDirectBuffer}.
 */
public final class MessageFlyweight {
  private DirectBuffer buffer;
  private int offset;
  private int length;

  /** Points this view at the record of {@code length} bytes at {@code offset}. */
  public MessageFlyweight wrap(DirectBuffer buffer, int offset, int length) {
    this.buffer = buffer;
    this.offset = offset;
    this.length = length;
    return this;
  }

  /**
   * Checks that the wrapped bytes can be a message record.
   *
   * @return null when valid, else a sentence saying what is wrong
   */
  public String validate() {
    if (length < HEADER_LENGTH) {
      return "record length=" + length + " is shorter than the header length=" + HEADER_LENGTH;
    }
    int json = jsonLength();
    if (json < 0) {
      return "json_length=" + json + " is negative";
    }
    int body = length - HEADER_LENGTH;
    if (json > body) {
      return "json_length=" + json + " exceeds the body length=" + body;
    }
    short type = bodyType();
    if (type != BODY_JSON && type != BODY_JSON_BINARY) {
      return "body_type=" + type + " is not one of " + BODY_JSON + ", " + BODY_JSON_BINARY;
    }
    if (type == BODY_JSON && json != body) {
      // a JSON-only record with bytes after its JSON: a wrong length or a lost binary flag
      return "body_type="
          + type
          + " (JSON only) but "
          + (body - json)
          + " bytes follow the json_length="
          + json;
    }
    return null;
  }

  public DirectBuffer buffer() {
    return buffer;
  }

  /** Offset of the record (its header) in {@link #buffer()}. */
  public int offset() {
    return offset;
  }

  /** Length of the whole record: header plus body. */
  public int length() {
    return length;
  }

  public long executionId() {
    return buffer.getLong(offset + EXECUTION_ID_OFFSET);
  }

  public long messageId() {
    return buffer.getLong(offset + MESSAGE_ID_OFFSET);
  }

  public long credit() {
    return buffer.getLong(offset + CREDIT_OFFSET);
  }

  public long timestampNs() {
    return buffer.getLong(offset + TIMESTAMP_OFFSET);
  }

  public int execSlot() {
    return buffer.getInt(offset + EXEC_SLOT_OFFSET);
  }

  public int sourceNode() {
    return buffer.getInt(offset + SOURCE_NODE_OFFSET);
  }

  public int sourcePort() {
    return buffer.getShort(offset + SOURCE_PORT_OFFSET) & 0xFFFF;
  }

  public int targetPort() {
    return buffer.getShort(offset + TARGET_PORT_OFFSET) & 0xFFFF;
  }

  public short bodyType() {
    return buffer.getShort(offset + BODY_TYPE_OFFSET);
  }

  public int flags() {
    return buffer.getShort(offset + FLAGS_OFFSET) & 0xFFFF;
  }

  public boolean traced() {
    return (flags() & FLAG_TRACED) != 0;
  }

  public long ref() {
    return buffer.getLong(offset + REF_OFFSET);
  }

  /** Offset in {@link #buffer()} of the first JSON byte. */
  public int jsonOffset() {
    return offset + HEADER_LENGTH;
  }

  public int jsonLength() {
    return buffer.getInt(offset + JSON_LENGTH_OFFSET);
  }

  /** Offset in {@link #buffer()} of the first binary payload byte. */
  public int binaryOffset() {
    return jsonOffset() + jsonLength();
  }

  public int binaryLength() {
    return length - HEADER_LENGTH - jsonLength();
  }

  /** Length of the body (JSON plus binary). */
  public int bodyLength() {
    return length - HEADER_LENGTH;
  }

  /** Copies the JSON body into a new String: for tests and cold paths, it allocates. */
  public String jsonString() {
    byte[] bytes = new byte[jsonLength()];
    buffer.getBytes(jsonOffset(), bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Copies the binary payload into a new array: for tests and cold paths, it allocates. */
  public byte[] binaryBytes() {
    byte[] bytes = new byte[binaryLength()];
    buffer.getBytes(binaryOffset(), bytes);
    return bytes;
  }

  private MutableDirectBuffer mutable() {
    return (MutableDirectBuffer) buffer;
  }

  /** Writes every header field at once; the body is the caller's to write after it. */
  public MessageFlyweight putHeader(
      long executionId,
      long messageId,
      long credit,
      long timestampNs,
      int execSlot,
      int sourceNode,
      int sourcePort,
      int targetPort,
      int flags,
      int jsonLength,
      long ref,
      boolean binary) {
    MutableDirectBuffer b = mutable();
    b.putLong(offset + EXECUTION_ID_OFFSET, executionId);
    b.putLong(offset + MESSAGE_ID_OFFSET, messageId);
    b.putLong(offset + CREDIT_OFFSET, credit);
    b.putLong(offset + TIMESTAMP_OFFSET, timestampNs);
    b.putInt(offset + EXEC_SLOT_OFFSET, execSlot);
    b.putInt(offset + SOURCE_NODE_OFFSET, sourceNode);
    b.putShort(offset + SOURCE_PORT_OFFSET, (short) sourcePort);
    b.putShort(offset + TARGET_PORT_OFFSET, (short) targetPort);
    b.putShort(offset + BODY_TYPE_OFFSET, binary ? BODY_JSON_BINARY : BODY_JSON);
    b.putShort(offset + FLAGS_OFFSET, (short) flags);
    b.putInt(offset + JSON_LENGTH_OFFSET, jsonLength);
    b.putInt(offset + RESERVED_OFFSET, 0);
    b.putLong(offset + REF_OFFSET, ref);
    return this;
  }

  public MessageFlyweight credit(long credit) {
    mutable().putLong(offset + CREDIT_OFFSET, credit);
    return this;
  }

  public MessageFlyweight source(int sourceNode, int sourcePort, int targetPort) {
    MutableDirectBuffer b = mutable();
    b.putInt(offset + SOURCE_NODE_OFFSET, sourceNode);
    b.putShort(offset + SOURCE_PORT_OFFSET, (short) sourcePort);
    b.putShort(offset + TARGET_PORT_OFFSET, (short) targetPort);
    return this;
  }
}
