package dev.z8run.nodes.timing;

import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.io.message.MessageFlyweight;
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
 */
final class TopicQueue {
  private static final int TICK = -1;

  private record Held(Object topic, Map<String, Object> body) {}

  private final NodeContext context;
  private final boolean all;
  private final long intervalMs;
  private final long maxQueue;
  private final List<Held> buffer = new ArrayList<>();
  private boolean ticking;
  private long startMs;

  TopicQueue(NodeContext context, boolean all, long intervalMs, long maxQueue) {
    this.context = context;
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
    if (!control || body.size() > 2) {
      hold(body);
    }
    if (body.containsKey("flush")) {
      long count =
          body.get("flush") instanceof Number n ? Math.max(0, n.longValue()) : Long.MAX_VALUE;
      while (count-- > 0 && !buffer.isEmpty()) {
        Map<String, Object> message = buffer.remove(0).body();
        message.remove("flush");
        message.remove("reset");
        if (message.size() > 1) {
          MessageBodies.send(out, 0, message, null);
        }
      }
    }
    if (body.containsKey("reset")) {
      buffer.clear();
      context.status("reset");
    }
    if (!buffer.isEmpty() && !ticking) {
      ticking = true;
      out.defer(msg, untilNextTick(), TICK);
    }
  }

  private void hold(Map<String, Object> body) {
    Object topic = body.get("topic");
    for (int i = 0; i < buffer.size(); i++) {
      if (java.util.Objects.equals(buffer.get(i).topic(), topic)) {
        buffer.set(i, new Held(topic, body));
        return;
      }
    }
    if (buffer.size() >= maxQueue) {
      context.warn("delay holds maxQueue=" + maxQueue + " topics: message dropped");
      return;
    }
    buffer.add(new Held(topic, body));
  }

  private long untilNextTick() {
    long elapsed = Math.max(0, context.epochClock().time() - startMs);
    return intervalMs - elapsed % intervalMs;
  }

  /** A tick: releases one topic's message (queue) or all of them (timed). */
  void onTick(MessageFlyweight msg, Output out) {
    if (!buffer.isEmpty()) {
      do {
        MessageBodies.send(out, 0, buffer.remove(0).body(), null);
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
