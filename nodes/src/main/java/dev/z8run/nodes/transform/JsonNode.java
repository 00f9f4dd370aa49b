package dev.z8run.nodes.transform;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.json.JsonPatch;
import dev.z8run.io.json.JsonScanner;
import dev.z8run.io.message.MessageBodyView;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.JsonSchemaCheck;
import dev.z8run.nodes.support.JsonValues;
import dev.z8run.nodes.support.JsonataExpression;
import dev.z8run.nodes.support.MessageBodies;
import dev.z8run.nodes.support.MessagePath;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code json} (JSON Transform): converts or reshapes one message property. {@code parse} turns a
 * JSON string into its value, {@code stringify} a value into its JSON text, {@code toggle} does
 * whichever applies (Node-RED's json node), {@code extract} replaces the property by the value at a
 * path inside it, and {@code jsonata} sets it to the result of a JSONata expression evaluated
 * against the whole message.
 *
 * <p>The result is patched into the message bytes (the rest of the message is not rebuilt). A
 * failure (text that is not JSON, a path that is not there, an expression that fails) sends the
 * message on the {@code error} port with {@code msg.error = {message, source: {id, type}}}; with
 * nothing wired there it is an error of the node.
 */
public final class JsonNode implements Node {
  /** The body of a message this node sends: a node handles one message at a time. */
  private final MessageBodyView sent = new MessageBodyView();

  public static final NodeType TYPE =
      NodeType.builder("json")
          .category("function")
          .description(
              "Parses, stringifies, extracts by path or transforms with JSONata one message"
                  + " property.")
          .outputs(PortSpec.any("output"), PortSpec.any("error"))
          .field(
              ConfigField.choice(
                  "action",
                  "toggle",
                  List.of("toggle", "parse", "stringify", "extract", "jsonata"),
                  "toggle: parse a string, stringify anything else; parse; stringify; extract:"
                      + " the value at path; jsonata: the result of expression."))
          .field(MessagePath.PROPERTY_FIELD)
          .field(
              ConfigField.optional(
                  "path",
                  FieldType.STRING,
                  "",
                  "For extract: the path inside the property, such as user.name or items[0]."))
          .field(
              ConfigField.optional(
                  "expression",
                  FieldType.CODE,
                  "",
                  "For jsonata: the expression, evaluated against the whole message."))
          .field(
              ConfigField.optional(
                  "pretty", FieldType.BOOLEAN, false, "For stringify: indent with two spaces."))
          .factory(JsonNode::new)
          .build();

  private static final byte[][] ERROR_PATH = {"error".getBytes(StandardCharsets.US_ASCII)};
  private static final byte[][] SCHEMA_PATH = {"schema".getBytes(StandardCharsets.US_ASCII)};

  private final NodeContext context;
  private final String action;
  private final MessagePath property;
  private final MessagePath path;
  private final JsonataExpression expression;
  private final boolean pretty;
  private final boolean validates;
  private final JsonPatch patch = new JsonPatch();
  private Object lastSchema;
  private JsonSchemaCheck compiledSchema;

  private JsonNode(NodeContext context) {
    this.context = context;
    action = context.configString("action", "toggle");
    property = MessagePath.property(context);
    if (!property.keysOnly()) {
      throw new IllegalArgumentException(
          "property: '" + property.text() + "' has an array index; use object keys only");
    }
    String extract = context.configString("path", "").strip();
    if (action.equals("extract") && extract.isEmpty()) {
      throw new IllegalArgumentException("path: extract needs a path, such as user.name");
    }
    path =
        action.equals("extract")
            ? MessagePath.of("x" + (extract.startsWith("[") ? "" : ".") + extract, "path")
            : null;
    expression =
        action.equals("jsonata")
            ? JsonataExpression.compile("expression", context.configString("expression", ""))
                .releasing(context)
            : null;
    if (expression != null) {
      context.declareAuthorTimed();
    }
    pretty = context.configBoolean("pretty", false);
    validates = action.equals("toggle") || action.equals("parse") || action.equals("stringify");
  }

  /**
   * Node-RED's validation against {@code msg.schema} (a JSON Schema object): the property's value
   * (parsed first when it is text) must fit the schema, or the message fails with {@code Schema
   * error: ...} and {@code msg.schemaError} listing the problems; a message that fits goes on
   * converted, without {@code msg.schema}. The last schema is compiled once and kept.
   */
  private void validated(MessageFlyweight msg, Output out) {
    Map<String, Object> body = MessageBodies.parse(msg);
    Object schema = body.get("schema");
    if (!schema.equals(lastSchema)) {
      try {
        compiledSchema = JsonSchemaCheck.compile(schema);
        lastSchema = schema;
      } catch (IllegalArgumentException invalid) {
        lastSchema = null;
        fail(msg, out, "msg.schema could not be compiled: " + invalid.getMessage());
        return;
      }
    }
    Object value = property.getOrForward(body, msg, out);
    if (value == MessagePath.MISSING) {
      return;
    }
    Object checked;
    Object converted;
    if (value instanceof String text) {
      try {
        checked = JsonCodec.parse(text);
      } catch (JsonCodec.JsonException malformed) {
        fail(msg, out, "msg." + property.text() + " is not JSON: " + malformed.getMessage());
        return;
      }
      converted = action.equals("stringify") ? text : checked;
    } else if (action.equals("parse")) {
      out.forward(0, msg);
      return;
    } else {
      checked = value;
      String text = JsonCodec.writeString(value);
      converted = pretty ? PrettyJson.indent(text) : text;
    }
    List<String> problems = compiledSchema.problems(checked);
    if (!problems.isEmpty()) {
      body.put("schemaError", problems);
      body.put(
          "error",
          Map.of(
              "message",
              "Schema error: " + String.join("; ", problems),
              "source",
              Map.of("id", context.nodeId(), "type", "json")));
      if (!out.isWired(1)) {
        throw new IllegalArgumentException("Schema error: " + String.join("; ", problems));
      }
      MessageBodies.send(out, 1, body, msg);
      return;
    }
    property.set(body, converted);
    body.remove("schema");
    MessageBodies.send(out, 0, body, msg);
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    DirectBuffer buffer = msg.buffer();
    if (validates
        && JsonScanner.find(buffer, msg.jsonOffset(), msg.jsonLength(), SCHEMA_PATH)
            != JsonScanner.NOT_FOUND) {
      validated(msg, out);
      return;
    }
    long span = property.find(msg);
    byte[] result;
    try {
      result = convert(msg, span);
    } catch (RuntimeException failed) {
      fail(msg, out, failed.getMessage());
      return;
    }
    if (result == null) {
      out.forward(0, msg);
      return;
    }
    send(msg, out, 0, property.keys(), result);
  }

  /** The property's new JSON, or null to pass the message on unchanged. */
  private byte[] convert(MessageFlyweight msg, long span) {
    int kind = JsonValues.kind(msg.buffer(), span);
    return switch (action) {
      case "parse" -> kind == JsonValues.STRING ? parse(msg, span) : null;
      case "stringify" ->
          kind == JsonValues.STRING || kind == JsonValues.UNDEFINED ? null : stringify(msg, span);
      case "toggle" ->
          kind == JsonValues.STRING
              ? parse(msg, span)
              : kind == JsonValues.UNDEFINED ? null : stringify(msg, span);
      case "extract" -> extract(msg, span, kind);
      case "jsonata" -> jsonata(msg);
      default -> throw new IllegalStateException("unchecked action " + action);
    };
  }

  private byte[] parse(MessageFlyweight msg, long span) {
    String text = JsonValues.text(msg.buffer(), span);
    try {
      return JsonCodec.write(JsonCodec.parse(text));
    } catch (JsonCodec.JsonException malformed) {
      throw new IllegalArgumentException(
          "msg." + property.text() + " is not JSON: " + malformed.getMessage(), malformed);
    }
  }

  private byte[] stringify(MessageFlyweight msg, long span) {
    Object value = JsonCodec.parse(bytes(msg.buffer(), span));
    String text = JsonCodec.writeString(value);
    return JsonCodec.write(pretty ? PrettyJson.indent(text) : text);
  }

  private byte[] extract(MessageFlyweight msg, long span, int kind) {
    if (kind == JsonValues.UNDEFINED) {
      throw new IllegalArgumentException("msg." + property.text() + " is missing");
    }
    Object value =
        kind == JsonValues.STRING
            ? JsonCodec.parse(JsonValues.text(msg.buffer(), span))
            : JsonCodec.parse(bytes(msg.buffer(), span));
    Object found = path.get(Map.of("x", value == null ? new LinkedHashMap<>() : value));
    if (found == MessagePath.MISSING) {
      throw new IllegalArgumentException(
          "path '"
              + path.text().substring(1).replaceFirst("^\\.", "")
              + "' not found in msg."
              + property.text());
    }
    return JsonCodec.write(found);
  }

  private byte[] jsonata(MessageFlyweight msg) {
    byte[] body = new byte[msg.jsonLength()];
    msg.buffer().getBytes(msg.jsonOffset(), body);
    Object result = expression.evaluate(JsonCodec.parse(body));
    if (result == MessagePath.MISSING) {
      throw new IllegalArgumentException(
          "JSONata expression '" + expression + "' gave no result (undefined)");
    }
    return JsonCodec.write(result);
  }

  private void fail(MessageFlyweight msg, Output out, String reason) {
    if (!out.isWired(1)) {
      throw new IllegalArgumentException(reason);
    }
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("message", reason);
    error.put("source", Map.of("id", context.nodeId(), "type", "json"));
    send(msg, out, 1, ERROR_PATH, JsonCodec.write(error));
  }

  private void send(MessageFlyweight msg, Output out, int port, byte[][] at, byte[] value) {
    int patched = patch.prepare(msg.buffer(), msg.jsonOffset(), msg.jsonLength(), at, value.length);
    if (patched < 0) {
      throw new IllegalArgumentException("message body is not a JSON object");
    }
    byte[] result = new byte[patched];
    UnsafeBuffer target = new UnsafeBuffer(result);
    patch.write(new UnsafeBuffer(value), 0, target, 0);
    out.send(
        port,
        sent.json(target, 0, patched).binary(msg.buffer(), msg.binaryOffset(), msg.binaryLength()));
  }

  private static byte[] bytes(DirectBuffer buffer, long span) {
    int start = JsonScanner.spanStart(span);
    byte[] bytes = new byte[JsonScanner.spanEnd(span) - start];
    buffer.getBytes(start, bytes);
    return bytes;
  }
}
