package dev.z8run.nodes.ai;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.Output;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.MessageBodies;
import java.util.List;
import java.util.Map;

/**
 * An AI node that works on the text of its message: a string payload, or the first of a few payload
 * fields ({@link AiNodes#text}). A message without text goes to the node's error port (or fails the
 * node when that port is not wired) before the node sees it.
 */
abstract class TextInputNode implements Node {
  final AiNodes.ErrorPort errors;
  private final List<String> textKeys;

  /**
   * @param errors where a message without text goes
   * @param textKeys the payload fields the text may be in, in the order they are tried
   */
  TextInputNode(AiNodes.ErrorPort errors, List<String> textKeys) {
    this.errors = errors;
    this.textKeys = textKeys;
  }

  @Override
  public final void onMessage(MessageFlyweight msg, Output out) throws InterruptedException {
    Map<String, Object> body = MessageBodies.parse(msg);
    String text = AiNodes.text(body.get("payload"), textKeys);
    if (text.isBlank()) {
      errors.send(msg, body, out, AiNodes.noText("text", textKeys), Map.of());
      return;
    }
    onText(msg, body, text, out);
  }

  /**
   * Handles a message that has text.
   *
   * @param body the message, parsed
   * @param text the text found in it, not blank
   */
  abstract void onText(MessageFlyweight msg, Map<String, Object> body, String text, Output out)
      throws InterruptedException;
}
