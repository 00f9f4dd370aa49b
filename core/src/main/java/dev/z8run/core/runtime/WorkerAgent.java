package dev.z8run.core.runtime;

import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

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
  private volatile Thread thread;

  /**
   * The flags other threads touch, each on a cache line of its own: producers read {@code parked}
   * after every commit into this worker's inboxes, while the worker bumps {@code cycles} every duty
   * cycle; on one line the two would bounce between cores with every message.
   */
  private final UnsafeBuffer lines =
      new UnsafeBuffer(BufferUtil.allocateDirectAligned(2 * LINE, LINE));

  private static final int LINE = BitUtil.CACHE_LINE_LENGTH;
  private static final int PARKED_OFFSET = 0;
  private static final int CYCLES_OFFSET = LINE;
  private long cycles;

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
    lines.putLongRelease(CYCLES_OFFSET, ++cycles);
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
    if (lines.getIntVolatile(PARKED_OFFSET) != 0) {
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
    return lines.getLongVolatile(CYCLES_OFFSET);
  }

  /** Marks the worker parked or running; {@link #signal()} unparks a parked worker. */
  void parked(boolean parked) {
    lines.putIntVolatile(PARKED_OFFSET, parked ? 1 : 0);
  }

  @Override
  public String roleName() {
    return "z8-worker-" + id;
  }
}
