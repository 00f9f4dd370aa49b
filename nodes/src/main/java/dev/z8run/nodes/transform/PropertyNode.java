package dev.z8run.nodes.transform;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.MessageBodies;
import dev.z8run.nodes.support.MessagePath;
import java.util.Map;

/**
 * A node that works on one message property, named by its config field {@code property} (default
 * {@code payload}, {@link MessagePath#PROPERTY_FIELD}): a message without that property goes on
 * unchanged before the node sees it.
 */
abstract class PropertyNode implements Node {
  final MessagePath property;

  PropertyNode(NodeContext context) {
    this.property = MessagePath.property(context);
  }

  @Override
  public final void onMessage(MessageFlyweight msg, Output out) {
    Map<String, Object> body = MessageBodies.parse(msg);
    Object value = property.getOrForward(body, msg, out);
    if (value != MessagePath.MISSING) {
      onValue(msg, body, value, out);
    }
  }

  /**
   * Handles a message that has the property.
   *
   * @param body the message, parsed
   * @param value the property's value in it
   */
  abstract void onValue(MessageFlyweight msg, Map<String, Object> body, Object value, Output out);
}
