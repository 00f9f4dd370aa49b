package dev.z8run.store.vector;

import dev.z8run.store.lmdb.StorageException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The values of the vector tables ({@code Table.VECTOR_COLLECTIONS}, {@code Table.VECTORS}).
 *
 * <pre>
 *   collection header (53 bytes, big-endian; format 1 had 45, without bytes, read as bytes 0):
 *   0        1          5               13          21             29             37           45        53
 *   +--------+----------+---------------+-----------+--------------+--------------+------------+---------+
 *   | u8 = 2 | dims i32 | nextSeq i64   | count i64 | floorSeq i64 | generation   | tombstones | bytes   |
 *   | format |          | (next to use) | (live)    | (trimmed to) | i64 (random) | i64 (kept) | i64     |
 *   +--------+----------+---------------+-----------+--------------+--------------+------------+---------+
 *   bytes: the keys and values of the live entries (what counts against VectorLimits)
 *
 *   entry:
 *   0        1           9          13                  13+4d           17+4d        17+4d+t
 *   +--------+-----------+----------+-------------------+---------------+------------+-----------+
 *   | u8 = 1 | seq i64 BE| dims i32 | dims x f32 (LE)   | textLen i32 BE| text UTF-8 | metadata  |
 *   |        |           | BE       |                   |               |            | JSON UTF-8|
 *   +--------+-----------+----------+-------------------+---------------+------------+-----------+
 * </pre>
 *
 * Stateless.
 */
final class VectorCodec {
  private VectorCodec() {}

  static final byte FORMAT = 1;

  private static final byte HEADER_FORMAT = 2;

  /** A collection's header. */
  record Header(
      int dims,
      long nextSeq,
      long count,
      long floorSeq,
      long generation,
      long tombstones,
      long bytes) {
    Header withNextSeq(long value) {
      return new Header(dims, value, count, floorSeq, generation, tombstones, bytes);
    }

    Header withCount(long value) {
      return new Header(dims, nextSeq, value, floorSeq, generation, tombstones, bytes);
    }

    Header withTombstones(long value, long floor) {
      return new Header(dims, nextSeq, count, floor, generation, value, bytes);
    }

    Header withBytes(long value) {
      return new Header(dims, nextSeq, count, floorSeq, generation, tombstones, value);
    }
  }

  private static final int HEADER_DIMS = 1;
  private static final int HEADER_NEXT = HEADER_DIMS + Integer.BYTES;
  private static final int HEADER_COUNT = HEADER_NEXT + Long.BYTES;
  private static final int HEADER_FLOOR = HEADER_COUNT + Long.BYTES;
  private static final int HEADER_GENERATION = HEADER_FLOOR + Long.BYTES;
  private static final int HEADER_TOMBSTONES = HEADER_GENERATION + Long.BYTES;
  private static final int HEADER_SIZE = HEADER_TOMBSTONES + Long.BYTES;
  private static final int FORMAT_1_HEADER_BYTES = HEADER_SIZE;
  static final int HEADER_BYTES = HEADER_SIZE + Long.BYTES;

  static byte[] header(Header header) {
    return ByteBuffer.allocate(HEADER_BYTES)
        .put(HEADER_FORMAT)
        .putInt(header.dims())
        .putLong(header.nextSeq())
        .putLong(header.count())
        .putLong(header.floorSeq())
        .putLong(header.generation())
        .putLong(header.tombstones())
        .putLong(header.bytes())
        .array();
  }

  static Header header(byte[] value) {
    boolean current = value.length == HEADER_BYTES && value[0] == HEADER_FORMAT;
    if (!current && !(value.length == FORMAT_1_HEADER_BYTES && value[0] == FORMAT)) {
      throw new StorageException(
          "a vector collection header is damaged: "
              + value.length
              + " bytes, expected "
              + HEADER_BYTES);
    }
    ByteBuffer b = ByteBuffer.wrap(value);
    return new Header(
        b.getInt(HEADER_DIMS),
        b.getLong(HEADER_NEXT),
        b.getLong(HEADER_COUNT),
        b.getLong(HEADER_FLOOR),
        b.getLong(HEADER_GENERATION),
        b.getLong(HEADER_TOMBSTONES),
        current ? b.getLong(HEADER_SIZE) : 0);
  }

  private static final int ENTRY_SEQ = 1;
  private static final int ENTRY_DIMS = ENTRY_SEQ + Long.BYTES;
  private static final int ENTRY_VECTOR = ENTRY_DIMS + Integer.BYTES;

  static byte[] entry(long seq, VectorRecord record) {
    byte[] text = record.text().getBytes(StandardCharsets.UTF_8);
    byte[] metadata = record.metadataJson().getBytes(StandardCharsets.UTF_8);
    int dims = record.vector().length;
    ByteBuffer b =
        ByteBuffer.allocate(
            ENTRY_VECTOR + dims * Float.BYTES + Integer.BYTES + text.length + metadata.length);
    b.put(FORMAT).putLong(seq).putInt(dims);
    b.order(ByteOrder.LITTLE_ENDIAN);
    for (float value : record.vector()) {
      b.putFloat(value);
    }
    b.order(ByteOrder.BIG_ENDIAN);
    b.putInt(text.length).put(text).put(metadata);
    return b.array();
  }

  static long entrySeq(byte[] value) {
    check(value);
    return ByteBuffer.wrap(value).getLong(ENTRY_SEQ);
  }

  static VectorRecord entry(String id, byte[] value) {
    check(value);
    ByteBuffer b = ByteBuffer.wrap(value);
    int dims = b.getInt(ENTRY_DIMS);
    int textAt = ENTRY_VECTOR + dims * Float.BYTES;
    if (dims < 0 || textAt + Integer.BYTES > value.length) {
      throw new StorageException("vector entry '" + id + "' is damaged: dims=" + dims);
    }
    float[] vector = new float[dims];
    b.order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < dims; i++) {
      vector[i] = b.getFloat(ENTRY_VECTOR + i * Float.BYTES);
    }
    b.order(ByteOrder.BIG_ENDIAN);
    int textLength = b.getInt(textAt);
    int metadataAt = textAt + Integer.BYTES + textLength;
    if (textLength < 0 || metadataAt > value.length) {
      throw new StorageException("vector entry '" + id + "' is damaged: text_len=" + textLength);
    }
    String text = new String(value, textAt + Integer.BYTES, textLength, StandardCharsets.UTF_8);
    String metadata =
        new String(value, metadataAt, value.length - metadataAt, StandardCharsets.UTF_8);
    return new VectorRecord(id, vector, text, metadata);
  }

  private static void check(byte[] value) {
    if (value.length < ENTRY_VECTOR || value[0] != FORMAT) {
      throw new StorageException("a vector entry is damaged: " + value.length + " bytes");
    }
  }
}
