package dev.z8run.core.runtime;

import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.IdleStrategy;

/**
 * How a worker waits for work: spin briefly, yield a little, then park for growing periods up to
 * {@code maxParkNs}. Producers {@linkplain WorkerAgent#signal() signal} a parked worker, so an idle
 * server costs ~0% CPU and still wakes at once.
 *
 * <p>Lost wake-ups are ruled out Dekker-style: the worker publishes {@code parked} (a volatile
 * store) and then checks its inboxes once more; a producer commits its record, issues a full fence,
 * then reads {@code parked}. One of the two always sees the other. The same holds for a caller that
 * runs the worker's nodes on its own thread ({@link WorkerAgent#releaseFromCaller}): the worker
 * parks while the caller holds them, and the caller wakes it if it left work.
 */
final class WorkerIdleStrategy implements IdleStrategy {
  private static final int SPINS = 200;
  private static final int YIELDS = 10;
  private static final long MIN_PARK_NS = 1_000;

  private final WorkerAgent agent;
  private final long maxParkNs;
  private int spins;
  private int yields;
  private long parkNs = MIN_PARK_NS;

  WorkerIdleStrategy(WorkerAgent agent, long maxParkNs) {
    this.agent = agent;
    this.maxParkNs = maxParkNs;
  }

  @Override
  public void idle(int workCount) {
    if (workCount > 0) {
      reset();
    } else {
      idle();
    }
  }

  @Override
  public void idle() {
    if (spins < SPINS) {
      spins++;
      Thread.onSpinWait();
    } else if (yields < YIELDS) {
      yields++;
      Thread.yield();
    } else {
      agent.parked(true);
      // a caller running the worker's nodes inline wakes it when it leaves work behind
      if (!agent.hasWork() || agent.heldByCaller()) {
        LockSupport.parkNanos(parkNs);
        parkNs = Math.min(parkNs << 1, maxParkNs);
      } else {
        // work is visible but the cycle took none: a record claimed and not yet committed (its
        // producer was preempted between the two) or a pending queue whose target is full. Give
        // the core away rather than loop on it: the producer may be waiting for this very core
        Thread.yield();
      }
      agent.parked(false);
    }
  }

  @Override
  public void reset() {
    spins = 0;
    yields = 0;
    parkNs = MIN_PARK_NS;
  }

  @Override
  public String alias() {
    return "z8-worker";
  }
}
