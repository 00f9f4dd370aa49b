package dev.z8run.nodes.routing;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.NodeEnvironment;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.MessagePath;
import java.util.List;
import java.util.Map;

/**
 * {@code switch}: routes each message by testing one property against a list of rules, Node-RED's
 * switch config ({@code property}, {@code rules: [{t:"eq", v:"a", vt:"str"}, ...]}, {@code
 * checkall}). Output port {@code i} gets the messages rule {@code i} matches; the last port, one
 * past the rules, gets those no rule matched. The property is read from the message bytes in place
 * and matching messages are forwarded byte for byte: nothing is parsed or rebuilt.
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
                      + "null|nnull|empty|nempty|istype|else, v, vt: str|num|bool|json|env|msg, v2,"
                      + " v2t, case}."))
          .field(
              ConfigField.optional(
                  "checkall",
                  FieldType.BOOLEAN,
                  true,
                  "Send to every matching rule's output; false stops at the first match."))
          .factory(SwitchNode::new)
          .build();

  private final MessagePath path;
  private final boolean payload;
  private final PropertyTest[] rules;
  private final boolean checkAll;

  private SwitchNode(NodeContext context) {
    path = MessagePath.property(context);
    payload = path.text().equals("payload") || path.text().equals("msg.payload");
    rules = compileRules(context.config().get("rules"), false, context.environment());
    checkAll = context.configBoolean("checkall", true);
  }

  /** One port per rule, then the default port. */
  static int outputCount(Map<String, Object> config) {
    return (config.get("rules") instanceof List<?> rules ? rules.size() : 0) + 1;
  }

  static PropertyTest[] compileRules(Object configured, boolean allowEmpty, NodeEnvironment env) {
    if (!(configured instanceof List<?> list) || (list.isEmpty() && !allowEmpty)) {
      throw new IllegalArgumentException("rules: at least one rule is required");
    }
    PropertyTest[] compiled = new PropertyTest[list.size()];
    for (int i = 0; i < compiled.length; i++) {
      compiled[i] = PropertyTest.compile("rules[" + i + "]", list.get(i), env);
    }
    return compiled;
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    long span = path.find(msg.buffer(), msg.jsonOffset(), msg.jsonLength());
    boolean binary = payload && msg.binaryLength() > 0;
    boolean matched = false;
    for (int i = 0; i < rules.length; i++) {
      PropertyTest rule = rules[i];
      if (rule.isOtherwise()
          ? !matched
          : rule.test(msg.buffer(), msg.jsonOffset(), msg.jsonLength(), span, binary)) {
        matched = true;
        out.forward(i, msg);
        if (!checkAll) {
          return;
        }
      }
    }
    if (!matched) {
      out.forward(rules.length, msg);
    }
  }
}
