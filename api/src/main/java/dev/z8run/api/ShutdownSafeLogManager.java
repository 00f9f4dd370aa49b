package dev.z8run.api;

import java.util.logging.LogManager;

/**
 * A {@link LogManager} that keeps its handlers through JVM shutdown, so that what the shutdown hook
 * logs ("z8run stopping", Helidon's "stopped all channels") reaches stderr.
 *
 * <p>The JDK's own shutdown hook, a thread named {@code Logging-Cleaner}, calls {@link #reset()},
 * which removes every handler; it runs concurrently with the application's hooks, so their records
 * were dropped at random. Handlers here are console handlers that flush each record, so nothing is
 * lost by not closing them. Installed by {@link LogSetup#installLogManager()}, from {@link Main}'s
 * static initializer, through {@code java.util.logging.manager} before anything touches logging; if
 * the JDK ever renames that thread, shutdown lines go missing again and {@code RunnableJarIT} says
 * so.
 */
public final class ShutdownSafeLogManager extends LogManager {
  private static final String JDK_CLEANER_THREAD = "Logging-Cleaner";

  @Override
  public void reset() {
    if (!JDK_CLEANER_THREAD.equals(Thread.currentThread().getName())) {
      super.reset();
    }
  }
}
