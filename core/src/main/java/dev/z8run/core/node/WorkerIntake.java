package dev.z8run.core.node;

import dev.z8run.io.message.MessageFlyweight;

/**
 * A {@linkplain dev.z8run.core.registry.NodeType#blocking() blocking} node that takes some of its
 * messages on its worker, without a virtual thread: a batching node adds a message's values to its
 * open batch there, and only the message that fills the batch goes to a virtual thread to write it.
 * A message costs a virtual thread, a copy and an {@link Output} only when it needs them.
 *
 * <p>The engine calls {@link #intake} on the node's worker for every input, before it would hand
 * the message to a virtual thread; it must neither block nor throw. Its answer decides:
 *
 * <ul>
 *   <li>{@link #TAKEN}: the node is done with the message and sent nothing; its execution ends here
 *       (the message counts as handled by the node).
 *   <li>{@code null}: the message goes to a virtual thread as usual ({@link Node#onMessage}).
 *   <li>any other object, a <em>ticket</em>: the message goes to a virtual thread, which calls
 *       {@link #onTicket} with it instead of {@link Node#onMessage}.
 * </ul>
 *
 * Calls of {@code intake} come one at a time, from the worker, in inbox order; they run at the same
 * time as the node's virtual threads.
 */
public interface WorkerIntake {
  /** {@link #intake}'s answer for a message the node finished on the worker. */
  Object TAKEN = new Object();

  /**
   * Takes {@code msg} on the worker if the node can without blocking.
   *
   * @param msg a view valid only during this call
   * @return {@link #TAKEN}, null, or a ticket for {@link #onTicket}
   */
  Object intake(MessageFlyweight msg);

  /**
   * Handles on a virtual thread a message {@link #intake} gave {@code ticket} for; as {@link
   * Node#onMessage} otherwise.
   */
  void onTicket(MessageFlyweight msg, Object ticket, Output out) throws Exception;
}
