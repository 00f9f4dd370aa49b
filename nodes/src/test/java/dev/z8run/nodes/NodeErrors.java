package dev.z8run.nodes;

import dev.z8run.core.event.EngineListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Records the error events of a harness's engine, by node; for tests of nodes that fail. */
public final class NodeErrors implements EngineListener {
  private record Error(String nodeId, String message) {}

  private final Queue<Error> errors = new ConcurrentLinkedQueue<>();

  public static NodeErrors of(FlowHarness harness) {
    NodeErrors errors = new NodeErrors();
    harness.engine.addListener(errors);
    return errors;
  }

  @Override
  public void onNodeError(String flowId, String nodeId, long executionId, String message) {
    errors.add(new Error(nodeId, message));
  }

  /** The error messages of node {@code nodeId} so far. */
  public List<String> of(String nodeId) {
    List<String> messages = new ArrayList<>();
    for (Error error : errors) {
      if (error.nodeId().equals(nodeId)) {
        messages.add(error.message());
      }
    }
    return messages;
  }

  /** Waits for {@code count} errors at {@code nodeId} and returns them. */
  public List<String> await(String nodeId, int count) {
    FlowHarness.await(count + " errors at " + nodeId, () -> of(nodeId).size() >= count);
    return of(nodeId);
  }
}
