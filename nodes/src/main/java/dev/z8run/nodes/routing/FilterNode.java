package dev.z8run.nodes.routing;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.AuthorExpressions;
import dev.z8run.nodes.support.MessagePath;
import java.util.List;
import java.util.Map;

/**
 * {@code filter}: passes a message on when its tests hold (all of them, or any), else sends it to
 * {@code reject} (unwired: dropped). The tests are the switch node's ({@link PropertyTest}); each
 * may name its own property ({@code p}), else it tests the node's {@code property}. Properties are
 * read in place and messages forwarded byte for byte.
 *
 * <p>z8run's filter config is read as z8run reads it ({@code crates/z8run-core/src/nodes/
 * filter.rs}): {@code {property, condition, value}} or {@code {expression: "req.body.age >= 18"}},
 * one test ({@link Z8runRule}) of a property relative to {@code msg.payload}. A node has one form
 * or the other.
 */
public final class FilterNode implements Node {
  public static final NodeType TYPE =
      NodeType.builder("filter")
          .category("function")
          .description("Passes messages whose property tests hold; rejects (or drops) the rest.")
          .outputs(PortSpec.any("pass"), PortSpec.any("reject"))
          .field(
              ConfigField.optional(
                  "property",
                  FieldType.STRING,
                  "payload",
                  "The property a test without its own p tests."))
          .field(
              ConfigField.optional(
                  "rules",
                  FieldType.ARRAY,
                  null,
                  "Tests, as the switch node's rules, each with an optional p (its own"
                      + " property); required unless condition or expression is given."))
          .field(
              ConfigField.choice(
                  "match",
                  "all",
                  List.of("all", "any"),
                  "Pass when all tests hold, or when any one does."))
          .field(
              ConfigField.optional(
                  "condition",
                  FieldType.STRING,
                  null,
                  "z8run's test of property (relative to msg.payload) against value: eq, neq, gt,"
                      + " lt, gte, lte, contains, regex, empty, notempty, truthy, falsy."))
          .field(
              ConfigField.optional(
                  "value", FieldType.ANY, null, "z8run's value the condition compares with."))
          .field(
              ConfigField.optional(
                  "expression",
                  FieldType.STRING,
                  null,
                  "z8run's test as text, e.g. req.body.age >= 18 (property op value; ops == != >"
                      + " < >= <=)."))
          .factory(FilterNode::new)
          .build();

  private final MessagePath[] paths;
  private final boolean[] payload;
  private final PropertyTest[] rules;
  private final boolean any;
  private final Z8runRule z8run;

  private FilterNode(NodeContext context) {
    AuthorExpressions.declareIfUsed(context);
    Map<String, Object> config = context.config();
    boolean z8runForm = config.get("condition") != null || config.get("expression") != null;
    if (z8runForm) {
      if (config.get("rules") != null) {
        throw new IllegalArgumentException(
            "rules: give either rules (tests in Node-RED's form) or condition/value/expression"
                + " (z8run's), not both");
      }
      String property = context.configString("property", "payload");
      Object condition = config.get("condition");
      Object value = config.get("value");
      String where = "condition";
      if (config.get("expression") instanceof String expression) {
        Object[] parsed = Z8runRule.parseExpression(expression);
        if (parsed == null) {
          throw new IllegalArgumentException(
              "expression: no operator (==, !=, >, <, >=, <=) in '" + expression + "'");
        }
        property = (String) parsed[0];
        condition = parsed[1];
        value = parsed[2];
        where = "expression";
      } else if (config.get("expression") != null) {
        throw new IllegalArgumentException(
            "expression: expected text such as 'req.body.age >= 18', got "
                + JsonCodec.describe(config.get("expression")));
      }
      paths = new MessagePath[] {MessagePath.inPayload(property, where)};
      z8run = Z8runRule.compile(where, condition, value, context);
      payload = new boolean[1];
      rules = new PropertyTest[0];
      any = false;
      return;
    }
    z8run = null;
    MessagePath property = MessagePath.property(context);
    Object configured = context.config().get("rules");
    rules = SwitchNode.compileRules(configured, false, context);
    List<?> list = (List<?>) configured;
    paths = new MessagePath[rules.length];
    payload = new boolean[rules.length];
    for (int i = 0; i < rules.length; i++) {
      if (rules[i].isOtherwise()) {
        throw new IllegalArgumentException("rules[" + i + "].t: 'else' has no meaning in a filter");
      }
      Object own = ((Map<?, ?>) list.get(i)).get("p");
      try {
        paths[i] = own instanceof String p && !p.isBlank() ? MessagePath.of(p) : property;
      } catch (IllegalArgumentException bad) {
        throw new IllegalArgumentException("rules[" + i + "].p: " + bad.getMessage());
      }
      String text = paths[i].text();
      payload[i] = text.equals("payload") || text.equals("msg.payload");
    }
    any = context.configString("match", "all").equals("any");
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    if (z8run != null) {
      long span = paths[0].find(msg);
      out.forward(z8run.test(Z8runRule.valueAt(msg.buffer(), span)) ? 0 : 1, msg);
      return;
    }
    boolean pass = !any;
    for (int i = 0; i < rules.length; i++) {
      long span = paths[i].find(msg);
      boolean holds =
          rules[i].test(
              msg.buffer(),
              msg.jsonOffset(),
              msg.jsonLength(),
              span,
              payload[i] && msg.binaryLength() > 0);
      if (holds == any) {
        pass = any;
        break;
      }
    }
    out.forward(pass ? 0 : 1, msg);
  }
}
