package dev.z8run.nodes.transform;

import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.MessageBodies;
import dev.z8run.nodes.support.MessagePath;
import java.util.List;
import java.util.Map;

/**
 * {@code yaml}: converts one message property between YAML text and its value, as Node-RED's YAML
 * node: a string is parsed (safe types only: maps, lists, strings, numbers, booleans, null,
 * timestamps as ISO text), an object or array is written as YAML. A property of another kind is
 * dropped with a warning; a missing one passes the message on unchanged. Text that is not YAML is
 * an error of the node.
 */
public final class YamlNode extends PropertyNode {
  public static final NodeType TYPE =
      NodeType.builder("yaml")
          .category("parser")
          .description("Converts a message property between YAML text and its value.")
          .field(MessagePath.PROPERTY_FIELD)
          .factory(YamlNode::new)
          .build();

  private final NodeContext context;

  private YamlNode(NodeContext context) {
    super(context);
    this.context = context;
  }

  @Override
  void onValue(MessageFlyweight msg, Map<String, Object> body, Object value, Output out) {
    if (value instanceof String text) {
      try {
        property.set(body, YamlText.parse(text));
      } catch (RuntimeException notYaml) {
        throw new IllegalArgumentException(
            "msg." + property.text() + " is not YAML: " + notYaml.getMessage(), notYaml);
      }
    } else if (value instanceof Map<?, ?> || value instanceof List<?>) {
      property.set(body, YamlText.write(value));
    } else {
      context.warn("yaml: msg." + property.text() + " is neither a string nor an object: dropped");
      return;
    }
    MessageBodies.send(out, 0, body, msg);
  }
}
