package dev.z8run.nodes.timing;

import dev.z8run.core.node.Cancellable;
import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.message.MessageDescriptor;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.ContextValues;
import dev.z8run.nodes.support.EnvValues;
import dev.z8run.nodes.support.HeldMemory;
import dev.z8run.nodes.support.MessageBodies;
import dev.z8run.nodes.support.MessagePath;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code trigger}: Node-RED's trigger node ({@code 89-trigger.js}). The first message (of each
 * topic, with {@code bytopic: topic}) sends {@code op1} at once, then {@code op2} after {@code
 * duration} {@code units}; messages in between are ignored, or restart the wait ({@code extend}). A
 * duration of 0 sends op1 and then blocks until a reset; a negative duration resends op1 every
 * |duration| until a reset. A message with {@code reset}, or whose payload equals {@code reset},
 * cancels the topic's wait and sends nothing. With two outputs op2 goes to the second.
 *
 * <p>Values ({@code op1type}, {@code op2type}): {@code str} (with {@code {{...}}} of the message),
 * {@code num}, {@code bool}, {@code json}, {@code date}, {@code pay} (the message's own payload),
 * {@code payl} (op2: the latest message's payload), {@code nul} (send nothing), {@code flow},
 * {@code global}, {@code env}, {@code val} (true/false/null as such, else text).
 *
 * <p>The wait is the first message's execution's: its message is {@linkplain Output#defer
 * deferred}, so the execution ends when op2 has been sent (or the wait cancelled).
 *
 * <p>What the waits keep (the latest message for {@code payl}, the message a loop resends, op2's
 * value, a small deferred message's record) is counted in the flow owner's share of the heap for
 * held messages ({@link HeldMemory}): a message that would take it past is the node's error and is
 * dropped (nothing sent for it), the waits as they were.
 */
public final class TriggerNode implements Node {
  /** Most topics waiting at once; more are refused with a warning. */
  public static final int MAX_TOPICS = 10_000;

  private static final List<String> TYPES =
      List.of(
          "str", "num", "bool", "json", "date", "pay", "payl", "nul", "flow", "global", "env",
          "val");

  public static final NodeType TYPE =
      NodeType.builder("trigger")
          .category("function")
          .description(
              "Sends one value at once and another after a delay, unless reset or extended.")
          .outputs(
              dev.z8run.core.registry.PortSpec.any("output"),
              dev.z8run.core.registry.PortSpec.any("second"))
          .outputCount(config -> "2".equals(String.valueOf(config.get("outputs"))) ? 2 : 1)
          .field(ConfigField.optional("op1", FieldType.ANY, "1", "What is sent at once."))
          .field(
              ConfigField.choice(
                  "op1type", "str", TYPES, "How op1 is read (nul: send nothing at once)."))
          .field(ConfigField.optional("op2", FieldType.ANY, "0", "What is sent after the wait."))
          .field(
              ConfigField.choice(
                  "op2type", "str", TYPES, "How op2 is read (nul: send nothing after the wait)."))
          .field(
              ConfigField.optional(
                  "duration",
                  FieldType.ANY,
                  "250",
                  "The wait, in units; 0: until reset; negative: resend op1 that often."))
          .field(
              ConfigField.choice(
                  "units", "ms", List.of("ms", "s", "min", "hr"), "Unit of duration."))
          .field(
              ConfigField.optional(
                  "extend", FieldType.ANY, false, "A new message restarts the wait."))
          .field(
              ConfigField.optional(
                  "overrideDelay", FieldType.BOOLEAN, false, "msg.delay (ms) replaces duration."))
          .field(
              ConfigField.optional(
                  "reset", FieldType.STRING, "", "A payload equal to this resets the topic."))
          .field(
              ConfigField.choice(
                  "bytopic", "all", List.of("all", "topic"), "One wait, or one per topic."))
          .field(
              ConfigField.optional(
                  "topic", FieldType.STRING, "topic", "The message property holding the topic."))
          .field(
              ConfigField.optional(
                  "outputs", FieldType.ANY, 1, "1, or 2: op2 goes to the second output."))
          .factory(TriggerNode::new)
          .build();

  private static final Pattern MUSTACHE = Pattern.compile("\\{\\{\\{?\\s*([^}]+?)\\s*}?}}");

  /** A topic's wait. */
  private static final class Wait {
    int tag;
    Cancellable handle;
    Object op2;
    Map<String, Object> latest;
    Map<String, Object> repeat;

    /** The deferred message's record on the heap (a small body's), and what the wait took. */
    long deferredBytes;

    long heapBytes;

    /** What this wait keeps on the heap, as {@link HeldMemory#heapBytes} estimates it. */
    long measure(String topic) {
      return WAIT_OVERHEAD_BYTES
          + HeldMemory.heapBytes(topic)
          + HeldMemory.heapBytes(op2)
          + HeldMemory.heapBytes(latest)
          + HeldMemory.heapBytes(repeat)
          + deferredBytes;
    }
  }

  /** A wait's own objects and map entries, beside what it keeps. */
  private static final long WAIT_OVERHEAD_BYTES = 256;

  private final HeldMemory.Hold heap;

  private final NodeContext context;
  private final Object op1;
  private final String op1type;
  private final Object op2;
  private final String op2type;
  private final long durationMs;
  private final boolean loop;
  private final boolean extend;
  private final boolean overrideDelay;
  private final String reset;
  private final boolean byTopic;
  private final MessagePath topicPath;
  private final int secondPort;
  private final Map<String, Wait> waits = new HashMap<>();
  private final Map<Integer, String> topicsByTag = new HashMap<>();
  private int nextTag = 1;

  private TriggerNode(NodeContext context) {
    this.context = context;
    String type1 = context.configString("op1type", "str");
    String type2 = context.configString("op2type", "str");
    Object raw1 = context.config().getOrDefault("op1", "1");
    Object raw2 = context.config().getOrDefault("op2", "0");
    if (type1.equals("val")) {
      type1 = valType(raw1);
    }
    if (type2.equals("val")) {
      type2 = valType(raw2);
    }
    this.op1type = type1;
    this.op2type = type2;
    this.op1 = compile("op1", raw1, type1, context.environment());
    this.op2 = compile("op2", raw2, type2, context.environment());
    double duration = MessageBodies.number(context, "duration", 250);
    this.loop = duration < 0;
    double unitMs =
        switch (context.configString("units", "ms")) {
          case "s" -> 1_000;
          case "min" -> 60_000;
          case "hr" -> 3_600_000;
          default -> 1;
        };
    this.durationMs = Math.round(Math.abs(duration) * unitMs);
    Object extendValue = context.config().get("extend");
    this.extend = !loop && (Boolean.TRUE.equals(extendValue) || "true".equals(extendValue));
    this.overrideDelay = context.configBoolean("overrideDelay", false);
    this.reset = context.configString("reset", "");
    this.byTopic = context.configString("bytopic", "all").equals("topic");
    this.topicPath = MessagePath.of(context.configString("topic", "topic"), "topic");
    this.secondPort = context.outputCount() > 1 ? 1 : 0;
    this.heap = HeldMemory.hold(context, "trigger");
  }

  /** The heap record of {@code msg} deferred: a small body waits on the heap, a large off it. */
  private static long deferredBytes(MessageFlyweight msg) {
    long bodyBytes = (long) msg.jsonLength() + msg.binaryLength();
    return bodyBytes <= MessageDescriptor.BY_REFERENCE_BYTES ? bodyBytes : 0;
  }

  /**
   * Takes what {@code wait} keeps now over what it took ({@code wait.heapBytes}), or gives back
   * what it keeps less.
   *
   * @return null, or why the growth found no room (nothing taken)
   */
  private String account(String topic, Wait wait) {
    long bytes = wait.measure(topic);
    long growth = bytes - wait.heapBytes;
    if (!heap.tryTake(growth)) {
      return heap.refusal(growth);
    }
    wait.heapBytes = bytes;
    return null;
  }

  private void forget(Wait wait) {
    heap.give(wait.heapBytes);
    wait.heapBytes = 0;
  }

  private static String valType(Object raw) {
    String text = String.valueOf(raw);
    return text.equals("true") || text.equals("false")
        ? "bool"
        : text.equals("null") ? "json" : "str";
  }

  /** A value compiled at deploy: a constant, or what to read per message. */
  private Object compile(
      String field, Object raw, String type, dev.z8run.core.node.NodeEnvironment environment) {
    String text = raw == null ? "" : raw instanceof String s ? s : JsonCodec.writeString(raw);
    return switch (type) {
      case "num" -> {
        try {
          double number = Double.parseDouble(text.strip());
          yield number == Math.rint(number) && Math.abs(number) < 1e15
              ? (Object) (long) number
              : number;
        } catch (NumberFormatException notNumber) {
          throw new IllegalArgumentException(field + ": '" + text + "' is not a number");
        }
      }
      case "bool" -> Boolean.valueOf(text.strip());
      case "json" -> {
        try {
          yield text.isBlank() ? null : JsonCodec.parse(text);
        } catch (RuntimeException invalid) {
          throw new IllegalArgumentException(field + ": " + invalid.getMessage());
        }
      }
      case "env" -> EnvValues.lookup(field, text, environment);
      case "flow", "global" -> ContextValues.property(field, text);
      default -> text;
    };
  }

  /** The value of op1 or op2 for {@code msg}; MISSING for {@code nul}. */
  private Object value(Object compiled, String type, Map<String, Object> msg) {
    return switch (type) {
      case "nul" -> MessagePath.MISSING;
      case "pay", "payl" -> msg.get("payload");
      case "date" -> context.epochClock().time();
      case "flow" ->
          orNull(ContextValues.get(context.flowContext(), (ContextValues.Property) compiled));
      case "global" ->
          orNull(ContextValues.get(context.globalContext(), (ContextValues.Property) compiled));
      case "str" -> template((String) compiled, msg);
      default -> ContextValues.copy(compiled);
    };
  }

  private static Object orNull(Object value) {
    return value == MessagePath.MISSING ? null : value;
  }

  /** Node-RED renders a string value holding {@code {{...}}} as a mustache template of msg. */
  private static String template(String text, Map<String, Object> msg) {
    if (text.indexOf("{{") < 0) {
      return text;
    }
    Matcher matcher = MUSTACHE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      Object value;
      try {
        value = MessagePath.of(matcher.group(1)).get(msg);
      } catch (IllegalArgumentException notPath) {
        value = MessagePath.MISSING;
      }
      String replacement =
          value == MessagePath.MISSING || value == null
              ? ""
              : value instanceof String s ? s : JsonCodec.writeString(value);
      matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    matcher.appendTail(out);
    return out.toString();
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    Map<String, Object> message = MessageBodies.parse(msg);
    String topic = "_none";
    if (byTopic) {
      Object value = topicPath.get(message);
      if (value != MessagePath.MISSING && value != null && !"".equals(value)) {
        topic = value instanceof String s ? s : JsonCodec.writeString(value);
      }
    }
    long delayMs = durationMs;
    if (overrideDelay && message.get("delay") instanceof Number delay && delay.doubleValue() >= 0) {
      delayMs = delay.longValue();
    }
    Object payload = message.get("payload");
    if (message.containsKey("reset")
        || (!reset.isEmpty() && payload != null && reset.equals(text(payload)))) {
      Wait wait = waits.remove(topic);
      if (wait != null) {
        cancel(wait);
        forget(wait);
      }
      status();
      return;
    }
    Wait wait = waits.get(topic);
    if (wait == null || loop) {
      if (wait == null && waits.size() >= MAX_TOPICS) {
        context.warn("more than " + MAX_TOPICS + " topics waiting; message dropped");
        return;
      }
      Wait next = new Wait();
      if (op2type.equals("payl")) {
        next.latest = message;
      } else {
        next.op2 = value(op2, op2type, message);
      }
      Map<String, Object> first = new java.util.LinkedHashMap<>(message);
      Object sendNow = value(op1, op1type, message);
      if (!op1type.equals("pay") && sendNow != MessagePath.MISSING) {
        first.put("payload", sendNow);
      }
      if (delayMs > 0) {
        next.deferredBytes = deferredBytes(msg);
        if (loop && !op1type.equals("nul")) {
          next.repeat = first;
        }
      }
      String refused = account(topic, next);
      if (refused != null) {
        throw new IllegalStateException(refused); // the node's error; the waits as they were
      }
      if (wait != null) {
        cancel(wait);
        forget(wait);
      }
      wait = next;
      waits.put(topic, wait);
      if (delayMs > 0) {
        wait.tag = nextTag++;
        topicsByTag.put(wait.tag, topic);
        if (loop) {
          if (!op1type.equals("nul")) {
            wait.handle = out.defer(msg, delayMs, wait.tag);
          }
        } else {
          wait.handle = out.defer(msg, delayMs, wait.tag);
        }
      }
      status();
      if (!op1type.equals("nul")) {
        MessageBodies.send(out, 0, first, op1type.equals("pay") ? msg : null);
      }
      return;
    }
    Map<String, Object> latest = wait.latest;
    Object op2Value = wait.op2;
    long deferred = wait.deferredBytes;
    if (op2type.equals("payl")) {
      wait.latest = message;
    }
    if (extend && delayMs > 0) {
      if (!op2type.equals("payl") && !op2type.equals("nul")) {
        wait.op2 = value(op2, op2type, message);
      }
      wait.deferredBytes = deferredBytes(msg);
    }
    boolean changed = op2type.equals("payl") || (extend && delayMs > 0);
    String refused = changed ? account(topic, wait) : null;
    if (refused != null) {
      wait.latest = latest;
      wait.op2 = op2Value;
      wait.deferredBytes = deferred;
      throw new IllegalStateException(refused); // the node's error; the wait as it was
    }
    if (extend && delayMs > 0) {
      cancel(wait);
      wait.tag = nextTag++;
      topicsByTag.put(wait.tag, topic);
      wait.handle = out.defer(msg, delayMs, wait.tag);
    }
  }

  private static String text(Object value) {
    return value instanceof String s ? s : JsonCodec.writeString(value);
  }

  private void cancel(Wait wait) {
    if (wait.handle != null) {
      wait.handle.cancel();
      wait.handle = null;
    }
    topicsByTag.remove(wait.tag);
  }

  @Override
  public void onDeferred(MessageFlyweight msg, int tag, Output out) {
    String topic = topicsByTag.get(tag);
    Wait wait = topic == null ? null : waits.get(topic);
    if (wait == null || wait.tag != tag) {
      return; // reset or extended meanwhile
    }
    if (loop) {
      Map<String, Object> again = new java.util.LinkedHashMap<>(wait.repeat);
      if (op1type.equals("date")) {
        again.put("payload", context.epochClock().time());
      }
      wait.handle = out.defer(msg, durationMs, tag);
      MessageBodies.send(out, 0, again, null);
      return;
    }
    waits.remove(topic);
    topicsByTag.remove(tag);
    forget(wait);
    status();
    if (op2type.equals("nul")) {
      return;
    }
    Map<String, Object> message;
    if (op2type.equals("payl")) {
      message = wait.latest;
    } else {
      message = MessageBodies.parse(msg);
      Object value =
          op2type.equals("flow") || op2type.equals("global") || op2type.equals("date")
              ? value(op2, op2type, message)
              : wait.op2;
      message.put("payload", value);
    }
    MessageBodies.send(out, secondPort, message, null);
  }

  private void status() {
    context.status(
        waits.isEmpty() ? "" : waits.size() == 1 ? "waiting" : waits.size() + " waiting");
  }

  @Override
  public void onStop() {
    for (Wait wait : waits.values()) {
      if (wait.handle != null) {
        wait.handle.cancel();
      }
    }
    waits.clear();
    heap.giveAll();
  }
}
