package dev.z8run.api;

import com.sun.management.HotSpotDiagnosticMXBean;
import com.sun.management.VMOption;
import java.lang.System.Logger.Level;
import java.lang.management.ManagementFactory;
import javax.management.ObjectName;

/**
 * Keeps the resident memory of a server started with {@code java -jar} low without flags on its
 * command line (a jar's manifest cannot carry heap options): the heap is let shrink when it is
 * mostly free (the manageable {@code MinHeapFreeRatio}/{@code MaxHeapFreeRatio}, and G1's periodic
 * collection when idle), and once the server is up the start-up garbage is collected and the C
 * heap's free pages (the JIT's arenas) are given back ({@code System.trim_native_heap}), then every
 * {@value #TRIM_INTERVAL_MS} ms. Options given on the command line are left as they are.
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
                    System.gc();
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
