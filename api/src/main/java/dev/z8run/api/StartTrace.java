package dev.z8run.api;

import java.util.concurrent.TimeUnit;

/**
 * Start-up timestamps for {@code perf/start.sh}: with {@code -Dz8.start.trace=true} each wiring
 * step of {@link Z8Server#start} prints {@code start: STEP at N ms} to standard error, N counted
 * from the first line of {@code main}. Off (one boolean read) otherwise.
 */
final class StartTrace {
  private static final boolean ON = Boolean.getBoolean("z8.start.trace");
  private static final long T0 = System.nanoTime();

  private StartTrace() {}

  static void mark(String step) {
    if (ON) {
      System.err.println(
          "start: "
              + step
              + " at "
              + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - T0)
              + " ms ["
              + Thread.currentThread().getName()
              + "]");
    }
  }
}
