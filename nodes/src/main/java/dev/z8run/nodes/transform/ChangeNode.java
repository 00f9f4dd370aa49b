package dev.z8run.nodes.transform;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeCost;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.json.JsonPatch;
import dev.z8run.io.message.Bytes;
import dev.z8run.io.message.MessageBodyView;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.io.message.ScratchBuffer;
import dev.z8run.nodes.support.AuthorExpressions;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code change}: sets, changes (search and replace), deletes and moves message properties, with
 * Node-RED's rule format ({@code {"t":"set", "p":"payload.x", "pt":"msg", "to":"1", "tot":"num"}}).
 *
 * <p>Two paths. A rule list made only of {@code set} rules with constant values ({@code str},
 * {@code num}, {@code bool}, {@code json}, {@code date}) on dotted key paths is applied by patching
 * the message bytes in place, straight into the next node's inbox: no object tree is built. Any
 * other list (a {@code change}, {@code delete} or {@code move} rule, a value taken from another
 * property, the environment or a JSONata expression, a bracket path) goes through {@link
 * ChangeRules}: the body is parsed, edited and written again.
 */
public final class ChangeNode implements Node {
  /** The body of a message this node sends: a node handles one message at a time. */
  private final MessageBodyView sent = new MessageBodyView();

  public static final NodeType TYPE =
      NodeType.builder("change")
          .category("function")
          .description("Sets message properties.")
          .field(
              ConfigField.required(
                  "rules",
                  FieldType.ARRAY,
                  "Rules applied in order: {t: set|change|delete|move, p: property path, pt: msg,"
                      + " to: value, tot: str|num|bool|json|date|msg|env|jsonata, from: search"
                      + " (change), fromt: str|num|bool|re|env}."))
          .field(
              ConfigField.optional(
                  "env",
                  FieldType.OBJECT,
                  null,
                  "Env values env rules and JSONata's $env find first (a subflow instance's env"
                      + " properties)."))
          .cost(NodeCost.LIGHT)
          .factory(ChangeNode::new)
          .build();

  private static final List<String> VALUE_TYPES = List.of("str", "num", "bool", "json", "date");

  private final NodeContext context;
  private final Rule[] rules;
  private final ChangeRules edits;
  private final JsonPatch patch = new JsonPatch();
  private final ScratchBuffer first = new ScratchBuffer(256);
  private final ScratchBuffer second = new ScratchBuffer(256);
  private final UnsafeBuffer dateValue = new UnsafeBuffer(new byte[20]);

  /** One compiled rule: the property path as key bytes and the value as JSON bytes. */
  private record Rule(byte[][] path, UnsafeBuffer value, boolean date) {}

  private ChangeNode(NodeContext context) {
    this.context = context;
    AuthorExpressions.declareIfUsed(context);
    Object configured = context.config().get("rules");
    if (!(configured instanceof List<?> list) || list.isEmpty()) {
      throw new IllegalArgumentException("rules: at least one rule is required");
    }
    if (!list.stream().allMatch(ChangeRules::patchable)) {
      this.edits =
          ChangeRules.compile(
              list,
              new ChangeRules.Contexts(
                  context.flowContext(),
                  context.globalContext(),
                  context.config().get("env") instanceof Map<?, ?> env ? stringKeys(env) : null,
                  context.environment(),
                  context));
      this.rules = null;
      return;
    }
    List<Rule> compiled = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      compiled.add(compile(i, list.get(i)));
    }
    this.rules = compiled.toArray(Rule[]::new);
    this.edits = null;
  }

  private static Map<String, Object> stringKeys(Map<?, ?> map) {
    Map<String, Object> copy = new java.util.LinkedHashMap<>();
    map.forEach((key, value) -> copy.put(String.valueOf(key), value));
    return copy;
  }

  private static Rule compile(int index, Object raw) {
    String where = "rules[" + index + "]";
    if (!(raw instanceof Map<?, ?> rule)) {
      throw new IllegalArgumentException(
          where + ": expected an object, got " + JsonCodec.describe(raw));
    }
    Object kind = rule.get("t");
    if (!"set".equals(kind)) {
      throw new IllegalArgumentException(
          where + ".t: rule kind '" + kind + "' is not supported yet (supported: set)");
    }
    Object target = rule.get("pt") == null ? "msg" : rule.get("pt");
    if (!"msg".equals(target)) {
      throw new IllegalArgumentException(
          where + ".pt: only msg properties can be set, got '" + target + "'");
    }
    if (!(rule.get("p") instanceof String property) || property.isBlank()) {
      throw new IllegalArgumentException(
          where + ".p: a property path such as payload.x is required");
    }
    if (property.indexOf('[') >= 0 || property.indexOf(']') >= 0) {
      throw new IllegalArgumentException(
          where
              + ".p: '"
              + property
              + "' uses brackets, which are not supported yet; use a dotted path such as"
              + " payload.x");
    }
    byte[][] path;
    try {
      path = JsonCodec.keyPath(property);
    } catch (IllegalArgumentException emptySegment) {
      throw new IllegalArgumentException(where + ".p: " + emptySegment.getMessage());
    }
    String valueType = rule.get("tot") == null ? "str" : rule.get("tot").toString();
    if (!VALUE_TYPES.contains(valueType)) {
      throw new IllegalArgumentException(
          where
              + ".tot: value type '"
              + valueType
              + "' is not supported yet (supported: str, num, bool, json, date)");
    }
    if ("date".equals(valueType)) {
      return new Rule(path, null, true);
    }
    return new Rule(path, new UnsafeBuffer(valueBytes(where, valueType, rule.get("to"))), false);
  }

  private static byte[] valueBytes(String where, String valueType, Object to) {
    String text = to == null ? "" : to.toString();
    try {
      return switch (valueType) {
        case "str" -> JsonCodec.write(text);
        case "num" ->
            (to instanceof Number ? to.toString() : new BigDecimal(text.trim()).toString())
                .getBytes(StandardCharsets.UTF_8);
        case "bool" -> {
          if (!text.equals("true") && !text.equals("false")) {
            throw new IllegalArgumentException("expected true or false, got '" + text + "'");
          }
          yield text.getBytes(StandardCharsets.UTF_8);
        }
        case "json" -> JsonCodec.write(to instanceof String ? JsonCodec.parse(text) : to);
        default -> throw new IllegalStateException("unchecked value type " + valueType);
      };
    } catch (NumberFormatException notNumber) {
      throw new IllegalArgumentException(where + ".to: '" + text + "' is not a number");
    } catch (RuntimeException invalid) {
      throw new IllegalArgumentException(where + ".to: " + invalid.getMessage(), invalid);
    }
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    if (!out.isWired(0)) {
      return;
    }
    if (edits != null) {
      edit(msg, out);
      return;
    }
    if (rules.length == 1) {
      Rule rule = rules[0];
      DirectBuffer value = valueOf(rule);
      if (!setSameLength(rule.path(), value, msg, out)) {
        setDirect(rule.path(), value, msg, out);
      }
      return;
    }
    DirectBuffer current = msg.buffer();
    int offset = msg.jsonOffset();
    int length = msg.jsonLength();
    ScratchBuffer next = first;
    for (Rule rule : rules) {
      DirectBuffer value = valueOf(rule);
      int patched = patch.prepare(current, offset, length, rule.path(), value.capacity());
      if (patched < 0) {
        context.warn("message body is not a JSON object; passed on unchanged");
        out.forward(0, msg);
        return;
      }
      UnsafeBuffer target = next.ensure(patched, 0);
      patch.write(value, 0, target, 0);
      current = target;
      offset = 0;
      length = patched;
      next = next == first ? second : first;
    }
    out.send(
        0,
        sent.json(current, offset, length)
            .binary(msg.buffer(), msg.binaryOffset(), msg.binaryLength()));
  }

  /** The slow path: parse, apply every rule to the tree, write it again. */
  @SuppressWarnings("unchecked")
  private void edit(MessageFlyweight msg, Output out) {
    byte[] json = new byte[msg.jsonLength()];
    msg.buffer().getBytes(msg.jsonOffset(), json);
    if (!(JsonCodec.parse(json) instanceof Map<?, ?> parsed)) {
      context.warn("message body is not a JSON object; passed on unchanged");
      out.forward(0, msg);
      return;
    }
    Map<String, Object> message = (Map<String, Object>) parsed;
    edits.apply(message, context.epochClock().time());
    UnsafeBuffer edited = new UnsafeBuffer(JsonCodec.write(message));
    out.send(
        0,
        sent.json(edited, 0, edited.capacity())
            .binary(msg.buffer(), msg.binaryOffset(), msg.binaryLength()));
  }

  /**
   * One rule, the cheap case: a top-level value of the new one's length (a hop counter, a flag),
   * found through the field index where the last message had it, overwritten where the input lies
   * when the engine passes the input on in place, else in a copy of the input's body (JSON, binary
   * payload and field index in one piece, which a value of the same length leaves valid). Kept
   * apart from {@link #setDirect} so that the compiler inlines it into {@link #onMessage}.
   *
   * @return whether the message was sent; false: nothing was done
   */
  private boolean setSameLength(
      byte[][] path, DirectBuffer value, MessageFlyweight msg, Output out) {
    if (path.length != 1) {
      return false;
    }
    int at = patch.sameLengthValue(msg, path[0], value.capacity());
    if (at < 0) {
      return false;
    }
    int jsonLength = msg.jsonLength();
    int indexLength = msg.indexLength();
    MessageFlyweight same = out.claimInPlace(0, msg, jsonLength, indexLength);
    if (same != null) {
      Bytes.copy(value, 0, (MutableDirectBuffer) same.buffer(), at, value.capacity());
      out.commit();
      return true;
    }
    // the next node is not run on this record (another worker's, or the input is shared): one
    // copy of the body instead of setDirect's patch, which cuts it around the edit
    int binaryLength = msg.binaryLength();
    int jsonOffset = msg.jsonOffset();
    DirectBuffer source = msg.buffer();
    MessageFlyweight claimed = out.claim(0, jsonLength, binaryLength, indexLength);
    MutableDirectBuffer destination = (MutableDirectBuffer) claimed.buffer();
    int to = claimed.jsonOffset();
    Bytes.copy(source, jsonOffset, destination, to, jsonLength + binaryLength + indexLength);
    Bytes.copy(value, 0, destination, to + (at - jsonOffset), value.capacity());
    out.commit();
    return true;
  }

  /**
   * One rule: patch straight into the claimed message, finding the field through the record's field
   * index and writing the result's index after it.
   */
  private void setDirect(byte[][] path, DirectBuffer value, MessageFlyweight msg, Output out) {
    int patched = patch.prepare(msg, path, value.capacity());
    if (patched < 0) {
      context.warn("message body is not a JSON object; passed on unchanged");
      out.forward(0, msg);
      return;
    }
    int binaryLength = msg.binaryLength();
    int indexLength = patch.resultIndexLength();
    // the input itself, edited where it lies, when the engine can pass it on without a copy
    MessageFlyweight same = out.claimInPlace(0, msg, patched, indexLength);
    if (same != null) {
      patch.writeInPlace(value, 0, (MutableDirectBuffer) same.buffer(), binaryLength);
      out.commit();
      return;
    }
    MessageFlyweight claimed = out.claim(0, patched, binaryLength, indexLength);
    MutableDirectBuffer destination = (MutableDirectBuffer) claimed.buffer();
    patch.write(value, 0, destination, claimed.jsonOffset());
    if (binaryLength > 0) {
      destination.putBytes(claimed.binaryOffset(), msg.buffer(), msg.binaryOffset(), binaryLength);
    }
    if (indexLength > 0) {
      patch.writeIndex(destination, claimed.indexOffset());
    }
    out.commit();
  }

  private DirectBuffer valueOf(Rule rule) {
    if (!rule.date()) {
      return rule.value();
    }
    long now = context.epochClock().time();
    int digits = 1;
    for (long rest = now / 10; rest > 0; rest /= 10) {
      digits++;
    }
    dateValue.wrap(dateValue.byteArray(), 0, digits);
    dateValue.putLongAscii(0, now);
    return dateValue;
  }
}
