package dev.z8run.nodes.timing;

import dev.z8run.core.node.Cancellable;
import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
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
   * A held message: its deferral, a copy to send at once on a flush, and the heap both take in
   * {@link #heap}.
   */
  private record Held(Cancellable timer, byte[] json, byte[] binary, long heapBytes) {}

  private final HeldMemory.Hold heap;

  /** Held messages by tag, oldest first (delay, delayv and random modes). */
  private final LinkedHashMap<Integer, Held> pending = new LinkedHashMap<>();

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
    if (isControl(msg)) {
      if (mode.equals("rate")) {
        onRateControl(msg, out);
      } else {
        onControl(msg, out);
      }
      return;
    }
    switch (mode) {
      case "rate" -> limit(msg, out);
      case "random" ->
          hold(msg, out, ThreadLocalRandom.current().nextLong(randomFirstMs, randomLastMs + 1));
      case "delayv" -> hold(msg, out, perMessageDelay(msg));
      default -> hold(msg, out, delayMs);
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

  private void limit(MessageFlyweight msg, Output out) {
    long nowNs = context.nanoClock().nanoTime();
    if (held == 0 && nowNs - nextFreeNs >= 0) {
      nextFreeNs = nowNs + spacingNs;
      out.forward(0, msg);
      return;
    }
    if (drop) {
      drop();
      return;
    }
    long slotNs = nowNs - nextFreeNs >= 0 ? nowNs : nextFreeNs;
    if (hold(msg, out, (slotNs - nowNs + 999_999) / 1_000_000)) {
      nextFreeNs = slotNs + spacingNs;
    }
  }

  /** Defers {@code msg} for {@code ms}, or drops it when the queue is full; true when held. */
  private boolean hold(MessageFlyweight msg, Output out, long ms) {
    if (held >= maxQueue) {
      drop();
      return false;
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
    byte[] json = new byte[msg.jsonLength()];
    msg.buffer().getBytes(msg.jsonOffset(), json);
    pending.put(tag, new Held(out.defer(msg, ms, tag), json, msg.binaryBytes(), bytes));
    return true;
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
        message.timer().cancel();
        heap.give(message.heapBytes());
      }
      held -= pending.size();
      pending.clear();
      context.status("reset");
      return;
    }
    if (body.size() > 1) {
      hold(
          msg,
          out,
          switch (mode) {
            case "random" -> ThreadLocalRandom.current().nextLong(randomFirstMs, randomLastMs + 1);
            case "delayv" -> perMessageDelay(msg);
            default -> delayMs;
          });
    }
    flush(body, out);
  }

  /**
   * Node-RED's rate mode: {@code msg.reset} drops the queue (this message too) and lets the next
   * message through at once; {@code msg.flush} sends the oldest {@code flush} queued messages now
   * (all of them when it is not a number), after queueing this message when it carries more than
   * {@code flush}; a flush that finds the queue empty lets the next message through at once, which
   * is how a loop back into the delay releases the next message when the work is done. Both at once
   * flush first, then drop what is left, and keep the rate's pace (the next message waits its
   * turn), as Node-RED does.
   */
  private void onRateControl(MessageFlyweight msg, Output out) {
    Map<String, Object> body = MessageBodies.parse(msg);
    long nowNs = context.nanoClock().nanoTime();
    if (body.containsKey("reset")) {
      if (body.containsKey("flush")) {
        if (body.size() > 2) {
          limit(msg, out); // a message that carries more than flush and reset goes out too
        }
        flush(body, out);
      } else {
        nextFreeNs = nowNs;
      }
      for (Held message : pending.values()) {
        message.timer().cancel();
        heap.give(message.heapBytes());
      }
      held -= pending.size();
      pending.clear();
      context.status("reset");
      return;
    }
    if (body.size() > 1) {
      limit(msg, out);
    }
    if (pending.isEmpty()) {
      nextFreeNs = nowNs;
      return;
    }
    flush(body, out);
  }

  /** Sends the oldest {@code msg.flush} held messages (all when it is not a number) now. */
  private void flush(Map<String, Object> body, Output out) {
    long count =
        body.get("flush") instanceof Number n ? Math.max(0, n.longValue()) : Long.MAX_VALUE;
    var entries = pending.entrySet().iterator();
    while (count-- > 0 && entries.hasNext()) {
      Held message = entries.next().getValue();
      entries.remove();
      held--;
      heap.give(message.heapBytes());
      message.timer().cancel();
      UnsafeBuffer json = new UnsafeBuffer(message.json());
      if (message.binary().length > 0) {
        out.send(
            0,
            new MessageBodyView()
                .json(json, 0, message.json().length)
                .binary(new UnsafeBuffer(message.binary()), 0, message.binary().length));
      } else {
        out.send(0, json, 0, message.json().length);
      }
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
    Held message = pending.remove(tag);
    if (message == null) {
      return; // flushed or reset while its timer fired
    }
    held--;
    heap.give(message.heapBytes());
    out.forward(0, msg);
  }
}
