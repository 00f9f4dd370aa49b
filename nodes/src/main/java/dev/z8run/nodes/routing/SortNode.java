package dev.z8run.nodes.routing;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.HeldMemory;
import dev.z8run.nodes.support.JsonataExpression;
import dev.z8run.nodes.support.MessageBodies;
import dev.z8run.nodes.support.MessagePath;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code sort}: sorts an array in a message property, or a whole message sequence (messages with
 * {@code msg.parts}, as Split makes them), as Node-RED's Sort node. The key is the element (or
 * {@code msg[seqKey]}) itself or the result of a JSONata expression on it; {@code as_num} compares
 * keys as numbers. The sort is stable, and compares as JavaScript's {@code <} and {@code >} do.
 *
 * <p>A sequence is held until all its {@code parts.count} messages are in, then sent in order in
 * the execution of the last one, each with {@code parts.index} renumbered. At most {@code maxKept}
 * messages are held over all sequences; past that the oldest sequence is dropped with a warning.
 * Their heap is counted in the flow owner's share of the server's budget for held messages ({@link
 * HeldMemory}): a message past it is the node's error and is dropped, the sequences kept. A message
 * without {@code parts.id} and {@code parts.index} is dropped in sequence mode.
 */
public final class SortNode implements Node {
  public static final NodeType TYPE =
      NodeType.builder("sort")
          .category("sequence")
          .description("Sorts an array property or a message sequence.")
          .field(
              ConfigField.choice(
                  "targetType",
                  "msg",
                  List.of("msg", "seq"),
                  "msg: sort the array in the property target; seq: sort a message sequence."))
          .field(
              ConfigField.optional(
                  "target", FieldType.STRING, "payload", "msg: the property holding the array."))
          .field(
              ConfigField.choice(
                  "msgKeyType",
                  "elem",
                  List.of("elem", "jsonata"),
                  "msg: sort by the element itself, or by msgKey evaluated on each element."))
          .field(
              ConfigField.optional(
                  "msgKey", FieldType.CODE, "", "msg, jsonata: the key expression."))
          .field(
              ConfigField.choice(
                  "seqKeyType",
                  "msg",
                  List.of("msg", "jsonata"),
                  "seq: sort by the property seqKey, or by seqKey evaluated on each message."))
          .field(
              ConfigField.optional(
                  "seqKey", FieldType.STRING, "payload", "seq: the key property or expression."))
          .field(
              ConfigField.choice(
                  "order", "ascending", List.of("ascending", "descending"), "The order."))
          .field(
              ConfigField.optional(
                  "as_num", FieldType.BOOLEAN, false, "Compare the keys as numbers."))
          .field(
              ConfigField.optional(
                      "maxKept",
                      FieldType.INTEGER,
                      10_000L,
                      "seq: messages held at most, over all sequences.")
                  .atLeast(1))
          .factory(SortNode::new)
          .build();

  private final NodeContext context;
  private final boolean sequence;
  private final MessagePath target;
  private final MessagePath seqKey;
  private final JsonataExpression key;
  private final int direction;
  private final boolean asNumber;
  private final long maxKept;
  private final Map<String, List<Map<String, Object>>> pending = new LinkedHashMap<>();
  private final Map<String, Long> counts = new LinkedHashMap<>();
  private long held;
  private final HeldMemory.Hold hold;

  /** The heap each pending sequence's messages take, in {@link #hold}. */
  private final Map<String, Long> pendingBytes = new HashMap<>();

  private SortNode(NodeContext context) {
    this.context = context;
    sequence = context.configString("targetType", "msg").equals("seq");
    target = MessagePath.of(context.configString("target", "payload"), "target");
    boolean byExpression =
        sequence
            ? context.configString("seqKeyType", "msg").equals("jsonata")
            : context.configString("msgKeyType", "elem").equals("jsonata");
    String seqKeyText = context.configString("seqKey", "payload");
    seqKey = sequence && !byExpression ? MessagePath.of(seqKeyText, "seqKey") : null;
    key =
        byExpression
            ? JsonataExpression.compile(
                    sequence ? "seqKey" : "msgKey",
                    sequence ? seqKeyText : context.configString("msgKey", ""))
                .withNodeRedFunctions(
                    context.flowContext(), context.globalContext(), null, context.environment())
                .releasing(context)
            : null;
    if (key != null) {
      context.declareAuthorTimed();
    }
    direction = context.configString("order", "ascending").equals("ascending") ? 1 : -1;
    asNumber = context.configBoolean("as_num", false);
    maxKept = context.configLong("maxKept", 10_000);
    hold = HeldMemory.hold(context, "sort");
  }

  @Override
  public void onStop() {
    hold.giveAll();
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    Map<String, Object> body = MessageBodies.parse(msg);
    if (sequence) {
      onPart(body, out);
      return;
    }
    if (target.get(body) instanceof List<?> list) {
      List<Object> sorted = new ArrayList<>(list);
      if (sort(sorted, key == null ? Function.identity() : key::evaluate)) {
        target.set(body, sorted);
        MessageBodies.send(out, 0, body, msg);
      }
    }
  }

  private void onPart(Map<String, Object> body, Output out) {
    if (!(body.get("parts") instanceof Map<?, ?> parts)
        || !parts.containsKey("id")
        || !parts.containsKey("index")) {
      return;
    }
    String id = String.valueOf(parts.get("id"));
    long bytes = HeldMemory.heapBytes(body);
    hold.take(bytes);
    pendingBytes.merge(id, bytes, Long::sum);
    List<Map<String, Object>> group = pending.computeIfAbsent(id, k -> new ArrayList<>());
    group.add(body);
    held++;
    if (parts.get("count") instanceof Number count) {
      counts.put(id, count.longValue());
    }
    Long count = counts.get(id);
    if (count != null && count == group.size()) {
      pending.remove(id);
      counts.remove(id);
      held -= group.size();
      hold.give(pendingBytes.remove(id));
      List<Map<String, Object>> sorted = new ArrayList<>(group);
      if (sort(sorted, key == null ? message -> seqKey.get(message) : key::evaluate)) {
        for (int i = 0; i < sorted.size(); i++) {
          Map<String, Object> message = sorted.get(i);
          Map<String, Object> renumbered = new LinkedHashMap<>();
          ((Map<?, ?>) message.get("parts"))
              .forEach((k, v) -> renumbered.put(String.valueOf(k), v));
          renumbered.put("index", (long) i);
          message.put("parts", renumbered);
          MessageBodies.send(out, 0, message, null);
        }
      }
    } else if (held > maxKept) {
      String oldest = pending.keySet().iterator().next();
      held -= pending.remove(oldest).size();
      hold.give(pendingBytes.remove(oldest));
      counts.remove(oldest);
      context.warn("sort holds more than maxKept=" + maxKept + " messages: a sequence was dropped");
    }
  }

  /** Sorts in place by the keys; false when the keys cannot be compared (nothing is sent). */
  private <T> boolean sort(List<T> items, Function<? super T, Object> keyOf) {
    List<Object[]> keyed = new ArrayList<>(items.size());
    for (T item : items) {
      Object value = keyOf.apply(item);
      keyed.add(new Object[] {asNumber ? JsCompare.toNumber(value) : value, item});
    }
    Comparator<Object[]> comparator = (x, y) -> JsCompare.order(x[0], y[0], direction);
    try {
      keyed.sort(comparator);
    } catch (IllegalArgumentException inconsistent) {
      return false;
    }
    for (int i = 0; i < items.size(); i++) {
      @SuppressWarnings("unchecked")
      T item = (T) keyed.get(i)[1];
      items.set(i, item);
    }
    return true;
  }
}
