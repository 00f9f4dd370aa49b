package dev.z8run.io.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Guards the event stream's codec against allocation: encode, validate and decode the hot frames
 * into reused buffers, measured with the thread's allocated-bytes counter.
 */
@Isolated // allocation once the JIT has compiled: other classes' compiles would delay that
class FrameAllocationTest {
  private static final int WARM_UP = 200_000;
  private static final int MEASURED = 300_000;

  private final UnsafeBuffer out = new UnsafeBuffer(new byte[1024]);
  private final UnsafeBuffer preview =
      new UnsafeBuffer(
          "{\"payload\":{\"n\":123456},\"topic\":\"t\"}".getBytes(StandardCharsets.UTF_8));
  private final FrameFlyweight frame = new FrameFlyweight();
  private final DebugSampleFlyweight sample = new DebugSampleFlyweight();
  private final NodeStatusFlyweight status = new NodeStatusFlyweight();
  private final ExecutionEventFlyweight event = new ExecutionEventFlyweight();

  /** Made once: the encoder is measured, not the caller's record. */
  private static final EventEncoder.Origin ORIGIN = new EventEncoder.Origin("flow-1", 7L, "node_3");

  private long sink;

  @Test
  void shouldEncodeValidateAndDecodeHotFramesWithoutAllocating() {
    ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    run(WARM_UP);
    long threadId = Thread.currentThread().threadId();
    long before = threads.getThreadAllocatedBytes(threadId);
    run(MEASURED);
    long allocated = threads.getThreadAllocatedBytes(threadId) - before;
    double perRound = (double) allocated / MEASURED;
    System.out.printf(
        "frame codec: %d bytes for %d rounds: %.4f B/round%n", allocated, MEASURED, perRound);
    assertTrue(perRound < 0.5, "frame codec allocates " + perRound + " bytes per round");
    assertTrue(sink != 0);
  }

  private void run(int rounds) {
    for (int i = 0; i < rounds; i++) {
      int length =
          EventEncoder.debugSample(
              out,
              3,
              "flow-1",
              "debug_1",
              i,
              1_700_000_000_000L,
              false,
              36,
              preview,
              0,
              preview.capacity());
      frame.wrap(out, 3);
      assertEquals(FrameError.NONE, frame.validate(length));
      sink += sample.wrap(frame).isValid() ? sample.executionId() + sample.previewLength() : 0;

      length = EventEncoder.nodeStatus(out, 3, "flow-1", "node_2", "connected");
      assertEquals(FrameError.NONE, frame.wrap(out, 3).validate(length));
      sink += status.wrap(frame).isValid() ? status.textLength() : 0;

      length = EventEncoder.nodeEvent(out, 3, MessageType.NODE_COMPLETED, ORIGIN, 420L);
      assertEquals(FrameError.NONE, frame.wrap(out, 3).validate(length));
      sink += event.wrap(frame).isValid() ? event.durationNs() : 0;
    }
  }
}
