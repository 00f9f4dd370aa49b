package dev.z8run.core.config;

import dev.z8run.core.timer.ManualClock;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;

/**
 * Engine settings. Immutable; built with {@link #builder()} (which starts from the defaults) or
 * changed through {@link #toBuilder()}.
 *
 * @param workers worker agents (threads); default one per core
 * @param inboxBytes ring capacity of a node whose messages arrive through its ring (a trigger, a
 *     fan-in, a fan-out's target, a wire from another worker or a blocking node); a node reached
 *     only as the continuation of its one producer gets a smaller one (see {@code InboxSizing}). A
 *     message may take at most an eighth of an inbox
 * @param maxExecutionsPerFlow executions in flight per flow before triggers are refused
 * @param batchLimit messages a worker takes from one inbox per duty cycle
 * @param blockingConcurrency messages a blocking node handles at once on virtual threads
 * @param traceIntervalMs at most one traced execution per flow per this many ms (0 = trace all)
 * @param latencySampleEvery a worker-run node's processing time is measured for one message in this
 *     many (and for every traced one), into the per-node latency histograms; 0 = only traced ones
 *     are measured and the histograms stay empty. Blocking nodes are measured on every message
 *     unless 0.
 * @param maxParkMs longest a idle worker parks before looking again
 * @param eventBufferBytes capacity of the event ring
 * @param memoryBudgetBytes off-heap bytes the inboxes and execution tables of all deployed flows
 *     and the blocks of their message bodies in flight may reserve together; a deploy beyond it is
 *     refused ({@code MemoryBudgetException}), a body block beyond it too. 0 (the default) means
 *     the JVM's direct-memory limit ({@code -XX:MaxDirectMemorySize}, by default the maximum heap)
 * @param memorySharePercent the part of the budget (1..100) one owner's flows may reserve, unless
 *     the owner is exempt ({@code Engine.deploy(Flow, String, boolean)}); 100, the default, limits
 *     every owner by the budget only
 * @param manual when true no threads are started: tests call {@code Engine.doWork()} themselves
 */
public record EngineConfig(
    int workers,
    int inboxBytes,
    int maxExecutionsPerFlow,
    int batchLimit,
    int blockingConcurrency,
    long traceIntervalMs,
    int latencySampleEvery,
    long maxParkMs,
    int eventBufferBytes,
    long memoryBudgetBytes,
    int memorySharePercent,
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
    if (memoryBudgetBytes < 0) {
      throw new IllegalArgumentException(
          "memoryBudgetBytes=" + memoryBudgetBytes + " must be 0 (the JVM's limit) or more");
    }
    if (memorySharePercent < 1 || memorySharePercent > 100) {
      throw new IllegalArgumentException(
          "memorySharePercent=" + memorySharePercent + " must be 1..100");
    }
    if (latencySampleEvery < 0) {
      throw new IllegalArgumentException(
          "latencySampleEvery=" + latencySampleEvery + " must be 0 or more");
    }
  }

  /** The defaults: one worker per core, 1 MiB inboxes, real clocks, worker threads. */
  public static EngineConfig defaults() {
    return builder().build();
  }

  /** The default worker count: one per core. */
  public static int defaultWorkers() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** A builder holding the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these settings. */
  public Builder toBuilder() {
    Builder builder = new Builder();
    builder.workers = workers;
    builder.inboxBytes = inboxBytes;
    builder.maxExecutionsPerFlow = maxExecutionsPerFlow;
    builder.batchLimit = batchLimit;
    builder.blockingConcurrency = blockingConcurrency;
    builder.traceIntervalMs = traceIntervalMs;
    builder.latencySampleEvery = latencySampleEvery;
    builder.maxParkMs = maxParkMs;
    builder.eventBufferBytes = eventBufferBytes;
    builder.memoryBudgetBytes = memoryBudgetBytes;
    builder.memorySharePercent = memorySharePercent;
    builder.manual = manual;
    builder.epochClock = epochClock;
    builder.nanoClock = nanoClock;
    return builder;
  }

  /** Builds an {@link EngineConfig}; each setter is the record component of the same name. */
  public static final class Builder {
    private int workers = defaultWorkers();
    private int inboxBytes = 1 << 20;
    private int maxExecutionsPerFlow = 1 << 16;
    private int batchLimit = 256;
    private int blockingConcurrency = 64;
    private long traceIntervalMs = 10;
    private int latencySampleEvery = 16;
    private long maxParkMs = 200;
    private int eventBufferBytes = 4 << 20;
    private long memoryBudgetBytes;
    private int memorySharePercent = 100;
    private boolean manual;
    private EpochClock epochClock = SystemEpochClock.INSTANCE;
    private NanoClock nanoClock = new SystemNanoClock();

    private Builder() {}

    public Builder workers(int value) {
      workers = value;
      return this;
    }

    public Builder inboxBytes(int value) {
      inboxBytes = value;
      return this;
    }

    public Builder maxExecutionsPerFlow(int value) {
      maxExecutionsPerFlow = value;
      return this;
    }

    public Builder batchLimit(int value) {
      batchLimit = value;
      return this;
    }

    public Builder blockingConcurrency(int value) {
      blockingConcurrency = value;
      return this;
    }

    public Builder traceIntervalMs(long value) {
      traceIntervalMs = value;
      return this;
    }

    public Builder latencySampleEvery(int value) {
      latencySampleEvery = value;
      return this;
    }

    public Builder maxParkMs(long value) {
      maxParkMs = value;
      return this;
    }

    public Builder eventBufferBytes(int value) {
      eventBufferBytes = value;
      return this;
    }

    public Builder memoryBudgetBytes(long value) {
      memoryBudgetBytes = value;
      return this;
    }

    public Builder memorySharePercent(int value) {
      memorySharePercent = value;
      return this;
    }

    public Builder epochClock(EpochClock value) {
      epochClock = value;
      return this;
    }

    /**
     * No worker threads: the caller drives {@code Engine.doWork()} and {@code pollEvents()}, and
     * time is {@code clock} (deterministic tests).
     */
    public Builder manualWorkers(NanoClock clock) {
      manual = true;
      nanoClock = clock;
      return this;
    }

    /**
     * Time is {@code clock}, moved by the caller: the engine's nano and epoch clocks read it and
     * its timers (deferred messages, the tasks nodes schedule) wait for it to be moved past their
     * due time. Workers still run on their own threads. For tests that step through a time window
     * instead of sleeping.
     */
    public Builder manualClock(ManualClock clock) {
      nanoClock = clock;
      epochClock = clock;
      return this;
    }

    public EngineConfig build() {
      return new EngineConfig(
          workers,
          inboxBytes,
          maxExecutionsPerFlow,
          batchLimit,
          blockingConcurrency,
          traceIntervalMs,
          latencySampleEvery,
          maxParkMs,
          eventBufferBytes,
          memoryBudgetBytes,
          memorySharePercent,
          manual,
          epochClock,
          nanoClock);
    }
  }
}
