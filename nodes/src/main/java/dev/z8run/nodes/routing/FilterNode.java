package dev.z8run.nodes.routing;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.MessagePath;
import java.util.List;
import java.util.Map;

/**
 * {@code filter}: passes a message on when its tests hold (all of them, or any), else sends it to
 * {@code reject} (unwired: dropped). The tests are the switch node's ({@link PropertyTest}); each
 * may name its own property ({@code p}), else it tests the node's {@code property}. Properties are
 * read in place and messages forwarded byte for byte.
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
              ConfigField.required(
                  "rules",
                  FieldType.ARRAY,
                  "Tests, as the switch node's rules, each with an optional p (its own"
                      + " property)."))
          .field(
              ConfigField.choice(
                  "match",
                  "all",
                  List.of("all", "any"),
                  "Pass when all tests hold, or when any one does."))
          .factory(FilterNode::new)
          .build();

  private final MessagePath[] paths;
  private final boolean[] payload;
  private final PropertyTest[] rules;
  private final boolean any;

  private FilterNode(NodeContext context) {
    MessagePath property = MessagePath.property(context);
    Object configured = context.config().get("rules");
    rules = SwitchNode.compileRules(configured, false, context.environment());
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
    boolean pass = !any;
    for (int i = 0; i < rules.length; i++) {
      long span = paths[i].find(msg.buffer(), msg.jsonOffset(), msg.jsonLength());
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
