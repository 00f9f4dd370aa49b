package dev.z8run.nodes.timing;

import dev.z8run.core.node.Cancellable;
import dev.z8run.core.node.NodeContext;

/**
 * Fires a trigger node on a schedule (a fixed interval or a {@link CronSchedule}) for as long as
 * its flow runs, on the engine's timer thread ({@link NodeContext#schedule}). Each firing plans the
 * next one from the schedule, not from the previous delay, so intervals do not drift.
 *
 * <p>Missed ticks are counted, never replayed: when a firing runs late (the process was paused, the
 * machine slept) past one or more later scheduled times, it fires once and adds the times it
 * skipped to {@link #missed()}; a firing the flow refused (back-pressure) counts as missed too.
 *
 * <p>Threading: started and stopped on the control plane, run on the timer thread.
 */
final class Ticker {
  /** When a schedule fires. */
  interface Schedule {
    /** The first firing time strictly after {@code epochMs}, or -1 when there is none. */
    long nextAfter(long epochMs);

    /** How many firing times fall in {@code (afterMs, upToMs]}. */
    default long countBetween(long afterMs, long upToMs) {
      long count = 0;
      for (long t = nextAfter(afterMs); t >= 0 && t <= upToMs; t = nextAfter(t)) {
        count++;
      }
      return count;
    }
  }

  /** What the ticker calls at each firing; returns false when the firing was refused. */
  interface Fire {
    boolean fire(long tick, long missed);
  }

  /** Every {@code intervalMs}, at {@code anchorMs + k * intervalMs}. */
  static Schedule every(long intervalMs, long anchorMs) {
    return new Schedule() {
      @Override
      public long nextAfter(long epochMs) {
        if (epochMs < anchorMs) {
          return anchorMs;
        }
        return anchorMs + ((epochMs - anchorMs) / intervalMs + 1) * intervalMs;
      }

      @Override
      public long countBetween(long afterMs, long upToMs) {
        long first = nextAfter(afterMs);
        return upToMs < first ? 0 : (upToMs - first) / intervalMs + 1;
      }
    };
  }

  /** A cron schedule. */
  static Schedule cron(CronSchedule cron) {
    return cron::nextAfter;
  }

  private final NodeContext context;
  private final Schedule schedule;
  private final Fire fire;
  private long ticks;
  private volatile long missed;
  private volatile boolean stopped;
  private volatile Cancellable pending;

  Ticker(NodeContext context, Schedule schedule, Fire fire) {
    this.context = context;
    this.schedule = schedule;
    this.fire = fire;
  }

  /** Plans the first firing at {@code firstAtMs} (epoch ms; now or earlier fires at once). */
  void start(long firstAtMs) {
    plan(firstAtMs);
  }

  /** Plans the first firing at the schedule's first time after now. */
  void start() {
    long first = schedule.nextAfter(context.epochClock().time());
    if (first >= 0) {
      plan(first);
    }
  }

  void stop() {
    stopped = true;
    Cancellable current = pending;
    if (current != null) {
      current.cancel();
    }
  }

  /** Scheduled times skipped so far, plus firings the flow refused. */
  long missed() {
    return missed;
  }

  private void plan(long atMs) {
    if (stopped) {
      return;
    }
    long delayMs = Math.max(0, atMs - context.epochClock().time());
    pending = context.schedule(() -> run(atMs), delayMs);
  }

  private void run(long plannedMs) {
    long nowMs = context.epochClock().time();
    missed += skipped(schedule, plannedMs, nowMs);
    if (!fire.fire(++ticks, missed)) {
      missed++;
    }
    long next = schedule.nextAfter(Math.max(nowMs, plannedMs));
    if (next >= 0) {
      plan(next);
    }
  }

  /**
   * The scheduled times a firing planned for {@code plannedMs} but run at {@code nowMs} skipped.
   */
  static long skipped(Schedule schedule, long plannedMs, long nowMs) {
    return nowMs > plannedMs ? schedule.countBetween(plannedMs, nowMs) : 0;
  }
}
