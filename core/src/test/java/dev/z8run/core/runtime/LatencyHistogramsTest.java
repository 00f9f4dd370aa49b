package dev.z8run.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.node.InjectResult;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The per-node processing-time histograms: their buckets, percentiles and the engine's sampling.
 */
@ResourceLock(TestNodes.STATE)
class LatencyHistogramsTest {
  private static final int SPIN_NS = 300_000;

  @Test
  void shouldPutEveryValueInTheBucketThatHoldsItWithinAnEighth() {
    SplittableRandom random = new SplittableRandom(17);
    for (int i = 0; i < 200_000; i++) {
      long v = i < 5_000 ? i : random.nextLong(1, 1L << 39);
      int bucket = LatencyHistograms.bucket(v);
      assertTrue(LatencyHistograms.lowest(bucket) <= v, v + " below bucket " + bucket);
      assertTrue(v < LatencyHistograms.lowest(bucket + 1), v + " above bucket " + bucket);
      long value = LatencyHistograms.value(bucket);
      assertTrue(Math.abs(value - v) <= Math.max(1, v / 8), v + " reported as " + value);
    }
    assertEquals(LatencyHistograms.BUCKETS - 1, LatencyHistograms.bucket(Long.MAX_VALUE));
    assertEquals(0, LatencyHistograms.bucket(-5));
  }

  @Test
  void shouldTakePercentilesOfTheWindowBetweenTwoCopies() {
    LatencyHistograms histograms = new LatencyHistograms(2);
    for (int i = 1; i <= 100; i++) {
      histograms.recordOrdered(1, i * 1_000L); // 1..100 µs
    }
    long[] before = new long[2 * LatencyHistograms.BUCKETS];
    histograms.copy(0, before, 0);
    histograms.copy(1, before, LatencyHistograms.BUCKETS);
    assertEquals(-1, LatencyHistograms.percentile(before, null, 0, 0.5), "node 0 saw nothing");
    assertNear(50_000, LatencyHistograms.percentile(before, null, LatencyHistograms.BUCKETS, 0.5));
    assertNear(99_000, LatencyHistograms.percentile(before, null, LatencyHistograms.BUCKETS, 0.99));

    for (int i = 0; i < 10; i++) {
      histograms.recordAtomic(1, 7_000_000L);
    }
    long[] now = new long[2 * LatencyHistograms.BUCKETS];
    histograms.copy(1, now, LatencyHistograms.BUCKETS);
    assertEquals(10, LatencyHistograms.samples(now, before, LatencyHistograms.BUCKETS));
    assertNear(
        7_000_000, LatencyHistograms.percentile(now, before, LatencyHistograms.BUCKETS, 0.5));
    assertEquals(110, LatencyHistograms.samples(now, null, LatencyHistograms.BUCKETS));
  }

  @Test
  void shouldTimeTheFirstMessageAndOneInSixteenAfter() {
    try (Engine engine = manualEngine(16)) {
      engine.deploy(slowFlow());
      pump(engine, 64);
      long[] counts = counts(engine, "slow");
      // messages 1, 17, 33 and 49
      assertEquals(4, LatencyHistograms.samples(counts, null, 0));
      long p50 = LatencyHistograms.percentile(counts, null, 0, 0.5);
      assertTrue(p50 >= SPIN_NS * 7 / 8, "the node spins " + SPIN_NS + " ns; p50=" + p50);
    }
  }

  @Test
  void shouldTimeNothingWhenSamplingIsOff() {
    try (Engine engine = manualEngine(0)) {
      engine.deploy(slowFlow());
      pump(engine, 40);
      assertEquals(0, LatencyHistograms.samples(counts(engine, "slow"), null, 0));
      assertEquals(40, engine.counter("lat", "out", NodeCounters.MESSAGES_IN).get());
    }
  }

  @Test
  void shouldTimeEveryMessageOfABlockingNode() throws Exception {
    try (Engine engine =
        new Engine(EngineConfig.builder().workers(2).build(), TestNodes.registry())) {
      engine.deploy(
          new dev.z8run.core.flow.Flow(
              "blk",
              "blk",
              "",
              List.of(
                  TestNodes.node("in", "trigger"),
                  TestNodes.node("wait", "blocking", Map.of("sleepMs", 3)),
                  TestNodes.node("out", "sink")),
              List.of(
                  new dev.z8run.core.flow.Wire("in", 0, "wait", 0),
                  new dev.z8run.core.flow.Wire("wait", 0, "out", 0))));
      Engine.Trigger trigger = engine.trigger("blk", "in");
      UnsafeBuffer body = new UnsafeBuffer("{\"payload\":1}".getBytes(StandardCharsets.UTF_8));
      for (int i = 0; i < 5; i++) {
        assertEquals(InjectResult.ACCEPTED, trigger.tryInject(body, 0, body.capacity()));
      }
      Engine.CounterReader out = engine.counter("blk", "out", NodeCounters.MESSAGES_IN);
      TestNodes.await("5 messages through", 10_000, () -> out.get() == 5);
      long[] counts = counts(engine, "blk", "wait");
      assertEquals(5, LatencyHistograms.samples(counts, null, 0));
      assertTrue(LatencyHistograms.percentile(counts, null, 0, 0.5) >= 3_000_000 * 7 / 8);
    }
  }

  private static Engine manualEngine(int sampleEvery) {
    return new Engine(
        EngineConfig.builder()
            .workers(1)
            .traceIntervalMs(1_000_000)
            .latencySampleEvery(sampleEvery)
            .manualWorkers(new SystemNanoClock())
            .build(),
        TestNodes.registry());
  }

  private static dev.z8run.core.flow.Flow slowFlow() {
    return new dev.z8run.core.flow.Flow(
        "lat",
        "lat",
        "",
        List.of(
            TestNodes.node("in", "trigger"),
            TestNodes.node("slow", "slow", Map.of("spinNs", SPIN_NS)),
            TestNodes.node("out", "sink")),
        List.of(
            new dev.z8run.core.flow.Wire("in", 0, "slow", 0),
            new dev.z8run.core.flow.Wire("slow", 0, "out", 0)));
  }

  private static void pump(Engine engine, int messages) {
    Engine.Trigger trigger = engine.trigger("lat", "in");
    UnsafeBuffer body = new UnsafeBuffer("{\"payload\":1}".getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < messages; i++) {
      assertEquals(InjectResult.ACCEPTED, trigger.tryInject(body, 0, body.capacity()));
      while (engine.doWork() > 0) {
        // until the message reached the sink
      }
    }
  }

  private static long[] counts(Engine engine, String nodeId) {
    return counts(engine, "lat", nodeId);
  }

  private static long[] counts(Engine engine, String flowId, String nodeId) {
    List<NodeMetrics> nodes = engine.metrics(flowId).nodes();
    int index = -1;
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i).nodeId().equals(nodeId)) {
        index = i;
      }
    }
    long[] counts = new long[LatencyHistograms.BUCKETS];
    engine.latencies(flowId).copy(index, counts, 0);
    return counts;
  }

  private static void assertNear(long expected, long actual) {
    assertTrue(
        Math.abs(expected - actual) <= expected / 8, "expected about " + expected + ": " + actual);
  }
}
