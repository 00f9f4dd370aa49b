package dev.z8run.core.node;

import dev.z8run.io.message.MessageBody;
import dev.z8run.io.message.MessageFlyweight;
import org.agrona.DirectBuffer;

/**
 * Where a node emits messages while it handles one input. Every message emitted belongs to the
 * input's execution and goes to every wire of the chosen output port (a byte copy per target).
 *
 * <p>Back-pressure is the runtime's business: when a target inbox is full the message is held and
 * the node is not given more input until it has been delivered; a node never sees a full inbox.
 *
 * <p>Not thread-safe; valid only during {@link Node#onMessage}.
 */
public interface Output {
  /** Number of output ports of the node. */
  int portCount();

  /** Whether any wire leaves {@code port}; emitting to an unwired port discards the message. */
  boolean isWired(int port);

  /** Sends a copy of {@code msg} (body unchanged) to every wire of {@code port}. */
  void forward(int port, MessageFlyweight msg);

  /**
   * Sends a new message whose JSON body is {@code length} bytes of {@code json} at {@code offset},
   * with no binary payload.
   */
  void send(int port, DirectBuffer json, int offset, int length);

  /**
   * Sends a new message with {@code body}'s JSON, binary payload and field index (when it carries
   * one), e.g. a {@link dev.z8run.io.message.MessageBodyView} pointing at them; the body is read
   * during the call only.
   */
  void send(int port, MessageBody body);

  /**
   * Claims a message to fill in place: the returned flyweight's header is filled in; the caller
   * writes exactly {@code jsonLength} JSON bytes at {@link MessageFlyweight#jsonOffset()} and
   * {@code binaryLength} bytes at {@link MessageFlyweight#binaryOffset()} of its {@link
   * MessageFlyweight#buffer()} (a {@link org.agrona.MutableDirectBuffer}), then calls {@link
   * #commit()}. Exactly one claim may be open at a time.
   */
  default MessageFlyweight claim(int port, int jsonLength, int binaryLength) {
    return claim(port, jsonLength, binaryLength, 0);
  }

  /**
   * {@link #claim(int, int, int)} with room for a field index of {@code indexLength} bytes at
   * {@link MessageFlyweight#indexOffset()} (see {@code dev.z8run.io.json.FieldIndex}), which the
   * caller writes too: it must describe the JSON written exactly.
   */
  MessageFlyweight claim(int port, int jsonLength, int binaryLength, int indexLength);

  /**
   * Claims the input {@code msg} itself, to rewrite its body in place and pass it on to {@code
   * port} without a copy, when the engine can hand it over that way: {@code msg} is the input being
   * handled, it lives in the worker's scratch memory (it came from a fused hop), nothing has been
   * emitted for it yet, no observer or trace needs the original, the result fits that memory, and
   * the port's single target runs next on the same worker. Otherwise returns null, and the node
   * uses {@link #claim} as usual.
   *
   * <p>The returned flyweight is the same record as {@code msg} with a new header: this node as its
   * source, {@code jsonLength} JSON bytes, the input's binary payload (same length) and {@code
   * indexLength} bytes of field index. The caller moves and writes the bytes itself (the binary
   * payload now starts at {@code jsonOffset() + jsonLength}; read every length and offset it needs
   * from {@code msg} before claiming), then calls {@link #commit()}. From the claim on, {@code msg}
   * reads the new header.
   */
  default MessageFlyweight claimInPlace(
      int port, MessageFlyweight msg, int jsonLength, int indexLength) {
    return null;
  }

  /** Delivers the message opened by {@link #claim} or {@link #claimInPlace}. */
  void commit();

  /**
   * Hands a copy of {@code msg} (its JSON and binary payload) back to this node after {@code
   * delayMs}, through {@link Node#onDeferred} on the node's worker. The copy counts as one of the
   * messages the node emits for its input: it keeps a share of the execution's credit, so the
   * execution stays open until the node has handled it again (or it is cancelled, or the flow
   * stops). It is not a retry queue: a deferred message waits in the engine's timer queue, which
   * the node must bound itself (count what it has deferred).
   *
   * <p>Only non-blocking nodes may defer. Deferring allocates a copy; it is for nodes that hold
   * messages (Delay, Join, Link Call), not for the hot path.
   *
   * @param tag returned to {@link Node#onDeferred}: what the node wants to remember about it
   * @return a handle that cancels the deferral (thread-safe)
   */
  Cancellable defer(MessageFlyweight msg, long delayMs, int tag);
}
