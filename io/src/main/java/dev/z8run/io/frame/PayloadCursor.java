package dev.z8run.io.frame;

import static java.nio.ByteOrder.LITTLE_ENDIAN;

import org.agrona.DirectBuffer;

/**
 * A validating reader that walks a payload field by field for the event flyweights. The first field
 * that does not fit stops it: later reads return 0 and read nothing, and {@link #error(String)}
 * says which field failed and why. Reads never touch bytes at or past the payload's end, whatever
 * the lengths inside it claim. Allocates only in {@link #error(String)}, only when there is an
 * error to report.
 */
final class PayloadCursor {
  private static final int OK = 0;
  private static final int SHORT = 1;
  private static final int TRAILING = 2;
  private static final int BAD_VALUE = 3;

  private DirectBuffer buffer;
  private int start;
  private int position;
  private int limit;
  private int lastLength;
  private int failure;
  private String failedField;
  private long failedValue;
  private int failedAt;

  void wrap(DirectBuffer buffer, int offset, int length) {
    this.buffer = buffer;
    this.start = offset;
    this.position = offset;
    this.limit = offset + Math.max(0, length);
    this.lastLength = 0;
    this.failure = OK;
    this.failedField = null;
  }

  boolean ok() {
    return failure == OK;
  }

  /** Absolute offset of the next field. */
  int position() {
    return position;
  }

  /** Content length of the string or byte field read last. */
  int lastLength() {
    return lastLength;
  }

  private boolean need(String field, long bytes) {
    if (failure != OK) {
      return false;
    }
    if (bytes > limit - position) {
      fail(SHORT, field, bytes);
      return false;
    }
    return true;
  }

  private void fail(int kind, String field, long value) {
    failure = kind;
    failedField = field;
    failedValue = value;
    failedAt = position - start;
    lastLength = 0;
  }

  int u8(String field) {
    if (!need(field, Byte.BYTES)) {
      return 0;
    }
    int value = buffer.getByte(position) & 0xFF;
    position += Byte.BYTES;
    return value;
  }

  /** A u8 that must be 0 or 1. */
  boolean flag(String field) {
    int value = u8(field);
    if (value > 1) {
      position -= Byte.BYTES;
      fail(BAD_VALUE, field, value);
      return false;
    }
    return value == 1;
  }

  int u32(String field) {
    if (!need(field, Integer.BYTES)) {
      return 0;
    }
    int value = buffer.getInt(position, LITTLE_ENDIAN);
    position += Integer.BYTES;
    return value;
  }

  long u64(String field) {
    if (!need(field, Long.BYTES)) {
      return 0;
    }
    long value = buffer.getLong(position, LITTLE_ENDIAN);
    position += Long.BYTES;
    return value;
  }

  /** A u16 length then that many bytes; returns the content's offset, {@link #lastLength()}. */
  int string16(String field) {
    if (!need(field, Short.BYTES)) {
      return 0;
    }
    int length = buffer.getShort(position, LITTLE_ENDIAN) & 0xFFFF;
    return content(field, Short.BYTES, length);
  }

  /** A u32 length then that many bytes; returns the content's offset, {@link #lastLength()}. */
  int bytes32(String field) {
    if (!need(field, Integer.BYTES)) {
      return 0;
    }
    long length = buffer.getInt(position, LITTLE_ENDIAN) & 0xFFFF_FFFFL;
    return content(field, Integer.BYTES, length);
  }

  private int content(String field, int prefix, long length) {
    if (length > limit - position - prefix) {
      fail(SHORT, field, prefix + length);
      return 0;
    }
    int offset = position + prefix;
    position = offset + (int) length;
    lastLength = (int) length;
    return offset;
  }

  /**
   * Fails unless {@code count} records of at least {@code minRecordBytes} each can still fit: stops
   * a lying count before the flyweight walks it.
   */
  void expectRecords(String field, long count, int minRecordBytes) {
    if (failure == OK && count * minRecordBytes > limit - position) {
      fail(BAD_VALUE, field, count);
    }
  }

  /** Fails if bytes remain after the last field. */
  void end() {
    if (failure == OK && position != limit) {
      fail(TRAILING, "end", limit - position);
    }
  }

  /** Null when every field fitted, else a sentence naming the layout, field and numbers. */
  String error(String layout) {
    return switch (failure) {
      case OK -> null;
      case SHORT ->
          layout
              + ": "
              + failedField
              + " needs "
              + failedValue
              + " bytes at payload offset "
              + failedAt
              + " but only "
              + (limit - start - failedAt)
              + " remain of payload_len="
              + (limit - start);
      case TRAILING ->
          layout
              + ": "
              + failedValue
              + " trailing bytes after the last field at payload offset "
              + failedAt;
      default ->
          layout
              + ": "
              + failedField
              + "="
              + failedValue
              + " is invalid at payload offset "
              + failedAt
              + " (payload_len="
              + (limit - start)
              + ")";
    };
  }
}
