package dev.z8run.nodes.routing;

import dev.z8run.core.node.Cancellable;
import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.HeldMemory;
import dev.z8run.nodes.support.MessageBodies;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code batch}: makes message sequences (with {@code msg.parts} {@code {id, index, count}}) out of
 * a stream, as Node-RED's Batch node.
 *
 * <ul>
 *   <li>{@code count}: every {@code count} messages form a sequence; with {@code overlap} the last
 *       {@code overlap} messages of a sequence begin the next one as well.
 *   <li>{@code interval}: the messages of each {@code interval} seconds (counted from the start of
 *       the flow) form a sequence, sent at the end of the interval.
 *   <li>{@code concat}: one sequence per topic of {@code topics} (in that order), each complete by
 *       its own {@code parts.count}, are sent together as one sequence once all are in.
 * </ul>
 *
 * With {@code honourParts} (count mode) a message that ends its own sequence ({@code parts.index +
 * 1 == parts.count}) ends the batch early; with {@code allowEmptySequence} (interval mode) an
 * interval without messages sends a sequence of one {@code {payload: null}} message, in a new
 * execution started at this node.
 *
 * <p>A message with {@code msg.reset} drops what is held. At most {@code maxKept} messages are
 * held; past that they are dropped with a warning. Their heap is counted in the flow owner's share
 * of the server's budget for held messages ({@link HeldMemory}); a message past it is the node's
 * error and is dropped. A sequence is sent in the execution of the message that completes it
 * (interval: of the interval's first message, held until the interval ends).
 */
public final class BatchNode implements Node {
  public static final NodeType TYPE =
      NodeType.builder("batch")
          .category("sequence")
          .description("Groups messages into sequences by count, by time interval or by topic.")
          .field(
              ConfigField.choice(
                  "mode",
                  "count",
                  List.of("count", "interval", "concat"),
                  "count: by number of messages; interval: by time; concat: sequences of the"
                      + " listed topics joined."))
          .field(
              ConfigField.optional(
                      "count",
                      FieldType.INTEGER,
                      1L,
                      "count: messages per sequence (1 or more; the other modes ignore it, as"
                          + " Node-RED's export of them may hold 0).")
                  .atLeast(0))
          .field(
              ConfigField.optional(
                      "overlap",
                      FieldType.INTEGER,
                      0L,
                      "count: messages repeated at the start of the next sequence.")
                  .atLeast(0))
          .field(
              ConfigField.optional(
                      "interval", FieldType.NUMBER, 0.0, "interval: seconds per sequence.")
                  .atLeast(0))
          .field(
              ConfigField.optional(
                  "topics",
                  FieldType.ARRAY,
                  List.of(),
                  "concat: the topics whose sequences are joined, in order, as [{\"topic\": ...}]."))
          .field(
              ConfigField.optional(
                  "honourParts",
                  FieldType.BOOLEAN,
                  false,
                  "count: a message that ends its msg.parts sequence ends the batch early."))
          .field(
              ConfigField.optional(
                  "allowEmptySequence",
                  FieldType.BOOLEAN,
                  false,
                  "interval: an interval without messages sends {payload: null} as a sequence of"
                      + " one."))
          .field(
              ConfigField.optional("maxKept", FieldType.INTEGER, 10_000L, "Messages held at most.")
                  .atLeast(1))
          .factory(BatchNode::new)
          .build();

  private final NodeContext context;
  private final String mode;
  private final int count;
  private final int overlap;
  private final long intervalMs;
  private final List<String> topics = new ArrayList<>();
  private final long maxKept;
  private final boolean honourParts;
  private final boolean allowEmpty;
  private final byte[] emptyMarker;
  private Cancellable emptyTimer;
  private List<Map<String, Object>> pending = new ArrayList<>();
  private final Map<String, LinkedHashMap<String, List<Map<String, Object>>>> byTopic =
      new HashMap<>();
  private final Map<String, Long> groupCounts = new HashMap<>();
  private long held;
  private final HeldMemory.Hold hold;
  private long startMs;
  private Cancellable window;
  private int windowTag;
  private long sequences;

  private BatchNode(NodeContext context) {
    this.context = context;
    mode = context.configString("mode", "count");
    count = (int) context.configLong("count", 1);
    overlap = (int) context.configLong("overlap", 0);
    if (mode.equals("count") && count < 1) {
      throw new IllegalArgumentException("count: must be 1 or more in count mode, got " + count);
    }
    if (mode.equals("count") && count <= overlap) {
      throw new IllegalArgumentException(
          "overlap: " + overlap + " must be less than count (" + count + ")");
    }
    intervalMs = Math.round(MessageBodies.number(context, "interval", 0) * 1000);
    if (mode.equals("interval") && intervalMs <= 0) {
      throw new IllegalArgumentException("interval: must be above 0 seconds");
    }
    if (context.config().get("topics") instanceof List<?> list) {
      for (Object entry : list) {
        topics.add(
            entry instanceof Map<?, ?> map
                ? String.valueOf(map.get("topic"))
                : String.valueOf(entry));
      }
    }
    maxKept = context.configLong("maxKept", 10_000);
    hold = HeldMemory.hold(context, "batch");
    honourParts = context.configBoolean("honourParts", false);
    allowEmpty = mode.equals("interval") && context.configBoolean("allowEmptySequence", false);
    emptyMarker =
        ("{\"_z8batchEmpty\":\"" + java.util.UUID.randomUUID() + "\"}")
            .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }

  @Override
  public void onStart() {
    startMs = context.epochClock().time();
    if (allowEmpty) {
      scheduleEmptyCheck();
    }
  }

  @Override
  public void onStop() {
    if (emptyTimer != null) {
      emptyTimer.cancel();
    }
    hold.giveAll();
  }

  /**
   * At the end of each interval, an interval that had no message sends an empty sequence: a marker
   * only this deployment knows, delivered to this node as a new execution.
   */
  private void scheduleEmptyCheck() {
    long elapsed = Math.max(0, context.epochClock().time() - startMs);
    scheduleEmptyCheck(elapsed / intervalMs, intervalMs - elapsed % intervalMs);
  }

  private void scheduleEmptyCheck(long window, long delayMs) {
    emptyTimer =
        context.schedule(
            () -> {
              if (lastWindowWithMessages != window) {
                context.tryTrigger(emptyMarker);
              }
              long next = startMs + (window + 2) * intervalMs - context.epochClock().time();
              scheduleEmptyCheck(window + 1, Math.max(0, next));
            },
            delayMs);
  }

  /** The number of the last interval that held a message (-1: none yet). */
  private volatile long lastWindowWithMessages = -1;

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    if (allowEmpty && isEmptyMarker(msg)) {
      Map<String, Object> empty = new LinkedHashMap<>();
      empty.put("payload", null);
      send(List.of(empty), out);
      return;
    }
    Map<String, Object> body = MessageBodies.parse(msg);
    if (body.containsKey("reset")) {
      pending = new ArrayList<>();
      byTopic.clear();
      groupCounts.clear();
      held = 0;
      hold.giveAll();
      if (window != null) {
        window.cancel();
        window = null;
      }
      return;
    }
    switch (mode) {
      case "count" -> onCount(body, out);
      case "interval" -> onInterval(body, msg, out);
      default -> onConcat(body, out);
    }
  }

  private boolean isEmptyMarker(MessageFlyweight msg) {
    if (msg.jsonLength() != emptyMarker.length) {
      return false;
    }
    for (int i = 0; i < emptyMarker.length; i++) {
      if (msg.buffer().getByte(msg.jsonOffset() + i) != emptyMarker[i]) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether {@code body} is dropped: with a warning past {@code maxKept}; else its heap is taken.
   *
   * @throws IllegalStateException when it finds no room in the owner's share of the heap for held
   *     messages: the node's error, the message dropped, what is held kept
   */
  private boolean full(Map<String, Object> body) {
    if (held >= maxKept) {
      context.warn("batch holds maxKept=" + maxKept + " messages: message dropped");
      return true;
    }
    long bytes = HeldMemory.heapBytes(body);
    hold.take(bytes);
    return false;
  }

  private void onCount(Map<String, Object> body, Output out) {
    if (full(body)) {
      return;
    }
    pending.add(body);
    held++;
    boolean ends =
        honourParts
            && body.get("parts") instanceof Map<?, ?> parts
            && parts.get("index") instanceof Number index
            && parts.get("count") instanceof Number total
            && index.longValue() + 1 == total.longValue();
    if (pending.size() == count || ends) {
      send(pending, out);
      pending = new ArrayList<>(pending.subList(pending.size() - overlap, pending.size()));
      held = pending.size();
      long kept = 0;
      for (Map<String, Object> message : pending) {
        kept += HeldMemory.heapBytes(message);
      }
      hold.give(hold.heldBytes() - kept);
    }
  }

  private void onInterval(Map<String, Object> body, MessageFlyweight msg, Output out) {
    if (full(body)) {
      return;
    }
    pending.add(body);
    held++;
    if (window == null) {
      long now = context.epochClock().time();
      long elapsed = Math.max(0, now - startMs);
      lastWindowWithMessages = elapsed / intervalMs;
      long untilEnd = intervalMs - elapsed % intervalMs;
      window = out.defer(msg, untilEnd, ++windowTag);
    }
  }

  @Override
  public void onDeferred(MessageFlyweight msg, int tag, Output out) {
    if (tag != windowTag || window == null) {
      return;
    }
    window = null;
    if (!pending.isEmpty()) {
      send(pending, out);
    }
    pending = new ArrayList<>();
    held = 0;
    hold.giveAll();
  }

  private void onConcat(Map<String, Object> body, Output out) {
    Object topic = body.get("topic");
    if (!(topic instanceof String name) || !topics.contains(name)) {
      return;
    }
    if (!(body.get("parts") instanceof Map<?, ?> parts)
        || !parts.containsKey("id")
        || !parts.containsKey("index")
        || !parts.containsKey("count")) {
      throw new IllegalArgumentException("batch: a message without msg.parts (id, index, count)");
    }
    if (full(body)) {
      return;
    }
    String id = String.valueOf(parts.get("id"));
    byTopic
        .computeIfAbsent(name, k -> new LinkedHashMap<>())
        .computeIfAbsent(id, k -> new ArrayList<>())
        .add(body);
    groupCounts.putIfAbsent(name + "\u0000" + id, ((Number) parts.get("count")).longValue());
    held++;
    List<Map<String, Object>> all = new ArrayList<>();
    for (String wanted : topics) {
      var groups = byTopic.get(wanted);
      if (groups == null || groups.isEmpty()) {
        return;
      }
      var first = groups.entrySet().iterator().next();
      if (groupCounts.get(wanted + "\u0000" + first.getKey()) != first.getValue().size()) {
        return;
      }
    }
    for (String wanted : topics) {
      var first = byTopic.get(wanted).entrySet().iterator().next();
      for (Map<String, Object> message : first.getValue()) {
        all.add(new LinkedHashMap<>(message));
      }
    }
    for (String wanted : topics) {
      var groups = byTopic.get(wanted);
      if (!groups.isEmpty()) {
        String first = groups.keySet().iterator().next();
        List<Map<String, Object>> sent = groups.remove(first);
        held -= sent.size();
        for (Map<String, Object> message : sent) {
          hold.give(HeldMemory.heapBytes(message));
        }
        groupCounts.remove(wanted + "\u0000" + first);
      }
    }
    send(all, out);
  }

  /** Sends the messages as one sequence, its id the first message's. */
  private void send(List<Map<String, Object>> messages, Output out) {
    Object id = null;
    for (int i = 0; i < messages.size(); i++) {
      Map<String, Object> message = new LinkedHashMap<>(messages.get(i));
      Map<String, Object> parts = new LinkedHashMap<>();
      if (message.get("parts") instanceof Map<?, ?> old) {
        old.forEach((k, v) -> parts.put(String.valueOf(k), v));
      }
      if (id == null) {
        id = context.nodeId() + "." + Long.toHexString(++sequences);
      }
      parts.put("id", id);
      parts.put("index", (long) i);
      parts.put("count", (long) messages.size());
      message.put("parts", parts);
      MessageBodies.send(out, 0, message, null);
    }
  }
}
