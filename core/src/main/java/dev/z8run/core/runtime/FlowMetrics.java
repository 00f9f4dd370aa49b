package dev.z8run.core.runtime;

import java.util.List;

/**
 * A snapshot of one deployed flow's counters.
 *
 * @param rejected triggers refused under back-pressure
 * @param live executions in flight
 */
public record FlowMetrics(
    String flowId,
    FlowState state,
    long started,
    long completed,
    long failed,
    long rejected,
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
