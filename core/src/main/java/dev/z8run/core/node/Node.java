package dev.z8run.core.node;

import dev.z8run.io.message.MessageFlyweight;

/**
 * The runtime logic of one node instance.
 *
 * <p>Threading: a non-blocking node is called by its worker, one message at a time, and must
 * neither block nor allocate on its hot path; after a call {@linkplain NodeContext#releaseWorker
 * released the worker} the next calls may come from another thread of that worker (never two at
 * once). A node whose type is {@linkplain dev.z8run.core.registry.NodeType#blocking() blocking} is
 * called on virtual threads (on the engine's compute threads when it {@linkplain
 * NodeContext#declareComputeBound declared its calls compute-bound}), possibly several at once (up
 * to the runtime's per-node concurrency limit), and may block.
 *
 * <p>An exception thrown from {@link #onMessage} becomes an error event for this node and the
 * message's execution; the worker goes on with the next message.
 */
public interface Node {
  /**
   * Handles one input message.
   *
   * @param msg a view valid only during this call: copy out whatever must outlive it
   * @param out where this node emits its output messages; valid only during this call
   */
  void onMessage(MessageFlyweight msg, Output out) throws Exception;

  /**
   * Handles a message this node {@linkplain Output#defer deferred}, now that its delay is over. It
   * is called on the node's worker, like {@link #onMessage}, and still belongs to the execution it
   * was deferred from. The default sends it on through output port 0.
   *
   * @param msg the deferred copy; a view valid only during this call
   * @param tag the tag given to {@link Output#defer}
   * @param out where this node emits; valid only during this call
   */
  default void onDeferred(MessageFlyweight msg, int tag, Output out) throws Exception {
    out.forward(0, msg);
  }

  /**
   * Called once when the node's flow is running, before any scheduled work of the node can run:
   * where a trigger node starts its timers ({@link NodeContext#schedule}) or fires on deploy.
   * Called on the control plane; must not block.
   */
  default void onStart() {}

  /** Called once when the flow stops, after the last {@link #onMessage}; release resources. */
  default void onStop() {}
}
