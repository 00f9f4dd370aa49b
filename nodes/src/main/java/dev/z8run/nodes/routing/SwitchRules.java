package dev.z8run.nodes.routing;

import dev.z8run.core.node.NodeContext;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.support.BoundedText;
import dev.z8run.nodes.support.ContextValues;
import dev.z8run.nodes.support.EnvValues;
import dev.z8run.nodes.support.JsonataExpression;
import dev.z8run.nodes.support.MessagePath;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Node-RED's switch rules on a parsed message, with Node-RED's own semantics ({@code
 * 10-switch.js}): the tested property may come from the message, flow or global context, an
 * environment variable or a JSONata expression ({@code propertyType}); a rule's values may too,
 * plus {@code prev} (the property's value for the previous message); rules include {@code
 * jsonata_exp} (the expression is true), {@code hask} (the object has the key) and the sequence
 * rules {@code head}, {@code tail} and {@code index} (on {@code msg.parts}). Comparisons are
 * JavaScript's ({@link JsValues}). The switch node's general path: it parses each message, where
 * {@link PropertyTest} reads message properties in place.
 */
final class SwitchRules {
  static final List<String> KINDS =
      List.of(
          "eq",
          "neq",
          "lt",
          "lte",
          "gt",
          "gte",
          "btwn",
          "cont",
          "regex",
          "true",
          "false",
          "null",
          "nnull",
          "empty",
          "nempty",
          "istype",
          "head",
          "tail",
          "index",
          "hask",
          "jsonata_exp",
          "else");
  static final List<String> PROPERTY_TYPES = List.of("msg", "flow", "global", "env", "jsonata");
  static final List<String> VALUE_TYPES =
      List.of("str", "num", "bool", "json", "env", "msg", "flow", "global", "prev", "jsonata");

  /** A binary payload, as the switch sees it: Node-RED's Buffer. */
  record Binary(int length) {}

  /** Where a value comes from. */
  private record Operand(String type, Object constant, MessagePath path, Object source) {}

  private record Rule(String kind, Operand v, Operand v2, Pattern pattern, String typeName) {}

  private final NodeContext context;
  private final Operand property;
  private final Rule[] rules;
  private Object previous;

  private SwitchRules(NodeContext context, Operand property, Rule[] rules) {
    this.context = context;
    this.property = property;
    this.rules = rules;
  }

  /** Whether a config needs this general path (the byte path reads msg properties only). */
  static boolean needed(Map<String, Object> config) {
    Object type = config.get("propertyType");
    if (type != null && !"msg".equals(type) && !"".equals(type)) {
      return true;
    }
    if (config.get("rules") instanceof List<?> list) {
      for (Object raw : list) {
        if (raw instanceof Map<?, ?> rule
            && (oneOf(rule.get("t"), "head", "tail", "index", "hask", "jsonata_exp")
                || oneOf(rule.get("vt"), "flow", "global", "prev", "jsonata")
                || oneOf(rule.get("v2t"), "flow", "global", "prev", "jsonata"))) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean oneOf(Object value, String... options) {
    return value instanceof String text && List.of(options).contains(text);
  }

  /**
   * Compiles the node's property and rules.
   *
   * @throws IllegalArgumentException naming the field at fault
   */
  static SwitchRules compile(NodeContext context) {
    Map<String, Object> config = context.config();
    String type = String.valueOf(config.getOrDefault("propertyType", "msg"));
    if (type.isEmpty()) {
      type = "msg";
    }
    if (!PROPERTY_TYPES.contains(type)) {
      throw new IllegalArgumentException(
          "propertyType: '" + type + "' is not one of " + String.join(", ", PROPERTY_TYPES));
    }
    Operand property =
        operand(context, "property", type, config.getOrDefault("property", "payload"));
    if (!(config.get("rules") instanceof List<?> list) || list.isEmpty()) {
      throw new IllegalArgumentException("rules: at least one rule is required");
    }
    Rule[] rules = new Rule[list.size()];
    for (int i = 0; i < rules.length; i++) {
      rules[i] = rule(context, "rules[" + i + "]", list.get(i));
    }
    return new SwitchRules(context, property, rules);
  }

  private static Rule rule(NodeContext context, String where, Object raw) {
    Map<?, ?> rule = PropertyTest.ruleObject(where, raw, KINDS);
    String kind = (String) rule.get("t");
    Object v = rule.get("v");
    // istype names its type in v (and Node-RED writes the same name in vt): a plain string
    String forced = kind.equals("jsonata_exp") ? "jsonata" : kind.equals("istype") ? "str" : null;
    String vt = valueType(rule.get("vt"), v, forced);
    Operand first = operand(context, where + ".v", vt, v);
    Operand second = null;
    if (rule.containsKey("v2")) {
      second =
          operand(
              context,
              where + ".v2",
              valueType(rule.get("v2t"), rule.get("v2"), null),
              rule.get("v2"));
    }
    Pattern pattern = null;
    if (kind.equals("regex") && first.type().equals("str")) {
      try {
        pattern =
            Pattern.compile(
                String.valueOf(first.constant()),
                Boolean.TRUE.equals(rule.get("case")) ? Pattern.CASE_INSENSITIVE : 0);
      } catch (PatternSyntaxException bad) {
        throw new IllegalArgumentException(
            where + ".v: invalid regular expression: " + bad.getDescription());
      }
    }
    String typeName = kind.equals("istype") ? String.valueOf(v) : null;
    return new Rule(kind, first, second, pattern, typeName);
  }

  /** Node-RED's default: a value that reads as a number is {@code num}, else {@code str}. */
  private static String valueType(Object given, Object value, String forced) {
    if (forced != null) {
      return forced;
    }
    if (given instanceof String type && !type.isEmpty()) {
      return type;
    }
    return value != null && !Double.isNaN(JsValues.toNumber(value)) && !"".equals(value)
        ? "num"
        : "str";
  }

  private static Operand operand(NodeContext context, String where, String type, Object raw) {
    String text = raw == null ? "" : raw instanceof String s ? s : JsonCodec.writeString(raw);
    return switch (type) {
      case "str", "string" -> new Operand("str", text, null, null);
      case "num" -> {
        double number = JsValues.toNumber(text);
        yield new Operand(
            "num",
            number == Math.rint(number) && Math.abs(number) < 1e15
                ? (Object) (long) number
                : number,
            null,
            null);
      }
      case "bool" -> new Operand("bool", "true".equals(text), null, null);
      case "json" -> {
        try {
          yield new Operand(
              "json", raw instanceof String ? JsonCodec.parse(text) : raw, null, null);
        } catch (RuntimeException invalid) {
          throw new IllegalArgumentException(where + ": " + invalid.getMessage());
        }
      }
      case "env" -> {
        Object env = context.config().get("env");
        yield new Operand(
            "env",
            env instanceof Map<?, ?> own && own.containsKey(text)
                ? own.get(text)
                : EnvValues.lookup(where, text, context.environment()),
            null,
            null);
      }
      case "msg" -> {
        try {
          yield new Operand("msg", null, MessagePath.of(text), null);
        } catch (IllegalArgumentException bad) {
          throw new IllegalArgumentException(where + ": " + bad.getMessage());
        }
      }
      case "flow", "global" -> new Operand(type, null, null, ContextValues.property(where, text));
      case "prev" -> new Operand("prev", null, null, null);
      case "jsonata" ->
          new Operand(
              "jsonata",
              null,
              null,
              JsonataExpression.compile(where, text)
                  .withNodeRedFunctions(
                      context.flowContext(),
                      context.globalContext(),
                      context.config().get("env") instanceof Map<?, ?> env ? stringKeys(env) : null,
                      context.environment())
                  .releasing(context));
      default -> throw PropertyTest.unsupportedType(where, type, VALUE_TYPES);
    };
  }

  private static Map<String, Object> stringKeys(Map<?, ?> map) {
    Map<String, Object> copy = new java.util.LinkedHashMap<>();
    map.forEach((key, value) -> copy.put(String.valueOf(key), value));
    return copy;
  }

  private Object value(Operand operand, Map<String, Object> msg) {
    return switch (operand.type()) {
      case "msg" -> operand.path().get(msg);
      case "flow" ->
          ContextValues.get(context.flowContext(), (ContextValues.Property) operand.source());
      case "global" ->
          ContextValues.get(context.globalContext(), (ContextValues.Property) operand.source());
      case "prev" -> previous;
      case "jsonata" -> ((JsonataExpression) operand.source()).evaluate(msg);
      default -> operand.constant();
    };
  }

  /**
   * The rules that match {@code msg} (a parsed message; its binary payload, if any, as a {@link
   * Binary} payload), in order; an {@code else} matches when no rule before it did. With {@code
   * checkAll} false, at most one.
   */
  int[] matches(Map<String, Object> msg, boolean checkAll) {
    Object tested = value(property, msg);
    int[] matched = new int[rules.length];
    int count = 0;
    boolean elseFlag = true;
    for (int i = 0; i < rules.length; i++) {
      Rule rule = rules[i];
      boolean hit;
      if (rule.kind().equals("else")) {
        hit = elseFlag; // no rule since the last else matched
        elseFlag = true;
      } else {
        Object v = value(rule.v(), msg);
        Object v2 = rule.v2() == null ? MessagePath.MISSING : value(rule.v2(), msg);
        hit = test(rule, tested, v, v2, msg);
      }
      if (hit) {
        matched[count++] = i;
        elseFlag = false;
        if (!checkAll) {
          break;
        }
      }
    }
    previous = tested;
    return java.util.Arrays.copyOf(matched, count);
  }

  private boolean test(Rule rule, Object a, Object b, Object c, Map<String, Object> msg) {
    return switch (rule.kind()) {
      case "eq" -> JsValues.looseEquals(a, b);
      case "neq" -> !JsValues.looseEquals(a, b);
      case "lt" -> JsValues.within(JsValues.compare(a, b), -1, -1);
      case "lte" -> JsValues.within(JsValues.compare(a, b), -1, 0);
      case "gt" -> JsValues.within(JsValues.compare(a, b), 1, 1);
      case "gte" -> JsValues.within(JsValues.compare(a, b), 0, 1);
      case "btwn" -> JsValues.between(a, b, c);
      case "cont" -> JsValues.toText(a).contains(JsValues.toText(b));
      case "regex" ->
          BoundedText.find(
              rule.pattern() != null ? rule.pattern() : Pattern.compile(JsValues.toText(b)),
              JsValues.toText(a),
              context);
      case "true" -> Boolean.TRUE.equals(a);
      case "false" -> Boolean.FALSE.equals(a);
      case "null" -> JsValues.isNullish(a);
      case "nnull" -> !JsValues.isNullish(a);
      case "empty" -> size(a) == 0;
      case "nempty" -> size(a) > 0;
      case "istype" -> isType(a, rule.typeName());
      case "head" -> index(msg) >= 0 && index(msg) < JsValues.toNumber(b);
      case "tail" -> index(msg) >= 0 && count(msg) - JsValues.toNumber(b) <= index(msg);
      case "index" ->
          index(msg) >= 0
              && JsValues.toNumber(b) <= index(msg)
              && index(msg) <= JsValues.toNumber(c);
      case "hask" ->
          a instanceof Map<?, ?> map
              && !(b instanceof Map<?, ?> || b instanceof List<?>)
              && map.containsKey(JsValues.toText(b));
      case "jsonata_exp" -> Boolean.TRUE.equals(b);
      default -> throw new IllegalStateException("unchecked test " + rule.kind());
    };
  }

  /** Length of a string, array, buffer or object (its keys); -1 for anything else. */
  private static int size(Object value) {
    return switch (value) {
      case String text -> text.length();
      case List<?> list -> list.size();
      case Map<?, ?> map -> map.size();
      case Binary binary -> binary.length();
      case null -> -1;
      default -> -1;
    };
  }

  private static boolean isType(Object a, String type) {
    return switch (type) {
      case "array" -> a instanceof List<?>;
      case "buffer" -> a instanceof Binary;
      case "json" -> {
        if (!(a instanceof String text)) {
          yield a instanceof Number || a instanceof Boolean || a == null;
        }
        try {
          JsonCodec.parse(text);
          yield true;
        } catch (RuntimeException notJson) {
          yield false;
        }
      }
      case "null" -> a == null;
      case "number" -> a instanceof Number;
      case "string" -> a instanceof String;
      case "boolean" -> a instanceof Boolean;
      case "object" -> a instanceof Map<?, ?>;
      case "undefined" -> a == MessagePath.MISSING;
      default -> false;
    };
  }

  private static double index(Map<String, Object> msg) {
    return msg.get("parts") instanceof Map<?, ?> parts && parts.get("index") instanceof Number n
        ? n.doubleValue()
        : -1;
  }

  private static double count(Map<String, Object> msg) {
    return msg.get("parts") instanceof Map<?, ?> parts && parts.get("count") instanceof Number n
        ? n.doubleValue()
        : Double.NaN;
  }
}
