package dev.z8run.io.message;

/**
 * Layout of one message record inside a node's inbox ring (after Agrona's own 8-byte record
 * header). Fields are in the platform's native byte order, which is how Agrona's buffers write them
 * without a byte order argument (little endian on x86-64 and aarch64); records never leave the
 * process, so the order is never seen outside it.
 *
 * <pre>
 *  0                   8                   16                  24                  32
 *  +-------------------+-------------------+-------------------+-------------------+
 *  | execution_id i64  | message_id i64    | credit i64        | timestamp_ns i64  |
 *  +---------+---------+---------+---------+---------+---------+-------------------+
 *  32 exec_slot i32    | 36 source_node i32| 40 src_port u16   | 42 dst_port u16   |
 *  +---------+---------+---------+---------+---------+---------+-------------------+
 *  44 body_type u16    | 46 flags u16      | 48 json_length i32| 52 index_length i32|
 *  +-------------------+-------------------+-------------------+-------------------+
 *  56 ref i64 (out-of-band object handle, 0 = none)            | 64 body ...
 *  +-------------------------------------------------------------+----------------------
 *  body = json_length bytes of UTF-8 JSON (the Node-RED style message object), then the
 *         binary payload (record length - 64 - json_length - index_length bytes, may be empty),
 *         then index_length bytes of field index (0: none; see io.json.FieldIndex)
 * </pre>
 *
 * <p>The field index says where each top-level member of the JSON lies, so that nodes reach {@code
 * payload} or {@code topic} without scanning; it is optional, and a record without one is read by
 * scanning as before.
 *
 * <p>{@code credit} is the message's share of its execution's outstanding credit (see the runtime's
 * execution table): when every message of an execution has been consumed the credits returned add
 * up to the credit issued and the execution is complete.
 */
public final class MessageDescriptor {
  public static final int EXECUTION_ID_OFFSET = 0;
  public static final int MESSAGE_ID_OFFSET = EXECUTION_ID_OFFSET + Long.BYTES;
  public static final int CREDIT_OFFSET = MESSAGE_ID_OFFSET + Long.BYTES;
  public static final int TIMESTAMP_OFFSET = CREDIT_OFFSET + Long.BYTES;
  public static final int EXEC_SLOT_OFFSET = TIMESTAMP_OFFSET + Long.BYTES;
  public static final int SOURCE_NODE_OFFSET = EXEC_SLOT_OFFSET + Integer.BYTES;
  public static final int SOURCE_PORT_OFFSET = SOURCE_NODE_OFFSET + Integer.BYTES;
  public static final int TARGET_PORT_OFFSET = SOURCE_PORT_OFFSET + Short.BYTES;
  public static final int BODY_TYPE_OFFSET = TARGET_PORT_OFFSET + Short.BYTES;
  public static final int FLAGS_OFFSET = BODY_TYPE_OFFSET + Short.BYTES;
  public static final int JSON_LENGTH_OFFSET = FLAGS_OFFSET + Short.BYTES;
  public static final int INDEX_LENGTH_OFFSET = JSON_LENGTH_OFFSET + Integer.BYTES;
  public static final int REF_OFFSET = INDEX_LENGTH_OFFSET + Integer.BYTES;
  public static final int HEADER_LENGTH = REF_OFFSET + Long.BYTES;

  /** Body is UTF-8 JSON only. */
  public static final short BODY_JSON = 1;

  /** Body is UTF-8 JSON followed by raw binary payload bytes. */
  public static final short BODY_JSON_BINARY = 2;

  /** The execution is traced: nodes record per-message timing and samples. */
  public static final short FLAG_TRACED = 0x1;

  /**
   * The body is not in the record but in an off-heap {@link BodyBlocks} block: the record's body is
   * {@link #REF_BODY_LENGTH} bytes, the block's address (i64), then the body's length (i32) and 4
   * bytes of padding. json_length and index_length describe the body in the block. A message does
   * not inherit this flag: each writer sets it for the records it writes by reference.
   */
  public static final short FLAG_BODY_REF = 0x2;

  /** Length of the body of a record with {@link #FLAG_BODY_REF}. */
  public static final int REF_BODY_LENGTH = 16;

  /** Bodies longer than this (JSON, binary and index) travel by reference: 16 KiB. */
  public static final int BY_REFERENCE_BYTES = 16 * 1024;

  /** Agrona message type id of a message record in an inbox ring. */
  public static final int MSG_TYPE_ID = 1;

  /** The largest message body the engine carries (64 MiB); a larger one fails its producer. */
  public static final int MAX_BODY_BYTES = 64 * 1024 * 1024;

  private MessageDescriptor() {}
}
