package dev.z8run.nodes.timing;

import dev.z8run.core.node.Cancellable;
import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.json.JsonScanner;
import dev.z8run.io.message.MessageBodyView;
import dev.z8run.io.message.MessageDescriptor;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.HeldMemory;
import dev.z8run.nodes.support.MessageBodies;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code delay}: holds each message for a fixed, per-message ({@code msg.delay}) or random time, or
 * limits the rate to {@code rate} messages per {@code nbRateUnits} {@code rateUnits}, in Node-RED's
 * config shape. Held messages are {@linkplain Output#defer deferred} in the engine, so they stay in
 * their execution until sent; at most {@code maxQueue} are held at once and the rest are dropped
 * (counted in the node's status). Their heap (the copy kept for a flush) is counted in the flow
 * owner's share of the server's budget for held messages ({@link HeldMemory}): a message past it is
 * the node's error and is dropped, the queue kept. Runs on its worker: it never blocks.
 *
 * <p>z8run's delay config is read as z8run means it: {@code delayMs} (its engine's field, {@code
 * crates/z8run-core/src/nodes/delay.rs}) or {@code delay} in {@code unit} ms/s/m (its editor's
 * fields, {@code frontend/src/lib/nodeDefinitions.ts}) is a fixed delay and replaces {@code
 * timeout}.
 */
public final class DelayNode implements Node {
  private static final byte[][] RESET = {"reset".getBytes(StandardCharsets.US_ASCII)};
  private static final byte[][] FLUSH = {"flush".getBytes(StandardCharsets.US_ASCII)};
  private static final byte[][] TO_FRONT = {"toFront".getBytes(StandardCharsets.US_ASCII)};
  private static final List<String> TIME_UNITS =
      List.of("milliseconds", "seconds", "minutes", "hours", "days");

  public static final NodeType TYPE =
      NodeType.builder("delay")
          .category("function")
          .description("Delays each message, or limits the rate messages pass at.")
          .field(
              ConfigField.choice(
                  "pauseType",
                  "delay",
                  List.of("delay", "delayv", "random", "rate", "queue", "timed", "burst"),
                  "delay: fixed; delayv: msg.delay ms (else timeout); random: between randomFirst"
                      + " and randomLast; rate: rate limit; queue, timed: rate limit for each"
                      + " msg.topic (the latest message per topic, one topic per tick or all);"
                      + " burst: up to rate messages at once per period, more dropped."))
          .field(
              ConfigField.optional("timeout", FieldType.ANY, 5, "The fixed delay, in timeoutUnits.")
                  .atLeast(0))
          .field(ConfigField.choice("timeoutUnits", "seconds", TIME_UNITS, "Unit of timeout."))
          .field(
              ConfigField.optional("randomFirst", FieldType.ANY, 1, "Shortest random delay.")
                  .atLeast(0))
          .field(
              ConfigField.optional("randomLast", FieldType.ANY, 5, "Longest random delay.")
                  .atLeast(0))
          .field(
              ConfigField.choice("randomUnits", "seconds", TIME_UNITS, "Unit of the random delay."))
          .field(ConfigField.optional("rate", FieldType.ANY, 1, "Messages let through per period."))
          .field(
              ConfigField.optional(
                      "nbRateUnits", FieldType.ANY, 1, "Length of the period, in rateUnits.")
                  .atLeast(0))
          .field(
              ConfigField.choice(
                  "rateUnits",
                  "second",
                  List.of("second", "minute", "hour", "day"),
                  "Unit of the period."))
          .field(
              ConfigField.optional(
                  "drop",
                  FieldType.BOOLEAN,
                  false,
                  "Rate mode: drop messages over the rate instead of queueing."))
          .field(
              ConfigField.optional(
                      "maxQueue",
                      FieldType.INTEGER,
                      1000,
                      "Messages held at most; more are dropped.")
                  .atLeast(1))
          .field(
              ConfigField.optional(
                  "delayMs",
                  FieldType.NUMBER,
                  null,
                  "z8run's fixed delay in milliseconds; replaces timeout."))
          .field(
              ConfigField.optional(
                  "delay",
                  FieldType.NUMBER,
                  null,
                  "z8run's editor's fixed delay, in unit; replaces timeout."))
          .field(
              ConfigField.optional(
                  "unit", FieldType.STRING, "ms", "Unit of delay: ms, s, m (or h)."))
          .factory(DelayNode::new)
          .build();

  private final NodeContext context;
  private final String mode;
  private final long delayMs;
  private final long randomFirstMs;
  private final long randomLastMs;
  private final long spacingNs;
  private final long burst;
  private final long burstWindowNs;

  /** Burst mode: when each message sent in the current window frees its place, oldest first. */
  private final java.util.ArrayDeque<Long> burstSlots = new java.util.ArrayDeque<>();

  private final boolean drop;
  private final long maxQueue;
  private long held;
  private long dropped;
  private long nextFreeNs;

  /**
   * A held message: a copy to send at once on a flush (or at its turn, when it is not the deferred
   * body), the heap both take in {@link #heap}, and a deferral. In the delay modes the deferral is
   * its own ({@code slotTag == ownTag}). In rate mode deferrals are the queue's turns, one per
   * queued message: a turn sends the message at the queue's front, which is the one that deferred
   * it unless {@code msg.toFront} reordered the queue; the message that deferred it then takes the
   * front message's turn.
   */
  private static final class Held {
    final int ownTag;
    final byte[] json;
    final byte[] binary;
    final long heapBytes;

    /** Whether the deferred body is the one to send (not one with flush and reset taken out). */
    final boolean asDeferred;

    int slotTag;
    Cancellable timer;

    Held(int tag, byte[] json, byte[] binary, long heapBytes, boolean asDeferred) {
      this.ownTag = tag;
      this.slotTag = tag;
      this.json = json;
      this.binary = binary;
      this.heapBytes = heapBytes;
      this.asDeferred = asDeferred;
    }
  }

  private final HeldMemory.Hold heap;

  /** Held messages by tag, oldest first (delay, delayv and random modes). */
  private final LinkedHashMap<Integer, Held> pending = new LinkedHashMap<>();

  /** Rate mode's queue, in the order it sends: arrival order, {@code msg.toFront} ones first. */
  private final java.util.ArrayDeque<Held> queue = new java.util.ArrayDeque<>();

  /** A held message's own objects and map entry, beside its bytes. */
  private static final long HELD_OVERHEAD_BYTES = 256;

  private int nextTag;
  private final TopicQueue topics;

  private DelayNode(NodeContext context) {
    this.context = context;
    Long z8run = z8runDelayMs(context);
    this.mode = z8run != null ? "delay" : context.configString("pauseType", "delay");
    this.delayMs =
        z8run != null
            ? z8run
            : millis(context, "timeout", 5, context.configString("timeoutUnits", "seconds"));
    String randomUnits = context.configString("randomUnits", "seconds");
    this.randomFirstMs = millis(context, "randomFirst", 1, randomUnits);
    this.randomLastMs = millis(context, "randomLast", 5, randomUnits);
    if (randomLastMs < randomFirstMs) {
      throw new IllegalArgumentException("randomLast: is shorter than randomFirst");
    }
    double rate = MessageBodies.number(context, "rate", 1);
    if (rate <= 0) {
      throw new IllegalArgumentException("rate: must be more than 0");
    }
    long periodMs =
        millis(context, "nbRateUnits", 1, context.configString("rateUnits", "second") + "s");
    this.spacingNs = Math.round(periodMs * 1_000_000.0 / rate);
    this.burst = (long) Math.floor(rate);
    this.burstWindowNs = periodMs * 1_000_000;
    this.drop = context.configBoolean("drop", false);
    this.maxQueue = context.configLong("maxQueue", 1000);
    this.heap = HeldMemory.hold(context, "delay");
    this.topics =
        mode.equals("queue") || mode.equals("timed")
            ? new TopicQueue(context, mode.equals("timed"), spacingNs / 1_000_000, maxQueue, heap)
            : null;
  }

  @Override
  public void onStart() {
    if (topics != null) {
      topics.onStart();
    }
  }

  @Override
  public void onStop() {
    heap.giveAll();
  }

  /** z8run's fixed delay ({@code delayMs}, or {@code delay} in {@code unit}), or null. */
  private static Long z8runDelayMs(NodeContext context) {
    if (context.config().get("delayMs") != null && context.config().get("delay") != null) {
      throw new IllegalArgumentException(
          "delayMs: give z8run's delayMs or its editor's delay and unit, not both");
    }
    if (context.config().get("delayMs") != null) {
      return millis(context, "delayMs", 0, "milliseconds");
    }
    if (context.config().get("delay") == null) {
      return null;
    }
    String unit =
        switch (context.configString("unit", "ms")) {
          case "ms" -> "milliseconds";
          case "s" -> "seconds";
          case "m" -> "minutes";
          case "h" -> "hours";
          default ->
              throw new IllegalArgumentException(
                  "unit: '" + context.configString("unit", "") + "' is not ms, s, m or h");
        };
    return millis(context, "delay", 0, unit);
  }

  private static long millis(NodeContext context, String field, double fallback, String unit) {
    double value = MessageBodies.number(context, field, fallback);
    double unitMs =
        switch (unit) {
          case "milliseconds" -> 1;
          case "seconds" -> 1_000;
          case "minutes" -> 60_000;
          case "hours" -> 3_600_000;
          case "days" -> 86_400_000;
          default -> throw new IllegalArgumentException(field + ": unknown unit '" + unit + "'");
        };
    return Math.round(value * unitMs);
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    if (topics != null) {
      topics.onMessage(msg, out);
      return;
    }
    if (mode.equals("burst")) {
      burst(msg, out);
      return;
    }
    if (mode.equals("rate") && drop) {
      dropOverRate(msg, out);
      return;
    }
    if (isControl(msg)) {
      if (mode.equals("rate")) {
        onRateControl(msg, out);
      } else {
        onControl(msg, out);
      }
      return;
    }
    switch (mode) {
      case "rate" -> limit(msg, out, null);
      case "random" ->
          delay(msg, out, ThreadLocalRandom.current().nextLong(randomFirstMs, randomLastMs + 1));
      case "delayv" -> delay(msg, out, perMessageDelay(msg));
      default -> delay(msg, out, delayMs);
    }
  }

  /**
   * Node-RED's "allow bursts" mode: up to {@code rate} messages pass at once, each then keeps its
   * place for the period ({@code nbRateUnits} {@code rateUnits}); a message that finds no place is
   * dropped (and counted). {@code msg.reset} frees every place.
   */
  private void burst(MessageFlyweight msg, Output out) {
    long nowNs = context.nanoClock().nanoTime();
    if (JsonScanner.find(msg.buffer(), msg.jsonOffset(), msg.jsonLength(), RESET)
        != JsonScanner.NOT_FOUND) {
      burstSlots.clear();
      context.status("reset");
      return;
    }
    while (!burstSlots.isEmpty() && nowNs - burstSlots.peekFirst() >= 0) {
      burstSlots.pollFirst();
    }
    if (burstSlots.size() < burst) {
      burstSlots.addLast(nowNs + burstWindowNs);
      out.forward(0, msg);
    } else {
      drop();
    }
  }

  private long perMessageDelay(MessageFlyweight msg) {
    Map<String, Object> body = MessageBodies.parse(msg);
    return body.get("delay") instanceof Number number && number.doubleValue() >= 0
        ? number.longValue()
        : delayMs;
  }

  /**
   * Rate mode with {@code drop}, as Node-RED's: a message over the rate is dropped; {@code
   * msg.flush} means nothing (a flush is one more message); {@code msg.reset} is not passed on and,
   * without {@code flush}, lets the next message through at once.
   */
  private void dropOverRate(MessageFlyweight msg, Output out) {
    if (JsonScanner.find(msg.buffer(), msg.jsonOffset(), msg.jsonLength(), RESET)
        != JsonScanner.NOT_FOUND) {
      if (!MessageBodies.parse(msg).containsKey("flush")) {
        nextFreeNs = context.nanoClock().nanoTime();
      }
      context.status("reset");
      return;
    }
    long nowNs = context.nanoClock().nanoTime();
    if (nowNs - nextFreeNs >= 0) {
      nextFreeNs = nowNs + spacingNs;
      out.forward(0, msg);
    } else {
      drop();
    }
  }

  /**
   * Rate mode: sends {@code msg} now when its turn has come and nothing is queued, else queues it
   * (at the front when it has {@code toFront} true, as Node-RED's {@code msg.toFront === true}).
   *
   * @param body what to send instead of {@code msg}'s body (a control message's, without {@code
   *     flush} and {@code reset}), or null for the body as it is
   */
  private void limit(MessageFlyweight msg, Output out, Map<String, Object> body) {
    long nowNs = context.nanoClock().nanoTime();
    if (held == 0 && nowNs - nextFreeNs >= 0) {
      nextFreeNs = nowNs + spacingNs;
      if (body == null) {
        out.forward(0, msg);
      } else {
        MessageBodies.send(out, 0, body, msg);
      }
      return;
    }
    long slotNs = nowNs - nextFreeNs >= 0 ? nowNs : nextFreeNs;
    Held message = hold(msg, out, (slotNs - nowNs + 999_999) / 1_000_000, body);
    if (message == null) {
      return;
    }
    nextFreeNs = slotNs + spacingNs;
    if (body != null ? Boolean.TRUE.equals(body.get("toFront")) : toFront(msg)) {
      queue.addFirst(message);
    } else {
      queue.addLast(message);
    }
  }

  private static boolean toFront(MessageFlyweight msg) {
    long span = JsonScanner.find(msg.buffer(), msg.jsonOffset(), msg.jsonLength(), TO_FRONT);
    return span != JsonScanner.NOT_FOUND
        && JsonScanner.spanEnd(span) - JsonScanner.spanStart(span) == 4
        && msg.buffer().getByte(JsonScanner.spanStart(span)) == 't';
  }

  /**
   * Defers {@code msg} for {@code ms} and keeps a copy of it ({@code body} instead, when not null),
   * or drops it when the node holds {@code maxQueue} messages.
   *
   * @return the held message, or null when dropped
   */
  private Held hold(MessageFlyweight msg, Output out, long ms, Map<String, Object> body) {
    if (held >= maxQueue) {
      drop();
      return null;
    }
    // the flush copy, and a small body's deferred record on the heap too (a large one waits in
    // its off-heap block, counted in the owner's share of the off-heap budget)
    long bodyBytes = (long) msg.jsonLength() + msg.binaryLength();
    long bytes =
        HELD_OVERHEAD_BYTES
            + bodyBytes
            + (bodyBytes <= MessageDescriptor.BY_REFERENCE_BYTES ? bodyBytes : 0);
    heap.take(bytes);
    held++;
    int tag = ++nextTag;
    if (tag <= 0) { // after a wrap: -1 is TopicQueue's tick
      tag = nextTag = 1;
    }
    byte[] json;
    if (body == null) {
      json = new byte[msg.jsonLength()];
      msg.buffer().getBytes(msg.jsonOffset(), json);
    } else {
      json = JsonCodec.write(body);
    }
    Held message = new Held(tag, json, msg.binaryBytes(), bytes, body == null);
    message.timer = out.defer(msg, ms, tag);
    return message;
  }

  /** Holds {@code msg} for {@code ms} in the delay modes. */
  private void delay(MessageFlyweight msg, Output out, long ms) {
    Held message = hold(msg, out, ms, null);
    if (message != null) {
      pending.put(message.ownTag, message);
    }
  }

  private static boolean isControl(MessageFlyweight msg) {
    return JsonScanner.find(msg.buffer(), msg.jsonOffset(), msg.jsonLength(), RESET)
            != JsonScanner.NOT_FOUND
        || JsonScanner.find(msg.buffer(), msg.jsonOffset(), msg.jsonLength(), FLUSH)
            != JsonScanner.NOT_FOUND;
  }

  /**
   * Node-RED's {@code msg.reset} (drop every held message, this one too) and {@code msg.flush}
   * (send the held messages now, the oldest {@code flush} of them when it is a number; a message
   * with other properties than {@code flush} is held first, so it goes out too).
   */
  private void onControl(MessageFlyweight msg, Output out) {
    Map<String, Object> body = MessageBodies.parse(msg);
    if (body.containsKey("reset")) {
      for (Held message : pending.values()) {
        message.timer.cancel();
        heap.give(message.heapBytes);
      }
      held -= pending.size();
      pending.clear();
      context.status("reset");
      return;
    }
    if (body.size() > 1) {
      delay(
          msg,
          out,
          switch (mode) {
            case "random" -> ThreadLocalRandom.current().nextLong(randomFirstMs, randomLastMs + 1);
            case "delayv" -> perMessageDelay(msg);
            default -> delayMs;
          });
    }
    flushPending(body, out);
  }

  /**
   * Node-RED's rate mode: {@code msg.reset} drops the queue (this message too) and lets the next
   * message through at once; {@code msg.flush} sends the oldest {@code flush} queued messages now
   * (all of them when it is not a number), after queueing this message when it carries more than
   * {@code flush}; a flush that finds the queue empty lets the next message through at once, which
   * is how a loop back into the delay releases the next message when the work is done. Both at once
   * flush first, then drop what is left, and keep the rate's pace (the next message waits its
   * turn), as Node-RED does. What such a message carries besides goes on without {@code flush} and
   * {@code reset}, as Node-RED deletes them.
   */
  private void onRateControl(MessageFlyweight msg, Output out) {
    Map<String, Object> body = MessageBodies.parse(msg);
    long nowNs = context.nanoClock().nanoTime();
    Map<String, Object> rest = new LinkedHashMap<>(body);
    rest.remove("flush");
    rest.remove("reset");
    if (body.containsKey("reset")) {
      if (body.containsKey("flush")) {
        if (!rest.isEmpty()) {
          limit(msg, out, rest); // a message that carries more than flush and reset goes out too
        }
        flushQueue(body, out);
      } else {
        nextFreeNs = nowNs;
      }
      for (Held message : queue) {
        message.timer.cancel();
        heap.give(message.heapBytes);
      }
      held -= queue.size();
      queue.clear();
      context.status("reset");
      return;
    }
    if (!rest.isEmpty()) {
      limit(msg, out, rest);
    }
    if (queue.isEmpty()) {
      nextFreeNs = nowNs;
      return;
    }
    flushQueue(body, out);
  }

  /** The number of held messages {@code msg.flush} sends: all when it is not a number. */
  private static long flushCount(Map<String, Object> body) {
    return body.get("flush") instanceof Number n ? Math.max(0, n.longValue()) : Long.MAX_VALUE;
  }

  /** Delay modes: sends the oldest {@code msg.flush} held messages now. */
  private void flushPending(Map<String, Object> body, Output out) {
    long count = flushCount(body);
    var entries = pending.entrySet().iterator();
    while (count-- > 0 && entries.hasNext()) {
      Held message = entries.next().getValue();
      entries.remove();
      message.timer.cancel();
      release(message);
      sendCopy(message, out);
    }
  }

  /** Rate mode: sends the first {@code msg.flush} queued messages now. */
  private void flushQueue(Map<String, Object> body, Output out) {
    long count = flushCount(body);
    while (count-- > 0 && !queue.isEmpty()) {
      Held message = queue.pollFirst();
      message.timer.cancel();
      release(message);
      sendCopy(message, out);
    }
  }

  private void release(Held message) {
    held--;
    heap.give(message.heapBytes);
  }

  private static void sendCopy(Held message, Output out) {
    UnsafeBuffer json = new UnsafeBuffer(message.json);
    if (message.binary.length > 0) {
      out.send(
          0,
          new MessageBodyView()
              .json(json, 0, message.json.length)
              .binary(new UnsafeBuffer(message.binary), 0, message.binary.length));
    } else {
      out.send(0, json, 0, message.json.length);
    }
  }

  private void drop() {
    dropped++;
    context.status("dropped " + dropped);
  }

  @Override
  public void onDeferred(MessageFlyweight msg, int tag, Output out) {
    if (topics != null && TopicQueue.isTick(tag)) {
      topics.onTick(msg, out);
      return;
    }
    if (mode.equals("rate")) {
      onTurn(msg, tag, out);
      return;
    }
    Held message = pending.remove(tag);
    if (message == null) {
      return; // flushed or reset while its timer fired
    }
    release(message);
    out.forward(0, msg);
  }

  /** Rate mode: a queued message's turn has come; the queue's front message goes. */
  private void onTurn(MessageFlyweight msg, int tag, Output out) {
    Held front = queue.peekFirst();
    if (front == null) {
      return; // flushed or reset while its timer fired
    }
    if (front.slotTag != tag) {
      Held owner = null;
      for (Held message : queue) {
        if (message.slotTag == tag) {
          owner = message;
          break;
        }
      }
      if (owner == null) {
        return; // flushed or reset while its timer fired
      }
      owner.slotTag = front.slotTag; // the turn the front message had is now the owner's
      owner.timer = front.timer;
    }
    queue.pollFirst();
    release(front);
    if (front.ownTag == tag && front.asDeferred) {
      out.forward(0, msg);
    } else {
      sendCopy(front, out);
    }
  }
}
