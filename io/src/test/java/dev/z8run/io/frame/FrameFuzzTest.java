package dev.z8run.io.frame;

import static dev.z8run.io.frame.FrameDescriptor.HEADER_LENGTH;
import static dev.z8run.io.frame.FrameDescriptor.MAX_PAYLOAD_BYTES;
import static dev.z8run.io.frame.FrameDescriptor.PAYLOAD_LENGTH_OFFSET;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Throws random and mutated frames at {@link FrameFlyweight#validate(int)} and at every payload
 * decoder. Each frame is exposed through a buffer whose capacity ends exactly where the frame ends,
 * and the tests run with Agrona bounds checks on: a read past {@code available} throws, and any
 * throw fails the test. The decoders document no exception at all, so none is tolerated.
 */
class FrameFuzzTest {
  private static final long SEED = 0x5EED_2026L;
  private static final int FRAMES = 2_000_000;
  private static final int OFFSET = 5;
  private static final int MAX_FRAME = 512;

  private final Random random = new Random(SEED);
  private final byte[] bytes = new byte[OFFSET + MAX_FRAME];
  private final UnsafeBuffer view = new UnsafeBuffer(bytes);
  private final FrameFlyweight frame = new FrameFlyweight();
  private final DebugSampleFlyweight sample = new DebugSampleFlyweight();
  private final NodeStatusFlyweight status = new NodeStatusFlyweight();
  private final ExecutionEventFlyweight event = new ExecutionEventFlyweight();
  private final CountersFlyweight counters = new CountersFlyweight();
  private final DebugSkippedFlyweight skipped = new DebugSkippedFlyweight();
  private final Map<FrameError, Integer> outcomes = new EnumMap<>(FrameError.class);
  private int validPayloads;
  private long checksum;

  @Test
  void shouldSurviveMillionRandomAndMutatedFrames() {
    List<byte[]> templates = templates();
    long startNs = System.nanoTime();
    for (int i = 0; i < FRAMES; i++) {
      int length = mutate(i % 6, templates.get(random.nextInt(templates.size())));
      try {
        check(length);
      } catch (RuntimeException | AssertionError e) {
        byte[] frameBytes = new byte[length];
        System.arraycopy(bytes, OFFSET, frameBytes, 0, length);
        fail("frame #" + i + " (seed " + SEED + ") " + HexFormat.of().formatHex(frameBytes), e);
      }
    }
    long elapsedMs = (System.nanoTime() - startNs) / 1_000_000;
    System.out.printf(
        "fuzzed %d frames in %d ms: %s, %d valid payloads (checksum %d)%n",
        FRAMES, elapsedMs, outcomes, validPayloads, checksum);
    for (FrameError error : FrameError.values()) {
      assertTrue(outcomes.getOrDefault(error, 0) > 0, "fuzz never produced " + error);
    }
    assertTrue(validPayloads > FRAMES / 20, "too few mutated payloads stayed valid");
  }

  /** Puts a frame of the returned length at {@link #OFFSET} in {@link #bytes}. */
  private int mutate(int mode, byte[] template) {
    view.wrap(bytes);
    switch (mode) {
      case 0 -> {
        // random bytes, usually with a plausible version byte
        int length = random.nextInt(64);
        for (int i = 0; i < length; i++) {
          bytes[OFFSET + i] = (byte) random.nextInt();
        }
        if (length > 0 && random.nextBoolean()) {
          bytes[OFFSET] = 1;
        }
        return length;
      }
      case 1 -> {
        int length = copy(template);
        bytes[OFFSET + random.nextInt(length)] ^= (byte) (1 << random.nextInt(8));
        return length;
      }
      case 2 -> {
        // truncated, with the header's length left as it was
        return random.nextInt(copy(template) + 1);
      }
      case 3 -> {
        // a lying payload_len, a little off or anything at all
        int length = copy(template);
        int lie =
            random.nextBoolean()
                ? length - HEADER_LENGTH + random.nextInt(9) - 4
                : random.nextInt();
        view.putInt(OFFSET + PAYLOAD_LENGTH_OFFSET, lie, LITTLE_ENDIAN);
        return length;
      }
      case 4 -> {
        int length = copy(template);
        int huge = MAX_PAYLOAD_BYTES + 1 + random.nextInt(Integer.MAX_VALUE - MAX_PAYLOAD_BYTES);
        view.putInt(
            OFFSET + PAYLOAD_LENGTH_OFFSET, random.nextBoolean() ? huge : -huge, LITTLE_ENDIAN);
        return length;
      }
      default -> {
        // a valid header over lying inner lengths: 0xFF runs land on u16/u32 length fields
        int length = copy(template);
        int at = HEADER_LENGTH + random.nextInt(Math.max(1, length - HEADER_LENGTH));
        int run = 1 + random.nextInt(4);
        for (int i = 0; i < run && at + i < length; i++) {
          bytes[OFFSET + at + i] = random.nextBoolean() ? (byte) 0xFF : (byte) random.nextInt();
        }
        return length;
      }
    }
  }

  private int copy(byte[] template) {
    System.arraycopy(template, 0, bytes, OFFSET, template.length);
    return template.length;
  }

  private void check(int available) {
    // the view ends exactly at the frame's last byte: any read past it throws
    view.wrap(bytes, 0, OFFSET + available);
    frame.wrap(view, OFFSET);
    FrameError batched = frame.validateInBatch(available);
    FrameError error = frame.validate(available);
    outcomes.merge(error, 1, Integer::sum);
    if (error == FrameError.NONE) {
      assertEquals(FrameError.NONE, batched);
    }
    if (error != FrameError.NONE) {
      assertNotNull(frame.reason(error, available));
    }
    int payloadOffset = OFFSET + Math.min(available, HEADER_LENGTH);
    int payloadLength = available - Math.min(available, HEADER_LENGTH);
    int end = payloadOffset + payloadLength;
    if (error == FrameError.NONE) {
      assertEquals(payloadOffset, frame.payloadOffset());
      assertEquals(payloadLength, frame.payloadLength());
    }
    // every decoder sees every payload, whatever the header says
    sample.wrap(view, payloadOffset, payloadLength);
    if (verdict(sample.isValid(), sample.validate())) {
      inside(sample.flowIdOffset(), sample.flowIdLength(), payloadOffset, end);
      inside(sample.nodeIdOffset(), sample.nodeIdLength(), payloadOffset, end);
      inside(sample.previewOffset(), sample.previewLength(), payloadOffset, end);
      checksum += sample.executionId() + sample.timestampMs() + sample.originalLength();
    }
    status.wrap(view, payloadOffset, payloadLength);
    if (verdict(status.isValid(), status.validate())) {
      inside(status.textOffset(), status.textLength(), payloadOffset, end);
      inside(status.nodeIdOffset(), status.nodeIdLength(), payloadOffset, end);
    }
    for (int type : EXECUTION_TYPES) {
      event.wrap(type, view, payloadOffset, payloadLength);
      if (verdict(event.isValid(), event.validate())) {
        inside(event.nodeIdOffset(), event.nodeIdLength(), payloadOffset, end);
        inside(event.errorOffset(), event.errorLength(), payloadOffset, end);
        checksum += event.executionId() + event.durationNs();
      }
    }
    counters.wrap(view, payloadOffset, payloadLength);
    if (verdict(counters.isValid(), counters.validate())) {
      int n = 0;
      while (counters.nextEntry()) {
        inside(counters.nodeIdOffset(), counters.nodeIdLength(), payloadOffset, end);
        checksum += counters.in() + counters.queued();
        n++;
      }
      assertEquals(counters.count(), n);
    }
    skipped.wrap(view, payloadOffset, payloadLength);
    if (verdict(skipped.isValid(), skipped.validate())) {
      checksum += skipped.skipped();
    }
  }

  private static final int[] EXECUTION_TYPES = {
    MessageType.EXECUTION_STARTED,
    MessageType.NODE_COMPLETED,
    MessageType.EXECUTION_COMPLETED,
    MessageType.EXECUTION_FAILED
  };

  private boolean verdict(boolean valid, String reason) {
    assertEquals(valid, reason == null, reason);
    if (valid) {
      validPayloads++;
    }
    return valid;
  }

  private static void inside(int offset, int length, int start, int end) {
    if (length != 0 && (offset < start || length < 0 || offset + length > end)) {
      fail("field [" + offset + ", +" + length + ") outside payload [" + start + ", " + end + ")");
    }
  }

  private List<byte[]> templates() {
    UnsafeBuffer out = new UnsafeBuffer(new byte[MAX_FRAME]);
    DirectBuffer preview = new UnsafeBuffer("{\"payload\":{\"n\":1},\"topic\":\"t\"}".getBytes());
    List<byte[]> templates = new ArrayList<>();
    String[] ids = {"", "f", "flow-1", "node_1700000000000_12", "é\uD83D\uDE80"};
    for (String flow : ids) {
      for (String node : ids) {
        templates.add(
            take(
                out,
                EventEncoder.debugSample(
                    out,
                    0,
                    flow,
                    node,
                    42,
                    1_700_000_000_000L,
                    true,
                    999,
                    preview,
                    0,
                    random.nextInt(preview.capacity() + 1))));
        templates.add(take(out, EventEncoder.nodeStatus(out, 0, flow, node, "connected")));
        templates.add(
            take(
                out,
                EventEncoder.nodeEvent(
                    out,
                    0,
                    MessageType.NODE_COMPLETED,
                    new EventEncoder.Origin(flow, 7, node),
                    1234)));
        templates.add(
            take(
                out,
                EventEncoder.nodeEvent(
                    out,
                    0,
                    MessageType.EXECUTION_STARTED,
                    new EventEncoder.Origin(flow, 7, node),
                    1234)));
        templates.add(take(out, EventEncoder.executionCompleted(out, 0, flow, 7, 99)));
        templates.add(
            take(
                out,
                EventEncoder.failure(
                    out,
                    0,
                    MessageType.EXECUTION_FAILED,
                    new EventEncoder.Origin(flow, 7, node),
                    "TypeError: x")));
        CountersEncoder counter = new CountersEncoder().wrap(out, 0, flow);
        for (int i = 0; i < random.nextInt(4); i++) {
          counter.addEntry(node, i, i, 0, 0, i, i, i * 1000L, i * 9000L);
        }
        templates.add(take(out, counter.finish()));
        templates.add(take(out, EventEncoder.debugSkipped(out, 0, flow, 17)));
      }
    }
    templates.add(take(out, FrameEncoder.encodeEmpty(out, 0, MessageType.PING, 1)));
    templates.add(
        take(
            out,
            FrameEncoder.encodeUtf8(out, 0, MessageType.AUTHENTICATE, 2, "{\"token\":\"a.b.c\"}")));
    templates.add(
        take(out, FrameEncoder.encodeUtf8(out, 0, MessageType.HELLO, 3, "{\"versions\":[1]}")));
    return templates;
  }

  private static byte[] take(UnsafeBuffer out, int length) {
    byte[] frameBytes = new byte[length];
    out.getBytes(0, frameBytes);
    return frameBytes;
  }
}
