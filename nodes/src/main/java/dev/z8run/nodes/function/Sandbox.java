package dev.z8run.nodes.function;

import java.lang.management.ManagementFactory;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.ContextFactory;
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

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private Sandbox() {}

  /** A new context for one node: not entered; enter with {@link #enterContext(Context)}. */
  Limited newContext(long cpuLimitNs, long allocationLimitBytes) {
    return new Limited(this, cpuLimitNs, allocationLimitBytes);
  }

  /** The node's global scope: safe standard objects, sealed. */
  static ScriptableObject newScope(Context cx) {
    return cx.initSafeStandardObjects(null, true);
  }

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
    private final long allocationLimitBytes;
    private int observations;
    private long cpuStartNs;
    private long allocatedStart;
    private String tripped;

    private Limited(Sandbox factory, long cpuLimitNs, long allocationLimitBytes) {
      super(factory);
      this.cpuLimitNs = cpuLimitNs;
      this.allocationLimitBytes = allocationLimitBytes;
      setInterpretedMode(false);
      setLanguageVersion(Context.VERSION_ES6);
      setInstructionObserverThreshold(OBSERVE_EVERY_INSTRUCTIONS);
      setGenerateObserverCount(true);
      setClassShutter(className -> false);
    }

    /** Starts the accounting of a new call. */
    void beginCall() {
      observations = 0;
      tripped = null;
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
  }
}
