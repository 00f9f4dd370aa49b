package dev.z8run.nodes.transform;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeCost;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.json.JsonPatch;
import dev.z8run.io.json.JsonScanner;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.JsonValues;
import dev.z8run.nodes.support.MessageBodies;
import dev.z8run.nodes.support.MessagePath;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code range}: maps a number from one range to another, Node-RED's range node ({@code minin},
 * {@code maxin}, {@code minout}, {@code maxout}, {@code action} scale|clamp|roll|drop, {@code
 * round}, {@code property}). The number is read from the bytes in place and the result patched into
 * the next node's inbox; an integral result is written without allocating. A property that is not a
 * number is the node's warning and the message is dropped, as Node-RED logs it and sends nothing.
 */
public final class RangeNode implements Node {
  public static final NodeType TYPE =
      NodeType.builder("range")
          .category("function")
          .description("Scales a number from one range to another (scale, clamp, roll or drop).")
          .field(
              ConfigField.optional(
                  "property",
                  FieldType.STRING,
                  "payload",
                  "The message property holding the number."))
          .field(ConfigField.optional("minin", FieldType.NUMBER, 0L, "Input range start."))
          .field(ConfigField.optional("maxin", FieldType.NUMBER, 10L, "Input range end."))
          .field(ConfigField.optional("minout", FieldType.NUMBER, 0L, "Output range start."))
          .field(ConfigField.optional("maxout", FieldType.NUMBER, 100L, "Output range end."))
          .field(
              ConfigField.choice(
                  "action",
                  "scale",
                  List.of("scale", "clamp", "roll", "drop"),
                  "scale: map linearly, even outside the input range; clamp: limit the input to"
                      + " its range first; roll: wrap the input around its range first; drop:"
                      + " drop messages outside the input range."))
          .field(
              ConfigField.optional(
                  "round", FieldType.BOOLEAN, false, "Round the result to the nearest integer."))
          .cost(NodeCost.LIGHT)
          .factory(RangeNode::new)
          .build();

  private static final long MAX_EXACT = 1L << 53;

  private final NodeContext context;
  private final MessagePath path;
  private final double minIn;
  private final double maxIn;
  private final double minOut;
  private final double maxOut;
  private final String action;
  private final boolean round;
  private final JsonPatch patch = new JsonPatch();
  private final UnsafeBuffer digits = new UnsafeBuffer(new byte[24]);

  private RangeNode(NodeContext context) {
    this.context = context;
    path = MessagePath.property(context);
    if (!path.keysOnly()) {
      throw new IllegalArgumentException(
          "property: '" + path.text() + "' has an array index; use object keys only");
    }
    double inLow = number(context, "minin");
    double inHigh = number(context, "maxin");
    double outLow = number(context, "minout");
    double outHigh = number(context, "maxout");
    if (inLow == inHigh) {
      throw new IllegalArgumentException(
          "maxin: the input range is empty (minin = maxin = " + inLow + ")");
    }
    action = context.configString("action", "scale");
    round = context.configBoolean("round", false);
    // as Node-RED's 16-range.js: a reversed input range is swapped with its output range, and
    // rounding narrows the output range to the integers inside it (0.5..100.5 gives 1..100)
    if (inLow > inHigh) {
      double swap = inLow;
      inLow = inHigh;
      inHigh = swap;
      swap = outLow;
      outLow = outHigh;
      outHigh = swap;
    }
    if (round) {
      outHigh = Math.floor(outHigh);
      outLow = Math.ceil(outLow);
    }
    minIn = inLow;
    maxIn = inHigh;
    minOut = outLow;
    maxOut = outHigh;
  }

  private static double number(NodeContext context, String field) {
    Object value = context.config().get(field);
    if (!(value instanceof Number number) || !Double.isFinite(number.doubleValue())) {
      throw new IllegalArgumentException(field + ": expected a finite number, got " + value);
    }
    return number.doubleValue();
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    long span = path.find(msg);
    if (span == JsonScanner.NOT_FOUND) {
      out.forward(0, msg); // as Node-RED: a message without the property passes on unchanged
      return;
    }
    double n = JsonValues.number(msg.buffer(), span);
    if (Double.isNaN(n)) {
      // as 16-range.js: node.log, not node.error (no Catch node sees it), and nothing sent
      context.warn(
          "msg."
              + path.text()
              + " is not a number: "
              + JsonValues.text(msg.buffer(), span)
              + "; message dropped");
      return;
    }
    double low = Math.min(minIn, maxIn);
    double high = Math.max(minIn, maxIn);
    switch (action) {
      case "drop" -> {
        if (n < low || n > high) {
          return;
        }
      }
      case "clamp" -> n = Math.max(low, Math.min(high, n));
      case "roll" -> {
        double divisor = maxIn - minIn;
        n = ((n - minIn) % divisor + divisor) % divisor + minIn;
      }
      default -> {}
    }
    double value = (n - minIn) / (maxIn - minIn) * (maxOut - minOut) + minOut;
    if (round) {
      value = Math.round(value);
    }
    UnsafeBuffer bytes = format(value);
    int patched =
        patch.prepare(
            msg.buffer(), msg.jsonOffset(), msg.jsonLength(), path.keys(), bytes.capacity());
    MessageBodies.sendPatched(out, 0, msg, patch, patched, bytes);
  }

  /** The number as JSON: integral values without a fraction and without allocating. */
  private UnsafeBuffer format(double value) {
    if (value == Math.rint(value) && Math.abs(value) < MAX_EXACT) {
      digits.wrap(digits.byteArray());
      int length = digits.putLongAscii(0, (long) value);
      digits.wrap(digits.byteArray(), 0, length);
      return digits;
    }
    return new UnsafeBuffer(Double.toString(value).getBytes(StandardCharsets.US_ASCII));
  }
}
