package dev.z8run.core.runtime;

import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The engine's compute threads: platform threads for the calls of blocking nodes that work the CPU
 * ({@link dev.z8run.core.node.NodeContext#declareComputeBound}). Unlike virtual threads they are
 * time-sliced by the operating system: a call running away until its time limit shares a core with
 * everything else instead of holding one of the few carriers that web requests and I/O nodes run
 * on.
 *
 * <p>A call goes to an idle thread when there is one, else to a new thread up to {@code
 * maxThreads}, else waits in the queue. (A plain {@link ThreadPoolExecutor} either starts a thread
 * per call up to its core size, idle ones notwithstanding, or queues beyond one thread.) A thread
 * with nothing to do for {@code idleSeconds} ends, so a server without such nodes keeps none.
 */
final class ComputeThreads {
  private final ThreadPoolExecutor pool;
  private final HandOff queue = new HandOff();

  ComputeThreads(int maxThreads, long idleSeconds) {
    AtomicInteger numbers = new AtomicInteger();
    pool =
        new ThreadPoolExecutor(
            0,
            maxThreads,
            idleSeconds,
            TimeUnit.SECONDS,
            queue,
            task ->
                Thread.ofPlatform()
                    .name("z8-compute-" + numbers.incrementAndGet())
                    .daemon(true)
                    .unstarted(task),
            // every thread busy and no room for another: the call waits for one
            (task, full) -> {
              if (full.isShutdown()) {
                throw new java.util.concurrent.RejectedExecutionException("the engine is closed");
              }
              queue.enqueue(task);
            });
    queue.pool = pool;
  }

  /** Runs {@code task} on a compute thread, now or when one is free. */
  void execute(Runnable task) {
    pool.execute(task);
  }

  /** Threads alive now (for tests). */
  int threads() {
    return pool.getPoolSize();
  }

  /** Whether a thread waits for a call now (for tests). */
  boolean hasIdleThread() {
    return queue.hasWaitingConsumer();
  }

  /** Interrupts the running calls and ends the threads. */
  void shutdownNow() {
    pool.shutdownNow();
  }

  /**
   * The pool's queue: takes a call only when an idle thread takes it at once ({@link #tryTransfer})
   * or every thread the pool may have is busy; otherwise refuses, and the pool starts a thread for
   * it.
   */
  private static final class HandOff extends LinkedTransferQueue<Runnable> {
    private static final long serialVersionUID = 1L;

    private transient ThreadPoolExecutor pool;

    @Override
    public boolean offer(Runnable task) {
      return tryTransfer(task)
          || (pool.getPoolSize() >= pool.getMaximumPoolSize() && super.offer(task));
    }

    void enqueue(Runnable task) {
      super.offer(task);
    }
  }
}
