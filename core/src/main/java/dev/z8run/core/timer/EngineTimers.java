package dev.z8run.core.timer;

import dev.z8run.core.node.Cancellable;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

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
 */
public final class EngineTimers {
  /** What a task belongs to: a deployed flow. Its tasks run only while it is active. */
  public interface Owner {
    /** Whether the owner's tasks may still run. */
    boolean isActive();
  }

  private final ScheduledThreadPoolExecutor executor;
  private final Set<FlowTask> tasks = ConcurrentHashMap.newKeySet();

  public EngineTimers() {
    executor =
        new ScheduledThreadPoolExecutor(
            1, runnable -> Thread.ofPlatform().daemon().name("z8-timers").unstarted(runnable));
    executor.setRemoveOnCancelPolicy(true);
  }

  /** Runs {@code task} after {@code delayMs} if {@code flow} is still active then. */
  public Cancellable schedule(Owner flow, Runnable task, long delayMs) {
    FlowTask flowTask = new FlowTask(flow, task);
    tasks.add(flowTask);
    flowTask.future = executor.schedule(flowTask, Math.max(0, delayMs), TimeUnit.MILLISECONDS);
    return flowTask;
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
    executor.shutdownNow();
  }

  private final class FlowTask implements Runnable, Cancellable {
    final Owner flow;
    final Runnable task;
    volatile ScheduledFuture<?> future;

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
