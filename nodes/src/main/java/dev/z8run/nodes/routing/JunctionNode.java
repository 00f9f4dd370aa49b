package dev.z8run.nodes.routing;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.NodeCost;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.message.MessageFlyweight;

/** {@code junction}: passes every message on unchanged (Node-RED's junction). */
public final class JunctionNode implements Node {
  public static final NodeType TYPE =
      NodeType.builder("junction")
          .category("common")
          .description("Passes every message on unchanged; a point to gather or split wires.")
          .cost(NodeCost.LIGHT)
          .factory(context -> new JunctionNode())
          .build();

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    out.forward(0, msg);
  }
}
