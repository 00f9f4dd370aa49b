package dev.z8run.io.frame;

import static dev.z8run.io.frame.FrameDescriptor.HEADER_LENGTH;
import static dev.z8run.io.frame.FrameDescriptor.MAX_PAYLOAD_BYTES;
import static dev.z8run.io.frame.FrameDescriptor.MSG_TYPE_OFFSET;
import static dev.z8run.io.frame.FrameDescriptor.PAYLOAD_LENGTH_OFFSET;
import static dev.z8run.io.frame.FrameDescriptor.VERSION_OFFSET;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
  private static final int OFFSET = 13;
  private static final String FLOW = "flow-é-1";
  private static final String NODE = "node_1700000000000_3 \uD83D\uDE80";

  private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[OFFSET + 4096]);
  private final FrameFlyweight frame = new FrameFlyweight();

  private int validated(int length) {
    frame.wrap(buffer, OFFSET);
    assertEquals(
        FrameError.NONE,
        frame.validate(length),
        () -> frame.reason(frame.validate(length), length));
    assertEquals(FrameDescriptor.VERSION, frame.version());
    assertEquals(0, frame.correlationId());
    assertEquals(length - HEADER_LENGTH, frame.payloadLength());
    assertEquals(OFFSET + HEADER_LENGTH, frame.payloadOffset());
    return frame.msgType();
  }

  @Test
  void shouldDrawHeaderAsElevenLittleEndianBytes() {
    int length = FrameEncoder.encodeEmpty(buffer, OFFSET, MessageType.PING, 0x01020304);
    assertEquals(11, length);
    byte[] bytes = new byte[length];
    buffer.getBytes(OFFSET, bytes);
    assertEquals("0101000403020100000000", hex(bytes));
    frame.wrap(buffer, OFFSET);
    assertEquals(FrameError.NONE, frame.validate(length));
    assertEquals(0x01020304, frame.correlationId());
  }

  @Test
  void shouldRoundTripJsonControlMessage() {
    String json = "{\"token\":\"eyJ.é.x\"}";
    int length = FrameEncoder.encodeUtf8(buffer, OFFSET, MessageType.AUTHENTICATE, 7, json);
    frame.wrap(buffer, OFFSET);
    assertEquals(FrameError.NONE, frame.validate(length));
    assertEquals(MessageType.AUTHENTICATE, frame.msgType());
    assertEquals(7, frame.correlationId());
    assertEquals(json, Utf8.get(buffer, frame.payloadOffset(), frame.payloadLength()));
    assertEquals(json.getBytes(StandardCharsets.UTF_8).length, frame.payloadLength());
  }

  @Test
  void shouldRoundTripDebugSample() {
    UnsafeBuffer preview = new UnsafeBuffer("xx{\"payload\":42}".getBytes(StandardCharsets.UTF_8));
    int length =
        EventEncoder.debugSample(
            buffer, OFFSET, FLOW, NODE, -5L, 1_700_000_000_123L, true, 123_456, preview, 2, 14);
    assertEquals(MessageType.DEBUG_SAMPLE, validated(length));
    DebugSampleFlyweight sample = new DebugSampleFlyweight().wrap(frame);
    assertNull(sample.validate());
    assertTrue(sample.isValid());
    assertEquals(FLOW, sample.flowId());
    assertEquals(NODE, sample.nodeId());
    assertEquals(-5L, sample.executionId());
    assertEquals(1_700_000_000_123L, sample.timestampMs());
    assertTrue(sample.truncated());
    assertEquals(123_456, sample.originalLength());
    assertEquals("{\"payload\":42}", sample.preview());
  }

  @Test
  void shouldRoundTripNodeStatus() {
    int length = EventEncoder.nodeStatus(buffer, OFFSET, FLOW, NODE, "3 queued");
    assertEquals(MessageType.NODE_STATUS, validated(length));
    NodeStatusFlyweight status = new NodeStatusFlyweight().wrap(frame);
    assertNull(status.validate());
    assertEquals(FLOW, status.flowId());
    assertEquals(NODE, status.nodeId());
    assertEquals("3 queued", status.text());
  }

  @Test
  void shouldRoundTripNodeEvents() {
    ExecutionEventFlyweight event = new ExecutionEventFlyweight();
    for (int type :
        new int[] {
          MessageType.EXECUTION_STARTED, MessageType.NODE_STARTED, MessageType.NODE_COMPLETED
        }) {
      int length =
          EventEncoder.nodeEvent(
              buffer, OFFSET, type, new EventEncoder.Origin(FLOW, 99L, NODE), 12_345L);
      assertEquals(type, validated(length));
      event.wrap(frame);
      assertNull(event.validate());
      assertEquals(FLOW, event.flowId());
      assertEquals(99L, event.executionId());
      assertEquals(NODE, event.nodeId());
      assertEquals(12_345L, event.durationNs());
      assertEquals(0, event.errorLength());
    }
  }

  @Test
  void shouldRoundTripExecutionCompleted() {
    int length = EventEncoder.executionCompleted(buffer, OFFSET, FLOW, 7L, 1_000_000L);
    assertEquals(MessageType.EXECUTION_COMPLETED, validated(length));
    ExecutionEventFlyweight event = new ExecutionEventFlyweight().wrap(frame);
    assertNull(event.validate());
    assertEquals(FLOW, event.flowId());
    assertEquals(7L, event.executionId());
    assertEquals(0, event.nodeIdLength());
    assertEquals(1_000_000L, event.durationNs());
  }

  @Test
  void shouldRoundTripFailures() {
    ExecutionEventFlyweight event = new ExecutionEventFlyweight();
    for (int type :
        new int[] {MessageType.EXECUTION_FAILED, MessageType.NODE_ERROR, MessageType.NODE_WARN}) {
      int length =
          EventEncoder.failure(
              buffer, OFFSET, type, new EventEncoder.Origin(FLOW, 8L, NODE), "boom: ünïcode");
      assertEquals(type, validated(length));
      event.wrap(frame);
      assertNull(event.validate());
      assertEquals(8L, event.executionId());
      assertEquals(NODE, event.nodeId());
      assertEquals("boom: ünïcode", event.error());
    }
  }

  @Test
  void shouldRoundTripCounters() {
    int length =
        new CountersEncoder()
            .wrap(buffer, OFFSET, FLOW)
            .addEntry("a", 1, 2, 3, 4, 5, 6, 7_000, 8_000_000)
            .addEntry(NODE, Long.MAX_VALUE, 0, 0, 0, -1, 0, 99, 99)
            .finish();
    assertEquals(MessageType.COUNTERS, validated(length));
    CountersFlyweight counters = new CountersFlyweight().wrap(frame);
    assertNull(counters.validate());
    assertEquals(FLOW, counters.flowId());
    assertEquals(2, counters.count());
    assertTrue(counters.nextEntry());
    assertEquals("a", counters.nodeId());
    assertEquals(1, counters.in());
    assertEquals(2, counters.out());
    assertEquals(3, counters.errors());
    assertEquals(4, counters.drops());
    assertEquals(5, counters.queued());
    assertEquals(6, counters.samples());
    assertEquals(7_000, counters.p50Ns());
    assertEquals(8_000_000, counters.p99Ns());
    assertTrue(counters.nextEntry());
    assertEquals(NODE, counters.nodeId());
    assertEquals(Long.MAX_VALUE, counters.in());
    assertEquals(0xFFFF_FFFFL, counters.queued());
    assertEquals(0, counters.samples());
    assertEquals(0, counters.p50Ns(), "no samples: no figure, whatever was passed");
    assertFalse(counters.nextEntry());
    counters.resetEntries();
    assertTrue(counters.nextEntry());
    assertEquals("a", counters.nodeId());
  }

  @Test
  void shouldRoundTripEmptyCounters() {
    int length = new CountersEncoder().wrap(buffer, OFFSET, FLOW).finish();
    validated(length);
    CountersFlyweight counters = new CountersFlyweight().wrap(frame);
    assertNull(counters.validate());
    assertEquals(0, counters.count());
    assertFalse(counters.nextEntry());
  }

  @Test
  void shouldRoundTripDebugSkipped() {
    int length = EventEncoder.debugSkipped(buffer, OFFSET, FLOW, -2);
    assertEquals(MessageType.DEBUG_SKIPPED, validated(length));
    DebugSkippedFlyweight skipped = new DebugSkippedFlyweight().wrap(frame);
    assertNull(skipped.validate());
    assertEquals(FLOW, skipped.flowId());
    assertEquals(0xFFFF_FFFEL, skipped.skipped());
  }

  @Test
  void shouldWalkServerBatchOfFrames() {
    int first = EventEncoder.nodeStatus(buffer, OFFSET, FLOW, NODE, "ok");
    int second = EventEncoder.debugSkipped(buffer, OFFSET + first, FLOW, 3);
    int total = first + second;
    frame.wrap(buffer, OFFSET);
    assertEquals(FrameError.LENGTH_MISMATCH, frame.validate(total));
    assertEquals(FrameError.NONE, frame.validateInBatch(total));
    assertEquals(MessageType.NODE_STATUS, frame.msgType());
    frame.wrap(buffer, OFFSET + frame.frameLength());
    assertEquals(FrameError.NONE, frame.validateInBatch(total - first));
    assertEquals(MessageType.DEBUG_SKIPPED, frame.msgType());
    assertEquals(second, frame.frameLength());
    assertEquals(FrameError.LENGTH_MISMATCH, frame.validateInBatch(second - 1));
  }

  @Test
  void shouldRejectFrameShorterThanHeader() {
    FrameEncoder.encodeEmpty(buffer, OFFSET, MessageType.PING, 1);
    frame.wrap(buffer, OFFSET);
    assertEquals(FrameError.TOO_SHORT, frame.validate(HEADER_LENGTH - 1));
    assertEquals(FrameError.TOO_SHORT, frame.validate(0));
    assertEquals(
        "frame length=10 is shorter than the header length=11",
        frame.reason(FrameError.TOO_SHORT, 10));
    assertEquals(1002, FrameError.TOO_SHORT.closeCode());
  }

  @Test
  void shouldRejectFrameWithWrongVersion() {
    FrameEncoder.encodeEmpty(buffer, OFFSET, MessageType.PING, 1);
    buffer.putByte(OFFSET + VERSION_OFFSET, (byte) 2);
    frame.wrap(buffer, OFFSET);
    assertEquals(FrameError.BAD_VERSION, frame.validate(HEADER_LENGTH));
    assertEquals(
        "version=2 is not the supported version=1", frame.reason(FrameError.BAD_VERSION, 11));
  }

  @Test
  void shouldRejectFrameWithUnknownTypeButKeepConnection() {
    FrameEncoder.encodeEmpty(buffer, OFFSET, MessageType.PING, 1);
    buffer.putShort(OFFSET + MSG_TYPE_OFFSET, (short) 0x0399, LITTLE_ENDIAN);
    frame.wrap(buffer, OFFSET);
    assertEquals(FrameError.UNKNOWN_TYPE, frame.validate(HEADER_LENGTH));
    assertEquals("msg_type=0x0399 is unknown", frame.reason(FrameError.UNKNOWN_TYPE, 11));
    assertEquals(0, FrameError.UNKNOWN_TYPE.closeCode());
    assertEquals(400, FrameError.UNKNOWN_TYPE.errorCode());
  }

  @Test
  void shouldRejectFrameWhoseLengthExceedsMaximum() {
    FrameEncoder.encodeEmpty(buffer, OFFSET, MessageType.PING, 1);
    buffer.putInt(OFFSET + PAYLOAD_LENGTH_OFFSET, MAX_PAYLOAD_BYTES + 1, LITTLE_ENDIAN);
    frame.wrap(buffer, OFFSET);
    assertEquals(FrameError.LENGTH_TOO_LARGE, frame.validate(HEADER_LENGTH));
    assertEquals(
        "payload_len=16777217 exceeds 16777216", frame.reason(FrameError.LENGTH_TOO_LARGE, 11));
    buffer.putInt(OFFSET + PAYLOAD_LENGTH_OFFSET, -1, LITTLE_ENDIAN);
    assertEquals(FrameError.LENGTH_TOO_LARGE, frame.validate(HEADER_LENGTH));
    assertEquals(1009, FrameError.LENGTH_TOO_LARGE.closeCode());
  }

  @Test
  void shouldRejectFrameWhoseLengthLies() {
    int length = EventEncoder.nodeStatus(buffer, OFFSET, FLOW, NODE, "ok");
    frame.wrap(buffer, OFFSET);
    assertEquals(FrameError.LENGTH_MISMATCH, frame.validate(length - 1));
    assertEquals(FrameError.LENGTH_MISMATCH, frame.validate(length + 1));
    assertEquals(
        "payload_len="
            + (length - HEADER_LENGTH)
            + " but "
            + (length - 12)
            + " bytes follow the header",
        frame.reason(FrameError.LENGTH_MISMATCH, length - 1));
  }

  @Test
  void shouldReportWhichPayloadFieldDoesNotFit() {
    UnsafeBuffer preview = new UnsafeBuffer(new byte[8]);
    int length = EventEncoder.debugSample(buffer, OFFSET, "f", "n", 1, 2, false, 8, preview, 0, 8);
    int previewLengthAt = OFFSET + length - 8 - Integer.BYTES;
    buffer.putInt(previewLengthAt, 9, LITTLE_ENDIAN);
    DebugSampleFlyweight sample =
        new DebugSampleFlyweight().wrap(buffer, OFFSET + HEADER_LENGTH, length - HEADER_LENGTH);
    assertFalse(sample.isValid());
    int at = previewLengthAt - OFFSET - HEADER_LENGTH;
    assertEquals(
        "DEBUG_SAMPLE: preview needs 13 bytes at payload offset "
            + at
            + " but only 12 remain of payload_len="
            + (length - HEADER_LENGTH),
        sample.validate());
  }

  @Test
  void shouldRejectTrailingBytesAndBadFlags() {
    int length = EventEncoder.debugSkipped(buffer, OFFSET, "f", 3);
    DebugSkippedFlyweight skipped =
        new DebugSkippedFlyweight()
            .wrap(buffer, OFFSET + HEADER_LENGTH, length - HEADER_LENGTH + 2);
    assertEquals(
        "DEBUG_SKIPPED: 2 trailing bytes after the last field at payload offset 7",
        skipped.validate());

    UnsafeBuffer preview = new UnsafeBuffer(new byte[0]);
    length = EventEncoder.debugSample(buffer, OFFSET, "f", "n", 1, 2, false, 0, preview, 0, 0);
    buffer.putByte(OFFSET + HEADER_LENGTH + 3 + 3 + 16, (byte) 2);
    DebugSampleFlyweight sample =
        new DebugSampleFlyweight().wrap(buffer, OFFSET + HEADER_LENGTH, length - HEADER_LENGTH);
    assertEquals(
        "DEBUG_SAMPLE: truncated=2 is invalid at payload offset 22 (payload_len=31)",
        sample.validate());
  }

  @Test
  void shouldRejectCounterCountThatCannotFit() {
    int length =
        new CountersEncoder()
            .wrap(buffer, OFFSET, "f")
            .addEntry("n", 1, 1, 1, 1, 1, 1, 1, 1)
            .finish();
    buffer.putInt(OFFSET + HEADER_LENGTH + 3, 1_000_000_000, LITTLE_ENDIAN);
    CountersFlyweight counters =
        new CountersFlyweight().wrap(buffer, OFFSET + HEADER_LENGTH, length - HEADER_LENGTH);
    assertFalse(counters.isValid());
    assertEquals(0, counters.count());
    assertFalse(counters.nextEntry());
    assertTrue(counters.validate().startsWith("COUNTERS: count=1000000000 is invalid"));
  }

  @Test
  void shouldRefuseToEncodeOversizedStringsAndPayloads() {
    UnsafeBuffer big = new UnsafeBuffer(new byte[70_000 * 3 + 64]);
    String longText = "x".repeat(65_536);
    assertThrows(
        IllegalArgumentException.class, () -> EventEncoder.nodeStatus(big, 0, "f", "n", longText));
    assertThrows(
        IllegalArgumentException.class,
        () -> FrameEncoder.encodeHeader(big, 0, MessageType.OK, 1, MAX_PAYLOAD_BYTES + 1));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            EventEncoder.nodeEvent(
                big, 0, MessageType.NODE_STATUS, new EventEncoder.Origin("f", 1, "n"), 1));
  }

  @Test
  void shouldNameEveryKnownTypeAndNoOther() {
    int known = 0;
    for (int type = 0; type <= 0xFFFF; type++) {
      if (MessageType.isKnown(type)) {
        known++;
        assertFalse(MessageType.name(type).equals("UNKNOWN"));
      }
    }
    assertEquals(41, known);
    assertEquals("DEBUG_SAMPLE", MessageType.name(0x0305));
    assertFalse(MessageType.isKnown(0x0307));
    assertFalse(MessageType.isKnown(0x0404));
  }

  private static String hex(byte[] bytes) {
    StringBuilder out = new StringBuilder();
    for (byte b : bytes) {
      out.append(String.format("%02X", b));
    }
    return out.toString();
  }
}
