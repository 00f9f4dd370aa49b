package dev.z8run.core.config;

import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;

/**
 * Engine settings. Immutable; start from {@link #defaults()} and change with the {@code with*}
 * methods.
 *
 * @param workers worker agents (threads); default one per core
 * @param inboxBytes ring capacity per node; a message may take at most an eighth of it
 * @param maxExecutionsPerFlow executions in flight per flow before triggers are refused
 * @param batchLimit messages a worker takes from one inbox per duty cycle
 * @param blockingConcurrency messages a blocking node handles at once on virtual threads
 * @param traceIntervalMs at most one traced execution per flow per this many ms (0 = trace all)
 * @param maxParkMs longest a idle worker parks before looking again
 * @param eventBufferBytes capacity of the event ring
 * @param manual when true no threads are started: tests call {@code Engine.doWork()} themselves
 */
public record EngineConfig(
    int workers,
    int inboxBytes,
    int maxExecutionsPerFlow,
    int batchLimit,
    int blockingConcurrency,
    long traceIntervalMs,
    long maxParkMs,
    int eventBufferBytes,
    boolean manual,
    EpochClock epochClock,
    NanoClock nanoClock) {

  public EngineConfig {
    if (workers < 1) {
      throw new IllegalArgumentException("workers=" + workers + " must be at least 1");
    }
    if (inboxBytes < 4096) {
      throw new IllegalArgumentException("inboxBytes=" + inboxBytes + " must be at least 4096");
    }
  }

  public static EngineConfig defaults() {
    return new EngineConfig(
        Runtime.getRuntime().availableProcessors(),
        1 << 20,
        1 << 16,
        256,
        64,
        10,
        200,
        4 << 20,
        false,
        SystemEpochClock.INSTANCE,
        new SystemNanoClock());
  }

  public EngineConfig withWorkers(int value) {
    return new EngineConfig(
        value,
        inboxBytes,
        maxExecutionsPerFlow,
        batchLimit,
        blockingConcurrency,
        traceIntervalMs,
        maxParkMs,
        eventBufferBytes,
        manual,
        epochClock,
        nanoClock);
  }

  public EngineConfig withInboxBytes(int value) {
    return new EngineConfig(
        workers,
        value,
        maxExecutionsPerFlow,
        batchLimit,
        blockingConcurrency,
        traceIntervalMs,
        maxParkMs,
        eventBufferBytes,
        manual,
        epochClock,
        nanoClock);
  }

  public EngineConfig withMaxExecutionsPerFlow(int value) {
    return new EngineConfig(
        workers,
        inboxBytes,
        value,
        batchLimit,
        blockingConcurrency,
        traceIntervalMs,
        maxParkMs,
        eventBufferBytes,
        manual,
        epochClock,
        nanoClock);
  }

  public EngineConfig withTraceIntervalMs(long value) {
    return new EngineConfig(
        workers,
        inboxBytes,
        maxExecutionsPerFlow,
        batchLimit,
        blockingConcurrency,
        value,
        maxParkMs,
        eventBufferBytes,
        manual,
        epochClock,
        nanoClock);
  }

  public EngineConfig withBlockingConcurrency(int value) {
    return new EngineConfig(
        workers,
        inboxBytes,
        maxExecutionsPerFlow,
        batchLimit,
        value,
        traceIntervalMs,
        maxParkMs,
        eventBufferBytes,
        manual,
        epochClock,
        nanoClock);
  }

  /** No worker threads: the caller drives {@code Engine.doWork()} (deterministic tests). */
  public EngineConfig withManualWorkers(NanoClock clock) {
    return new EngineConfig(
        workers,
        inboxBytes,
        maxExecutionsPerFlow,
        batchLimit,
        blockingConcurrency,
        traceIntervalMs,
        maxParkMs,
        eventBufferBytes,
        true,
        epochClock,
        clock);
  }
}
