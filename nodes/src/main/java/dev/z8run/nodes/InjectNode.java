package dev.z8run.nodes;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.message.MessageFlyweight;
import java.util.LinkedHashMap;
import java.util.Map;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code inject}: starts executions when the engine's inject command (the API, the editor, a test)
 * fires it. Fired with an empty message {@code {}} it sends its configured message ({@code
 * payload}, or the current time in ms when no payload is configured, and {@code topic}); fired with
 * any other message it sends that message as is. Interval and on-deploy firing come with the full
 * node library.
 */
public final class InjectNode implements Node {
  public static final NodeType TYPE =
      NodeType.builder("inject")
          .category("common")
          .description("Starts a flow by hand or from the API, with a configured message.")
          .inputs()
          .field(
              ConfigField.optional(
                  "payload", FieldType.ANY, null, "msg.payload; the time in ms when absent."))
          .field(ConfigField.optional("topic", FieldType.STRING, "", "msg.topic."))
          .factory(InjectNode::new)
          .build();

  private final NodeContext context;
  private final Object payload;
  private final String topic;

  private InjectNode(NodeContext context) {
    this.context = context;
    this.payload = context.config().get("payload");
    this.topic = context.configString("topic", "");
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    if (!isEmptyObject(msg)) {
      out.forward(0, msg);
      return;
    }
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("payload", payload == null ? context.epochClock().time() : payload);
    message.put("topic", topic);
    byte[] json = JsonCodec.write(message);
    out.send(0, new UnsafeBuffer(json), 0, json.length);
  }

  /**
   * Whether the body is {@code {}} (blanks allowed): the inject command fired without a message.
   */
  private static boolean isEmptyObject(MessageFlyweight msg) {
    int end = msg.jsonOffset() + msg.jsonLength();
    int seen = 0;
    for (int i = msg.jsonOffset(); i < end; i++) {
      byte b = msg.buffer().getByte(i);
      if (b == ' ' || b == '\n' || b == '\r' || b == '\t') {
        continue;
      }
      if (seen == 0 && b == '{' || seen == 1 && b == '}') {
        seen++;
      } else {
        return false;
      }
    }
    return seen == 0 || seen == 2;
  }
}
