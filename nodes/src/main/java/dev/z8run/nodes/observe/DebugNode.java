package dev.z8run.nodes.observe;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.json.FieldIndex;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.json.JsonScanner;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.JsonataExpression;
import dev.z8run.nodes.support.MessageBodies;
import dev.z8run.nodes.support.MessagePath;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;

/**
 * {@code debug}: shows messages in the editor's debug panel. It publishes a preview, at most {@code
 * maxPreviewBytes} of the JSON of {@code msg.<property>} (or of the whole message), as a debug
 * event; the bytes are copied from the message into the event ring without building anything, so a
 * debug node costs a flow almost nothing. The editor stream rate-limits what reaches a browser.
 */
public final class DebugNode implements Node {
  /** The largest preview an event can carry. */
  public static final int MAX_PREVIEW_BYTES = 4096;

  public static final NodeType TYPE =
      NodeType.builder("debug")
          .category("common")
          .description("Shows messages (or one property of them) in the editor's debug panel.")
          .outputs()
          .field(
              ConfigField.optional(
                  "property",
                  FieldType.STRING,
                  "payload",
                  "The message property to show, a dotted path such as payload.user."))
          .field(
              ConfigField.optional(
                  "complete", FieldType.BOOLEAN, false, "Show the whole message instead."))
          .field(
              ConfigField.optional(
                  "expression",
                  FieldType.CODE,
                  "",
                  "Show the result of this JSONata expression over the message instead (Node-RED's"
                      + " JSONata output)."))
          .field(
              ConfigField.optional(
                      "maxPreviewBytes",
                      FieldType.INTEGER,
                      1024L,
                      "How many bytes of JSON a preview shows at most.")
                  .between(1, MAX_PREVIEW_BYTES))
          .field(
              ConfigField.optional(
                  "console",
                  FieldType.BOOLEAN,
                  false,
                  "Also write each preview to the server log."))
          .field(
              ConfigField.optional(
                  "active", FieldType.BOOLEAN, true, "Publish previews; false silences the node."))
          .factory(DebugNode::new)
          .build();

  private static final System.Logger LOG = System.getLogger(DebugNode.class.getName());
  private static final byte[] UNDEFINED = "undefined".getBytes(StandardCharsets.UTF_8);

  private final NodeContext context;
  private final byte[][] path;
  private final int maxBytes;
  private final boolean console;
  private final boolean active;
  private final JsonataExpression expression;
  private final org.agrona.concurrent.UnsafeBuffer undefined =
      new org.agrona.concurrent.UnsafeBuffer(UNDEFINED);

  private DebugNode(NodeContext context) {
    this.context = context;
    this.maxBytes = (int) context.configLong("maxPreviewBytes", 1024);
    this.console = context.configBoolean("console", false);
    this.active = context.configBoolean("active", true);
    String source = context.configString("expression", "");
    this.expression =
        source.isBlank()
            ? null
            : JsonataExpression.compile("expression", source)
                .withNodeRedFunctions(
                    context.flowContext(), context.globalContext(), null, context.environment())
                .releasing(context);
    if (expression != null) {
      context.declareAuthorTimed();
    }
    String property = context.configString("property", "payload").strip();
    if (context.configBoolean("complete", false) || property.isEmpty() || property.equals("msg")) {
      this.path = null;
    } else {
      try {
        this.path =
            JsonCodec.keyPath(property.startsWith("msg.") ? property.substring(4) : property);
      } catch (IllegalArgumentException emptySegment) {
        throw new IllegalArgumentException("property: '" + property + "' has an empty segment");
      }
    }
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    if (!active) {
      return;
    }
    if (expression != null) {
      showExpression(msg);
      return;
    }
    int offset = msg.jsonOffset();
    int length = msg.jsonLength();
    if (path != null) {
      long span = FieldIndex.find(msg, path);
      if (span == JsonScanner.NOT_FOUND) {
        context.debug(msg.executionId(), undefined, 0, UNDEFINED.length, maxBytes);
        return;
      }
      offset = JsonScanner.spanStart(span);
      length = JsonScanner.spanEnd(span) - offset;
    }
    context.debug(msg.executionId(), msg.buffer(), offset, length, maxBytes);
    if (console) {
      LOG.log(
          Level.INFO,
          "debug "
              + context.nodeId()
              + ": "
              + msg.buffer().getStringWithoutLengthUtf8(offset, Math.min(length, maxBytes)));
    }
  }

  /** Shows the JSONata result (off the hot path: the message is parsed). */
  private void showExpression(MessageFlyweight msg) {
    Object result = expression.evaluate(MessageBodies.parse(msg));
    byte[] json = result == MessagePath.MISSING ? UNDEFINED : JsonCodec.write(result);
    context.debug(
        msg.executionId(), new org.agrona.concurrent.UnsafeBuffer(json), 0, json.length, maxBytes);
    if (console) {
      LOG.log(
          Level.INFO,
          "debug " + context.nodeId() + ": " + new String(json, StandardCharsets.UTF_8));
    }
  }
}
