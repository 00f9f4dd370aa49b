package dev.z8run.nodes.transform;

import dev.z8run.core.node.ContextStore;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.NodeEnvironment;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.support.BoundedText;
import dev.z8run.nodes.support.ContextValues;
import dev.z8run.nodes.support.EnvValues;
import dev.z8run.nodes.support.JsonataExpression;
import dev.z8run.nodes.support.MessagePath;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The change node's rules applied to a parsed message: Node-RED's {@code set}, {@code change}
 * (search and replace, a string or a regular expression), {@code delete} and {@code move}, on
 * message properties or flow and global context ({@code pt}), values of every type the node knows
 * ({@code str}, {@code num}, {@code bool}, {@code json}, {@code date}, {@code msg}, {@code flow},
 * {@code global}, {@code env}, {@code jsonata} with {@code $flowContext}, {@code $globalContext}
 * and {@code $env}) and bracket paths ({@code payload.items[0]}). The slow path of {@link
 * ChangeNode}: it parses the body, edits the tree and writes it again.
 */
final class ChangeRules {
  static final List<String> KINDS = List.of("set", "change", "delete", "move");
  static final List<String> TARGETS = List.of("msg", "flow", "global");
  static final List<String> VALUE_TYPES =
      List.of("str", "num", "bool", "json", "date", "msg", "flow", "global", "env", "jsonata");
  static final List<String> FROM_TYPES =
      List.of("str", "num", "bool", "re", "env", "msg", "flow", "global");

  /** The flow and global stores and the node's env values the rules may read and write. */
  record Contexts(
      ContextStore flow,
      ContextStore global,
      Map<String, Object> env,
      NodeEnvironment environment,
      NodeContext node) {
    ContextStore store(String type) {
      return type.equals("flow") ? flow : global;
    }
  }

  /** Where a rule's value comes from, worked out per message. */
  private interface Value {
    Object of(Map<String, Object> msg, long nowMs);
  }

  /** What a rule reads and writes: a message property or a context property. */
  private interface Target {
    Object get(Map<String, Object> msg);

    void set(Map<String, Object> msg, Object value);

    void remove(Map<String, Object> msg);
  }

  private record MessageTarget(MessagePath path) implements Target {
    @Override
    public Object get(Map<String, Object> msg) {
      return path.get(msg);
    }

    @Override
    public void set(Map<String, Object> msg, Object value) {
      path.set(msg, value);
    }

    @Override
    public void remove(Map<String, Object> msg) {
      path.remove(msg);
    }
  }

  private record ContextTarget(ContextStore store, ContextValues.Property property)
      implements Target {
    @Override
    public Object get(Map<String, Object> msg) {
      return ContextValues.get(store, property);
    }

    @Override
    public void set(Map<String, Object> msg, Object value) {
      ContextValues.set(store, property, value);
    }

    @Override
    public void remove(Map<String, Object> msg) {
      ContextValues.set(store, property, MessagePath.MISSING);
    }
  }

  private record Constant(Object value) implements Value {
    @Override
    public Object of(Map<String, Object> msg, long nowMs) {
      return copy(value);
    }
  }

  private record Property(MessagePath path) implements Value {
    @Override
    public Object of(Map<String, Object> msg, long nowMs) {
      return copy(path.get(msg));
    }
  }

  private record Now(boolean iso) implements Value {
    @Override
    public Object of(Map<String, Object> msg, long nowMs) {
      return iso ? Instant.ofEpochMilli(nowMs).toString() : (Object) nowMs;
    }
  }

  private record Expression(JsonataExpression expression) implements Value {
    @Override
    public Object of(Map<String, Object> msg, long nowMs) {
      return expression.evaluate(msg);
    }
  }

  private record Context(Target target) implements Value {
    @Override
    public Object of(Map<String, Object> msg, long nowMs) {
      return target.get(msg);
    }
  }

  private sealed interface Rule permits SetRule, ChangeRule, DeleteRule, MoveRule {}

  private record SetRule(Target path, Value to) implements Rule {}

  /**
   * @param wholeValue the from text a whole string (or number, boolean) must equal to be replaced
   *     by the typed value; null for a regular expression
   */
  private record ChangeRule(
      Target path, Pattern from, String wholeValue, String fromType, boolean regex, Value to)
      implements Rule {}

  private record DeleteRule(Target path) implements Rule {}

  private record MoveRule(Target path, Target to) implements Rule {}

  private final Rule[] rules;

  /** The node whose worker a long regular expression lets go of ({@link BoundedText}). */
  private final NodeContext node;

  private ChangeRules(Rule[] rules, NodeContext node) {
    this.rules = rules;
    this.node = node;
  }

  /**
   * Whether {@code rule} can take the byte-patching fast path: a {@code set} of a constant ({@code
   * str}, {@code num}, {@code bool}, {@code json}, {@code date} in milliseconds) on a dotted path
   * of object keys below {@code msg}.
   */
  static boolean patchable(Object raw) {
    if (!(raw instanceof Map<?, ?> rule)) {
      return true; // refused by the fast path's compiler, with its message
    }
    Object target = rule.get("pt") == null ? "msg" : rule.get("pt");
    Object type = rule.get("tot") == null ? "str" : rule.get("tot");
    return "set".equals(rule.get("t"))
        && "msg".equals(target)
        && List.of("str", "num", "bool", "json", "date").contains(type)
        && !(type.equals("date") && rule.get("dft") != null && !"".equals(rule.get("dft")))
        && !(rule.get("p") instanceof String p && (p.indexOf('[') >= 0 || p.startsWith("msg.")));
  }

  /**
   * Compiles a rule list.
   *
   * @throws IllegalArgumentException naming the rule and field at fault ({@code rules[1].tot: ...})
   */
  static ChangeRules compile(List<?> list, Contexts contexts) {
    Rule[] rules = new Rule[list.size()];
    for (int i = 0; i < rules.length; i++) {
      rules[i] = compile("rules[" + i + "]", list.get(i), contexts);
    }
    return new ChangeRules(rules, contexts.node());
  }

  private static Rule compile(String where, Object raw, Contexts contexts) {
    if (!(raw instanceof Map<?, ?> rule)) {
      throw new IllegalArgumentException(
          where + ": expected an object, got " + JsonCodec.describe(raw));
    }
    Object kind = rule.get("t");
    if (!KINDS.contains(kind)) {
      throw new IllegalArgumentException(
          where + ".t: unknown rule kind '" + kind + "' (supported: set, change, delete, move)");
    }
    Object targetType = rule.get("pt") == null ? "msg" : rule.get("pt");
    if (!TARGETS.contains(targetType)) {
      throw new IllegalArgumentException(
          where + ".pt: '" + targetType + "' is not msg, flow or global");
    }
    Target path = target(where + ".p", (String) targetType, rule.get("p"), contexts);
    return switch ((String) kind) {
      case "set" -> new SetRule(path, value(where, rule, contexts));
      case "change" -> change(where, path, rule, contexts);
      case "delete" -> new DeleteRule(path);
      case "move" -> {
        Object toType = rule.get("tot") == null ? "msg" : rule.get("tot");
        if (!TARGETS.contains(toType)) {
          throw new IllegalArgumentException(
              where + ".tot: a move goes to msg, flow or global, got '" + toType + "'");
        }
        yield new MoveRule(path, target(where + ".to", (String) toType, rule.get("to"), contexts));
      }
      default -> throw new IllegalStateException("unchecked rule kind " + kind);
    };
  }

  private static Target target(String where, String type, Object raw, Contexts contexts) {
    if (type.equals("msg")) {
      return new MessageTarget(path(where, raw));
    }
    if (!(raw instanceof String property) || property.isBlank()) {
      throw new IllegalArgumentException(where + ": a context property name is required");
    }
    return new ContextTarget(contexts.store(type), ContextValues.property(where, property));
  }

  private static MessagePath path(String where, Object raw) {
    if (!(raw instanceof String property) || property.isBlank()) {
      throw new IllegalArgumentException(where + ": a property path such as payload.x is required");
    }
    try {
      return MessagePath.of(property);
    } catch (IllegalArgumentException bad) {
      throw new IllegalArgumentException(where + ": " + bad.getMessage());
    }
  }

  private static Value value(String where, Map<?, ?> rule, Contexts contexts) {
    String type = rule.get("tot") == null ? "str" : rule.get("tot").toString();
    Object to = rule.get("to");
    String text = to == null ? "" : to instanceof String s ? s : JsonCodec.writeString(to);
    try {
      return switch (type) {
        case "str" -> new Constant(to instanceof String || to == null ? text : to.toString());
        case "num" -> new Constant(to instanceof Number ? to : number(text));
        case "bool" -> {
          if (!text.equals("true") && !text.equals("false")) {
            throw new IllegalArgumentException("expected true or false, got '" + text + "'");
          }
          yield new Constant(Boolean.valueOf(text));
        }
        case "json" -> new Constant(to instanceof String ? JsonCodec.parse(text) : to);
        case "date" -> new Now("iso".equals(rule.get("dft")));
        case "msg" -> new Property(MessagePath.of(text));
        case "flow", "global" -> new Context(target(where + ".to", type, text, contexts));
        case "env" ->
            new Constant(
                contexts.env() != null && contexts.env().containsKey(text.strip())
                    ? contexts.env().get(text.strip())
                    : EnvValues.lookup(where + ".to", text, contexts.environment()));
        case "jsonata" ->
            new Expression(
                JsonataExpression.compile(where + ".to", text)
                    .withNodeRedFunctions(
                        contexts.flow(), contexts.global(), contexts.env(), contexts.environment())
                    .releasing(contexts.node()));
        default ->
            throw new UnsupportedOperationException(
                "value type '"
                    + type
                    + "' is not supported (supported: "
                    + String.join(", ", VALUE_TYPES)
                    + ")");
      };
    } catch (UnsupportedOperationException unsupported) {
      throw new IllegalArgumentException(where + ".tot: " + unsupported.getMessage());
    } catch (NumberFormatException notNumber) {
      throw new IllegalArgumentException(where + ".to: '" + text + "' is not a number");
    } catch (IllegalArgumentException invalid) {
      String message = invalid.getMessage();
      throw new IllegalArgumentException(
          message.startsWith(where) ? message : where + ".to: " + message, invalid);
    } catch (RuntimeException invalid) {
      throw new IllegalArgumentException(where + ".to: " + invalid.getMessage(), invalid);
    }
  }

  private static Object number(String text) {
    BigDecimal number = new BigDecimal(text.strip());
    try {
      return number.scale() <= 0 ? (Object) number.longValueExact() : number;
    } catch (ArithmeticException tooLarge) {
      return number;
    }
  }

  private static Rule change(String where, Target path, Map<?, ?> rule, Contexts contexts) {
    String fromType = rule.get("fromt") == null ? "str" : rule.get("fromt").toString();
    if (!FROM_TYPES.contains(fromType)) {
      throw new IllegalArgumentException(
          where
              + ".fromt: search type '"
              + fromType
              + "' is not supported (supported: "
              + String.join(", ", FROM_TYPES)
              + ")");
    }
    Object from = rule.get("from");
    String text = from == null ? "" : from instanceof String s ? s : JsonCodec.writeString(from);
    if (fromType.equals("env")) {
      text = EnvValues.lookup(where + ".from", text, contexts.environment());
      fromType = "str";
    } else if (!fromType.equals("str")
        && !fromType.equals("num")
        && !fromType.equals("bool")
        && !fromType.equals("re")) {
      // a search value from msg, flow or global: Node-RED reads it once per message; here when
      // the flow starts is not enough, so it is refused rather than read with another meaning
      throw new IllegalArgumentException(
          where
              + ".fromt: searching for a value taken from "
              + fromType
              + " is not supported; search for a fixed value or a regular expression");
    }
    if (text.isEmpty()) {
      throw new IllegalArgumentException(where + ".from: the text to search for is empty");
    }
    boolean regex = fromType.equals("re");
    Pattern pattern;
    try {
      pattern = Pattern.compile(regex ? text : Pattern.quote(text));
    } catch (PatternSyntaxException bad) {
      throw new IllegalArgumentException(
          where + ".from: invalid regular expression: " + bad.getDescription());
    }
    return new ChangeRule(
        path, pattern, regex ? null : text, fromType, regex, value(where, rule, contexts));
  }

  /** Applies every rule, in order, to {@code msg}. */
  void apply(Map<String, Object> msg, long nowMs) {
    for (Rule rule : rules) {
      switch (rule) {
        case SetRule set -> {
          Object value = set.to().of(msg, nowMs);
          if (value == MessagePath.MISSING) {
            set.path().remove(msg);
          } else {
            set.path().set(msg, value);
          }
        }
        case ChangeRule change -> change(change, msg, nowMs);
        case DeleteRule delete -> delete.path().remove(msg);
        case MoveRule move -> {
          Object value = move.path().get(msg);
          if (value != MessagePath.MISSING) {
            move.path().remove(msg);
            move.to().set(msg, value);
          }
        }
      }
    }
  }

  private void change(ChangeRule rule, Map<String, Object> msg, long nowMs) {
    Object current = rule.path().get(msg);
    if (current instanceof String text) {
      if (rule.wholeValue() != null && text.equals(rule.wholeValue())) {
        set(rule, msg, rule.to().of(msg, nowMs));
        return;
      }
      Matcher matcher = rule.from().matcher(new BoundedText(rule.from(), node).wrap(text));
      if (!matcher.find()) {
        return;
      }
      Object to = rule.to().of(msg, nowMs);
      String replacement = to instanceof String s ? s : JsonCodec.writeString(to);
      rule.path()
          .set(
              msg,
              matcher.replaceAll(
                  rule.regex()
                      ? javaReplacement(replacement)
                      : Matcher.quoteReplacement(replacement)));
    } else if (current instanceof Number number && rule.fromType().equals("num")) {
      if (new BigDecimal(number.toString()).compareTo(new BigDecimal(rule.wholeValue().strip()))
          == 0) {
        set(rule, msg, rule.to().of(msg, nowMs));
      }
    } else if (current instanceof Boolean bool && rule.fromType().equals("bool")) {
      if (bool.toString().equals(rule.wholeValue())) {
        set(rule, msg, rule.to().of(msg, nowMs));
      }
    }
  }

  private static void set(ChangeRule rule, Map<String, Object> msg, Object value) {
    if (value == MessagePath.MISSING) {
      rule.path().remove(msg);
    } else {
      rule.path().set(msg, value);
    }
  }

  /**
   * A JavaScript replacement string ({@code $1}, {@code $&}, {@code $<name>}, {@code $$}, literal
   * backslashes) as the {@link Matcher#replaceAll} equivalent.
   */
  static String javaReplacement(String js) {
    StringBuilder java = new StringBuilder(js.length() + 8);
    for (int i = 0; i < js.length(); i++) {
      char c = js.charAt(i);
      if (c == '\\') {
        java.append("\\\\");
      } else if (c == '$' && i + 1 < js.length()) {
        char next = js.charAt(i + 1);
        int close = js.indexOf('>', i);
        if (next == '&') {
          java.append("$0");
          i++;
        } else if (Character.isDigit(next)) {
          java.append('$');
        } else if (next == '<' && close > i + 2) {
          java.append("${").append(js, i + 2, close).append('}');
          i = close;
        } else if (next == '$') {
          java.append("\\$");
          i++;
        } else {
          java.append("\\$");
        }
      } else if (c == '$') {
        java.append("\\$");
      } else {
        java.append(c);
      }
    }
    return java.toString();
  }

  /** A deep copy of a parsed JSON value, so that two properties never share a map or list. */
  @SuppressWarnings("unchecked")
  static Object copy(Object value) {
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        copy.put((String) entry.getKey(), copy(entry.getValue()));
      }
      return copy;
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      for (Object element : list) {
        copy.add(copy(element));
      }
      return copy;
    }
    return value;
  }
}
