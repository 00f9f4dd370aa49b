package dev.z8run.api;

import java.util.logging.LogManager;

/**
 * A {@link LogManager} that keeps its handlers through JVM shutdown, so that what the shutdown hook
 * logs ("z8run stopping", Helidon's "stopped all channels") reaches stderr.
 *
 * <p>The JDK's own shutdown hook calls {@link #reset()}, which removes every handler; it runs
 * concurrently with the application's hooks, so their records were dropped at random. Once the
 * application has set up its handlers ({@link LogSetup#configure} calls {@link #keepHandlers()}),
 * this manager ignores {@code reset()}: nobody else may take the handlers away. They are console
 * handlers that flush each record, so nothing is lost by not closing them. Installed through {@code
 * java.util.logging.manager} ({@link Settings#LOG_MANAGER}), which {@link Main#main} sets before
 * anything logs; {@code RunnableJarIT} checks that the shutdown lines arrive.
 */
public final class ShutdownSafeLogManager extends LogManager {
  private volatile boolean keepHandlers;

  /** From now on {@link #reset()} leaves the handlers alone. */
  void keepHandlers() {
    keepHandlers = true;
  }

  @Override
  public void reset() {
    if (!keepHandlers) {
      super.reset();
    }
  }
}
