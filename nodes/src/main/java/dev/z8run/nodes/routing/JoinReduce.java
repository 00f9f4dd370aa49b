package dev.z8run.nodes.routing;

import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.support.ContextValues;
import dev.z8run.nodes.support.EnvValues;
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

/**
 * Join's reduce mode (Node-RED's "reduce sequence"): the messages of a {@code msg.parts} sequence
 * are held until all {@code parts.count} are in, then folded in {@code parts.index} order (reversed
 * with {@code reduceRight}): {@code $A} starts as {@code reduceInit} and becomes {@code reduceExp}
 * evaluated on each message, with {@code $I} its index and {@code $N} the count. {@code
 * reduceFixup}, when set, is evaluated once on the result ({@code $A}, {@code $N}). The last
 * message folded is sent with the result as {@code msg.payload}. A message without {@code parts}
 * passes on unchanged.
 */
final class JoinReduce {
  private final JsonataExpression reduce;
  private final JsonataExpression fixup;
  private final Object initial;

  /**
   * reduceInit read anew for each sequence (types jsonata, env, flow, global, as Node-RED's
   * evaluateNodeProperty does when the sequence is reduced); null when {@link #initial} is fixed.
   */
  private final String initialType;

  private final String initialText;
  private final JsonataExpression initialExpression;
  private final boolean right;
  private final long maxParts;
  private final NodeContext context;
  private final Map<String, List<Map<String, Object>>> groups = new LinkedHashMap<>();
  private final Map<String, Long> counts = new HashMap<>();
  private long held;
  private final HeldMemory.Hold hold;

  /** The heap each group's messages take, in {@link #hold}. */
  private final Map<String, Long> groupBytes = new HashMap<>();

  JoinReduce(NodeContext context, long maxParts, HeldMemory.Hold hold) {
    this.context = context;
    this.maxParts = maxParts;
    this.hold = hold;
    context.declareAuthorTimed();
    reduce = nodeRed(context, "reduceExp", context.configString("reduceExp", ""));
    String fixupText = context.configString("reduceFixup", "");
    fixup = fixupText.isBlank() ? null : nodeRed(context, "reduceFixup", fixupText);
    initialText = context.configString("reduceInit", "");
    String type = context.configString("reduceInitType", "");
    initialType = READ_ON_REDUCE.contains(type) ? type : null;
    initialExpression = type.equals("jsonata") ? nodeRed(context, "reduceInit", initialText) : null;
    initial = initialType == null ? initial(initialText, type) : null;
    right = context.configBoolean("reduceRight", false);
  }

  private static final List<String> READ_ON_REDUCE = List.of("jsonata", "env", "flow", "global");

  /** A JSONata field with Node-RED's $flowContext, $globalContext and $env. */
  private static JsonataExpression nodeRed(NodeContext context, String field, String source) {
    return JsonataExpression.compile(field, source)
        .withNodeRedFunctions(
            context.flowContext(), context.globalContext(), null, context.environment())
        .releasing(context);
  }

  /** reduceInit's value for the sequence being reduced now. */
  private Object initialNow() {
    if (initialType == null) {
      return initial;
    }
    Object value =
        switch (initialType) {
          case "jsonata" -> initialExpression.evaluate(new LinkedHashMap<>(), new HashMap<>());
          case "env" -> EnvValues.lookup("reduceInit", initialText, context.environment());
          default ->
              ContextValues.get(
                  initialType.equals("flow") ? context.flowContext() : context.globalContext(),
                  ContextValues.property("reduceInit", initialText));
        };
    return value == MessagePath.MISSING ? null : value;
  }

  private static Object initial(String text, String type) {
    try {
      return switch (type) {
        case "num" -> text.isBlank() ? 0L : JsonCodec.parse(text.strip());
        case "json" -> JsonCodec.parse(text);
        case "bool" -> Boolean.parseBoolean(text);
        default -> text;
      };
    } catch (RuntimeException invalid) {
      throw new IllegalArgumentException(
          "reduceInit: '" + text + "' is not a valid " + type + " value", invalid);
    }
  }

  /** Takes one message; sends the reduced message when it completes its sequence. */
  void onMessage(Map<String, Object> body, Output out, dev.z8run.io.message.MessageFlyweight msg) {
    if (!(body.get("parts") instanceof Map<?, ?> parts) || parts.get("id") == null) {
      out.forward(0, msg);
      return;
    }
    if (held >= maxParts) {
      context.warn("join holds " + held + " messages (maxParts): message dropped");
      return;
    }
    String id = String.valueOf(parts.get("id"));
    long bytes = HeldMemory.heapBytes(body);
    hold.take(bytes);
    groupBytes.merge(id, bytes, Long::sum);
    List<Map<String, Object>> group = groups.computeIfAbsent(id, k -> new ArrayList<>());
    group.add(body);
    held++;
    if (parts.get("count") instanceof Number count) {
      counts.putIfAbsent(id, count.longValue());
    }
    Long count = counts.get(id);
    if (count == null || group.size() < count) {
      return;
    }
    groups.remove(id);
    counts.remove(id);
    held -= group.size();
    hold.give(groupBytes.remove(id));
    Comparator<Map<String, Object>> byIndex = Comparator.comparingDouble(JoinReduce::index);
    group.sort(right ? byIndex.reversed() : byIndex);
    Object accumulator = initialNow();
    for (Map<String, Object> message : group) {
      Map<String, Object> variables = new HashMap<>();
      variables.put("I", (long) index(message));
      variables.put("N", count);
      variables.put("A", accumulator);
      accumulator = reduce.evaluate(message, variables);
      if (accumulator == MessagePath.MISSING) {
        accumulator = null;
      }
    }
    if (fixup != null) {
      Map<String, Object> variables = new HashMap<>();
      variables.put("N", count);
      variables.put("A", accumulator);
      Object fixed = fixup.evaluate(new LinkedHashMap<>(), variables);
      accumulator = fixed == MessagePath.MISSING ? null : fixed;
    }
    Map<String, Object> last = new LinkedHashMap<>(group.get(group.size() - 1));
    last.put("payload", accumulator);
    MessageBodies.send(out, 0, last, null);
  }

  private static double index(Map<String, Object> message) {
    return message.get("parts") instanceof Map<?, ?> parts
            && parts.get("index") instanceof Number number
        ? number.doubleValue()
        : 0;
  }
}
