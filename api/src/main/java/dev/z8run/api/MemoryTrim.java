package dev.z8run.api;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.System.Logger.Level;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.LongSupplier;
import javax.management.ObjectName;

/**
 * Keeps the resident memory of a server started with {@code java -jar} low without flags on its
 * command line (a jar's manifest cannot carry heap options): the heap is let shrink when it is
 * mostly free (the manageable {@code MinHeapFreeRatio}/{@code MaxHeapFreeRatio}, and G1's periodic
 * collection when idle), and once the server is up the start-up garbage is collected and the C
 * heap's free pages (the JIT's arenas) are given back ({@code System.trim_native_heap}), then every
 * {@value #TRIM_INTERVAL_MS} ms. Options given on the command line are left as they are.
 *
 * <p>The start-up collection waits for a quiet moment ({@link #collectWhenQuiet}): a full
 * collection while requests are served stops them for its duration (12-16 ms on two cores), and
 * with the Serial collector it also moves every live object into the old generation, among them
 * each open connection's last read buffer. Helidon's reader keeps its consumed buffers linked to
 * the next one ({@code DataReader.Node.next}), so a buffer in the old generation keeps the
 * connection's next buffer alive through every young collection until it is promoted in turn, and
 * so on: each request of such a connection was promoted (~100 KB per young collection under {@code
 * wrk -c50}, the old generation grew from 9 to 55 MB in 6 s, perf/README.md), until the next full
 * collection started it over.
 *
 * <p>Runs on one daemon thread, after the server answers: it costs start-up nothing.
 */
final class MemoryTrim {
  static final long TRIM_INTERVAL_MS = 60_000;

  /** How long after the server answers the thread starts its work. */
  static final long START_DELAY_MS = 2_000;

  private static final System.Logger LOG = System.getLogger(MemoryTrim.class.getName());

  private MemoryTrim() {}

  /** Starts the daemon thread that tunes, collects once and trims periodically. */
  static void startInBackground() {
    Thread thread =
        Thread.ofPlatform()
            .daemon()
            .name("z8-memory-trim")
            .start(
                () -> {
                  try {
                    // after the first requests, not beside them: the management beans and a full
                    // collection cost a start about a fifth of its time on two cores
                    Thread.sleep(START_DELAY_MS);
                    boolean jvmTrims = applyManageableDefaults();
                    collectWhenQuiet(
                        MemoryTrim::collections, Thread::sleep, System::gc, QUIET_POLLS_MAX);
                    while (!jvmTrims) {
                      trimNativeHeap();
                      Thread.sleep(TRIM_INTERVAL_MS);
                    }
                  } catch (InterruptedException stopped) {
                    Thread.currentThread().interrupt();
                  } catch (RuntimeException | LinkageError unsupported) {
                    LOG.log(Level.DEBUG, "memory trimming unavailable: " + unsupported);
                  }
                });
    thread.setPriority(Thread.MIN_PRIORITY);
  }

  /** How long the heap must go without a collection for the server to count as quiet. */
  static final long QUIET_MS = 1_000;

  /** How many times {@link #collectWhenQuiet} looks before it gives up (about 10 minutes). */
  static final int QUIET_POLLS_MAX = 600;

  /** Sleeps a number of milliseconds (Thread::sleep; a test's clock). */
  interface Sleeper {
    void sleep(long millis) throws InterruptedException;
  }

  /**
   * Runs {@code collect} once the heap has gone {@link #QUIET_MS} without a collection ({@code
   * collections}, the collectors' total count, unchanged): under load the young generation fills
   * many times a second (~50 times under 49,000 hook requests/s), so a quiet second means a few
   * requests at most. Gives up after {@code maxPolls} busy seconds: a server that stays busy has
   * its start-up garbage collected by its young collections anyway.
   *
   * @return whether {@code collect} ran
   */
  static boolean collectWhenQuiet(
      LongSupplier collections, Sleeper sleeper, Runnable collect, int maxPolls)
      throws InterruptedException {
    long before = collections.getAsLong();
    for (int poll = 0; poll < maxPolls; poll++) {
      sleeper.sleep(QUIET_MS);
      long now = collections.getAsLong();
      if (now == before) {
        collect.run();
        return true;
      }
      before = now;
    }
    return false;
  }

  /** The collections of every collector so far (young and full). */
  private static long collections() {
    long total = 0;
    for (GarbageCollectorMXBean collector : ManagementFactory.getGarbageCollectorMXBeans()) {
      total += Math.max(0, collector.getCollectionCount());
    }
    return total;
  }

  /**
   * Sets the heap-shrinking options that the command line left at their defaults; true when the
   * command line asked the JVM to trim the C heap itself ({@code -XX:TrimNativeHeapInterval}, as
   * {@code bin/jvm.options} does), so that this thread need not.
   */
  static boolean applyManageableDefaults() {
    HotSpotDiagnosticMXBean hotspot =
        ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class);
    setIfDefault(hotspot, "MinHeapFreeRatio", "10");
    setIfDefault(hotspot, "MaxHeapFreeRatio", "30");
    if (ManagementFactory.getGarbageCollectorMXBeans().stream()
        .anyMatch(gc -> gc.getName().startsWith("G1"))) {
      setIfDefault(hotspot, "G1PeriodicGCInterval", "30000");
    }
    return !"0".equals(hotspot.getVMOption("TrimNativeHeapInterval").getValue());
  }

  private static void setIfDefault(HotSpotDiagnosticMXBean hotspot, String name, String value) {
    VMOption option = hotspot.getVMOption(name);
    if (option.getOrigin() == VMOption.Origin.DEFAULT && option.isWriteable()) {
      hotspot.setVMOption(name, value);
    }
  }

  /** Gives the C heap's free pages back to the system (glibc's malloc_trim); else nothing. */
  static void trimNativeHeap() {
    try {
      ManagementFactory.getPlatformMBeanServer()
          .invoke(
              new ObjectName("com.sun.management:type=DiagnosticCommand"),
              "systemTrimNativeHeap",
              new Object[] {null},
              new String[] {String[].class.getName()});
    } catch (javax.management.JMException unsupported) {
      LOG.log(Level.DEBUG, "System.trim_native_heap unavailable: " + unsupported);
    }
  }
}
