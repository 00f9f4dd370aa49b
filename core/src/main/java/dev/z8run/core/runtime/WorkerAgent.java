package dev.z8run.core.runtime;

import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

/**
 * A worker: runs the duty cycle over the node instances it owns, draining each inbox in bounded
 * batches. The set of instances is replaced copy-on-write by the control plane ({@link
 * #instances(NodeInstance[])}); the agent picks it up at the start of its next cycle and counts
 * cycles so the control plane can tell when a removed instance is no longer being run.
 */
final class WorkerAgent implements Agent {
  private static final NodeInstance[] NONE = new NodeInstance[0];

  private final int id;
  private final int batchLimit;
  private final NanoClock nanoClock;
  private final Emitter emitter;
  private volatile NodeInstance[] instances = NONE;
  private volatile long cycles;
  private volatile Thread thread;
  volatile boolean parked;

  WorkerAgent(int id, int batchLimit, NanoClock nanoClock) {
    this.id = id;
    this.batchLimit = batchLimit;
    this.nanoClock = nanoClock;
    this.emitter = new Emitter(this, false, ((long) id + 1) << 56);
  }

  Emitter emitter() {
    return emitter;
  }

  int id() {
    return id;
  }

  @Override
  public void onStart() {
    thread = Thread.currentThread();
  }

  @Override
  public int doWork() {
    NodeInstance[] current = instances;
    int work = 0;
    long markNs = nanoClock.nanoTime();
    for (NodeInstance instance : current) {
      int taken = instance.poll(batchLimit);
      if (taken > 0) {
        work += taken;
        long nowNs = nanoClock.nanoTime();
        instance.addBusyNs(nowNs - markNs);
        markNs = nowNs;
      }
    }
    cycles++;
    return work;
  }

  /** Whether any owned instance has input or pending output (a hint, read from any thread). */
  boolean hasWork() {
    for (NodeInstance instance : instances) {
      if (instance.hasWork()) {
        return true;
      }
    }
    return false;
  }

  /** Wakes the worker if it is parked. Called by producers after committing a record. */
  void signal() {
    VarHandle.fullFence();
    if (parked) {
      Thread current = thread;
      if (current != null) {
        LockSupport.unpark(current);
      }
    }
  }

  NodeInstance[] instances() {
    return instances;
  }

  /** Replaces the owned instances; takes effect at the agent's next cycle. */
  void instances(NodeInstance[] replacement) {
    instances = replacement;
    signal();
  }

  long cycles() {
    return cycles;
  }

  @Override
  public String roleName() {
    return "z8-worker-" + id;
  }
}
