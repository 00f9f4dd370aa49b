package dev.z8run.nodes.timing;

import dev.z8run.core.node.Cancellable;
import dev.z8run.core.node.ContextStore;
import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeCost;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.json.FieldIndex;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.message.MessageBodyView;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.EnvValues;
import dev.z8run.nodes.support.JsonataExpression;
import dev.z8run.nodes.support.MessageBodies;
import dev.z8run.nodes.support.MessagePath;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code inject}: starts executions with a configured message, in Node-RED's inject config shape
 * ({@code props}, {@code payload}/{@code payloadType}, {@code topic}, {@code repeat}, {@code
 * crontab}, {@code once}, {@code onceDelay}): when the engine's inject command fires it (the API,
 * the editor), once after deploy, every {@code repeat} seconds, or on a cron schedule. Fired with
 * an empty message {@code {}} it sends its configured message, evaluated at that moment (a {@code
 * date} is the time of sending); fired with any other message it sends that message as is.
 *
 * <p>Timing is Node-RED's: with {@code once}, one message {@code onceDelay} seconds after deploy (0
 * counts as 0.1, as there), and only then the {@code repeat} interval or the {@code crontab}
 * starts, so that once + repeat sends at onceDelay, onceDelay + repeat, onceDelay + 2 * repeat...
 */
public final class InjectNode implements Node {
  public static final NodeType TYPE =
      NodeType.builder("inject")
          .category("common")
          .description(
              "Starts a flow by hand, from the API, on deploy, at an interval or on a cron schedule.")
          .inputs()
          .field(
              ConfigField.optional(
                  "props",
                  FieldType.ARRAY,
                  null,
                  "Properties to set: [{p: name, v: value, vt:"
                      + " date|json|str|num|bool|env|jsonata|flow|global}]; p payload/topic"
                      + " without v take payload/topic."))
          .field(
              ConfigField.optional(
                  "payload", FieldType.ANY, null, "msg.payload; the time in ms when absent."))
          .field(
              ConfigField.optional(
                  "payloadType",
                  FieldType.STRING,
                  "",
                  "How payload is read: date, json, str, num, bool, env, jsonata, flow, global;"
                      + " empty: the JSON value."))
          .field(ConfigField.optional("topic", FieldType.STRING, "", "msg.topic."))
          .field(
              ConfigField.optional(
                  "repeat", FieldType.ANY, "", "Seconds between injections; empty or 0: none."))
          .field(
              ConfigField.optional(
                  "crontab", FieldType.STRING, "", "Cron expression to inject on (5 or 6 fields)."))
          .field(
              ConfigField.optional(
                  "timezone", FieldType.STRING, "", "Time zone of crontab (IANA id)."))
          .field(
              ConfigField.optional("once", FieldType.BOOLEAN, false, "Inject once after deploy."))
          .field(
              ConfigField.optional(
                  "onceDelay", FieldType.ANY, 0.1, "Seconds after deploy for the once injection."))
          .cost(NodeCost.LIGHT)
          .factory(InjectNode::new)
          .build();

  private static final List<String> VALUE_TYPES =
      List.of("", "date", "json", "str", "num", "bool", "env", "jsonata", "flow", "global");
  private static final byte[] EMPTY = {'{', '}'};

  /**
   * One property of the message: its name, raw value and value type, and its compiled JSONata
   * expression when the type is {@code jsonata}.
   */
  private record Prop(String name, Object value, String type, JsonataExpression expression) {
    Prop(String name, Object value, String type) {
      this(name, value, type, null);
    }
  }

  private final NodeContext context;
  private final List<Prop> props;

  /** Where each of {@link #props} goes: a property path ({@code deep.x}), as in Node-RED. */
  private final List<MessagePath> paths = new ArrayList<>();

  private final Ticker ticker;
  private final long onceDelayMs;
  private final boolean once;
  private volatile Cancellable onceTask;

  /** The message being sent (its JSON and field index); onMessage runs on one thread at a time. */
  private final MessageBodyView body = new MessageBodyView();

  private final UnsafeBuffer index = new UnsafeBuffer(new byte[FieldIndex.MAX_INDEX_BYTES]);

  private InjectNode(NodeContext context) {
    this.context = context;
    this.props = props(context);
    for (int i = 0; i < props.size(); i++) {
      try {
        paths.add(MessagePath.of(props.get(i).name()));
      } catch (IllegalArgumentException bad) {
        throw new IllegalArgumentException("props[" + i + "].p: " + bad.getMessage());
      }
    }
    this.once = context.configBoolean("once", false);
    double onceDelay = MessageBodies.number(context, "onceDelay", 0.1);
    if (onceDelay < 0) {
      throw new IllegalArgumentException("onceDelay: must not be negative");
    }
    this.onceDelayMs = Math.round((onceDelay == 0 ? 0.1 : onceDelay) * 1000);
    this.ticker = schedule(context);
    for (Prop prop : props) {
      evaluate(prop);
    }
  }

  private Ticker schedule(NodeContext context) {
    String crontab = context.configString("crontab", "").trim();
    if (!crontab.isEmpty()) {
      CronSchedule cron;
      try {
        cron = new CronSchedule(crontab, TimerNode.zone(context, "timezone"));
      } catch (IllegalArgumentException bad) {
        throw new IllegalArgumentException("crontab: " + bad.getMessage());
      }
      return new Ticker(context, Ticker.cron(cron), this::fire);
    }
    double repeat = MessageBodies.number(context, "repeat", 0);
    if (repeat < 0) {
      throw new IllegalArgumentException("repeat: must not be negative");
    }
    if (repeat == 0) {
      return null;
    }
    long intervalMs = Math.max(1, Math.round(repeat * 1000));
    // with once, the interval starts when the once message goes: first repeat one interval later
    long anchor = context.epochClock().time() + (once ? onceDelayMs + intervalMs : 0);
    return new Ticker(context, Ticker.every(intervalMs, anchor), this::fire);
  }

  private static List<Prop> props(NodeContext context) {
    String payloadType = context.configString("payloadType", "");
    Object payload = context.config().get("payload");
    String topic = context.configString("topic", "");
    Object configured = context.config().get("props");
    List<Prop> result = new ArrayList<>();
    List<?> list =
        configured == null
            ? List.of(Map.of("p", "payload"), Map.of("p", "topic"))
            : (List<?>) configured;
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof Map<?, ?> prop) || !(prop.get("p") instanceof String name)) {
        throw new IllegalArgumentException("props[" + i + "]: expected {p: name, v, vt}");
      }
      if (name.equals("payload") && !prop.containsKey("v")) {
        result.add(new Prop(name, payload, payloadType));
      } else if (name.equals("topic") && !prop.containsKey("v")) {
        result.add(new Prop(name, topic, "str"));
      } else {
        Object type = prop.get("vt");
        result.add(new Prop(name, prop.get("v"), type == null ? "str" : type.toString()));
      }
    }
    for (int i = 0; i < result.size(); i++) {
      Prop prop = result.get(i);
      if (prop.type().equals("string")) {
        // a spelling some of Node-RED's own examples use: Node-RED takes the value as it is
        result.set(i, new Prop(prop.name(), prop.value(), "str"));
      } else if (prop.type().equals("jsonata")) {
        String where = configured == null ? "payload" : "props[" + i + "].v";
        result.set(
            i,
            new Prop(
                prop.name(),
                prop.value(),
                "jsonata",
                JsonataExpression.compile(
                    where, prop.value() == null ? "" : prop.value().toString())));
      }
    }
    for (int i = 0; i < result.size(); i++) {
      if (!VALUE_TYPES.contains(result.get(i).type())) {
        throw new IllegalArgumentException(
            (configured == null ? "payloadType" : "props[" + i + "].vt")
                + ": value type '"
                + result.get(i).type()
                + "' is not supported (supported: date, json, str, num, bool, env, jsonata, flow,"
                + " global)");
      }
      Prop prop = result.get(i);
      if (prop.type().equals("env")) {
        EnvValues.lookup("props[" + i + "].v", String.valueOf(prop.value()), context.environment());
      }
    }
    return List.copyOf(result);
  }

  /** The value of {@code prop} now. */
  private Object evaluate(Prop prop) {
    Object v = prop.value();
    return switch (prop.type()) {
      case "date" -> context.epochClock().time();
      case "json" -> v instanceof String text ? parseJson(prop.name(), text) : v;
      case "str" -> v == null ? "" : v instanceof String text ? text : JsonCodec.writeString(v);
      case "num" -> number(prop.name(), v);
      case "bool" -> Boolean.TRUE.equals(v) || "true".equals(v);
      case "env" -> EnvValues.lookup(prop.name(), String.valueOf(v), context.environment());
      case "flow" -> contextValue(context.flowContext(), v);
      case "global" -> contextValue(context.globalContext(), v);
      case "jsonata" -> {
        Object result = prop.expression().evaluate(Map.of());
        yield result == MessagePath.MISSING ? null : result;
      }
      default -> v == null && prop.name().equals("payload") ? context.epochClock().time() : v;
    };
  }

  /** A context value named by a Node-RED path ({@code counter}, {@code settings.limit}). */
  private static Object contextValue(ContextStore store, Object key) {
    if (key == null || key.toString().isBlank()) {
      return null;
    }
    String path = key.toString().strip();
    int dot = path.indexOf('.');
    int bracket = path.indexOf('[');
    int cut = dot < 0 ? bracket : bracket < 0 ? dot : Math.min(dot, bracket);
    if (cut < 0) {
      return store.get(path);
    }
    Object root = store.get(path.substring(0, cut));
    Object value =
        MessagePath.of(path).get(Map.of(path.substring(0, cut), root == null ? Map.of() : root));
    return value == MessagePath.MISSING ? null : value;
  }

  private static Object parseJson(String name, String text) {
    try {
      return text.isBlank() ? null : JsonCodec.parse(text);
    } catch (RuntimeException invalid) {
      throw new IllegalArgumentException(name + ": invalid JSON: " + invalid.getMessage());
    }
  }

  private static Object number(String name, Object v) {
    if (v instanceof Number number) {
      return number;
    }
    String text = v == null ? "" : v.toString().trim();
    if (text.isEmpty()) {
      return 0;
    }
    try {
      double parsed = Double.parseDouble(text);
      return parsed == Math.rint(parsed) && Math.abs(parsed) < 1e15
          ? (Object) (long) parsed
          : parsed;
    } catch (NumberFormatException notANumber) {
      throw new IllegalArgumentException(name + ": '" + text + "' is not a number");
    }
  }

  @Override
  public void onStart() {
    boolean cron = !context.configString("crontab", "").isBlank();
    if (once) {
      onceTask =
          context.schedule(
              () -> {
                fire(0, 0);
                if (cron && ticker != null) {
                  ticker.start(); // Node-RED starts the schedule after the once message
                }
              },
              onceDelayMs);
    }
    if (ticker != null && (!once || !cron)) {
      ticker.start();
    }
  }

  private boolean fire(long tick, long missed) {
    return context.tryTrigger(EMPTY);
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    if (!isEmptyObject(msg)) {
      out.forward(0, msg);
      return;
    }
    Map<String, Object> message = new LinkedHashMap<>();
    for (int i = 0; i < props.size(); i++) {
      Object value = evaluate(props.get(i));
      if (value != MessagePath.MISSING) { // JSONata's undefined: Node-RED sets nothing
        paths.get(i).set(message, value);
      }
    }
    byte[] json = JsonCodec.write(message);
    UnsafeBuffer written = new UnsafeBuffer(json);
    // the message carries its field index, as http-in's do: the nodes after this one reach
    // msg.payload and msg.topic without scanning the body for them
    int indexLength = FieldIndex.build(written, 0, json.length, index, 0);
    out.send(0, body.json(written, 0, json.length).index(index, 0, indexLength));
  }

  @Override
  public void onStop() {
    Cancellable task = onceTask;
    if (task != null) {
      task.cancel();
    }
    if (ticker != null) {
      ticker.stop();
    }
  }

  /**
   * Whether the body is {@code {}} (blanks allowed): the inject command fired without a message.
   */
  private static boolean isEmptyObject(MessageFlyweight msg) {
    int end = msg.jsonOffset() + msg.jsonLength();
    int seen = 0;
    for (int i = msg.jsonOffset(); i < end; i++) {
      byte b = msg.buffer().getByte(i);
      if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
        continue;
      }
      if (seen == 0 && b == '{' || seen == 1 && b == '}') {
        seen++;
      } else {
        return false;
      }
    }
    return seen == 0 || seen == 2;
  }
}
