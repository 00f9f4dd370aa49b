package dev.z8run.io.message;

import static dev.z8run.io.message.MessageDescriptor.*;

import java.nio.charset.StandardCharsets;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A view over one message record (see {@link MessageDescriptor}). Reusable: {@link #wrap} points it
 * at another record without allocating. A flyweight handed to a node is valid only for the duration
 * of that callback; copy bytes out to keep them.
 *
 * <p>The write methods, one per field and named after it, require the wrapped buffer to be a {@link
 * MutableDirectBuffer}; a writer sets every field of a new record (the runtime's emitter and
 * trigger path show the whole list).
 *
 * <p>A record whose body travels by reference ({@link MessageDescriptor#FLAG_BODY_REF}) is read
 * through {@link #resolve()}: afterwards {@link #buffer()} is the body's {@link BodyBlocks} block
 * and the JSON, binary and index offsets point into it, while the header stays in the record
 * ({@link #headerBuffer()}). A node never sees the difference.
 */
public final class MessageFlyweight implements MessageBody {
  private DirectBuffer buffer;
  private int offset;
  private int length;
  private DirectBuffer body;
  private int bodyBase;
  private int bodyBytes;
  private long block;
  private final UnsafeBuffer blockView = new UnsafeBuffer(new byte[0]);

  /**
   * Whether {@link #cachedFlags}, {@link #cachedJsonLength} and {@link #cachedIndexLength} hold the
   * record's header fields: set by {@link #resolve()} (a record received, read many times per hop),
   * kept current by this view's own writes, cleared by {@link #wrap}. A record's header is written
   * through one view at a time; a view over a record another view rewrites (the engine's in-place
   * claim) is told so ({@link #reread()}).
   */
  private boolean cached;

  private int cachedFlags;
  private int cachedJsonLength;
  private int cachedIndexLength;

  /**
   * Points this view at the record of {@code length} bytes at {@code offset}, body included (for
   * writing a record, or reading one without {@link MessageDescriptor#FLAG_BODY_REF}).
   */
  public MessageFlyweight wrap(DirectBuffer buffer, int offset, int length) {
    this.buffer = buffer;
    this.offset = offset;
    this.length = length;
    this.body = buffer;
    this.bodyBase = offset + HEADER_LENGTH;
    this.bodyBytes = length - HEADER_LENGTH;
    this.block = 0;
    this.cached = false;
    return this;
  }

  /**
   * After {@link #wrap} of a record that was received: when its body travels by reference, points
   * the body at the block. Every reader of an inbox record calls it.
   */
  public MessageFlyweight resolve() {
    // the header fields every reader of a hop asks for, read once (see cached)
    DirectBuffer b = buffer;
    int at = offset;
    cachedFlags = b.getShort(at + FLAGS_OFFSET) & 0xFFFF;
    cachedJsonLength = b.getInt(at + JSON_LENGTH_OFFSET);
    cachedIndexLength = b.getInt(at + INDEX_LENGTH_OFFSET);
    cached = true;
    if ((cachedFlags & FLAG_BODY_REF) != 0 && length == HEADER_LENGTH + REF_BODY_LENGTH) {
      viewBlock(b.getLong(at + HEADER_LENGTH), b.getInt(at + HEADER_LENGTH + 8));
    }
    return this;
  }

  /**
   * Makes this record name the block at {@code address} holding a body of {@code bodyLength} bytes
   * (the record must be {@link MessageDescriptor#REF_BODY_LENGTH} bytes of body long), and points
   * the body at it; the caller owns one reference for the record.
   */
  public MessageFlyweight bodyRef(long address, int bodyLength) {
    MutableDirectBuffer b = mutable();
    int flags = flags() | FLAG_BODY_REF;
    b.putShort(offset + FLAGS_OFFSET, (short) flags);
    cachedFlags = flags;
    b.putLong(offset + HEADER_LENGTH, address);
    b.putInt(offset + HEADER_LENGTH + 8, bodyLength);
    b.putInt(offset + HEADER_LENGTH + 12, 0);
    viewBlock(address, bodyLength);
    return this;
  }

  private void viewBlock(long address, int bodyLength) {
    block = address;
    blockView.wrap(address, BodyBlocks.BLOCK_HEADER_LENGTH + bodyLength);
    body = blockView;
    bodyBase = BodyBlocks.BLOCK_HEADER_LENGTH;
    bodyBytes = bodyLength;
  }

  /**
   * The record's header was rewritten through another view (an in-place claim): from now on this
   * view reads its header fields from the record again, not from what {@link #resolve()} read.
   */
  public MessageFlyweight reread() {
    cached = false;
    return this;
  }

  /** Whether the body lies in a {@link BodyBlocks} block ({@link #blockAddress()}). */
  public boolean isBodyRef() {
    return block != 0;
  }

  /** The address of the body's block, or 0 when the body is in the record. */
  public long blockAddress() {
    return block;
  }

  /** The buffer the record's header lies in (the record itself). */
  public DirectBuffer headerBuffer() {
    return buffer;
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
    int index = indexLength();
    if ((flags() & FLAG_BODY_REF) != 0 && length != HEADER_LENGTH + REF_BODY_LENGTH) {
      return "a body by reference needs a record of "
          + (HEADER_LENGTH + REF_BODY_LENGTH)
          + " bytes, got "
          + length;
    }
    int body = bodyBytes;
    if (json > body) {
      return "json_length=" + json + " exceeds the body length=" + body;
    }
    if (index < 0 || index > body - json) {
      return "index_length=" + index + " does not fit the record after json_length=" + json;
    }
    body -= index;
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

  /** The buffer the body (JSON, binary, index) lies in: the record's, or its block. */
  public DirectBuffer buffer() {
    return body;
  }

  /** The body's buffer: the JSON lies in it. */
  @Override
  public DirectBuffer jsonBuffer() {
    return body;
  }

  /** The body's buffer: the binary payload lies in it, after the JSON. */
  @Override
  public DirectBuffer binaryBuffer() {
    return body;
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
    return cached ? cachedFlags : buffer.getShort(offset + FLAGS_OFFSET) & 0xFFFF;
  }

  public boolean traced() {
    return (flags() & FLAG_TRACED) != 0;
  }

  @Override
  public long ref() {
    return buffer.getLong(offset + REF_OFFSET);
  }

  /** Offset in {@link #buffer()} of the first JSON byte. */
  @Override
  public int jsonOffset() {
    return bodyBase;
  }

  @Override
  public int jsonLength() {
    return cached ? cachedJsonLength : buffer.getInt(offset + JSON_LENGTH_OFFSET);
  }

  /** Offset in {@link #buffer()} of the first binary payload byte. */
  @Override
  public int binaryOffset() {
    return jsonOffset() + jsonLength();
  }

  @Override
  public int binaryLength() {
    return bodyBytes - jsonLength() - indexLength();
  }

  /** Length of the field index at the end of the record; 0 when it carries none. */
  @Override
  public int indexLength() {
    return cached ? cachedIndexLength : buffer.getInt(offset + INDEX_LENGTH_OFFSET);
  }

  /** Offset in {@link #buffer()} of the field index (valid when {@link #indexLength()} > 0). */
  @Override
  public int indexOffset() {
    return bodyBase + bodyBytes - indexLength();
  }

  /** The body's buffer: the field index lies in it, at the end of the body. */
  @Override
  public DirectBuffer indexBuffer() {
    return body;
  }

  /** Length of the body (JSON plus binary, without the field index). */
  public int bodyLength() {
    return bodyBytes - indexLength();
  }

  /** Copies the JSON body into a new String: for tests and cold paths, it allocates. */
  public String jsonString() {
    byte[] bytes = new byte[jsonLength()];
    body.getBytes(jsonOffset(), bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Copies the binary payload into a new array: for tests and cold paths, it allocates. */
  public byte[] binaryBytes() {
    byte[] bytes = new byte[binaryLength()];
    body.getBytes(binaryOffset(), bytes);
    return bytes;
  }

  private MutableDirectBuffer mutable() {
    return (MutableDirectBuffer) buffer;
  }

  /**
   * Writes the fields a message inherits from the one it was made from: execution id, timestamp,
   * execution slot, flags and ref. The other fields are the caller's to write, by name.
   */
  public MessageFlyweight inheritExecution(MessageFlyweight parent) {
    return executionId(parent.executionId())
        .timestampNs(parent.timestampNs())
        .execSlot(parent.execSlot())
        .flags(parent.flags() & ~FLAG_BODY_REF)
        .ref(parent.ref());
  }

  public MessageFlyweight executionId(long executionId) {
    mutable().putLong(offset + EXECUTION_ID_OFFSET, executionId);
    return this;
  }

  public MessageFlyweight messageId(long messageId) {
    mutable().putLong(offset + MESSAGE_ID_OFFSET, messageId);
    return this;
  }

  public MessageFlyweight credit(long credit) {
    mutable().putLong(offset + CREDIT_OFFSET, credit);
    return this;
  }

  public MessageFlyweight timestampNs(long timestampNs) {
    mutable().putLong(offset + TIMESTAMP_OFFSET, timestampNs);
    return this;
  }

  public MessageFlyweight execSlot(int execSlot) {
    mutable().putInt(offset + EXEC_SLOT_OFFSET, execSlot);
    return this;
  }

  /** The node (-1: a trigger) and port the message left, and the port it arrives at. */
  public MessageFlyweight source(int sourceNode, int sourcePort, int targetPort) {
    MutableDirectBuffer b = mutable();
    b.putInt(offset + SOURCE_NODE_OFFSET, sourceNode);
    b.putShort(offset + SOURCE_PORT_OFFSET, (short) sourcePort);
    b.putShort(offset + TARGET_PORT_OFFSET, (short) targetPort);
    return this;
  }

  public MessageFlyweight flags(int flags) {
    mutable().putShort(offset + FLAGS_OFFSET, (short) flags);
    cachedFlags = flags & 0xFFFF;
    return this;
  }

  /**
   * The body's shape: {@code jsonLength} bytes of JSON, then a binary payload when {@code binary}
   * (its length is what the record holds after the JSON); no field index.
   */
  public MessageFlyweight body(int jsonLength, boolean binary) {
    return body(jsonLength, binary, 0);
  }

  /**
   * The body's shape: {@code jsonLength} bytes of JSON, then a binary payload when {@code binary},
   * then {@code indexLength} bytes of field index at the end of the record (0: none).
   */
  public MessageFlyweight body(int jsonLength, boolean binary, int indexLength) {
    MutableDirectBuffer b = mutable();
    b.putShort(offset + BODY_TYPE_OFFSET, binary ? BODY_JSON_BINARY : BODY_JSON);
    b.putInt(offset + JSON_LENGTH_OFFSET, jsonLength);
    b.putInt(offset + INDEX_LENGTH_OFFSET, indexLength);
    cachedJsonLength = jsonLength;
    cachedIndexLength = indexLength;
    return this;
  }

  public MessageFlyweight ref(long ref) {
    mutable().putLong(offset + REF_OFFSET, ref);
    return this;
  }
}
