package dev.z8run.nodes.observe;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeCost;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.message.MessageFlyweight;

/**
 * {@code counter}: a sink that counts the messages and body bytes it receives and, every {@code
 * statusEvery} messages, publishes the count as its status. Its message count is also the engine's
 * {@code messages_in} counter for the node.
 */
public final class CounterNode implements Node {
  public static final NodeType TYPE =
      NodeType.builder("counter")
          .category("common")
          .description(
              "Counts the messages and bytes it receives; a sink for tests and benchmarks.")
          .outputs()
          .field(
              ConfigField.optional(
                      "statusEvery",
                      FieldType.INTEGER,
                      0L,
                      "Publish the count as the node's status every this many messages (0 = never).")
                  .atLeast(0))
          .cost(NodeCost.LIGHT)
          .factory(CounterNode::new)
          .build();

  private final NodeContext context;
  private final long statusEvery;
  private long messages;
  private long bytes;

  private CounterNode(NodeContext context) {
    this.context = context;
    this.statusEvery = context.configLong("statusEvery", 0);
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    messages++;
    bytes += msg.bodyLength();
    if (statusEvery > 0 && messages % statusEvery == 0) {
      context.status(messages + " messages, " + bytes + " bytes");
    }
  }
}
