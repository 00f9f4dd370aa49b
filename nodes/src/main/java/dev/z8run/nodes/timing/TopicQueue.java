package dev.z8run.nodes.timing;

import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.HeldMemory;
import dev.z8run.nodes.support.MessageBodies;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Delay's per-topic rate modes (Node-RED's "for each msg.topic"): one held message per {@code
 * msg.topic} (a later message of the same topic replaces the held one, which is dropped), released
 * on ticks every {@code intervalMs} from the start of the flow: the oldest topic's message per tick
 * ({@code queue}), or every topic's at once ({@code timed}). {@code msg.reset} drops what is held;
 * {@code msg.flush} sends it now.
 *
 * <p>The first message held while nothing else is keeps its execution open ({@linkplain
 * Output#defer deferred} until the next tick) and the released messages go on in it; the others end
 * their own executions when held.
 *
 * <p>The heap of the held messages is counted in the delay node's {@link HeldMemory.Hold}: a
 * message that finds no room is the node's error and is not held (a topic keeps the message it
 * held), its flush or reset still done.
 */
final class TopicQueue {
  private static final int TICK = -1;

  private record Held(Object topic, Map<String, Object> body, long heapBytes) {}

  /** A held message's record and list slot, beside its body. */
  private static final long HELD_OVERHEAD_BYTES = 64;

  private final NodeContext context;
  private final boolean all;
  private final long intervalMs;
  private final long maxQueue;
  private final HeldMemory.Hold heap;
  private final List<Held> buffer = new ArrayList<>();
  private boolean ticking;
  private long startMs;

  TopicQueue(
      NodeContext context, boolean all, long intervalMs, long maxQueue, HeldMemory.Hold heap) {
    this.context = context;
    this.heap = heap;
    this.all = all;
    this.intervalMs = Math.max(1, intervalMs);
    this.maxQueue = maxQueue;
  }

  void onStart() {
    startMs = context.epochClock().time();
  }

  void onMessage(MessageFlyweight msg, Output out) {
    Map<String, Object> body = MessageBodies.parse(msg);
    if (!body.containsKey("topic")) {
      body.put("topic", "_none_");
    }
    boolean control = body.containsKey("reset") || body.containsKey("flush");
    String refused = null;
    if (!control || body.size() > 2) {
      refused = hold(body);
    }
    if (body.containsKey("flush")) {
      long count =
          body.get("flush") instanceof Number n ? Math.max(0, n.longValue()) : Long.MAX_VALUE;
      while (count-- > 0 && !buffer.isEmpty()) {
        Map<String, Object> message = release(buffer.remove(0));
        message.remove("flush");
        message.remove("reset");
        if (message.size() > 1) {
          MessageBodies.send(out, 0, message, null);
        }
      }
    }
    if (body.containsKey("reset")) {
      for (Held held : buffer) {
        heap.give(held.heapBytes());
      }
      buffer.clear();
      context.status("reset");
    }
    if (!buffer.isEmpty() && !ticking) {
      ticking = true;
      out.defer(msg, untilNextTick(), TICK);
    }
    if (refused != null) {
      throw new IllegalStateException(refused);
    }
  }

  /** A held message's body, its heap given back. */
  private Map<String, Object> release(Held held) {
    heap.give(held.heapBytes());
    return held.body();
  }

  /** Holds {@code body} as its topic's message; why it was not, when its heap found no room. */
  private String hold(Map<String, Object> body) {
    Object topic = body.get("topic");
    long bytes = HELD_OVERHEAD_BYTES + HeldMemory.heapBytes(body);
    for (int i = 0; i < buffer.size(); i++) {
      Held old = buffer.get(i);
      if (java.util.Objects.equals(old.topic(), topic)) {
        long growth = bytes - old.heapBytes();
        if (!heap.tryTake(growth)) {
          return heap.refusal(growth);
        }
        buffer.set(i, new Held(topic, body, bytes));
        return null;
      }
    }
    if (buffer.size() >= maxQueue) {
      context.warn("delay holds maxQueue=" + maxQueue + " topics: message dropped");
      return null;
    }
    if (!heap.tryTake(bytes)) {
      return heap.refusal(bytes);
    }
    buffer.add(new Held(topic, body, bytes));
    return null;
  }

  private long untilNextTick() {
    long elapsed = Math.max(0, context.epochClock().time() - startMs);
    return intervalMs - elapsed % intervalMs;
  }

  /** A tick: releases one topic's message (queue) or all of them (timed). */
  void onTick(MessageFlyweight msg, Output out) {
    if (!buffer.isEmpty()) {
      do {
        MessageBodies.send(out, 0, release(buffer.remove(0)), null);
      } while (all && !buffer.isEmpty());
    }
    if (buffer.isEmpty()) {
      ticking = false;
    } else {
      out.defer(msg, untilNextTick(), TICK);
    }
  }

  static boolean isTick(int tag) {
    return tag == TICK;
  }
}
