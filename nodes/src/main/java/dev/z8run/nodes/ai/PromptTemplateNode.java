package dev.z8run.nodes.ai;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.core.registry.PortType;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.MessageBodies;
import dev.z8run.nodes.support.MessagePath;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code prompt-template}: renders {@code template}, replacing each {@code {{path}}} with a value
 * from the message. A path is looked up in the payload first (z8run: {@code {{name}}} is {@code
 * payload.name}), then in the message ({@code {{topic}}}, {@code {{payload.text}}}); {@code
 * {{msg.x}}} reads the message only. Paths use dots and brackets ({@code items[0].name}). Strings
 * go in as they are, other values as JSON. In {@code strictMode} a path that resolves to nothing
 * sends the message to {@code error}; otherwise it stays in the text as written.
 */
public final class PromptTemplateNode implements Node {
  public static final NodeType TYPE =
      NodeType.builder("prompt-template")
          .category(AiNodes.CATEGORY)
          .description("Renders a prompt from a {{variable}} template and the message.")
          .outputs(new PortSpec("output", PortType.OBJECT), PortSpec.any("error"))
          .field(
              ConfigField.required(
                  "template",
                  FieldType.CODE,
                  "The text, with {{path}} placeholders filled from the payload, then the message."))
          .field(
              ConfigField.optional(
                  "strictMode",
                  FieldType.BOOLEAN,
                  false,
                  "Send the message to error when a placeholder finds no value."))
          .factory(PromptTemplateNode::new)
          .build();

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([^{}]+?)\\s*}}");

  private final AiNodes.ErrorPort errors;
  private final String template;
  private final boolean strict;
  private final List<String> paths = new ArrayList<>();
  private final List<MessagePath> compiled = new ArrayList<>();

  private PromptTemplateNode(NodeContext context) {
    this.errors = new AiNodes.ErrorPort(context, TYPE.name(), 1);
    this.template = context.configString("template", "");
    if (template.isEmpty()) {
      throw new IllegalArgumentException("template: must not be empty");
    }
    this.strict = context.configBoolean("strictMode", false);
    Matcher matcher = PLACEHOLDER.matcher(template);
    while (matcher.find()) {
      String path = matcher.group(1);
      String bare = path.startsWith("msg.") ? path.substring(4) : path;
      paths.add(path);
      compiled.add(MessagePath.of(bare, "template: {{" + path + "}}"));
    }
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    Map<String, Object> body = MessageBodies.parse(msg);
    Object payload = body.get("payload");
    Map<String, Object> variables = new LinkedHashMap<>();
    List<String> missing = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    Matcher matcher = PLACEHOLDER.matcher(template);
    int index = 0;
    while (matcher.find()) {
      String path = paths.get(index);
      MessagePath compiledPath = compiled.get(index++);
      Object value = MessagePath.MISSING;
      if (!path.startsWith("msg.") && payload instanceof Map<?, ?>) {
        value = compiledPath.get(payload);
      }
      if (value == MessagePath.MISSING) {
        value = compiledPath.get(body);
      }
      String replacement;
      if (value == MessagePath.MISSING) {
        if (!missing.contains(path)) {
          missing.add(path);
        }
        replacement = matcher.group();
      } else {
        replacement = value instanceof String s ? s : JsonCodec.writeString(value);
        variables.put(path, replacement);
      }
      matcher.appendReplacement(text, Matcher.quoteReplacement(replacement));
    }
    matcher.appendTail(text);
    if (strict && !missing.isEmpty()) {
      errors.send(
          msg,
          body,
          out,
          "unresolved variables: " + String.join(", ", missing),
          Map.of("missing", missing, "resolved", text.toString()));
      return;
    }
    Map<String, Object> rendered = new LinkedHashMap<>();
    rendered.put("text", text.toString());
    rendered.put("template", template);
    rendered.put("variables", variables);
    body.put("payload", rendered);
    MessageBodies.send(out, 0, body, msg);
  }
}
