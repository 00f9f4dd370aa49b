package dev.z8run.nodes.routing;

import dev.z8run.core.node.Cancellable;
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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code join}: puts sequences of messages back together, as Node-RED's Join.
 *
 * <ul>
 *   <li>{@code auto}: reassembles what a Split made, from {@code msg.parts} ({@code id, index,
 *       count, type: array|object|string, key, ch, len}), one group per {@code parts.id}.
 *   <li>{@code custom}: collects {@code msg[property]} into one group and sends it after {@code
 *       count} messages, {@code timeout} seconds after the first, or on a message with {@code
 *       msg.complete}; {@code build} makes an array, an object keyed by {@code msg[key]}, a string
 *       joined with {@code joiner}, or one object merged from the collected objects.
 * </ul>
 *
 * The message sent is the group's last message with {@code msg[property]} (auto: payload) replaced
 * and {@code parts} removed (or restored to the enclosing {@code parts.parts}). A message absorbed
 * into a group ends its own execution; the group goes on in the execution of the message that
 * completes it, or, on a timeout, of the group's first message, which the node keeps {@linkplain
 * Output#defer deferred} until then. At most {@code maxParts} messages are held over all groups;
 * past that a message is dropped with a warning. What the held messages take on the heap is counted
 * in the flow owner's share of the server's budget for held messages ({@link HeldMemory}); a
 * message past it is the node's error and is dropped.
 */
public final class JoinNode implements Node {
  public static final NodeType TYPE =
      NodeType.builder("join")
          .category("sequence")
          .description(
              "Joins sequences of messages (from Split, or by count, timeout or msg.complete).")
          .field(
              ConfigField.choice(
                  "mode",
                  "auto",
                  List.of("auto", "custom", "reduce"),
                  "auto: from msg.parts; custom: by count, timeout or msg.complete; reduce: fold"
                      + " each msg.parts sequence with reduceExp."))
          .field(
              ConfigField.choice(
                  "build",
                  "array",
                  List.of("array", "object", "string", "merged", "buffer"),
                  "custom: what to build (buffer: the parts' bytes, joined by joiner, as a binary"
                      + " payload)."))
          .field(
              ConfigField.optional(
                  "property", FieldType.STRING, "payload", "custom: the property collected."))
          .field(
              ConfigField.choice(
                  "propertyType",
                  "msg",
                  List.of("msg", "full"),
                  "custom: msg collects property; full collects each complete message."))
          .field(
              ConfigField.optional(
                  "key",
                  FieldType.STRING,
                  "topic",
                  "custom, object: the property holding the key."))
          .field(
              ConfigField.optional(
                  "joiner",
                  FieldType.STRING,
                  "\\n",
                  "custom, string and buffer: the separator (\\n is a newline)."))
          .field(
              ConfigField.choice(
                  "joinerType",
                  "str",
                  List.of("str", "bin"),
                  "str: joiner is text; bin: joiner is a JSON array of bytes ([44])."))
          .field(
              ConfigField.optional(
                      "count", FieldType.ANY, "", "custom: send after this many messages.")
                  .atLeast(0))
          .field(
              ConfigField.optional(
                      "timeout",
                      FieldType.ANY,
                      "",
                      "Send a group this many seconds after its first message.")
                  .atLeast(0))
          .field(
              ConfigField.optional(
                  "reduceExp",
                  FieldType.CODE,
                  "",
                  "reduce: JSONata folding each message into $A ($I its index, $N the count)."))
          .field(
              ConfigField.optional(
                  "reduceInit", FieldType.STRING, "", "reduce: the initial value of $A."))
          .field(
              ConfigField.choice(
                  "reduceInitType",
                  "str",
                  List.of("str", "num", "json", "bool", "jsonata", "env", "flow", "global"),
                  "reduce: the type of reduceInit (jsonata, env, flow and global are read when"
                      + " each sequence is reduced)."))
          .field(
              ConfigField.optional(
                  "reduceFixup",
                  FieldType.CODE,
                  "",
                  "reduce: JSONata applied to the result ($A, $N); empty: none."))
          .field(
              ConfigField.optional(
                  "reduceRight",
                  FieldType.BOOLEAN,
                  false,
                  "reduce: fold from the last index to the first."))
          .field(
              ConfigField.optional(
                  "accumulate",
                  FieldType.BOOLEAN,
                  false,
                  "custom: keep a sent group and send it again, with each later message added,"
                      + " until a message with msg.complete."))
          .field(
              ConfigField.optional(
                      "maxParts",
                      FieldType.INTEGER,
                      10_000,
                      "Messages held at most, over all groups.")
                  .atLeast(1))
          .factory(JoinNode::new)
          .build();

  /** One group being assembled. */
  private static final class Group {
    final int tag;
    final String type;
    final TreeMap<Integer, Object> byIndex = new TreeMap<>();
    final Map<String, Object> byKey = new LinkedHashMap<>();
    final List<Object> inOrder = new ArrayList<>();
    long expected = -1;

    /** Messages held in it (for maxParts); its size, what a count compares with, may differ. */
    int held;

    /** Where the assembled value goes: the configured property, or auto's msg.parts.property. */
    MessagePath target;

    String joiner = "";
    byte[] joinerBytes = new byte[0];
    Map<String, Object> last;
    Cancellable timer;

    /** The heap its messages take, in the node's {@link HeldMemory.Hold}. */
    long heldBytes;

    Group(int tag, String type) {
      this.tag = tag;
      this.type = type;
    }

    /**
     * What a count compares with, as Node-RED's {@code currentCount}: messages for an array or a
     * string, distinct keys for an object and for a merged object (held in {@link #byKey}).
     */
    int size() {
      return inOrder.size() + byIndex.size() + byKey.size();
    }
  }

  private final NodeContext context;
  private final boolean auto;
  private final String build;
  private final String property;
  private final MessagePath propertyPath;
  private final MessagePath keyPath;

  /** Node-RED's propertyType full: each complete message is collected, not one property. */
  private final boolean whole;

  private final String key;
  private final String joiner;
  private final byte[] joinerBytes;
  private final long count;
  private final boolean countBlank;
  private final long timeoutMs;
  private final long maxParts;
  private final boolean accumulate;
  private final JoinReduce reduce;
  private final Map<String, Group> groups = new HashMap<>();
  private final Map<Integer, String> groupsByTag = new HashMap<>();
  private long heldParts;
  private int nextTag;
  private final HeldMemory.Hold hold;

  private JoinNode(NodeContext context) {
    this.context = context;
    this.hold = HeldMemory.hold(context, "join");
    this.auto = context.configString("mode", "auto").equals("auto");
    this.reduce =
        context.configString("mode", "auto").equals("reduce")
            ? new JoinReduce(context, context.configLong("maxParts", 10_000), hold)
            : null;
    this.build = context.configString("build", "array");
    // as Node-RED (n.property || "payload"): an export of propertyType full has property ""
    String configured = context.configString("property", "payload").strip();
    this.property = configured.isEmpty() ? "payload" : configured;
    this.propertyPath = MessagePath.of(property, "property");
    this.whole = !auto && context.configString("propertyType", "msg").equals("full");
    String keyText = context.configString("key", "topic").strip();
    this.key = keyText.isEmpty() ? "topic" : keyText;
    this.keyPath = MessagePath.of(key, "key");
    this.joiner = context.configString("joiner", "\\n").replace("\\n", "\n").replace("\\t", "\t");
    this.joinerBytes =
        context.configString("joinerType", "str").equals("bin")
            ? bytes(JsonCodec.parse(joiner.isBlank() ? "[]" : joiner))
            : joiner.getBytes(StandardCharsets.UTF_8);
    this.count = Math.round(MessageBodies.number(context, "count", 0));
    Object configuredCount = context.config().get("count");
    this.countBlank = configuredCount == null || "".equals(configuredCount);
    this.timeoutMs = Math.round(MessageBodies.number(context, "timeout", 0) * 1000);
    this.maxParts = context.configLong("maxParts", 10_000);
    this.accumulate = context.configBoolean("accumulate", false);
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    Map<String, Object> body = MessageBodies.parse(msg);
    if (reduce != null) {
      reduce.onMessage(body, out, msg);
    } else if (auto) {
      onPart(body, msg, out);
    } else {
      onCustom(body, msg, out);
    }
  }

  private void onPart(Map<String, Object> body, MessageFlyweight msg, Output out) {
    if (!(body.get("parts") instanceof Map<?, ?> parts) || parts.get("id") == null) {
      // as Node-RED: a reset without parts drops every group; anything else is warned of
      if (body.containsKey("reset")) {
        for (Group group : List.copyOf(groups.values())) {
          drop(group);
        }
      } else {
        context.warn("Message missing msg.parts property - cannot join in 'auto' mode");
      }
      return;
    }
    if (body.containsKey("reset")) {
      Group open = groups.get(parts.get("id").toString());
      if (open != null) {
        drop(open);
      }
      return;
    }
    // Node-RED joins a sequence without parts.type (Batch makes them) into an array
    String type = parts.get("type") == null ? "array" : String.valueOf(parts.get("type"));
    if (!type.equals("array")
        && !type.equals("object")
        && !type.equals("string")
        && !type.equals("buffer")) {
      throw new IllegalArgumentException("msg.parts.type '" + type + "' is not supported");
    }
    long expected = parts.get("count") instanceof Number n ? n.longValue() : -1;
    Group group = group(parts.get("id").toString(), type, msg, out, body, false, expected);
    if (group == null) {
      return;
    }
    if (parts.get("count") instanceof Number n) {
      group.expected = n.longValue();
    }
    if (parts.get("ch") instanceof String ch) {
      group.joiner = ch;
      group.joinerBytes = ch.getBytes(StandardCharsets.UTF_8);
    } else if (parts.get("ch") != null) {
      // a Buffer (as JSON: {type: "Buffer", data: [...]}) or an array of bytes
      group.joinerBytes = bytes(parts.get("ch"));
      group.joiner = new String(group.joinerBytes, StandardCharsets.UTF_8);
    }
    String partsProperty =
        parts.get("property") instanceof String text && !text.isBlank() ? text : "payload";
    group.target = MessagePath.of(partsProperty, "msg.parts.property");
    Object value = partsProperty.equals("payload") ? payload(body, msg) : group.target.get(body);
    if (value == MessagePath.MISSING) {
      value = null;
    }
    if (type.equals("object")) {
      group.byKey.put(String.valueOf(parts.get("key")), value);
    } else {
      int index = parts.get("index") instanceof Number n ? n.intValue() : group.size();
      boolean chunk =
          type.equals("array") && parts.get("len") instanceof Number len && len.intValue() > 1;
      group.byIndex.put(index, chunk ? new Chunk(value) : value);
    }
    group.last = body;
    group.held++;
    heldParts++;
    if (group.expected >= 0 && group.size() >= group.expected || body.containsKey("complete")) {
      send(group, out, msg);
    }
  }

  /** A Split array chunk ({@code parts.len > 1}): flattened back into the array. */
  private record Chunk(Object values) {}

  private void onCustom(Map<String, Object> body, MessageFlyweight msg, Output out) {
    // as Node-RED: without a count, a message sequence (msg.parts) is joined by its own count
    long target = count;
    String id = "";
    if (countBlank && body.get("parts") instanceof Map<?, ?> parts) {
      target = parts.get("count") instanceof Number n ? n.longValue() : 0;
      id = parts.get("id") == null ? "" : String.valueOf(parts.get("id"));
    }
    if (body.containsKey("reset")) {
      Group open = groups.get(id);
      if (open != null) {
        drop(open);
      }
      return;
    }
    if (body.containsKey("restartTimeout")) {
      restartTimeout(groups.get(id), msg, out);
    }
    Object keyValue = build.equals("object") ? keyPath.get(body) : null;
    if (build.equals("object")
        && (keyValue == MessagePath.MISSING || keyValue == null || "".equals(keyValue))) {
      // as Node-RED: a message without a key only completes the object, else it is warned of
      Group open = groups.get(id);
      if (body.containsKey("complete") && open != null) {
        open.last = body;
        send(open, out, msg);
      } else if (!body.containsKey("complete")) {
        context.warn("Message missing key property 'msg." + key + "' - cannot add to object");
      }
      return;
    }
    Group group =
        group(id, build, msg, out, body, !accumulate && body.containsKey("complete"), target);
    if (group == null) {
      return;
    }
    group.target = propertyPath;
    Object value =
        whole
            ? new LinkedHashMap<>(body)
            : property.equals("payload") ? payload(body, msg) : propertyPath.get(body);
    boolean present =
        whole
            || (property.equals("payload")
                ? body.containsKey("payload") || msg.binaryLength() > 0
                : value != MessagePath.MISSING);
    if (present) {
      if (build.equals("object")) {
        group.byKey.put(String.valueOf(keyValue), value);
      } else if (build.equals("merged")) {
        merge(group, value, body);
      } else {
        group.inOrder.add(value);
      }
      group.held++;
      heldParts++;
    }
    group.joiner = joiner;
    group.joinerBytes = joinerBytes;
    group.last = body;
    if (body.containsKey("complete") || target > 0 && group.size() >= target) {
      send(group, out, msg);
    }
  }

  /**
   * The open group {@code id}, opened (with its timeout) if new, with the heap of the message now
   * held in it taken; null when the part is dropped ({@code maxParts}). A message that completes
   * its group ({@code complete}, or the {@code target} count reached) is sent at once and takes
   * nothing, so that a full share never keeps a group from being sent.
   *
   * @throws IllegalStateException when the message finds no room in the owner's share of the heap
   *     for held messages: the node's error, the message dropped, the groups as they were
   */
  private Group group(
      String id,
      String type,
      MessageFlyweight msg,
      Output out,
      Map<String, Object> body,
      boolean complete,
      long target) {
    Group group = groups.get(id);
    if (heldParts >= maxParts) {
      context.warn("join holds " + heldParts + " messages (maxParts): message dropped");
      return null;
    }
    boolean completes =
        complete || !accumulate && target > 0 && (group == null ? 0 : group.size()) + 1 >= target;
    long bytes = completes ? 0 : HeldMemory.messageBytes(body, msg);
    hold.take(bytes);
    if (group == null) {
      group = new Group(++nextTag, type);
      groups.put(id, group);
      groupsByTag.put(group.tag, id);
      if (timeoutMs > 0) {
        group.timer = out.defer(msg, timeoutMs, group.tag);
      }
    }
    group.heldBytes += bytes;
    return group;
  }

  /**
   * A merged group holds the merged object in {@link Group#byKey}, so that its size is its keys, as
   * Node-RED counts them; what is not an object is warned of (but for a message that completes).
   */
  private void merge(Group group, Object value, Map<String, Object> body) {
    if (value instanceof Map<?, ?> map) {
      map.forEach(
          (k, v) -> {
            if (!"_msgid".equals(k)) {
              group.byKey.put(String.valueOf(k), v);
            }
          });
    } else if (!body.containsKey("complete")) {
      context.warn("Cannot merge non-object types");
    }
  }

  /** Node-RED's msg.restartTimeout: the open group's timeout starts again from this message. */
  private void restartTimeout(Group group, MessageFlyweight msg, Output out) {
    if (group != null && timeoutMs > 0) {
      if (group.timer != null) {
        group.timer.cancel();
      }
      group.timer = out.defer(msg, timeoutMs, group.tag);
    }
  }

  /** Node-RED's msg.reset: the group is dropped unsent, its held messages and heap given back. */
  private void drop(Group group) {
    if (group.timer != null) {
      group.timer.cancel();
      group.timer = null;
    }
    groups.remove(groupsByTag.remove(group.tag));
    heldParts -= group.held;
    hold.give(group.heldBytes);
    group.heldBytes = 0;
  }

  @Override
  public void onStop() {
    hold.giveAll();
  }

  @Override
  public void onDeferred(MessageFlyweight msg, int tag, Output out) {
    String id = groupsByTag.get(tag);
    if (id != null) {
      send(groups.get(id), out, msg);
    }
  }

  private void send(Group group, Output out, MessageFlyweight binaryOf) {
    boolean keep = accumulate && !auto && group.last != null && !group.last.containsKey("complete");
    if (!keep) {
      String id = groupsByTag.remove(group.tag);
      groups.remove(id);
      heldParts -= group.held;
      hold.give(group.heldBytes);
      group.heldBytes = 0;
    }
    if (group.timer != null) {
      group.timer.cancel();
      group.timer = null;
    }
    Map<String, Object> result =
        group.last == null ? new LinkedHashMap<>() : new LinkedHashMap<>(group.last);
    result.remove("complete");
    if (auto) {
      Object enclosing = result.get("parts") instanceof Map<?, ?> parts ? parts.get("parts") : null;
      result.remove("parts");
      if (enclosing != null) {
        result.put("parts", enclosing);
      }
    }
    Object assembled = assemble(group);
    MessagePath target = group.target == null ? propertyPath : group.target;
    boolean toPayload = target.text().equals("payload");
    if (assembled instanceof byte[] bytes) {
      if (toPayload) {
        result.remove("payload"); // a binary payload travels beside the JSON
        MessageBodies.send(out, 0, result, new UnsafeBuffer(bytes), 0, bytes.length);
        return;
      }
      assembled = bufferJson(bytes);
    }
    target.set(result, assembled);
    // the parts' binary payloads are in what was assembled: the last one's is not kept beside it
    MessageBodies.send(out, 0, result, toPayload ? null : binaryOf);
  }

  /** A part's payload: its binary payload's bytes when it has one, else the JSON value. */
  private static Object payload(Map<String, Object> body, MessageFlyweight msg) {
    if (msg.binaryLength() > 0) {
      byte[] bytes = new byte[msg.binaryLength()];
      msg.buffer().getBytes(msg.binaryOffset(), bytes);
      return new Bytes(bytes);
    }
    return body.get("payload");
  }

  /** A binary payload held in a group. */
  private record Bytes(byte[] bytes) {}

  /** Bytes from a Buffer's JSON ({type: "Buffer", data: [...]}), an array of numbers or text. */
  private static byte[] bytes(Object value) {
    if (value instanceof Bytes held) {
      return held.bytes();
    }
    if (value instanceof Map<?, ?> buffer && buffer.get("data") instanceof List<?> data) {
      value = data;
    }
    if (value instanceof List<?> list) {
      byte[] bytes = new byte[list.size()];
      for (int i = 0; i < bytes.length; i++) {
        if (!(list.get(i) instanceof Number n)) {
          throw new IllegalArgumentException("a byte array holds only numbers: " + list);
        }
        bytes[i] = (byte) n.intValue();
      }
      return bytes;
    }
    String text = value instanceof String string ? string : JsonCodec.writeString(value);
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** A held binary payload as a Buffer's JSON; other values as they are. */
  private static Object plain(Object value) {
    return value instanceof Bytes held ? bufferJson(held.bytes()) : value;
  }

  private static Map<String, Object> bufferJson(byte[] bytes) {
    List<Object> data = new ArrayList<>(bytes.length);
    for (byte b : bytes) {
      data.add(b & 0xFF);
    }
    return Map.of("type", "Buffer", "data", data);
  }

  private Object assemble(Group group) {
    List<Object> values = new ArrayList<>(group.inOrder);
    if (!group.type.equals("buffer") && !group.type.equals("string")) {
      values.replaceAll(JoinNode::plain);
      group.byKey.replaceAll((k, v) -> plain(v));
    }
    int next = 0;
    for (Map.Entry<Integer, Object> entry : group.byIndex.entrySet()) {
      // as a JavaScript array sent before its every index arrived (msg.complete): holes are null
      for (; next < entry.getKey() && next >= 0 && !group.type.equals("buffer"); next++) {
        values.add(group.type.equals("string") ? "" : null);
      }
      next = entry.getKey() + 1;
      Object value = entry.getValue();
      if (value instanceof Chunk chunk && chunk.values() instanceof List<?> list) {
        values.addAll(list);
      } else {
        Object one = value instanceof Chunk chunk ? chunk.values() : value;
        values.add(group.type.equals("buffer") || group.type.equals("string") ? one : plain(one));
      }
    }
    return switch (group.type) {
      case "object", "merged" -> new LinkedHashMap<>(group.byKey);
      case "string" -> {
        List<String> texts = new ArrayList<>();
        for (Object value : values) {
          texts.add(
              value instanceof String text
                  ? text
                  : value instanceof Bytes held
                      ? new String(held.bytes(), StandardCharsets.UTF_8)
                      : JsonCodec.writeString(value));
        }
        yield String.join(group.joiner, texts);
      }
      case "buffer" -> {
        java.io.ByteArrayOutputStream joined = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < values.size(); i++) {
          if (i > 0) {
            joined.writeBytes(group.joinerBytes);
          }
          joined.writeBytes(bytes(values.get(i)));
        }
        yield joined.toByteArray();
      }
      default -> values;
    };
  }
}
