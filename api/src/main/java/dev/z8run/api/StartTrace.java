package dev.z8run.api;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Start-up timestamps for {@code perf/start.sh}: with {@code -Dz8.start.trace=true} each wiring
 * step of {@link Z8Server#start} prints {@code start: STEP at N ms [thread, C ms CPU, R ms ready]}
 * to standard error, N counted from the first line of {@code main}, C the CPU time the thread has
 * run and R the time it was ready to run but waited for a core (both from {@code
 * /proc/thread-self/schedstat} where there is one: what is neither was blocked, on a lock, a class
 * initialisation or I/O). The first line also gives the wall-clock time of {@code main} in epoch
 * milliseconds, to set against the moment the process was spawned. Off (one boolean read)
 * otherwise.
 */
final class StartTrace {
  private static final boolean ON = Boolean.getBoolean("z8.start.trace");
  private static final long T0 = System.nanoTime();
  private static final Path SCHEDSTAT = Path.of("/proc/thread-self/schedstat");

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
              + threadCpu()
              + "]"
              + ("main".equals(step) ? " epoch_ms=" + System.currentTimeMillis() : ""));
    }
  }

  /** ", C ms CPU, R ms ready" for the calling thread, or nothing where the kernel does not say. */
  private static String threadCpu() {
    try {
      String[] fields = Files.readString(SCHEDSTAT).trim().split(" ");
      return ", "
          + TimeUnit.NANOSECONDS.toMillis(Long.parseLong(fields[0]))
          + " ms CPU, "
          + TimeUnit.NANOSECONDS.toMillis(Long.parseLong(fields[1]))
          + " ms ready";
    } catch (IOException | RuntimeException unavailable) {
      return "";
    }
  }
}
