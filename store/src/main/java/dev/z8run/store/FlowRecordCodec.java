package dev.z8run.store;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowCodec;
import dev.z8run.store.lmdb.StorageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.agrona.DirectBuffer;

/**
 * The binary layouts of the {@code flows} and {@code revisions} tables. Big-endian throughout.
 *
 * <p>Flow header, the value under a flow id in {@code flows}:
 *
 * <pre>
 *  0         1          5               13              21       22         24
 *  +---------+----------+---------------+---------------+--------+----------+------------------+
 *  | version | revision |  createdAtMs  |  updatedAtMs  | status | ownerLen | owner id (UTF-8) |
 *  |  u8 =1  |   i32    |      i64      |      i64      |   u8   |   u16    | ownerLen bytes   |
 *  +---------+----------+---------------+---------------+--------+----------+------------------+
 *  status: 0 = idle, 1 = running
 * </pre>
 *
 * <p>Revision, the value under flow id + revision in {@code revisions}; the flow document lives
 * only here, the flow header says which revision is current:
 *
 * <pre>
 *  0         1               9           13
 *  +---------+---------------+-----------+-------------------------------------------+
 *  | version |  createdAtMs  | nodeCount | flow document JSON (FlowCodec), to the end |
 *  |  u8 =1  |      i64      |    i32    |                                           |
 *  +---------+---------------+-----------+-------------------------------------------+
 * </pre>
 *
 * <p>Stateless. Decoding validates the version and lengths and names the record when they are
 * wrong.
 */
final class FlowRecordCodec {
  static final byte VERSION = 1;

  static final int HEADER_VERSION_OFFSET = 0;
  static final int HEADER_REVISION_OFFSET = HEADER_VERSION_OFFSET + Byte.BYTES;
  static final int HEADER_CREATED_OFFSET = HEADER_REVISION_OFFSET + Integer.BYTES;
  static final int HEADER_UPDATED_OFFSET = HEADER_CREATED_OFFSET + Long.BYTES;
  static final int HEADER_STATUS_OFFSET = HEADER_UPDATED_OFFSET + Long.BYTES;
  static final int HEADER_OWNER_LENGTH_OFFSET = HEADER_STATUS_OFFSET + Byte.BYTES;
  static final int HEADER_OWNER_OFFSET = HEADER_OWNER_LENGTH_OFFSET + Short.BYTES;

  static final int REVISION_VERSION_OFFSET = 0;
  static final int REVISION_CREATED_OFFSET = REVISION_VERSION_OFFSET + Byte.BYTES;
  static final int REVISION_NODE_COUNT_OFFSET = REVISION_CREATED_OFFSET + Long.BYTES;
  static final int REVISION_DOCUMENT_OFFSET = REVISION_NODE_COUNT_OFFSET + Integer.BYTES;

  private static final byte STATUS_IDLE = 0;
  private static final byte STATUS_RUNNING = 1;

  private FlowRecordCodec() {}

  /** A decoded flow header. */
  record Header(
      String ownerId, int revision, FlowStatus status, long createdAtMs, long updatedAtMs) {
    Header withRevision(int next, long nowMs) {
      return new Header(ownerId, next, status, createdAtMs, nowMs);
    }

    Header withStatus(FlowStatus next) {
      return new Header(ownerId, revision, next, createdAtMs, updatedAtMs);
    }
  }

  static byte[] encodeHeader(Header header) {
    byte[] owner = header.ownerId().getBytes(StandardCharsets.UTF_8);
    return ByteBuffer.allocate(HEADER_OWNER_OFFSET + owner.length)
        .put(VERSION)
        .putInt(header.revision())
        .putLong(header.createdAtMs())
        .putLong(header.updatedAtMs())
        .put(header.status() == FlowStatus.RUNNING ? STATUS_RUNNING : STATUS_IDLE)
        .putShort((short) owner.length)
        .put(owner)
        .array();
  }

  static Header decodeHeader(String flowId, byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    if (bytes.length < HEADER_OWNER_OFFSET || bytes[HEADER_VERSION_OFFSET] != VERSION) {
      throw corrupt("flow header", flowId, bytes);
    }
    int ownerLength = Short.toUnsignedInt(buffer.getShort(HEADER_OWNER_LENGTH_OFFSET));
    byte status = bytes[HEADER_STATUS_OFFSET];
    if (bytes.length != HEADER_OWNER_OFFSET + ownerLength
        || (status != STATUS_IDLE && status != STATUS_RUNNING)) {
      throw corrupt("flow header", flowId, bytes);
    }
    return new Header(
        new String(bytes, HEADER_OWNER_OFFSET, ownerLength, StandardCharsets.UTF_8),
        buffer.getInt(HEADER_REVISION_OFFSET),
        status == STATUS_RUNNING ? FlowStatus.RUNNING : FlowStatus.IDLE,
        buffer.getLong(HEADER_CREATED_OFFSET),
        buffer.getLong(HEADER_UPDATED_OFFSET));
  }

  static byte[] encodeRevision(long createdAtMs, int nodeCount, byte[] document) {
    return ByteBuffer.allocate(REVISION_DOCUMENT_OFFSET + document.length)
        .put(VERSION)
        .putLong(createdAtMs)
        .putInt(nodeCount)
        .put(document)
        .array();
  }

  /** A copy of a stored revision with another creation time: how a rollback re-writes one. */
  static byte[] restamp(byte[] revision, long createdAtMs) {
    byte[] copy = Arrays.copyOf(revision, revision.length);
    ByteBuffer.wrap(copy).putLong(REVISION_CREATED_OFFSET, createdAtMs);
    return copy;
  }

  /** Reads the history entry straight from LMDB's buffers, without copying the document. */
  static RevisionInfo revisionInfo(String flowId, DirectBuffer key, DirectBuffer value) {
    if (value.capacity() < REVISION_DOCUMENT_OFFSET
        || value.getByte(REVISION_VERSION_OFFSET) != VERSION) {
      throw new StorageException(
          "stored revision of flow '" + flowId + "' is damaged: " + value.capacity() + " bytes");
    }
    return new RevisionInfo(
        key.getInt(key.capacity() - Integer.BYTES, ByteOrder.BIG_ENDIAN),
        value.getLong(REVISION_CREATED_OFFSET, ByteOrder.BIG_ENDIAN),
        value.getInt(REVISION_NODE_COUNT_OFFSET, ByteOrder.BIG_ENDIAN));
  }

  static Flow decodeFlow(String flowId, int revision, byte[] bytes) {
    if (bytes.length < REVISION_DOCUMENT_OFFSET || bytes[REVISION_VERSION_OFFSET] != VERSION) {
      throw corrupt("revision " + revision + " of flow", flowId, bytes);
    }
    byte[] document = Arrays.copyOfRange(bytes, REVISION_DOCUMENT_OFFSET, bytes.length);
    try {
      return FlowCodec.read(document);
    } catch (FlowCodec.FlowFormatException e) {
      throw new StorageException(
          "stored revision " + revision + " of flow '" + flowId + "' is unreadable: " + e, e);
    }
  }

  private static StorageException corrupt(String what, String flowId, byte[] bytes) {
    return new StorageException(
        "stored "
            + what
            + " '"
            + flowId
            + "' is damaged: "
            + bytes.length
            + " bytes, version "
            + (bytes.length > 0 ? bytes[0] : -1));
  }
}
