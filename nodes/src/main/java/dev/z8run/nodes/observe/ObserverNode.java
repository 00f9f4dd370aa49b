package dev.z8run.nodes.observe;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Observed;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.MessageBodies;

/**
 * {@code catch}, {@code status} and {@code complete}: the flow's error and lifecycle routing, as
 * Node-RED's nodes of those names. Each {@linkplain NodeContext#observe observes} the nodes listed
 * in {@code scope} (every other node of the flow when empty or absent) and sends on what the engine
 * delivers: the failed message with {@code msg.error}, a {@code msg.status}, or the message a node
 * finished with. They are triggers: no input wires.
 */
public final class ObserverNode implements Node {
  public static final NodeType CATCH =
      type(
          "catch",
          "Receives the messages that nodes of the flow failed on, with msg.error.",
          Observed.ERROR);
  public static final NodeType STATUS =
      type(
          "status",
          "Receives the status that nodes of the flow publish, as msg.status.",
          Observed.STATUS);
  public static final NodeType COMPLETE =
      type(
          "complete",
          "Receives each message a listed node has finished handling.",
          Observed.COMPLETE);

  private static NodeType type(String name, String description, Observed what) {
    NodeType.Builder builder =
        NodeType.builder(name)
            .category("common")
            .description(description)
            .inputs()
            .field(
                ConfigField.optional(
                    "scope",
                    FieldType.ARRAY,
                    null,
                    "Ids of the nodes observed; empty or absent: all."))
            .nodeRefs("scope");
    if (what == Observed.ERROR) {
      builder.field(
          ConfigField.optional(
              "uncaught",
              FieldType.BOOLEAN,
              false,
              "Only errors that no other catch node of the flow received."));
    }
    return builder.factory(context -> new ObserverNode(context, what)).build();
  }

  private ObserverNode(NodeContext context, Observed what) {
    Observed observed =
        what == Observed.ERROR && context.configBoolean("uncaught", false)
            ? Observed.UNCAUGHT_ERROR
            : what;
    context.observe(observed, MessageBodies.strings(context, "scope"));
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    out.forward(0, msg);
  }
}
