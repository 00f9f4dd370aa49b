package dev.z8run.nodes.routing;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeCost;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.AuthorExpressions;
import dev.z8run.nodes.support.MessageBodies;
import dev.z8run.nodes.support.MessagePath;
import java.util.List;
import java.util.Map;

/**
 * {@code switch}: routes each message by testing one property against a list of rules, Node-RED's
 * switch config ({@code property}, {@code rules: [{t:"eq", v:"a", vt:"str"}, ...]}, {@code
 * checkall}). Output port {@code i} gets the messages rule {@code i} matches; the last port, one
 * past the rules, gets those no rule matched. The property is read from the message bytes in place
 * and matching messages are forwarded byte for byte: nothing is parsed or rebuilt.
 *
 * <p>z8run's switch config is read as z8run reads it ({@code crates/z8run-core/src/nodes/
 * switch.rs}): rules {@code {type, value, port}} ({@link Z8runRule}), a {@code property} relative
 * to {@code msg.payload}, and {@code checkAll} (default false: the first match wins). Each rule is
 * still an output of its own; z8run's {@code port} names decide the wiring when a z8run canvas is
 * read (rules sharing a port are wired alike). All rules of a node have one form.
 */
public final class SwitchNode implements Node {
  public static final NodeType TYPE =
      NodeType.builder("switch")
          .category("function")
          .description("Routes messages to one output per matching rule, or to the default output.")
          .outputs()
          .outputCount(SwitchNode::outputCount)
          .field(
              ConfigField.optional(
                  "property",
                  FieldType.STRING,
                  "payload",
                  "The message property to test: payload, topic, payload.items[0].price."))
          .field(
              ConfigField.required(
                  "rules",
                  FieldType.ARRAY,
                  "Tests, one output each: {t: eq|neq|lt|lte|gt|gte|btwn|cont|regex|true|false|"
                      + "null|nnull|empty|nempty|istype|head|tail|index|hask|jsonata_exp|else, v,"
                      + " vt: str|num|bool|json|env|msg|flow|global|prev|jsonata, v2, v2t, case};"
                      + " or z8run's {type, value, port}."))
          .field(
              ConfigField.optional(
                  "checkall",
                  FieldType.BOOLEAN,
                  true,
                  "Send to every matching rule's output; false stops at the first match."))
          .field(
              ConfigField.choice(
                  "propertyType",
                  "msg",
                  SwitchRules.PROPERTY_TYPES,
                  "Where property is read: msg, flow or global context, env (a variable's name),"
                      + " jsonata (property is an expression)."))
          .field(
              ConfigField.optional(
                  "repair",
                  FieldType.BOOLEAN,
                  false,
                  "Recreate message sequences: hold each msg.parts sequence until it is complete,"
                      + " then send each output's messages as a sequence of their own."))
          .field(
              ConfigField.optional(
                      "maxKept",
                      FieldType.INTEGER,
                      10_000L,
                      "With repair: messages held at most, over all sequences.")
                  .atLeast(1))
          .field(
              ConfigField.optional(
                  "checkAll",
                  FieldType.BOOLEAN,
                  false,
                  "z8run's checkall, for rules in z8run's form {type, value, port}: false stops at"
                      + " the first match."))
          .field(
              ConfigField.optional(
                  "env",
                  FieldType.OBJECT,
                  null,
                  "Env values env operands and JSONata's $env find first (a subflow instance's"
                      + " env properties)."))
          .cost(NodeCost.LIGHT)
          .factory(SwitchNode::new)
          .build();

  private final MessagePath path;
  private final boolean payload;
  private final PropertyTest[] rules;
  private final Z8runRule[] z8runRules;
  private final SwitchRules general;
  private final int ruleCount;
  private final boolean checkAll;
  private final int[] matched;
  private final SequenceRepair repair;

  private SwitchNode(NodeContext context) {
    AuthorExpressions.declareIfUsed(context);
    Object configured = context.config().get("rules");
    ruleCount = configured instanceof List<?> list ? list.size() : 0;
    matched = new int[ruleCount + 1];
    repair =
        context.configBoolean("repair", false)
            ? new SequenceRepair(context, context.configLong("maxKept", 10_000))
            : null;
    if (!isZ8runForm(configured) && SwitchRules.needed(context.config())) {
      general = SwitchRules.compile(context);
      z8runRules = null;
      rules = null;
      path = null;
      payload = false;
      checkAll = context.configBoolean("checkall", true);
      return;
    }
    general = null;
    if (isZ8runForm(configured)) {
      List<?> list = (List<?>) configured;
      z8runRules = new Z8runRule[list.size()];
      for (int i = 0; i < z8runRules.length; i++) {
        Map<?, ?> rule = (Map<?, ?>) list.get(i);
        z8runRules[i] =
            Z8runRule.compile(
                "rules[" + i + "].type", rule.get("type"), rule.get("value"), context);
      }
      rules = null;
      path = MessagePath.inPayload(context.configString("property", "payload"), "property");
      payload = false;
      checkAll = context.configBoolean("checkAll", false);
      return;
    }
    z8runRules = null;
    path = MessagePath.property(context);
    payload = path.text().equals("payload") || path.text().equals("msg.payload");
    rules = compileRules(configured, false, context);
    checkAll = context.configBoolean("checkall", true);
  }

  /**
   * Whether the rules are z8run's {@code {type, value, port}}: every rule has {@code type} and none
   * Node-RED's {@code t}.
   *
   * @throws IllegalArgumentException when the two forms are mixed
   */
  static boolean isZ8runForm(Object configured) {
    if (!(configured instanceof List<?> list) || list.isEmpty()) {
      return false;
    }
    int z8run = 0;
    for (Object rule : list) {
      if (rule instanceof Map<?, ?> map && map.containsKey("type") && !map.containsKey("t")) {
        z8run++;
      }
    }
    if (z8run > 0 && z8run < list.size()) {
      throw new IllegalArgumentException(
          "rules: "
              + z8run
              + " of "
              + list.size()
              + " rules are in z8run's form {type, value, port} and the others not; use one"
              + " form (Node-RED's is {t, v, vt})");
    }
    return z8run == list.size();
  }

  /** One port per rule, then the default port. */
  static int outputCount(Map<String, Object> config) {
    return (config.get("rules") instanceof List<?> rules ? rules.size() : 0) + 1;
  }

  static PropertyTest[] compileRules(Object configured, boolean allowEmpty, NodeContext context) {
    if (!(configured instanceof List<?> list) || (list.isEmpty() && !allowEmpty)) {
      throw new IllegalArgumentException("rules: at least one rule is required");
    }
    PropertyTest[] compiled = new PropertyTest[list.size()];
    for (int i = 0; i < compiled.length; i++) {
      compiled[i] = PropertyTest.compile("rules[" + i + "]", list.get(i), context);
    }
    return compiled;
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    if (repair != null && repair.isPart(msg)) {
      repair.onPart(msg, route(msg), matched, out);
      return;
    }
    int ports = route(msg);
    for (int i = 0; i < ports; i++) {
      out.forward(matched[i], msg);
    }
  }

  /** Fills {@link #matched} with the ports the message goes to; returns how many. */
  private int route(MessageFlyweight msg) {
    if (general != null) {
      Map<String, Object> parsed = MessageBodies.parse(msg);
      if (msg.binaryLength() > 0) {
        parsed.put("payload", new SwitchRules.Binary(msg.binaryLength()));
      }
      int[] ports = general.matches(parsed, checkAll);
      if (ports.length == 0) {
        matched[0] = ruleCount;
        return 1;
      }
      System.arraycopy(ports, 0, matched, 0, ports.length);
      return ports.length;
    }
    long span = path.find(msg);
    int count = 0;
    if (z8runRules != null) {
      Object actual = Z8runRule.valueAt(msg.buffer(), span);
      for (int i = 0; i < z8runRules.length; i++) {
        if (z8runRules[i].test(actual)) {
          matched[count++] = i;
          if (!checkAll) {
            return count;
          }
        }
      }
      if (count == 0) {
        matched[count++] = z8runRules.length;
      }
      return count;
    }
    boolean binary = payload && msg.binaryLength() > 0;
    for (int i = 0; i < rules.length; i++) {
      PropertyTest rule = rules[i];
      if (rule.isOtherwise()
          ? count == 0
          : rule.test(msg.buffer(), msg.jsonOffset(), msg.jsonLength(), span, binary)) {
        matched[count++] = i;
        if (!checkAll) {
          return count;
        }
      }
    }
    if (count == 0) {
      matched[count++] = rules.length;
    }
    return count;
  }
}
