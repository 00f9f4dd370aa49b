package dev.z8run.nodes.observe;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.message.MessageFlyweight;

/** {@code comment}: a note on the canvas. No ports; does nothing at runtime. */
public final class CommentNode implements Node {
  public static final NodeType TYPE =
      NodeType.builder("comment")
          .category("common")
          .description("A note on the canvas; no ports, does nothing at runtime.")
          .inputs()
          .outputs()
          .field(
              ConfigField.optional(
                  "info", FieldType.STRING, "", "The note's text (Markdown), shown in the editor."))
          .factory(CommentNode::new)
          .build();

  private CommentNode(NodeContext context) {}

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    // no ports: nothing can reach a comment
  }
}
