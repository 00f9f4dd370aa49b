package dev.z8run.nodes.function;

import java.lang.management.ManagementFactory;
import java.util.concurrent.locks.LockSupport;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.ContextFactory;
import org.mozilla.javascript.Script;
import org.mozilla.javascript.ScriptableObject;

/**
 * Rhino, locked down and limited. Every script runs in a {@link Limited} context that:
 *
 * <ul>
 *   <li>has only the safe standard objects ({@code initSafeStandardObjects}: no {@code Packages},
 *       {@code java}, {@code JavaAdapter}, {@code importClass}, {@code load}), sealed so that no
 *       script changes {@code Object.prototype} for the next message;
 *   <li>refuses every Java class (a {@link org.mozilla.javascript.ClassShutter} that says no);
 *   <li>compiles to JVM bytecode (measured: ~15 ns per trivial call against ~75-200 ns interpreted)
 *       with instruction counting compiled in, so that every {@value #OBSERVE_EVERY_INSTRUCTIONS}
 *       instructions {@link #observeInstructionCount} checks the call's CPU time and allocated
 *       bytes and stops it with a {@link LimitExceeded} once over.
 * </ul>
 *
 * <p>A call that stays under {@value #OBSERVE_EVERY_INSTRUCTIONS} instructions pays nothing for the
 * limits: the clocks are read first at the first observation.
 */
final class Sandbox extends ContextFactory {
  /** Instructions between two limit checks; a check costs a few hundred nanoseconds. */
  static final int OBSERVE_EVERY_INSTRUCTIONS = 20_000;

  static final Sandbox FACTORY = new Sandbox();

  /**
   * CPU time a call may use on an engine worker before the worker is released ({@link
   * dev.z8run.core.node.NodeContext#releaseWorker}): past it the call goes on detached from the
   * worker's duty cycle, which a stand-in thread carries on for the worker's other nodes.
   */
  static final long WORKER_BUDGET_NS = Long.getLong("z8.function.workerBudgetMs", 10) * 1_000_000;

  /**
   * The budget instead of {@link #WORKER_BUDGET_NS} for a node that had a call detached in the last
   * {@link #RECENT_NS}: a node that ran long once is likely to again (a hostile script sent over
   * and over), so it leaves the worker at once.
   */
  static final long RECENT_WORKER_BUDGET_NS = 1_000_000;

  /** How long a node counts as having run long (see {@link #RECENT_WORKER_BUDGET_NS}). */
  static final long RECENT_NS = 10_000_000_000L;

  /**
   * The share of one core a detached call may use: past it the call is paused between two limit
   * checks, so that a runaway script leaves the CPU to the other flows (on a 2-core machine a
   * script burning a whole core would take half of everyone's). Its CPU limit counts as before, so
   * it still ends at {@code timeoutMs} of CPU, later on the wall clock ({@code timeoutMs / share}).
   */
  static final double DETACHED_CPU_SHARE =
      Math.clamp(
          Double.parseDouble(System.getProperty("z8.function.detachedCpuShare", "0.1")), 0.01, 1.0);

  /** The longest single pause of a detached call ({@link #DETACHED_CPU_SHARE}). */
  private static final long MAX_PAUSE_NS = 50_000_000;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private Sandbox() {}

  /** What the current thread allocated since it started, in bytes. */
  static long allocatedBytes() {
    return THREADS.getCurrentThreadAllocatedBytes();
  }

  /** A new context for one node: not entered; enter with {@link #enterContext(Context)}. */
  Limited newContext(long cpuLimitNs, long allocationLimitBytes) {
    return new Limited(this, cpuLimitNs, allocationLimitBytes, null);
  }

  /**
   * A new context for one node, which {@code releaseWorker} lets off its engine worker once a call
   * has used {@link #WORKER_BUDGET_NS} of CPU (it answers whether the call now runs detached).
   */
  Limited newContext(
      long cpuLimitNs,
      long allocationLimitBytes,
      java.util.function.BooleanSupplier releaseWorker) {
    return new Limited(this, cpuLimitNs, allocationLimitBytes, releaseWorker);
  }

  /**
   * The node's global scope: safe standard objects, with the built-ins that can make a large result
   * in one call guarded ({@link #GUARDS}), then sealed.
   *
   * <p>Why the guards: a built-in runs as one step of the script, so the instruction observer does
   * not see it. {@code 'x'.repeat(1 << 30)} would ask for a gigabyte at once, and {@code
   * JSON.stringify} of a graph that shares references level after level writes exponentially much
   * output, for seconds, on an engine worker. The guarded versions refuse a result larger than the
   * node's memory limit allows before making it ({@code repeat}, {@code padStart}, {@code padEnd},
   * {@code join}), and {@code JSON.stringify} always goes through a replacer written in JavaScript,
   * whose instructions are counted (so the time and memory checks run during the walk) and which
   * adds up the output's length as it goes.
   */
  static ScriptableObject newScope(Context cx) {
    ScriptableObject scope = cx.initSafeStandardObjects(null, false);
    long maxChars = cx instanceof Limited limited ? limited.allocationLimitBytes / 2 : 1L << 28;
    Object install = GUARDS_SCRIPT.exec(cx, scope);
    ((org.mozilla.javascript.Function) install)
        .call(cx, scope, scope, new Object[] {(double) maxChars});
    for (Object id : scope.getAllIds()) {
      Object value = scope.get(id.toString(), scope);
      if (value instanceof ScriptableObject object && value != scope) {
        object.sealObject();
        if (object.get("prototype", object) instanceof ScriptableObject prototype) {
          prototype.sealObject();
        }
      }
    }
    return scope;
  }

  /**
   * A script every node runs once at set-up (the guards, the prelude), compiled to bytecode once
   * per process and run in each node's scope: compiling the 14 KB prelude and the guards took most
   * of a Function node's deploy (about 30 ms of CPU each time). A compiled {@link Script} keeps no
   * state of its own between runs: each {@code exec} defines its functions in the scope it is
   * given. It is compiled by the first node's context, whose settings (compiled mode, instruction
   * counting compiled in, language version) are every node's.
   */
  static final class Shared {
    private final String source;
    private final String name;
    private volatile Script script;

    Shared(String source, String name) {
      this.source = source;
      this.name = name;
    }

    /** Runs the script in {@code scope} with {@code cx}; returns its value. */
    Object exec(Context cx, org.mozilla.javascript.Scriptable scope) {
      Script compiled = script;
      if (compiled == null) {
        synchronized (this) {
          compiled = script;
          if (compiled == null) {
            compiled = cx.compileString(source, name, 1, null);
            script = compiled;
          }
        }
      }
      return compiled.exec(cx, scope, scope);
    }
  }

  /** The guards {@link #newScope} installs; a function of the largest result in characters. */
  static final String GUARDS =
      """
      (function (maxChars) {
        function tooLarge(what, n) {
          throw new RangeError(what + ' would make ' + n + ' characters, more than the'
              + ' memory limit of this node allows (' + maxChars + ')');
        }
        var S = String.prototype, A = Array.prototype;
        var repeat = S.repeat, padStart = S.padStart, padEnd = S.padEnd, join = A.join;
        S.repeat = function repeat_(count) {
          var n = String(this).length * Math.floor(Number(count));
          if (n > maxChars) tooLarge('repeat', n);
          return repeat.call(this, count);
        };
        S.padStart = function padStart_(length, fill) {
          if (Number(length) > maxChars) tooLarge('padStart', Number(length));
          return padStart.call(this, length, fill);
        };
        S.padEnd = function padEnd_(length, fill) {
          if (Number(length) > maxChars) tooLarge('padEnd', Number(length));
          return padEnd.call(this, length, fill);
        };
        A.join = function join_(separator) {
          var sep = separator === undefined ? 1 : String(separator).length;
          var n = Math.max(0, this.length - 1) * sep;
          if (n > maxChars) tooLarge('join', n);
          return join.call(this, separator);
        };
        var stringify = JSON.stringify;
        JSON.stringify = function stringify_(value, replacer, space) {
          var keys = Array.isArray(replacer) ? replacer.map(String) : null;
          var given = typeof replacer === 'function' ? replacer : null;
          var gap = typeof space === 'number' ? Math.min(10, space)
              : typeof space === 'string' ? Math.min(10, space.length) : 0;
          var total = 0;
          return stringify.call(JSON, value, function (key, v) {
            if (keys !== null && key !== '' && !Array.isArray(this) && keys.indexOf(key) < 0) {
              return undefined;
            }
            if (given !== null) v = given.call(this, key, v);
            total += (typeof v === 'string' ? v.length + 2 : 8) + String(key).length + 3
                + gap * 26;
            if (total > maxChars) tooLarge('JSON.stringify', total);
            return v;
          }, space);
        };
      })
      """;

  private static final Shared GUARDS_SCRIPT = new Shared(GUARDS, "guards.js");

  @Override
  protected void observeInstructionCount(Context cx, int instructionCount) {
    ((Limited) cx).observe();
  }

  /**
   * Thrown out of a script that went over a limit. An {@link Error}, so that a script's {@code
   * catch} cannot swallow it (Rhino lets JavaScript catch only script exceptions); once tripped,
   * every later check in the same call throws again, so {@code finally} blocks cannot loop on.
   */
  static final class LimitExceeded extends Error {
    private static final long serialVersionUID = 1L;

    LimitExceeded(String message) {
      super(message, null, false, false);
    }
  }

  /** A Rhino context carrying the CPU and allocation accounting of the call it runs. */
  static final class Limited extends Context {
    private final long cpuLimitNs;
    final long allocationLimitBytes;
    private final java.util.function.BooleanSupplier releaseWorker;
    private int observations;
    private long cpuStartNs;
    private long allocatedStart;
    private long walkCpuStartNs;
    private long walkAllocatedStart;
    private String tripped;

    /** Whether this call asked to leave its worker (once per call), and whether it did. */
    private boolean releaseAsked;

    private boolean released;
    private long lastReleaseNs = System.nanoTime() - RECENT_NS;
    private long releasedCpuNs;
    private long releasedWallNs;

    /** Whether a microtask was queued since the queue was last run to completion. */
    private boolean microtasksQueued;

    private Limited(
        Sandbox factory,
        long cpuLimitNs,
        long allocationLimitBytes,
        java.util.function.BooleanSupplier releaseWorker) {
      super(factory);
      this.releaseWorker = releaseWorker;
      this.cpuLimitNs = cpuLimitNs;
      this.allocationLimitBytes = allocationLimitBytes;
      setInterpretedMode(false);
      setLanguageVersion(Context.VERSION_ES6);
      setInstructionObserverThreshold(OBSERVE_EVERY_INSTRUCTIONS);
      setGenerateObserverCount(true);
      setClassShutter(className -> false);
    }

    /**
     * Queues a microtask (a Promise reaction): see {@link #processMicrotasks()}.
     *
     * <p>The queue is Rhino's; this context only remembers that it may hold something.
     */
    @Override
    public void enqueueMicrotask(Runnable task) {
      microtasksQueued = true;
      super.enqueueMicrotask(task);
    }

    /**
     * Runs the queued microtasks to completion, as Rhino does; a call that queued none (most
     * messages: no Promise) skips the look at the empty queue. Whatever a task queues while they
     * run is run too; when a task throws, the flag stays set and the rest run next time.
     */
    @Override
    public void processMicrotasks() {
      if (microtasksQueued) {
        super.processMicrotasks();
        microtasksQueued = false;
      }
    }

    /** Starts the accounting of a new call. */
    void beginCall() {
      observations = 0;
      tripped = null;
      releaseAsked = false;
      released = false;
    }

    /** Whether the call in progress left its engine worker. */
    boolean released() {
      return released;
    }

    private void observe() {
      if (tripped != null) {
        throw new LimitExceeded(tripped);
      }
      if (observations++ == 0) {
        cpuStartNs = THREADS.getCurrentThreadCpuTime();
        allocatedStart = THREADS.getCurrentThreadAllocatedBytes();
        return;
      }
      long cpuNs = THREADS.getCurrentThreadCpuTime() - cpuStartNs;
      if (cpuNs > cpuLimitNs) {
        tripped =
            "stopped after "
                + cpuNs / 1_000_000
                + " ms of CPU time (limit "
                + cpuLimitNs / 1_000_000
                + " ms per message)";
        throw new LimitExceeded(tripped);
      }
      leaveWorkerOrPause(cpuNs);
      long allocated = THREADS.getCurrentThreadAllocatedBytes() - allocatedStart;
      if (allocated > allocationLimitBytes) {
        tripped =
            "stopped after allocating "
                + (allocated >> 20)
                + " MiB (limit "
                + (allocationLimitBytes >> 20)
                + " MiB per message)";
        throw new LimitExceeded(tripped);
      }
    }

    /**
     * Starts the walk that measures what the script keeps ({@link RetainedHeap}), part of the call
     * in progress: {@link #observeWalk} paces it, {@link #endWalk} ends it.
     */
    void beginWalk() {
      long cpuNs = THREADS.getCurrentThreadCpuTime();
      long allocated = THREADS.getCurrentThreadAllocatedBytes();
      if (observations++ == 0) {
        cpuStartNs = cpuNs;
        allocatedStart = allocated;
      }
      walkCpuStartNs = cpuNs;
      walkAllocatedStart = allocated;
    }

    /**
     * The pace of a walk ({@link #beginWalk}): the walk leaves the worker and, detached, is paused
     * to its share of a core, as the call's own instructions would be, so that its cost falls on
     * the node's own messages (which wait), never on the worker's other nodes.
     */
    void observeWalk() {
      leaveWorkerOrPause(THREADS.getCurrentThreadCpuTime() - cpuStartNs);
    }

    /**
     * Ends a walk: neither its CPU time nor what it allocated is held against the call's limits
     * (what the script does after it, its microtasks, is): the walk is bounded by the references it
     * may follow instead, and a script that keeps more is refused as keeping too much.
     */
    void endWalk() {
      cpuStartNs += THREADS.getCurrentThreadCpuTime() - walkCpuStartNs;
      allocatedStart += THREADS.getCurrentThreadAllocatedBytes() - walkAllocatedStart;
    }

    /**
     * Leaves the worker once the call used its budget there ({@link #WORKER_BUDGET_NS}, or {@link
     * #RECENT_WORKER_BUDGET_NS} after a recent release); once detached, pauses for the share.
     */
    private void leaveWorkerOrPause(long cpuNs) {
      if (released) {
        pauseForShare(cpuNs);
      } else if (!releaseAsked && releaseWorker != null && cpuNs > RECENT_WORKER_BUDGET_NS) {
        long nowNs = System.nanoTime();
        if (cpuNs > WORKER_BUDGET_NS || nowNs - lastReleaseNs < RECENT_NS) {
          releaseAsked = true;
          released = releaseWorker.getAsBoolean();
          releasedCpuNs = cpuNs;
          releasedWallNs = nowNs;
          if (released) {
            lastReleaseNs = nowNs;
          }
        }
      }
    }

    /** Pauses a detached call that used more than its share of a core since it was detached. */
    private void pauseForShare(long cpuNs) {
      long usedNs = cpuNs - releasedCpuNs;
      long dueWallNs = (long) (usedNs / DETACHED_CPU_SHARE);
      long wallNs = System.nanoTime() - releasedWallNs;
      if (dueWallNs > wallNs) {
        LockSupport.parkNanos(Math.min(MAX_PAUSE_NS, dueWallNs - wallNs));
      }
    }
  }
}
