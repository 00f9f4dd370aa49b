package dev.z8run.perf.jmh;

import dev.z8run.io.frame.CountersEncoder;
import dev.z8run.io.frame.CountersFlyweight;
import dev.z8run.io.frame.DebugSampleFlyweight;
import dev.z8run.io.frame.DebugSkippedFlyweight;
import dev.z8run.io.frame.EventEncoder;
import dev.z8run.io.frame.ExecutionEventFlyweight;
import dev.z8run.io.frame.FrameError;
import dev.z8run.io.frame.FrameFlyweight;
import dev.z8run.io.frame.MessageType;
import dev.z8run.io.frame.NodeStatusFlyweight;
import java.nio.charset.StandardCharsets;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;

/**
 * The editor stream's codec: encode, and validate plus decode, of every event frame the server
 * streams (DEBUG_SAMPLE, NODE_STATUS, EXECUTION_STARTED, NODE_COMPLETED, EXECUTION_COMPLETED,
 * EXECUTION_FAILED, COUNTERS of a 12-node flow, DEBUG_SKIPPED) into reused buffers. Run with {@code
 * -prof gc} for B/op, which should be ~0.
 *
 * <pre>
 * java -jar perf/target/z8run-perf.jar FrameBenchmarks -prof gc
 * </pre>
 */
public class FrameBenchmarks extends OneThreadNanos {
  private static final String FLOW_ID = "3f2b9c1e-7a4d-4e8b-9f01-2c3d4e5f6a7b";
  private static final String NODE_ID = "node_1700000000000_12";

  private final UnsafeBuffer out = new UnsafeBuffer(new byte[4096]);
  private final UnsafeBuffer debugSampleFrame = new UnsafeBuffer(new byte[4096]);
  private final UnsafeBuffer nodeStatusFrame = new UnsafeBuffer(new byte[256]);
  private final UnsafeBuffer nodeCompletedFrame = new UnsafeBuffer(new byte[256]);
  private final UnsafeBuffer executionCompletedFrame = new UnsafeBuffer(new byte[256]);
  private final UnsafeBuffer executionFailedFrame = new UnsafeBuffer(new byte[512]);
  private final UnsafeBuffer countersFrame = new UnsafeBuffer(new byte[4096]);
  private final UnsafeBuffer debugSkippedFrame = new UnsafeBuffer(new byte[256]);
  private final CountersEncoder countersEncoder = new CountersEncoder();
  private final CountersFlyweight counters = new CountersFlyweight();
  private final DebugSkippedFlyweight skipped = new DebugSkippedFlyweight();
  private final String[] nodeIds = new String[12];
  private int executionCompletedLength;
  private int executionFailedLength;
  private int countersLength;
  private int debugSkippedLength;
  private final FrameFlyweight frame = new FrameFlyweight();
  private final DebugSampleFlyweight sample = new DebugSampleFlyweight();
  private final NodeStatusFlyweight status = new NodeStatusFlyweight();
  private final ExecutionEventFlyweight event = new ExecutionEventFlyweight();
  private UnsafeBuffer preview;
  private int debugSampleLength;
  private int nodeStatusLength;
  private int nodeCompletedLength;
  private long executionId;

  @Setup(Level.Trial)
  public void setUp() {
    preview =
        new UnsafeBuffer(
            "{\"payload\":{\"temperature\":21.5,\"unit\":\"C\",\"sensor\":\"s-17\"},\"topic\":\"t\"}"
                .getBytes(StandardCharsets.UTF_8));
    debugSampleLength = encodeDebugSample(debugSampleFrame);
    nodeStatusLength = EventEncoder.nodeStatus(nodeStatusFrame, 0, FLOW_ID, NODE_ID, "connected");
    nodeCompletedLength =
        EventEncoder.nodeEvent(
            nodeCompletedFrame,
            0,
            MessageType.NODE_COMPLETED,
            new EventEncoder.Origin(FLOW_ID, 42L, NODE_ID),
            1_234L);
    for (int i = 0; i < nodeIds.length; i++) {
      nodeIds[i] = "node_1700000000000_" + i;
    }
    executionCompletedLength =
        EventEncoder.executionCompleted(executionCompletedFrame, 0, FLOW_ID, 42L, 56_789L);
    executionFailedLength = encodeExecutionFailed(executionFailedFrame);
    countersLength = encodeCounters(countersFrame);
    debugSkippedLength = EventEncoder.debugSkipped(debugSkippedFrame, 0, FLOW_ID, 1234);
  }

  private int encodeExecutionFailed(UnsafeBuffer buffer) {
    return EventEncoder.failure(
        buffer,
        0,
        MessageType.EXECUTION_FAILED,
        new EventEncoder.Origin(FLOW_ID, ++executionId, NODE_ID),
        "TypeError: Cannot read properties of undefined (reading 'temperature')");
  }

  private int encodeCounters(UnsafeBuffer buffer) {
    countersEncoder.wrap(buffer, 0, FLOW_ID);
    for (String nodeId : nodeIds) {
      countersEncoder.addEntry(nodeId, 1_000_000L, 999_999L, 3L, 0L, 4096, 64, 850L, 12_400L);
    }
    return countersEncoder.finish();
  }

  private int encodeDebugSample(UnsafeBuffer buffer) {
    return EventEncoder.debugSample(
        buffer,
        0,
        FLOW_ID,
        NODE_ID,
        ++executionId,
        1_700_000_000_000L,
        false,
        preview.capacity(),
        preview,
        0,
        preview.capacity());
  }

  @Benchmark
  public int encodeDebugSample() {
    return encodeDebugSample(out);
  }

  @Benchmark
  public int encodeNodeStatus() {
    return EventEncoder.nodeStatus(out, 0, FLOW_ID, NODE_ID, "connected");
  }

  @Benchmark
  public int encodeNodeCompleted() {
    return EventEncoder.nodeEvent(
        out,
        0,
        MessageType.NODE_COMPLETED,
        new EventEncoder.Origin(FLOW_ID, ++executionId, NODE_ID),
        1_234L);
  }

  @Benchmark
  public int encodeExecutionStarted() {
    return EventEncoder.nodeEvent(
        out,
        0,
        MessageType.EXECUTION_STARTED,
        new EventEncoder.Origin(FLOW_ID, ++executionId, NODE_ID),
        1_700_000_000_000L);
  }

  @Benchmark
  public int encodeExecutionCompleted() {
    return EventEncoder.executionCompleted(out, 0, FLOW_ID, ++executionId, 56_789L);
  }

  @Benchmark
  public int encodeExecutionFailed() {
    return encodeExecutionFailed(out);
  }

  /** COUNTERS of a 12-node flow. */
  @Benchmark
  public int encodeCounters() {
    return encodeCounters(out);
  }

  @Benchmark
  public int encodeDebugSkipped() {
    return EventEncoder.debugSkipped(out, 0, FLOW_ID, (int) ++executionId);
  }

  @Benchmark
  public long decodeExecutionCompleted() {
    if (frame.wrap(executionCompletedFrame, 0).validate(executionCompletedLength) != FrameError.NONE
        || !event.wrap(frame).isValid()) {
      return -1;
    }
    return event.executionId() + event.durationNs();
  }

  @Benchmark
  public long decodeExecutionFailed() {
    if (frame.wrap(executionFailedFrame, 0).validate(executionFailedLength) != FrameError.NONE
        || !event.wrap(frame).isValid()) {
      return -1;
    }
    return event.executionId() + event.errorLength();
  }

  /** COUNTERS of a 12-node flow: every entry read. */
  @Benchmark
  public long decodeCounters() {
    if (frame.wrap(countersFrame, 0).validate(countersLength) != FrameError.NONE
        || !counters.wrap(frame).isValid()) {
      return -1;
    }
    long sum = 0;
    counters.resetEntries();
    while (counters.nextEntry()) {
      sum += counters.in() + counters.out() + counters.errors() + counters.queued();
    }
    return sum;
  }

  @Benchmark
  public long decodeDebugSkipped() {
    if (frame.wrap(debugSkippedFrame, 0).validate(debugSkippedLength) != FrameError.NONE
        || !skipped.wrap(frame).isValid()) {
      return -1;
    }
    return skipped.skipped();
  }

  /** Header validation plus payload validation and field reads. */
  @Benchmark
  public long decodeDebugSample() {
    if (frame.wrap(debugSampleFrame, 0).validate(debugSampleLength) != FrameError.NONE
        || !sample.wrap(frame).isValid()) {
      return -1;
    }
    return sample.executionId() + sample.timestampMs() + sample.previewLength();
  }

  @Benchmark
  public long decodeNodeStatus() {
    if (frame.wrap(nodeStatusFrame, 0).validate(nodeStatusLength) != FrameError.NONE
        || !status.wrap(frame).isValid()) {
      return -1;
    }
    return status.nodeIdLength() + status.textLength();
  }

  @Benchmark
  public long decodeNodeCompleted() {
    if (frame.wrap(nodeCompletedFrame, 0).validate(nodeCompletedLength) != FrameError.NONE
        || !event.wrap(frame).isValid()) {
      return -1;
    }
    return event.executionId() + event.durationNs();
  }
}
