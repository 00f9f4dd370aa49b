package dev.z8run.nodes.function;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mozilla.javascript.Context;
import org.mozilla.javascript.ScriptableObject;

/**
 * The walk that measures what a script keeps runs inside the call's accounting ({@link
 * Sandbox.Limited#beginWalk}) for leaving the worker, but neither its CPU time nor its allocation
 * counts against the call's limits: what the script runs after it (its microtasks) still has the
 * call's whole limit less what the script itself used. The clocks are the thread's CPU time, so a
 * loaded machine does not change what is counted.
 */
class SandboxWalkTest {
  /** 50,000 iterations: past the observer's threshold, so that the limits are checked. */
  private static final String LOOP = "for (var i = 0; i < 50000; i++) {}";

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** Where garbage goes, so that the compiler cannot leave its allocation out. */
  private static volatile Object sink;

  private Sandbox.Limited cx;
  private ScriptableObject scope;

  @BeforeEach
  void setUp() {
    cx = Sandbox.FACTORY.newContext(200_000_000L, 32L << 20);
    Sandbox.FACTORY.enterContext(cx);
    scope = Sandbox.newScope(cx);
    cx.beginCall();
    cx.evaluateString(scope, LOOP, "before", 1, null);
  }

  @AfterEach
  void tearDown() {
    Context.exit();
  }

  /** Uses {@code cpuNs} of this thread's CPU time and allocates {@code bytes} of garbage. */
  private static long work(long cpuNs, int bytes) {
    long checksum = 0;
    for (int i = 0; i < bytes >> 20; i++) {
      byte[] garbage = new byte[1 << 20];
      sink = garbage;
      checksum += garbage.length;
    }
    long startNs = THREADS.getCurrentThreadCpuTime();
    while (THREADS.getCurrentThreadCpuTime() - startNs < cpuNs) {
      checksum++;
    }
    return checksum;
  }

  @Test
  void shouldNotHoldTheWalksCpuTimeAgainstTheCallsLimit() {
    cx.beginWalk();
    assertTrue(work(300_000_000L, 0) > 0);
    cx.endWalk();

    assertDoesNotThrow(() -> cx.evaluateString(scope, LOOP, "after", 1, null));
  }

  @Test
  void shouldNotHoldWhatTheWalkAllocatesAgainstTheCallsLimit() {
    cx.beginWalk();
    assertTrue(work(1_000_000L, 64 << 20) > 0);
    cx.endWalk();

    assertDoesNotThrow(() -> cx.evaluateString(scope, LOOP, "after", 1, null));
  }

  @Test
  void shouldStillStopTheScriptPastItsOwnLimitAfterAWalk() {
    cx.beginWalk();
    work(1_000_000L, 0);
    cx.endWalk();
    assertTrue(work(300_000_000L, 0) > 0); // the call's own time (a built-in, say)

    assertThrows(
        Sandbox.LimitExceeded.class, () -> cx.evaluateString(scope, LOOP, "after", 1, null));
  }
}
