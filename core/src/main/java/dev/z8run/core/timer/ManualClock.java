package dev.z8run.core.timer;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;

/**
 * A clock that moves only when told to, for tests that wait for a time window (a delay, a trigger's
 * timeout, an inject's interval, a rate limit): they step through it instead of sleeping. An engine
 * built with {@link dev.z8run.core.config.EngineConfig.Builder#manualClock} reads its nano and
 * epoch time here, and its {@linkplain EngineTimers timers} hold their tasks until {@link #runNext}
 * or {@link #advance} moves time to their due time; they then run on the calling thread, in due
 * order. The engine's workers still run on their own threads: a test lets them finish what a task
 * started (see {@code Engine.idle()}) before it moves time on, as real time would have.
 *
 * <p>Starts at nano time 0 and at the epoch time given (the system's by default). Thread-safe; time
 * is moved by one thread at a time.
 */
public final class ManualClock implements NanoClock, EpochClock {
  private final long startEpochMs;
  private final List<EngineTimers> timers = new CopyOnWriteArrayList<>();
  private volatile long nowNs;

  /** A clock whose epoch time starts at the system's. */
  public ManualClock() {
    this(System.currentTimeMillis());
  }

  /** A clock whose epoch time starts at {@code startEpochMs}. */
  public ManualClock(long startEpochMs) {
    this.startEpochMs = startEpochMs;
  }

  @Override
  public long nanoTime() {
    return nowNs;
  }

  @Override
  public long time() {
    return startEpochMs + nowNs / 1_000_000;
  }

  /** The due time ({@link #nanoTime}) of the earliest pending task, or -1 when none is pending. */
  public long nextDueNs() {
    long next = Long.MAX_VALUE;
    for (EngineTimers timer : timers) {
      next = Math.min(next, timer.nextDueNs());
    }
    return next == Long.MAX_VALUE ? -1 : next;
  }

  /**
   * Moves time to the earliest pending task's due time, unless that is after {@code limitNs}, and
   * runs every task due by then; a task scheduled for the same time by one of them runs too. Time
   * never moves back: a task already due runs at the current time.
   *
   * @return whether a task was due by {@code limitNs} (false: time did not move)
   */
  public synchronized boolean runNext(long limitNs) {
    long next = nextDueNs();
    if (next < 0 || next > limitNs) {
      return false;
    }
    nowNs = Math.max(nowNs, next);
    boolean ran = true;
    while (ran) {
      ran = false;
      for (EngineTimers timer : timers) {
        ran |= timer.runDue(nowNs);
      }
    }
    return true;
  }

  /**
   * Moves time forward by {@code duration}, running on the way, in due order, every task due within
   * it (those the tasks schedule included). What the tasks start on the engine's workers is not
   * waited for; a test that needs it moves time with {@link #runNext} and lets the engine settle
   * between steps.
   */
  public synchronized void advance(Duration duration) {
    long target = nowNs + duration.toNanos();
    while (runNext(target)) {
      // each step runs the tasks due at the next due time
    }
    nowNs = Math.max(nowNs, target);
  }

  void register(EngineTimers timer) {
    timers.add(timer);
  }

  void unregister(EngineTimers timer) {
    timers.remove(timer);
  }
}
