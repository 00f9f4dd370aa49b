package dev.z8run.core.timer;

import dev.z8run.core.node.Cancellable;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.agrona.concurrent.NanoClock;

/**
 * The engine's timer thread: runs the tasks nodes {@linkplain
 * dev.z8run.core.node.NodeContext#schedule schedule} and delivers {@linkplain
 * dev.z8run.core.node.Output#defer deferred} messages when they are due. One platform thread for
 * the whole engine; tasks are short (a trigger, a ring write), so it never becomes a bottleneck.
 * Tasks of the same due time run in the order they were scheduled.
 *
 * <p>Each task belongs to a flow: it does not run once the flow is no longer active, and {@link
 * #cancel(Owner)} drops every task of a stopped flow so that nothing it scheduled (a day-long
 * delay) outlives it. Thread-safe.
 *
 * <p>On a {@link ManualClock} ({@link #on}) there is no thread: tasks wait in a queue until the
 * clock is moved past their due time and then run on the thread that moved it.
 */
public final class EngineTimers {
  /** What a task belongs to: a deployed flow. Its tasks run only while it is active. */
  public interface Owner {
    /** Whether the owner's tasks may still run. */
    boolean isActive();
  }

  private final ScheduledThreadPoolExecutor executor;
  private final ManualClock clock;
  private final PriorityQueue<FlowTask> queued;
  private long sequence;
  private final Set<FlowTask> tasks = ConcurrentHashMap.newKeySet();

  /** Timers on the system clock, with their own thread. */
  public EngineTimers() {
    executor =
        new ScheduledThreadPoolExecutor(
            1, runnable -> Thread.ofPlatform().daemon().name("z8-timers").unstarted(runnable));
    executor.setRemoveOnCancelPolicy(true);
    clock = null;
    queued = null;
  }

  private EngineTimers(ManualClock clock) {
    executor = null;
    this.clock = clock;
    queued =
        new PriorityQueue<>(
            Comparator.<FlowTask>comparingLong(task -> task.dueNs)
                .thenComparingLong(task -> task.sequence));
    clock.register(this);
  }

  /**
   * Timers for an engine whose time is {@code clock}: held for the clock when it is a {@link
   * ManualClock}, else on the system clock.
   */
  public static EngineTimers on(NanoClock clock) {
    return clock instanceof ManualClock manual ? new EngineTimers(manual) : new EngineTimers();
  }

  /** Runs {@code task} after {@code delayMs} if {@code flow} is still active then. */
  public Cancellable schedule(Owner flow, Runnable task, long delayMs) {
    FlowTask flowTask = new FlowTask(flow, task);
    tasks.add(flowTask);
    if (clock != null) {
      synchronized (queued) {
        flowTask.dueNs = clock.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, delayMs));
        flowTask.sequence = sequence++;
        queued.add(flowTask);
      }
      return flowTask;
    }
    flowTask.future = executor.schedule(flowTask, Math.max(0, delayMs), TimeUnit.MILLISECONDS);
    return flowTask;
  }

  /** On a manual clock: the due time of the earliest task still pending, or Long.MAX_VALUE. */
  long nextDueNs() {
    synchronized (queued) {
      FlowTask head = queued.peek();
      while (head != null && !tasks.contains(head)) {
        queued.poll(); // cancelled
        head = queued.peek();
      }
      return head == null ? Long.MAX_VALUE : head.dueNs;
    }
  }

  /** On a manual clock: runs the tasks due by {@code nowNs}, in due order; whether any ran. */
  boolean runDue(long nowNs) {
    boolean ran = false;
    while (true) {
      FlowTask next;
      synchronized (queued) {
        next = queued.peek();
        if (next == null || next.dueNs > nowNs) {
          return ran;
        }
        queued.poll();
      }
      next.run();
      ran = true;
    }
  }

  /** Cancels every task of {@code flow}. */
  public void cancel(Owner flow) {
    for (FlowTask task : tasks) {
      if (task.flow == flow) {
        task.cancel();
      }
    }
  }

  public void close() {
    if (clock != null) {
      clock.unregister(this);
      tasks.clear();
    } else {
      executor.shutdownNow();
    }
  }

  private final class FlowTask implements Runnable, Cancellable {
    final Owner flow;
    final Runnable task;
    volatile ScheduledFuture<?> future;
    long dueNs;
    long sequence;

    FlowTask(Owner flow, Runnable task) {
      this.flow = flow;
      this.task = task;
    }

    @Override
    public void run() {
      if (tasks.remove(this) && flow.isActive()) {
        task.run();
      }
    }

    @Override
    public boolean cancel() {
      boolean removed = tasks.remove(this);
      ScheduledFuture<?> scheduled = future;
      if (scheduled != null) {
        scheduled.cancel(false);
      }
      return removed;
    }
  }
}
