package dev.z8run.wasm;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Interrupts plugin calls that run past their time limit. Chicory's compiled code and its
 * interpreter both check the thread's interrupt flag at loop heads and calls and then throw {@code
 * ChicoryInterruptedException}, so a runaway loop ends within microseconds of its deadline; a host
 * function blocked in I/O is interrupted the same way.
 *
 * <p>One {@link Slot} per plugin instance, used by one thread at a time. A timer fires only while
 * its call runs: {@link Slot#end} and the timer meet under the slot's lock, so a late timer never
 * interrupts the thread's next task. Past the deadline it fires again every {@link #REPEAT_MS} ms
 * until the call ends: an interrupt that something between the loop and the timer consumed (a
 * library that clears the flag, a wait that swallowed it) is given again, so a runaway call cannot
 * keep its thread (one of the engine's compute threads) for good.
 */
final class CallWatchdog {
  static final CallWatchdog SHARED = new CallWatchdog();

  /** How often a call past its deadline is interrupted again until it ends. */
  static final long REPEAT_MS = 50;

  private final ScheduledThreadPoolExecutor timer;

  private CallWatchdog() {
    timer =
        new ScheduledThreadPoolExecutor(
            1, task -> Thread.ofPlatform().name("z8-plugin-watchdog").daemon(true).unstarted(task));
    timer.setRemoveOnCancelPolicy(true);
  }

  /** The per-instance state of the call in progress. */
  static final class Slot {
    private Thread thread;
    private long call;
    private boolean timedOut;
    private ScheduledFuture<?> timeout;

    /** Starts a call on the current thread that may run for {@code timeoutMs}. */
    void begin(long timeoutMs) {
      long id;
      synchronized (this) {
        thread = Thread.currentThread();
        id = ++call;
        timedOut = false;
      }
      ScheduledFuture<?> first =
          SHARED.timer.schedule(() -> fire(id), timeoutMs, TimeUnit.MILLISECONDS);
      synchronized (this) {
        if (!timedOut) { // else it fired already and scheduled its repeat
          timeout = first;
        }
      }
    }

    /**
     * Ends the call; returns whether it was interrupted for running out of time (the interrupt flag
     * is then cleared, having done its work).
     */
    boolean end() {
      boolean expired;
      ScheduledFuture<?> pending;
      synchronized (this) {
        thread = null;
        expired = timedOut;
        pending = timeout;
      }
      pending.cancel(false);
      if (expired) {
        Thread.interrupted();
      }
      return expired;
    }

    /** Whether the call in progress has been interrupted for running out of time. */
    synchronized boolean timedOut() {
      return timedOut;
    }

    private synchronized void fire(long id) {
      if (thread != null && call == id) {
        timedOut = true;
        thread.interrupt();
        timeout = SHARED.timer.schedule(() -> fire(id), REPEAT_MS, TimeUnit.MILLISECONDS);
      }
    }
  }
}
