package dev.z8run.core.event;

/**
 * Receives engine events on the engine's event thread (never on a worker). Implementations must
 * return quickly; a slow listener delays other listeners, never the engine: events that do not fit
 * the event ring are dropped and counted.
 */
public interface EngineListener {
  default void onExecutionStarted(String flowId, long executionId, String triggerNodeId) {}

  default void onNodeCompleted(String flowId, long executionId, String nodeId, long durationNs) {}

  /**
   * As {@link #onNodeCompleted(String, long, String, long)}, with the start of the message the node
   * received ({@link EventDescriptor#SAMPLE_BYTES} bytes of its JSON at most, possibly cut inside a
   * value).
   */
  default void onNodeCompleted(
      String flowId, long executionId, String nodeId, long durationNs, String inputSample) {
    onNodeCompleted(flowId, executionId, nodeId, durationNs);
  }

  default void onExecutionCompleted(String flowId, long executionId, long durationNs) {}

  default void onExecutionFailed(
      String flowId, long executionId, String failedNodeId, long durationNs) {}

  /** An error in a node; {@code executionId} is 0 when it happened outside an execution. */
  default void onNodeError(String flowId, String nodeId, long executionId, String message) {}

  default void onNodeStatus(String flowId, String nodeId, String status) {}

  default void onNodeWarn(String flowId, String nodeId, String message) {}

  /**
   * A debug node showed part of a message.
   *
   * @param preview UTF-8 JSON, cut to the node's preview limit (possibly inside a value)
   * @param originalLength the length in bytes of what was previewed, before the cut
   */
  default void onNodeDebug(
      String flowId, String nodeId, long executionId, String preview, long originalLength) {}

  /**
   * A debug node's previews were dropped at the source: more than the engine passes on per node and
   * second ({@link EventDescriptor#DEBUG_SAMPLES_PER_SECOND}).
   */
  default void onDebugSkipped(String flowId, String nodeId, long skipped) {}
}
