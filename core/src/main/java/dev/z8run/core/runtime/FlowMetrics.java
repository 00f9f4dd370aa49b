package dev.z8run.core.runtime;

import java.util.List;

/**
 * A snapshot of one deployed flow's counters.
 *
 * @param rejected triggers refused under back-pressure
 * @param inlineQueued executions that could have run on their caller's thread ({@link
 *     Engine#injectAndRun}, HTTP In) and were queued for the worker instead, because another thread
 *     held the worker's nodes or earlier messages waited in the node's inbox: requests of the flow
 *     that serialised behind others
 * @param live executions in flight
 */
public record FlowMetrics(
    String flowId,
    FlowState state,
    long started,
    long completed,
    long failed,
    long rejected,
    long inlineQueued,
    int live,
    List<NodeMetrics> nodes) {

  /** The metrics of node {@code nodeId}, or null. */
  public NodeMetrics node(String nodeId) {
    for (NodeMetrics node : nodes) {
      if (node.nodeId().equals(nodeId)) {
        return node;
      }
    }
    return null;
  }
}
