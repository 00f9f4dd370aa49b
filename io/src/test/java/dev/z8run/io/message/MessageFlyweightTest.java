package dev.z8run.io.message;

import static dev.z8run.io.message.MessageDescriptor.BODY_JSON;
import static dev.z8run.io.message.MessageDescriptor.BODY_JSON_BINARY;
import static dev.z8run.io.message.MessageDescriptor.BODY_TYPE_OFFSET;
import static dev.z8run.io.message.MessageDescriptor.CREDIT_OFFSET;
import static dev.z8run.io.message.MessageDescriptor.EXECUTION_ID_OFFSET;
import static dev.z8run.io.message.MessageDescriptor.EXEC_SLOT_OFFSET;
import static dev.z8run.io.message.MessageDescriptor.FLAGS_OFFSET;
import static dev.z8run.io.message.MessageDescriptor.FLAG_TRACED;
import static dev.z8run.io.message.MessageDescriptor.HEADER_LENGTH;
import static dev.z8run.io.message.MessageDescriptor.INDEX_LENGTH_OFFSET;
import static dev.z8run.io.message.MessageDescriptor.JSON_LENGTH_OFFSET;
import static dev.z8run.io.message.MessageDescriptor.MESSAGE_ID_OFFSET;
import static dev.z8run.io.message.MessageDescriptor.REF_OFFSET;
import static dev.z8run.io.message.MessageDescriptor.SOURCE_NODE_OFFSET;
import static dev.z8run.io.message.MessageDescriptor.SOURCE_PORT_OFFSET;
import static dev.z8run.io.message.MessageDescriptor.TARGET_PORT_OFFSET;
import static dev.z8run.io.message.MessageDescriptor.TIMESTAMP_OFFSET;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class MessageFlyweightTest {
  private static final int OFFSET = 24;
  private static final byte FILL = (byte) 0xA5;
  private static final byte[] JSON = "{\"payload\":1}".getBytes(StandardCharsets.UTF_8);
  private static final byte[] BINARY = {0, 1, 2, (byte) 0xFF, 127};

  private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[OFFSET + 256]);
  private final MessageFlyweight message = new MessageFlyweight();

  MessageFlyweightTest() {
    buffer.setMemory(0, buffer.capacity(), FILL);
  }

  @Test
  void shouldReadTheHeaderResolveReadUntilAnotherViewRewritesIt() {
    // resolve() reads flags and lengths once; this view's own writes keep them current, another
    // view's writes are seen after reread() (the engine's in-place claim), and wrap() forgets them
    int length = HEADER_LENGTH + JSON.length + BINARY.length;
    MessageFlyweight writer = new MessageFlyweight().wrap(buffer, OFFSET, length);
    writer.flags(FLAG_TRACED).body(JSON.length, true, 0);
    message.wrap(buffer, OFFSET, length).resolve();
    assertEquals(JSON.length, message.jsonLength());
    assertEquals(BINARY.length, message.binaryLength());
    assertTrue(message.traced());

    message.flags(0).body(JSON.length - 1, true, 1);
    assertFalse(message.traced());
    assertEquals(JSON.length - 1, message.jsonLength());
    assertEquals(1, message.indexLength());

    writer.flags(FLAG_TRACED).body(JSON.length, true, 0);
    assertEquals(JSON.length - 1, message.jsonLength(), "read at resolve(), not rewritten yet");
    message.reread();
    assertEquals(JSON.length, message.jsonLength());
    assertEquals(0, message.indexLength());
    assertTrue(message.traced());

    message.resolve();
    writer.body(2, true, 0);
    message.wrap(buffer, OFFSET, length);
    assertEquals(2, message.jsonLength());
  }

  @Test
  void shouldPlaceFieldsWhereTheDiagramDrawsThem() {
    assertEquals(0, EXECUTION_ID_OFFSET);
    assertEquals(8, MESSAGE_ID_OFFSET);
    assertEquals(16, CREDIT_OFFSET);
    assertEquals(24, TIMESTAMP_OFFSET);
    assertEquals(32, EXEC_SLOT_OFFSET);
    assertEquals(36, SOURCE_NODE_OFFSET);
    assertEquals(40, SOURCE_PORT_OFFSET);
    assertEquals(42, TARGET_PORT_OFFSET);
    assertEquals(44, BODY_TYPE_OFFSET);
    assertEquals(46, FLAGS_OFFSET);
    assertEquals(48, JSON_LENGTH_OFFSET);
    assertEquals(52, INDEX_LENGTH_OFFSET);
    assertEquals(56, REF_OFFSET);
    assertEquals(64, HEADER_LENGTH);
  }

  @Test
  void shouldReadBackEveryHeaderFieldWrittenByName() {
    int length = HEADER_LENGTH + JSON.length;
    message.wrap(buffer, OFFSET, length);

    MessageFlyweight returned =
        message
            .executionId(0x0102_0304_0506_0708L)
            .messageId(-2L)
            .credit(Long.MIN_VALUE)
            .timestampNs(123_456_789_012L)
            .execSlot(-7)
            .source(Integer.MAX_VALUE, 0xFFFF, 0x8001)
            .flags(0xFFFF)
            .body(JSON.length, false)
            .ref(0x7EAD_BEEF_0000_0001L);

    assertSame(message, returned);
    assertEquals(0x0102_0304_0506_0708L, message.executionId());
    assertEquals(-2L, message.messageId());
    assertEquals(Long.MIN_VALUE, message.credit());
    assertEquals(123_456_789_012L, message.timestampNs());
    assertEquals(-7, message.execSlot());
    assertEquals(Integer.MAX_VALUE, message.sourceNode());
    assertEquals(0xFFFF, message.sourcePort());
    assertEquals(0x8001, message.targetPort());
    assertEquals(0xFFFF, message.flags());
    assertTrue(message.traced());
    assertEquals(JSON.length, message.jsonLength());
    assertEquals(0x7EAD_BEEF_0000_0001L, message.ref());
    assertEquals(BODY_JSON, message.bodyType());
    assertEquals(0, buffer.getInt(OFFSET + INDEX_LENGTH_OFFSET));
    assertSame(buffer, message.buffer());
    assertEquals(OFFSET, message.offset());
    assertEquals(length, message.length());
  }

  @Test
  void shouldWriteHeaderInNativeOrderWithinTheRecordOnly() {
    message.wrap(buffer, OFFSET, HEADER_LENGTH);

    numbered(message, 0, 0, 9, true).executionId(0x0102_0304_0506_0708L);

    assertEquals(
        0x0102_0304_0506_0708L,
        buffer.getLong(OFFSET + EXECUTION_ID_OFFSET, ByteOrder.nativeOrder()));
    assertEquals(7, buffer.getShort(OFFSET + SOURCE_PORT_OFFSET, ByteOrder.nativeOrder()));
    assertEquals(9, buffer.getLong(OFFSET + REF_OFFSET, ByteOrder.nativeOrder()));
    for (int i = 0; i < buffer.capacity(); i++) {
      if (i < OFFSET || i >= OFFSET + HEADER_LENGTH) {
        assertEquals(FILL, buffer.getByte(i), "byte " + i + " outside the header changed");
      }
    }
  }

  @Test
  void shouldMarkBodyTypeAndTraceFlagFromArguments() {
    message.wrap(buffer, OFFSET, HEADER_LENGTH);

    numbered(message, 0, 0, 0, true);
    assertEquals(BODY_JSON_BINARY, message.bodyType());
    assertFalse(message.traced());

    numbered(message, FLAG_TRACED, 0, 0, false);
    assertEquals(BODY_JSON, message.bodyType());
    assertTrue(message.traced());
    assertEquals(FLAG_TRACED, message.flags());
  }

  @Test
  void shouldUpdateCreditAndSourceInPlace() {
    message.wrap(buffer, OFFSET, HEADER_LENGTH);
    numbered(message, 9, 0, 10, false);

    message.credit(-99).source(42, 0xFFFE, 3);

    assertEquals(-99, message.credit());
    assertEquals(42, message.sourceNode());
    assertEquals(0xFFFE, message.sourcePort());
    assertEquals(3, message.targetPort());
    assertEquals(1, message.executionId());
    assertEquals(2, message.messageId());
    assertEquals(4, message.timestampNs());
    assertEquals(5, message.execSlot());
    assertEquals(9, message.flags());
    assertEquals(10, message.ref());
  }

  @Test
  void shouldLocateJsonAndBinaryPartsOfTheBody() {
    int length = writeRecord(JSON, BINARY);

    assertEquals(OFFSET + HEADER_LENGTH, message.jsonOffset());
    assertEquals(JSON.length, message.jsonLength());
    assertEquals(OFFSET + HEADER_LENGTH + JSON.length, message.binaryOffset());
    assertEquals(BINARY.length, message.binaryLength());
    assertEquals(JSON.length + BINARY.length, message.bodyLength());
    assertEquals(length - HEADER_LENGTH, message.bodyLength());
    assertEquals("{\"payload\":1}", message.jsonString());
    assertArrayEquals(BINARY, message.binaryBytes());
    assertEquals(BODY_JSON_BINARY, message.bodyType());
    assertNull(message.validate());
  }

  @Test
  void shouldHaveEmptyBinaryPartWhenBodyIsJsonOnly() {
    writeRecord(JSON, new byte[0]);

    assertEquals(0, message.binaryLength());
    assertArrayEquals(new byte[0], message.binaryBytes());
    assertEquals(BODY_JSON, message.bodyType());
    assertNull(message.validate());
  }

  @Test
  void shouldReadRecordsAfterRewrapWithoutCarryingStateOver() {
    writeRecord(JSON, BINARY);
    UnsafeBuffer other = new UnsafeBuffer(new byte[HEADER_LENGTH + 2]);
    numbered(new MessageFlyweight().wrap(other, 0, HEADER_LENGTH + 2), 0, 2, 0, false)
        .executionId(7);

    message.wrap(other, 0, HEADER_LENGTH + 2);

    assertEquals(7, message.executionId());
    assertEquals(2, message.jsonLength());
    assertEquals(0, message.binaryLength());
    assertNull(message.validate());
  }

  @Test
  void shouldAcceptEmptyBody() {
    message.wrap(buffer, OFFSET, HEADER_LENGTH);
    numbered(message, 0, 0, 0, false);

    assertNull(message.validate());
  }

  @Test
  void shouldRejectRecordShorterThanHeader() {
    message.wrap(buffer, OFFSET, HEADER_LENGTH - 1);

    assertEquals("record length=63 is shorter than the header length=64", message.validate());
  }

  @Test
  void shouldRejectJsonLengthBeyondTheBody() {
    writeRecord(JSON, BINARY);
    buffer.putInt(OFFSET + JSON_LENGTH_OFFSET, JSON.length + BINARY.length + 1);

    assertEquals("json_length=19 exceeds the body length=18", message.validate());
  }

  @Test
  void shouldRejectNegativeJsonLength() {
    writeRecord(JSON, BINARY);
    buffer.putInt(OFFSET + JSON_LENGTH_OFFSET, -1);

    assertEquals("json_length=-1 is negative", message.validate());
  }

  @Test
  void shouldRejectUnknownBodyType() {
    writeRecord(JSON, new byte[0]);
    buffer.putShort(OFFSET + BODY_TYPE_OFFSET, (short) 7);

    assertEquals("body_type=7 is not one of 1, 2", message.validate());
  }

  @Test
  void shouldRejectJsonOnlyBodyFollowedByBinaryBytes() {
    writeRecord(JSON, BINARY);
    buffer.putShort(OFFSET + BODY_TYPE_OFFSET, BODY_JSON);

    assertEquals(
        "body_type=1 (JSON only) but 5 bytes follow the json_length=13", message.validate());
  }

  /**
   * Writes every header field by name: execution id 1, message id 2, credit 3, timestamp 4, slot 5,
   * source node 6, source port 7, target port 8, then the given flags, body shape and ref.
   */
  private static MessageFlyweight numbered(
      MessageFlyweight message, int flags, int jsonLength, long ref, boolean binary) {
    return message
        .executionId(1)
        .messageId(2)
        .credit(3)
        .timestampNs(4)
        .execSlot(5)
        .source(6, 7, 8)
        .flags(flags)
        .body(jsonLength, binary)
        .ref(ref);
  }

  /** Writes a record of JSON and binary parts at {@link #OFFSET}; returns its length. */
  private int writeRecord(byte[] json, byte[] binary) {
    int length = HEADER_LENGTH + json.length + binary.length;
    message.wrap(buffer, OFFSET, length);
    numbered(message, 0, json.length, 0, binary.length > 0);
    buffer.putBytes(message.jsonOffset(), json);
    buffer.putBytes(message.binaryOffset(), binary);
    return length;
  }
}
