package dev.z8run.core.runtime;

/**
 * Told when one execution ends: see {@link Engine#inject(String, String, byte[],
 * ExecutionCallback)}. Called on the thread that returned the execution's last credit (a worker or
 * a blocking node's virtual thread): must return quickly and never block.
 */
@FunctionalInterface
public interface ExecutionCallback {
  /**
   * @param failed whether a node of the execution failed
   */
  void onExecutionDone(long executionId, boolean failed);
}
