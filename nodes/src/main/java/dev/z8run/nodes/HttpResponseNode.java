package dev.z8run.nodes;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.node.Replies;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.json.JsonScanner;
import dev.z8run.io.message.MessageFlyweight;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * {@code http-out}: answers the HTTP request that started the message's execution. The body is
 * {@code msg.payload} (JSON for objects and arrays, text for strings, the raw bytes for a binary
 * payload); the status is {@code msg.statusCode}, else the configured one; headers are the
 * configured ones overridden by {@code msg.headers}.
 */
public final class HttpResponseNode implements Node {
  public static final NodeType TYPE =
      NodeType.builder("http-out")
          .category("network")
          .description("Answers the HTTP request that started the flow.")
          .outputs()
          .field(
              ConfigField.optional(
                  "statusCode", FieldType.INTEGER, 200L, "Status when msg.statusCode is not set."))
          .field(
              ConfigField.optional(
                  "headers", FieldType.OBJECT, Map.of(), "Response headers (name -> value)."))
          .factory(HttpResponseNode::new)
          .build();

  private static final byte[][] PAYLOAD = {"payload".getBytes(StandardCharsets.UTF_8)};
  private static final byte[][] STATUS = {"statusCode".getBytes(StandardCharsets.UTF_8)};
  private static final byte[][] HEADERS = {"headers".getBytes(StandardCharsets.UTF_8)};

  private final NodeContext context;
  private final Replies replies;
  private final byte[] prefix;

  private HttpResponseNode(NodeContext context) {
    this.context = context;
    this.replies = context.service(Replies.class);
    long status = context.configLong("statusCode", 200);
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("statusCode must be 100..599, got " + status);
    }
    Object headers = context.config().get("headers");
    this.prefix =
        ("{\"statusCode\":" + status + ",\"headers\":" + JsonCodec.writeString(headers) + ",")
            .getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    long ref = msg.ref();
    if (ref == 0 || replies == null) {
      context.warn("no HTTP request to answer: the message did not start at an http-in node");
      return;
    }
    ByteArrayOutputStream reply = new ByteArrayOutputStream(msg.jsonLength() + 64);
    reply.writeBytes(prefix);
    appendMember(reply, msg, STATUS, "msgStatusCode");
    appendMember(reply, msg, HEADERS, "msgHeaders");
    reply.writeBytes("\"payload\":".getBytes(StandardCharsets.UTF_8));
    long payload = JsonScanner.find(msg.buffer(), msg.jsonOffset(), msg.jsonLength(), PAYLOAD);
    if (payload == JsonScanner.NOT_FOUND) {
      reply.writeBytes("null".getBytes(StandardCharsets.UTF_8));
    } else {
      copy(reply, msg, payload);
    }
    reply.write('}');
    byte[] binary = msg.binaryLength() > 0 ? msg.binaryBytes() : null;
    if (!replies.reply(ref, reply.toByteArray(), binary)) {
      context.warn("the HTTP request was already answered or has timed out");
    }
  }

  private static void appendMember(
      ByteArrayOutputStream reply, MessageFlyweight msg, byte[][] path, String name) {
    long span = JsonScanner.find(msg.buffer(), msg.jsonOffset(), msg.jsonLength(), path);
    if (span != JsonScanner.NOT_FOUND) {
      reply.writeBytes(("\"" + name + "\":").getBytes(StandardCharsets.UTF_8));
      copy(reply, msg, span);
      reply.write(',');
    }
  }

  private static void copy(ByteArrayOutputStream reply, MessageFlyweight msg, long span) {
    int start = JsonScanner.spanStart(span);
    byte[] bytes = new byte[JsonScanner.spanEnd(span) - start];
    msg.buffer().getBytes(start, bytes);
    reply.writeBytes(bytes);
  }
}
