package dev.z8run.core.node;

/** Something the engine will do later for a node (a deferred message, a scheduled task). */
public interface Cancellable {
  /**
   * Cancels it if it has not happened yet. A cancelled deferred message is dropped and its share of
   * the execution's credit returned, so the execution may complete. Thread-safe.
   *
   * @return true when this call cancelled it; false when it already happened or was cancelled
   */
  boolean cancel();
}
