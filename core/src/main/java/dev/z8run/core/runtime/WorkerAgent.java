package dev.z8run.core.runtime;

import dev.z8run.io.message.MessageFlyweight;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
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
final class WorkerAgent extends CacheLinePadding implements Agent {
  private static final NodeInstance[] NONE = new NodeInstance[0];

  private final int id;
  private final int batchLimit;
  private final NanoClock nanoClock;

  /** The emitter of the thread running the duty cycle now (the agent's, or a stand-in's). */
  private volatile Emitter emitter;

  private volatile NodeInstance[] instances = NONE;

  /** The thread running the duty cycle now: the agent's runner, or a stand-in. */
  private volatile Thread thread;

  /** What the thread running the duty cycle writes every cycle, on cache lines of its own. */
  private final CycleWritten written = new CycleWritten();

  private static final AtomicInteger STAND_INS = new AtomicInteger();

  /**
   * The flags other threads touch, each on a cache line of its own: producers read {@code parked}
   * after every commit into this worker's inboxes, while the worker bumps {@code cycles} every duty
   * cycle; on one line the two would bounce between cores with every message.
   */
  private final UnsafeBuffer lines =
      new UnsafeBuffer(BufferUtil.allocateDirectAligned(3 * LINE, LINE));

  private static final int LINE = BitUtil.CACHE_LINE_LENGTH;
  private static final int PARKED_OFFSET = 0;
  private static final int CYCLES_OFFSET = LINE;

  /**
   * Who runs this worker's nodes right now: 0 nobody, 1 the worker's duty cycle, 2 a caller running
   * an execution on its own thread ({@link FlowRuntime#startInline}). The nodes of a worker are
   * single-threaded: whoever holds this runs them, with the worker's {@link Emitter}.
   */
  private static final int OWNER_OFFSET = 2 * LINE;

  private static final int OWNER_NONE = 0;
  private static final int OWNER_WORKER = 1;
  private static final int OWNER_CALLER = 2;

  /** How often a caller looks again for the nodes while a cycle or another caller holds them. */
  private static final int CALLER_SPINS = 256;

  /** How many batches a caller letting go of the nodes runs from its node's inbox at most. */
  private static final int DRAIN_ROUNDS = 4;

  /** The flyweight an inline trigger writes its record's header through (under the worker). */
  final MessageFlyweight inlineHeader = new MessageFlyweight();

  /**
   * The clock as the last inline trigger read it ({@link #inlineStartNs}), and how many more inline
   * triggers may take that reading as their start. Touched only by whoever holds the nodes.
   */
  private long inlineClockNs;

  private int inlineClockReuses;

  /** Whether {@link #inlineClockNs} holds a reading taken since the last duty cycle. */
  private boolean inlineClockRead;

  /**
   * Two inline triggers' clock readings closer than this make a stream ({@link #inlineStartNs}).
   */
  static final long INLINE_STREAM_NS = 50_000;

  /** How many inline triggers of a stream take one clock reading after the one that read it. */
  static final int INLINE_CLOCK_REUSES = 15;

  WorkerAgent(int id, int batchLimit, NanoClock nanoClock) {
    this.id = id;
    this.batchLimit = batchLimit;
    this.nanoClock = nanoClock;
    this.emitter = new Emitter(this, false);
  }

  /**
   * Hands this worker's duty cycle to a new thread, a <em>stand-in</em>, while the calling thread
   * goes on running one long call of {@code instance} (a Function node's script past its budget on
   * the worker): the other nodes of the worker keep being served, and {@code instance}'s inbox is
   * left alone until the call ends ({@link #reattach}), which keeps its messages in order and its
   * back-pressure. Only the thread running the duty cycle may detach, once per call.
   *
   * @return whether the call now runs off the worker's duty cycle
   */
  boolean detach(NodeInstance instance) {
    Thread current = Thread.currentThread();
    if (current != thread || instance.worker != this || instance.standIn != null) {
      return false;
    }
    // the instance being polled is in use too: its record stays in its ring until the call (a
    // continuation of it) returns, so the stand-in must not read that ring meanwhile
    NodeInstance polling = written.polling;
    NodeInstance reading = polling != null && polling != instance ? polling : null;
    StandIn standIn = new StandIn(emitter, current, reading);
    instance.standIn = standIn;
    instance.detaches++;
    instance.detached = true;
    if (reading != null) {
      reading.detaches++;
      reading.detached = true;
    }
    emitter = standIn.emitter;
    written.workEndNs = NOT_READ; // the stand-in's first cycle reads the clock
    Thread started =
        Thread.ofPlatform()
            .daemon()
            .name(roleName() + "-stand-in-" + standIn.number)
            .unstarted(standIn);
    standIn.thread = started;
    thread = started;
    started.start();
    return true;
  }

  /**
   * The detached call of {@code instance} has ended: stops its stand-in (after the stand-in's
   * current cycle, and after the stand-in's own stand-ins) and takes the duty cycle back. Called by
   * the thread that {@link #detach detached}.
   */
  void reattach(NodeInstance instance) {
    StandIn standIn = instance.standIn;
    standIn.stop = true;
    LockSupport.unpark(standIn.thread);
    boolean interrupted = false;
    while (standIn.thread.isAlive()) {
      try {
        standIn.thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    emitter = standIn.previousEmitter;
    thread = standIn.previousThread;
    if (standIn.reading != null) {
      standIn.reading.detached = false;
    }
    instance.detached = false;
    instance.standIn = null;
    written.brokeOut = true;
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Whether the thread back from a detached call must end its cycle now (clears the flag). */
  boolean brokeOut() {
    return written.brokeOut;
  }

  /** Runs the duty cycle while a detached call goes on; ends at a cycle's end once stopped. */
  final class StandIn implements Runnable {
    final int number = STAND_INS.incrementAndGet();
    final Emitter emitter = new Emitter(WorkerAgent.this, false);
    final Emitter previousEmitter;
    final Thread previousThread;
    final NodeInstance reading;
    volatile Thread thread;
    volatile boolean stop;

    StandIn(Emitter previousEmitter, Thread previousThread, NodeInstance reading) {
      this.previousEmitter = previousEmitter;
      this.previousThread = previousThread;
      this.reading = reading;
    }

    @Override
    public void run() {
      WorkerIdleStrategy idle = new WorkerIdleStrategy(WorkerAgent.this, 1_000_000);
      while (!stop) {
        int work;
        try {
          // the owner word stays the worker's while the detached call runs (its duty cycle is
          // still inside doWork), so the stand-in cycles as the worker, without taking it again
          work = cycle();
        } catch (RuntimeException | StackOverflowError failure) {
          System.getLogger("z8run.engine")
              .log(System.Logger.Level.ERROR, "worker stand-in error", failure);
          work = 0;
        }
        if (!stop) {
          idle.idle(work);
        }
      }
    }
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
    if (!lines.compareAndSetInt(OWNER_OFFSET, OWNER_NONE, OWNER_WORKER)) {
      written.workEndNs = NOT_READ; // the next cycle does not follow a working one at once
      return 0; // a caller runs an execution inline; it signals when it leaves work behind
    }
    try {
      return cycle();
    } finally {
      lines.putIntRelease(OWNER_OFFSET, OWNER_NONE);
    }
  }

  /**
   * The start of an execution an inline caller starts on this worker's nodes, which it holds
   * ({@link #tryAcquireForCaller}). A stream of inline triggers (two clock readings less than
   * {@link #INLINE_STREAM_NS} apart) shares one reading among {@link #INLINE_CLOCK_REUSES} + 1
   * executions: the clock costs 20 ns or more on a virtual machine and stalls the pipeline, the
   * price of several light nodes. A shared start is early by the time those triggers took (a few µs
   * in a stream); one taken after the stream paused may be older, until the worker's own duty
   * cycle, which runs at the latest when its park ends ({@code maxParkMs}), makes the next trigger
   * read the clock again. A start is used for the duration of a failed or traced execution; a
   * traced one reads the clock for itself ({@link FlowRuntime}).
   */
  long inlineStartNs(NanoClock clock) {
    if (inlineClockReuses > 0) {
      inlineClockReuses--;
      return inlineClockNs;
    }
    long nowNs = clock.nanoTime();
    inlineClockReuses =
        inlineClockRead && nowNs - inlineClockNs < INLINE_STREAM_NS ? INLINE_CLOCK_REUSES : 0;
    inlineClockNs = nowNs;
    inlineClockRead = true;
    return nowNs;
  }

  private int cycle() {
    NodeInstance[] current = instances;
    // the nodes are the duty cycle's now: inline triggers that follow read the clock again
    inlineClockReuses = 0;
    inlineClockRead = false;
    CycleWritten written = this.written;
    int work = 0;
    // a busy worker's cycles follow each other at once: the clock read at the end of the last
    // cycle's work, when that cycle came just before this one, marks this one's start (the loop
    // between the two, a few ns, counts as the first working node's), one read of the clock
    // less per cycle (20 ns or more on a virtual machine, and it stalls the pipeline)
    long markNs = written.workEndNs != NOT_READ ? written.workEndNs : nanoClock.nanoTime();
    written.workEndNs = NOT_READ;
    written.brokeOut = false;
    for (NodeInstance instance : current) {
      if (instance.detached) {
        continue; // its call runs on the thread that detached; its inbox waits for it
      }
      written.polling = instance;
      int taken = instance.poll(batchLimit);
      written.polling = null;
      if (taken > 0) {
        work += taken;
        long nowNs = nanoClock.nanoTime();
        instance.addBusyNs(nowNs - markNs);
        markNs = nowNs;
      }
      if (written.brokeOut) {
        break; // back from a detached call: the instances may have changed meanwhile
      }
    }
    if (work > 0 && !written.brokeOut) {
      written.workEndNs = markNs;
    }
    lines.putLongRelease(CYCLES_OFFSET, ++written.cycles);
    return work;
  }

  /** {@link CycleWrittenFields#workEndNs} when the last cycle did no work or did not run. */
  private static final long NOT_READ = Long.MIN_VALUE;

  /** Whether any owned instance has input or pending output (a hint, read from any thread). */
  boolean hasWork() {
    for (NodeInstance instance : instances) {
      if (!instance.detached && instance.hasWork()) {
        return true;
      }
    }
    return false;
  }

  /** Whether this worker is in a duty cycle or has work waiting (a hint, read from any thread). */
  boolean busy() {
    return lines.getIntVolatile(OWNER_OFFSET) != OWNER_NONE || hasWork();
  }

  /** Whether the calling thread is this worker's. */
  boolean isCurrentThread() {
    return thread == Thread.currentThread();
  }

  /**
   * Takes this worker's nodes for the calling thread (not the worker's), if nobody runs them now or
   * within a brief wait ({@link #CALLER_SPINS}). The caller then runs them with {@link #emitter()}
   * and must {@link #releaseFromCaller()}.
   *
   * <p>The worker holds its nodes one cycle at a time (well under a microsecond when its inboxes
   * are empty, and it cycles for a while after each piece of work), another caller for one short
   * chain: waiting a little for either costs less than queueing the execution, which costs a
   * wake-up of the worker, another of the caller when the answer comes back, and more cycles of the
   * worker, each holding the nodes, for the callers that follow.
   */
  boolean tryAcquireForCaller() {
    if (isCurrentThread()) {
      return false;
    }
    for (int spins = 0; ; spins++) {
      if (lines.getIntVolatile(OWNER_OFFSET) == OWNER_NONE
          && lines.compareAndSetInt(OWNER_OFFSET, OWNER_NONE, OWNER_CALLER)) {
        return true;
      }
      if (spins == CALLER_SPINS) {
        return false;
      }
      Thread.onSpinWait();
    }
  }

  /**
   * While a caller holds the nodes: runs at most one batch of what waits in each of {@code nodes}'
   * inboxes (requests queued behind the previous holder, hops queued behind them), in order, on the
   * calling thread. {@code nodes}: a chain that runs inline, downstream first, or null.
   */
  void drainForCaller(NodeInstance[] nodes) {
    if (nodes != null) {
      for (NodeInstance node : nodes) {
        if (node.hasWork()) {
          node.poll(batchLimit);
        }
      }
    }
  }

  private static boolean hasWork(NodeInstance[] nodes) {
    for (NodeInstance node : nodes) {
      if (node.hasWork()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Gives the nodes back after an inline run. What other callers queued into {@code drain}'s
   * inboxes meanwhile ({@link #signalBehindCaller}: they did not wake the worker) runs first, on
   * this thread: the nodes are taken again and a batch drained, up to {@link #DRAIN_ROUNDS} times
   * while the inbox holds anything and nobody else took the nodes (whoever took them then checks in
   * turn when it lets go). Then wakes the worker when work is left for it (a message to a full
   * inbox, a second child, a pending queue, what was not drained). Dekker-style with {@link
   * WorkerIdleStrategy} and {@link #signalBehindCaller}: the worker publishes {@code parked}, a
   * queueing caller its record, and then read the owner and the inboxes; this publishes the owner
   * (a volatile store) and then reads the inbox and {@code parked} (volatile loads).
   *
   * @param drain the nodes whose inboxes the caller may run ({@link #drainForCaller}), or null
   */
  void releaseFromCaller(NodeInstance[] drain) {
    int rounds = 0;
    boolean drainEmpty = false;
    while (true) {
      // a volatile store, then volatile loads (the inboxes' positions, parked): the store-load
      // order Dekker needs, without a second fence
      lines.putIntVolatile(OWNER_OFFSET, OWNER_NONE);
      if (drain == null || rounds++ == DRAIN_ROUNDS) {
        break;
      }
      if (!hasWork(drain)) {
        drainEmpty = true;
        break;
      }
      if (!lines.compareAndSetInt(OWNER_OFFSET, OWNER_NONE, OWNER_CALLER)) {
        break;
      }
      // checked under the nodes, as the first run was: a stopping flow's inbox is not run here
      if (drain[0].flow.state() != FlowState.RUNNING) {
        continue;
      }
      boolean drained = false;
      try {
        drainForCaller(drain);
        drained = true;
      } finally {
        if (!drained) {
          lines.putIntVolatile(OWNER_OFFSET, OWNER_NONE);
          wakeIfWork();
        }
      }
    }
    if (!drainEmpty || !coversAll(drain)) {
      wakeIfWork();
    }
  }

  /**
   * Whether {@code drain}, a chain of one active flow on this worker, is every node the worker runs
   * (scenario a2's head): then the scan of {@code drain} after the release, which found nothing,
   * was the scan {@link #wakeIfWork} would repeat. The instances are read before the flow's state:
   * a stop marks the flow stopped before it takes its nodes off the worker, so equal lengths with
   * an active flow are the same nodes.
   */
  private boolean coversAll(NodeInstance[] drain) {
    NodeInstance[] current = instances;
    return current.length == drain.length && drain[0].flow.isActive();
  }

  /**
   * Wakes the parked worker for what is left in its inboxes, unless a caller took the nodes
   * meanwhile: that caller looks when it lets go (a caller's drain does not wake the worker for the
   * record another caller runs).
   */
  private void wakeIfWork() {
    if (lines.getIntVolatile(PARKED_OFFSET) != 0
        && lines.getIntVolatile(OWNER_OFFSET) != OWNER_CALLER
        && hasWork()) {
      Thread current = thread;
      if (current != null) {
        LockSupport.unpark(current);
      }
    }
  }

  /**
   * After a caller that did not get the nodes committed a record into one of this worker's inboxes
   * to run inline ({@link FlowRuntime#triggerInline}): wakes the worker unless a caller holds the
   * nodes, which on {@link #releaseFromCaller} runs the record itself or wakes the worker for it.
   * Saves two wake-ups of the worker per queued request (this one, and the holder's when it lets
   * go) and the worker's answer to a request thread that is not its own.
   */
  void signalBehindCaller() {
    VarHandle.fullFence();
    if (lines.getIntVolatile(OWNER_OFFSET) != OWNER_CALLER) {
      wake();
    }
  }

  /** Whether a caller runs this worker's nodes now (a hint for the idle strategy). */
  boolean heldByCaller() {
    return lines.getIntVolatile(OWNER_OFFSET) == OWNER_CALLER;
  }

  /** Wakes the worker if it is parked: after a change it must see that was not a ring claim. */
  void signal() {
    VarHandle.fullFence();
    wake();
  }

  /**
   * Wakes the worker if it is parked, after a record was committed into one of its inboxes. No
   * fence: the record's claim was a CAS on the ring's tail (a volatile write) before this volatile
   * read of {@code parked}, and the parking worker writes {@code parked} before it reads the tails
   * ({@link #hasWork()}); the synchronization order of the four accesses has one side see the
   * other's write, as the full fence of {@link #signal()} would.
   */
  void signalClaimed() {
    wake();
  }

  /**
   * Unparks a parked worker once per park: the producer that clears {@code parked} unparks it, and
   * the producers that commit after it, before the worker runs again, find it cleared instead of
   * calling {@link LockSupport#unpark} for every record (on a core shared with the worker, that was
   * a call per message until the worker got the core back).
   */
  private void wake() {
    if (lines.getIntVolatile(PARKED_OFFSET) != 0 && lines.compareAndSetInt(PARKED_OFFSET, 1, 0)) {
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

  /**
   * The fields the thread running the duty cycle writes every cycle, kept off the line of the
   * fields that threads sending this worker messages read ({@link #lines}, {@link #thread}): in one
   * object with them, the line moved between the cores with every message ({@link
   * CacheLinePadding}).
   */
  static class CycleWrittenFields extends CacheLinePadding {
    long cycles;

    /**
     * The clock at the end of the last cycle's work when that cycle did work, else {@link
     * #NOT_READ}: the next cycle's start ({@link #cycle}).
     */
    long workEndNs = NOT_READ;

    /** Set by {@link #reattach}: the thread back in charge must end its (stale) cycle. */
    boolean brokeOut;

    /** The instance whose inbox the running thread reads now (its record is not yet consumed). */
    NodeInstance polling;
  }

  /** {@link CycleWrittenFields} with a cache line of padding after them. */
  static final class CycleWritten extends CycleWrittenFields {
    long q01;
    long q02;
    long q03;
    long q04;
    long q05;
    long q06;
    long q07;
    long q08;
  }
}
