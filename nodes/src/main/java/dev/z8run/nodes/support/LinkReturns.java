package dev.z8run.nodes.support;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Calls through Link In / Link Out that a node waits for on its own (virtual) thread instead of
 * through its inbox: the AI agent's {@code link} tools. The caller {@linkplain #expect registers}
 * its flow, node id and a call number and puts {@code {id, call, flow}} on the message's {@code
 * _linkSource} stack, as Link Call does; a Link Out in return mode that pops that entry {@linkplain
 * #complete completes} the caller's future instead of starting an execution at the caller, so a
 * caller that has all its slots busy waiting still gets its answers. One per engine, shared through
 * {@link dev.z8run.core.node.NodeContext#service(Class, java.util.function.Supplier)}. Thread-safe.
 */
public final class LinkReturns {
  private final Map<String, CompletableFuture<Map<String, Object>>> waiting =
      new ConcurrentHashMap<>();

  private static String key(String flowId, String nodeId, Object call) {
    return flowId + "\u0000" + nodeId + "\u0000" + call;
  }

  /**
   * Registers a call of node {@code nodeId} of flow {@code flowId}; the future completes with the
   * returned message.
   */
  public CompletableFuture<Map<String, Object>> expect(String flowId, String nodeId, long call) {
    CompletableFuture<Map<String, Object>> future = new CompletableFuture<>();
    waiting.put(key(flowId, nodeId, call), future);
    return future;
  }

  /** Forgets a call (answered, timed out or abandoned). */
  public void forget(String flowId, String nodeId, long call) {
    waiting.remove(key(flowId, nodeId, call));
  }

  /**
   * Hands a returned message to the node waiting for call {@code call}.
   *
   * @return false when nobody waits for it here (a Link Call node's call: deliver it as usual)
   */
  public boolean complete(String flowId, String nodeId, Object call, Map<String, Object> message) {
    if (!(call instanceof Number number)) {
      return false;
    }
    CompletableFuture<Map<String, Object>> future =
        waiting.remove(key(flowId, nodeId, number.longValue()));
    return future != null && future.complete(message);
  }
}
