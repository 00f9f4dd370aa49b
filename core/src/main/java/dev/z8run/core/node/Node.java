package dev.z8run.core.node;

import dev.z8run.io.message.MessageFlyweight;

/**
 * The runtime logic of one node instance.
 *
 * <p>Threading: a non-blocking node is called by exactly one worker agent thread, one message at a
 * time, and must neither block nor allocate on its hot path. A node whose type is {@linkplain
 * dev.z8run.core.registry.NodeType#blocking() blocking} is called on virtual threads, possibly
 * several at once (up to the runtime's per-node concurrency limit), and may block.
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

  /** Called once when the flow stops, after the last {@link #onMessage}; release resources. */
  default void onStop() {}
}
