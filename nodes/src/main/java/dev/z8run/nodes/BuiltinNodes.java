package dev.z8run.nodes;

import dev.z8run.core.registry.NodeTypeRegistry;

/** Registers every built-in node type. */
public final class BuiltinNodes {
  private BuiltinNodes() {}

  /** Adds the built-in types to {@code registry} and returns it. */
  public static NodeTypeRegistry register(NodeTypeRegistry registry) {
    registry.register(InjectNode.TYPE);
    registry.register(JunctionNode.TYPE);
    registry.register(ChangeNode.TYPE);
    registry.register(CounterNode.TYPE);
    registry.register(DebugNode.TYPE);
    registry.register(HttpInNode.TYPE);
    registry.register(HttpResponseNode.TYPE);
    registry.register(WebhookNode.TYPE);
    registry.register(TimerNode.TYPE);
    registry.register(DelayNode.TYPE);
    registry.register(JoinNode.TYPE);
    registry.register(ObserverNode.CATCH);
    registry.register(ObserverNode.STATUS);
    registry.register(ObserverNode.COMPLETE);
    registry.register(LinkNodes.LINK_IN);
    registry.register(LinkNodes.LINK_OUT);
    registry.register(LinkNodes.LINK_CALL);
    return registry;
  }

  /** A new registry holding just the built-in types. */
  public static NodeTypeRegistry registry() {
    return register(new NodeTypeRegistry());
  }
}
