package dev.z8run.perf.jmh;

import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.node.InjectResult;
import dev.z8run.core.runtime.Engine;
import dev.z8run.core.runtime.NodeCounters;
import dev.z8run.io.message.MessageBodyView;
import dev.z8run.nodes.BuiltinNodes;
import java.nio.charset.StandardCharsets;
import org.agrona.concurrent.SystemNanoClock;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * An engine whose workers the benchmark thread drives itself ({@code withManualWorkers}): every
 * byte a message costs, from trigger to sink, is spent on the measured thread, so {@code -prof gc}
 * B/op is the engine's own allocation per message.
 */
final class ManualEngine implements AutoCloseable {
  static final byte[] SMALL =
      "{\"payload\":{\"n\":123456},\"topic\":\"t\"}".getBytes(StandardCharsets.UTF_8);

  private final Engine engine;
  private final Engine.Trigger trigger;
  private final Engine.CounterReader sink;
  private final UnsafeBuffer json;
  private final UnsafeBuffer binary;

  ManualEngine(Flow flow, byte[] body, int binaryBytes) {
    this(flow, body, binaryBytes, EngineConfig.builder().build().latencySampleEvery());
  }

  /**
   * @param latencySampleEvery one message in this many is timed into the per-node latency
   *     histograms (0: none)
   */
  ManualEngine(Flow flow, byte[] body, int binaryBytes, int latencySampleEvery) {
    this(flow, body, binaryBytes, latencySampleEvery, 2);
  }

  /**
   * @param workers the engine's workers (the planner splits a chain into one run per worker, and
   *     each run boundary is a ring crossing)
   */
  ManualEngine(Flow flow, byte[] body, int binaryBytes, int latencySampleEvery, int workers) {
    engine =
        new Engine(
            EngineConfig.builder()
                .workers(workers)
                .traceIntervalMs(1_000_000)
                .latencySampleEvery(latencySampleEvery)
                .manualWorkers(new SystemNanoClock())
                .build(),
            BuiltinNodes.registry());
    engine.deploy(flow);
    trigger = engine.trigger(flow.id(), "src");
    sink = engine.counter(flow.id(), "sink", NodeCounters.MESSAGES_IN);
    json = new UnsafeBuffer(body);
    binary = new UnsafeBuffer(new byte[Math.max(1, binaryBytes)]);
    this.binaryBytes = binaryBytes;
  }

  private final int binaryBytes;
  private final MessageBodyView withBinary = new MessageBodyView();

  /** Injects {@code batch} messages and runs the workers until all of them reached the sink. */
  long pump(int batch) {
    inject(batch);
    return drain();
  }

  /** Injects {@code batch} messages, running the workers whenever the trigger refuses one. */
  private void inject(int batch) {
    for (int i = 0; i < batch; i++) {
      InjectResult result =
          binaryBytes == 0
              ? trigger.tryInject(json, 0, json.capacity())
              : trigger.tryInject(
                  withBinary.json(json, 0, json.capacity()).binary(binary, 0, binaryBytes));
      if (result != InjectResult.ACCEPTED) {
        engine.doWork();
        i--;
      }
    }
  }

  /** Runs the workers until every message reached the sink; the sink's count. */
  private long drain() {
    while (engine.doWork() > 0) {
      // until every message reached the sink
    }
    return sink.get();
  }

  /**
   * As {@link #pump(int)}, and adds to {@code injectCpuNs[0]} the CPU time the calling thread spent
   * in the injecting loop (the trigger's share: what a feeding thread pays per message, without the
   * cache misses a feeder on another core than the workers adds).
   */
  long pump(int batch, java.lang.management.ThreadMXBean threads, long[] injectCpuNs) {
    long start = threads.getCurrentThreadCpuTime();
    inject(batch);
    injectCpuNs[0] += threads.getCurrentThreadCpuTime() - start;
    return drain();
  }

  @Override
  public void close() {
    engine.close();
  }
}
