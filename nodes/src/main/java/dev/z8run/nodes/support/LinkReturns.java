package dev.z8run.nodes.support;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Calls through Link In / Link Out that a node waits for on its own (virtual) thread instead of
 * through its inbox: the AI agent's {@code link} tools. The caller {@linkplain #expect registers}
 * its node id and a call number and puts {@code {id, call}} on the message's {@code _linkSource}
 * stack, as Link Call does; a Link Out in return mode that pops that entry {@linkplain #complete
 * completes} the caller's future instead of starting an execution at the caller, so a caller that
 * has all its slots busy waiting still gets its answers. One per engine, shared through {@link
 * dev.z8run.core.node.NodeContext#service(Class, java.util.function.Supplier)}. Thread-safe.
 */
public final class LinkReturns {
  private final Map<String, CompletableFuture<Map<String, Object>>> waiting =
      new ConcurrentHashMap<>();

  private static String key(String nodeId, Object call) {
    return nodeId + "\u0000" + call;
  }

  /** Registers a call of node {@code nodeId}; the future completes with the returned message. */
  public CompletableFuture<Map<String, Object>> expect(String nodeId, long call) {
    CompletableFuture<Map<String, Object>> future = new CompletableFuture<>();
    waiting.put(key(nodeId, call), future);
    return future;
  }

  /** Forgets a call (answered, timed out or abandoned). */
  public void forget(String nodeId, long call) {
    waiting.remove(key(nodeId, call));
  }

  /**
   * Hands a returned message to the node waiting for call {@code call}.
   *
   * @return false when nobody waits for it here (a Link Call node's call: deliver it as usual)
   */
  public boolean complete(String nodeId, Object call, Map<String, Object> message) {
    if (!(call instanceof Number number)) {
      return false;
    }
    CompletableFuture<Map<String, Object>> future = waiting.remove(key(nodeId, number.longValue()));
    return future != null && future.complete(message);
  }
}
