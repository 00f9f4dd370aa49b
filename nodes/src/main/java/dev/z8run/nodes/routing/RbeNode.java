package dev.z8run.nodes.routing;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.HeldMemory;
import dev.z8run.nodes.support.MessageBodies;
import dev.z8run.nodes.support.MessagePath;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code rbe}: Node-RED's filter node (report by exception, {@code rbe.js}): passes a message only
 * when its property changed, per topic. {@code func}:
 *
 * <ul>
 *   <li>{@code rbe}: when the value differs from the last one seen (objects compared by value,
 *       their keys in any order, as Node-RED's {@code compareObjects}); {@code rbei}: the same, but
 *       the first value of each topic is not sent;
 *   <li>{@code deadband} / {@code deadbandEq}: when a number moved more than (or at least) {@code
 *       gap} from the last value sent ({@code inout: out}) or received ({@code in});
 *   <li>{@code narrowband} / {@code narrowbandEq}: when it stayed within {@code gap} (or at most
 *       {@code gap}) of it, starting from {@code start}.
 * </ul>
 *
 * {@code gap} may be a percentage of the last value ({@code "10%"}). A message with {@code reset}
 * forgets its topic's value (all values without topic separation). A message without the property
 * is dropped; a non-numeric value in a band mode is dropped with a warning. At most {@value
 * #MAX_TOPICS} topics are remembered; more are refused with a warning. The heap of the topics and
 * values remembered is counted in the flow owner's share of held messages ({@link HeldMemory}): a
 * message past it is the node's error and is dropped.
 */
public final class RbeNode implements Node {
  /** Most topics one node remembers a value for. */
  public static final int MAX_TOPICS = 100_000;

  public static final NodeType TYPE =
      NodeType.builder("rbe")
          .category("function")
          .description("Passes a message only when its value changed (Node-RED's filter, rbe).")
          .field(
              ConfigField.choice(
                  "func",
                  "rbe",
                  List.of("rbe", "rbei", "deadband", "deadbandEq", "narrowband", "narrowbandEq"),
                  "rbe: on change; rbei: on change, not the first; deadband(Eq): a move of more"
                      + " than (at least) gap; narrowband(Eq): within gap."))
          .field(
              ConfigField.optional(
                  "gap", FieldType.STRING, "0", "The band: a number, or a percentage (10%)."))
          .field(
              ConfigField.optional(
                  "start", FieldType.STRING, "", "Narrowband: the value to start from."))
          .field(
              ConfigField.choice(
                  "inout",
                  "out",
                  List.of("out", "in"),
                  "Band modes compare with the last value sent (out) or received (in)."))
          .field(
              ConfigField.optional("septopics", FieldType.BOOLEAN, true, "Keep a value per topic."))
          .field(
              ConfigField.optional(
                  "property", FieldType.STRING, "payload", "The message property compared."))
          .field(
              ConfigField.optional(
                  "topi", FieldType.STRING, "topic", "The message property holding the topic."))
          .factory(RbeNode::new)
          .build();

  private static final String NO_TOPIC = "_no_topic";

  /** What {@link #number} reads: the number a text starts with, as {@code parseFloat} does. */
  private static final java.util.regex.Pattern LEADING_NUMBER =
      java.util.regex.Pattern.compile(
          "^\\s*[-+]?(Infinity|(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?)");

  private final NodeContext context;
  private final String func;
  private final boolean percent;
  private final double gap;
  private final Double start;
  private final boolean compareOut;
  private final boolean perTopic;
  private final MessagePath property;
  private final MessagePath topicPath;
  private final Map<String, Object> previous = new HashMap<>();
  private final HeldMemory.Hold hold;

  private RbeNode(NodeContext context) {
    this.context = context;
    this.func = context.configString("func", "rbe");
    String gapText = context.configString("gap", "0").strip();
    this.percent = gapText.endsWith("%");
    String number = percent ? gapText.substring(0, gapText.length() - 1).strip() : gapText;
    try {
      this.gap = number.isEmpty() ? 0 : Double.parseDouble(number);
    } catch (NumberFormatException notNumber) {
      throw new IllegalArgumentException("gap: '" + gapText + "' is not a number or percentage");
    }
    if (gap < 0) {
      throw new IllegalArgumentException("gap: must not be negative, got " + gapText);
    }
    String startText = context.configString("start", "").strip();
    try {
      this.start = startText.isEmpty() ? null : Double.valueOf(startText);
    } catch (NumberFormatException notNumber) {
      throw new IllegalArgumentException("start: '" + startText + "' is not a number");
    }
    this.compareOut = context.configString("inout", "out").equals("out");
    this.perTopic = context.configBoolean("septopics", true);
    this.property = MessagePath.of(context.configString("property", "payload"), "property");
    this.topicPath = MessagePath.of(context.configString("topi", "topic"), "topi");
    this.hold = HeldMemory.hold(context, "rbe");
  }

  @Override
  public void onStop() {
    hold.giveAll();
  }

  /**
   * Keeps {@code value} as {@code key}'s last one, its heap (topic and value) taken in the owner's
   * share of held messages.
   *
   * @throws IllegalStateException when it finds no room: the node's error, the message dropped
   */
  private void remember(String key, Object value) {
    Object old = previous.get(key);
    long more =
        HeldMemory.heapBytes(value)
            - (old == null ? -HeldMemory.heapBytes(key) : HeldMemory.heapBytes(old));
    hold.take(more);
    previous.put(key, value);
  }

  /** Forgets {@code key}'s value (every value with null), giving back their heap. */
  private void forget(String key) {
    if (key == null) {
      previous.clear();
      hold.giveAll();
    } else {
      Object old = previous.remove(key);
      if (old != null) {
        hold.give(HeldMemory.heapBytes(key) + HeldMemory.heapBytes(old));
      }
    }
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    Map<String, Object> message = MessageBodies.parse(msg);
    Object topicValue = topicPath.get(message);
    String topic = topicValue instanceof String text && !text.isEmpty() ? text : null;
    if (message.containsKey("reset")) {
      forget(perTopic && topic != null ? topic : null);
    }
    Object value =
        msg.binaryLength() > 0 && property.text().equals("payload")
            ? java.util.Base64.getEncoder().encodeToString(msg.binaryBytes())
            : property.get(message);
    if (value == MessagePath.MISSING) {
      return; // Node-RED ignores a message without the property
    }
    String key = perTopic && topic != null ? topic : NO_TOPIC;
    if (!previous.containsKey(key) && previous.size() >= MAX_TOPICS) {
      context.warn("more than " + MAX_TOPICS + " topics; message of topic '" + key + "' dropped");
      return;
    }
    if (func.equals("rbe") || func.equals("rbei")) {
      boolean seen = previous.containsKey(key);
      // as Node-RED's compareObjects: objects are equal whatever the order of their keys
      if (!seen || !sameValue(value, previous.get(key))) {
        remember(key, value);
        if (seen || func.equals("rbe")) {
          out.forward(0, msg);
        }
      }
      return;
    }
    double n = number(value);
    if (Double.isNaN(n)) {
      context.warn("the value is not a number: " + JsonCodec.writeString(value));
      return;
    }
    boolean narrow = func.startsWith("narrowband");
    boolean first = !previous.containsKey(key);
    if (first) {
      if (narrow) {
        remember(key, start != null ? start : n);
      } else {
        double band = percent ? 0 : gap;
        remember(key, n - band - 1); // the first value always passes a deadband
      }
    }
    double last = (Double) previous.get(key);
    // as Node-RED: a percentage of no value yet is 0, so that the first value passes a deadband
    double band = percent ? (first && !narrow ? 0 : Math.abs(last * gap / 100)) : gap;
    double moved = Math.abs(n - last);
    boolean send;
    if (moved == band) {
      send = func.equals("deadbandEq") || func.equals("narrowband");
    } else if (moved > band) {
      send = func.startsWith("deadband");
    } else {
      send = narrow;
    }
    if (send) {
      if (compareOut) {
        remember(key, n);
      }
      out.forward(0, msg);
    }
    if (!compareOut) {
      remember(key, n);
    }
  }

  /**
   * Whether two parsed JSON values are the same value: objects with the same members in any order,
   * arrays with the same elements in order, numbers equal as numbers ({@code 1} and {@code 1.0}).
   */
  static boolean sameValue(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return x.doubleValue() == y.doubleValue();
    }
    if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (Map.Entry<?, ?> member : x.entrySet()) {
        if (!y.containsKey(member.getKey())
            || !sameValue(member.getValue(), y.get(member.getKey()))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof java.util.List<?> x && b instanceof java.util.List<?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!sameValue(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    return java.util.Objects.equals(a, b);
  }

  /**
   * JavaScript's {@code parseFloat}: the number the value's text starts with, or NaN; a value that
   * is not a string is read as JavaScript's text of it ({@code [1]} is 1, {@code true} NaN).
   */
  static double number(Object value) {
    if (value instanceof Number number) {
      return number.doubleValue();
    }
    String text = value instanceof String string ? string : JsValues.toText(value);
    java.util.regex.Matcher matcher = LEADING_NUMBER.matcher(text);
    return matcher.find() ? Double.parseDouble(matcher.group().strip()) : Double.NaN;
  }
}
