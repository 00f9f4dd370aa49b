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
import dev.z8run.nodes.ai.provider.Chat;
import dev.z8run.nodes.ai.provider.ProviderException;
import dev.z8run.nodes.support.JsonSchemaCheck;
import dev.z8run.nodes.support.MessageBodies;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code structured-output}: asks a model to answer the message's text with JSON that fits {@code
 * schema}, validates the answer against the schema (a JSON Schema validator, not just a parser),
 * and on failure asks again with the validation errors, up to {@code retries} times; the valid JSON
 * becomes the payload on {@code output}, else the message goes to {@code error} with the last
 * errors.
 */
public final class StructuredOutputNode implements Node {
  public static final NodeType TYPE =
      AiNodes.chatType(
              "structured-output",
              "Gets JSON that fits a JSON Schema from a language model, validated and"
                  + " retried.",
              "gpt-4o-mini",
              30_000)
          .outputs(new PortSpec("output", PortType.OBJECT), PortSpec.any("error"))
          .field(
              ConfigField.optional(
                  "schema",
                  FieldType.ANY,
                  // {"type":"object","properties":{"name":{"type":"string"},
                  // "score":{"type":"number"}}} as JsonCodec.parse gives it, built without
                  // parsing: the registry is built at every start, and the first parse
                  // initialises Jackson's parser and with it BigDecimal (30-60 ms of CPU on JDK
                  // 25, perf/README.md)
                  object(
                      "type",
                      "object",
                      "properties",
                      object("name", object("type", "string"), "score", object("type", "number"))),
                  "The JSON Schema the answer must fit (an object, or its JSON text)."))
          .field(
              ConfigField.optional(
                  "retries",
                  FieldType.INTEGER,
                  2L,
                  "Times to ask again, with the validation errors, before giving up (0 to 10)."))
          .field(
              ConfigField.optional(
                  "systemPrompt", FieldType.STRING, "", "More instructions, after the schema's."))
          .field(
              ConfigField.optional(
                  "maxTokens", FieldType.INTEGER, 4096L, "Most tokens per answer (1 to 1000000)."))
          .factory(StructuredOutputNode::new)
          .build();

  /** A JSON object as {@link JsonCodec#parse} gives it: keys and values alternate, order kept. */
  private static Map<String, Object> object(Object... keysAndValues) {
    Map<String, Object> object = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      object.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return object;
  }

  private static final List<String> TEXT_KEYS =
      List.of("text", "content", "body", "prompt", "input", "message");

  private final AiNodes.ErrorPort errors;
  private final ChatModel model;
  private final JsonSchemaCheck schema;
  private final int retries;
  private final String system;
  private final long maxTokens;

  private StructuredOutputNode(NodeContext context) {
    this.errors = new AiNodes.ErrorPort(context, TYPE.name(), 1);
    Object configured = context.config().get("schema");
    this.schema =
        JsonSchemaCheck.compile(
            configured == null ? TYPE.field("schema").defaultValue() : configured);
    this.retries = (int) AiNodes.whole(context, "retries", 2, 0, 10);
    this.maxTokens = AiNodes.whole(context, "maxTokens", 4096, 1, 1_000_000);
    this.model = ChatModel.from(context, "gpt-4o-mini");
    String extra = context.configString("systemPrompt", "");
    this.system =
        "You are a JSON extraction assistant. You MUST respond ONLY with a valid JSON value that"
            + " matches this JSON Schema:\n\n"
            + schema.text()
            + "\n\nRespond with ONLY the JSON, nothing else."
            + (extra.isBlank() ? "" : "\n\n" + extra);
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) throws InterruptedException {
    Map<String, Object> body = MessageBodies.parse(msg);
    Object payload = body.get("payload");
    String text =
        payload instanceof Map<?, ?> || payload instanceof List<?>
            ? AiNodes.text(payload, TEXT_KEYS)
            : AiNodes.text(payload, TEXT_KEYS);
    if (text.isBlank() && payload instanceof Map<?, ?> map && !map.isEmpty()) {
      text = JsonCodec.writeString(payload);
    }
    if (text.isBlank()) {
      errors.send(msg, body, out, "no text in the message", Map.of());
      return;
    }
    ChatModel.Usage usage = new ChatModel.Usage();
    List<Chat.Turn> turns = new ArrayList<>(List.of(Chat.Turn.user(text)));
    List<String> problems = List.of();
    String last = "";
    for (int attempt = 0; attempt <= retries; attempt++) {
      Chat.Result result;
      try {
        result = model.ask(new Chat.Request(system, turns, 0.0, maxTokens, List.of(), true), usage);
      } catch (ProviderException failed) {
        Map<String, Object> details = model.errorDetails(failed);
        details.put("attempts", (long) attempt + 1);
        body.put("usage", usage.toJson());
        errors.send(msg, body, out, failed.getMessage(), details);
        return;
      }
      last = result.text();
      Object parsed = json(last);
      if (parsed == NOT_JSON) {
        problems = List.of("the answer is not JSON");
      } else {
        problems = schema.problems(parsed);
        if (problems.isEmpty()) {
          body.put("payload", parsed);
          body.put("usage", usage.toJson());
          body.put("attempts", (long) attempt + 1);
          MessageBodies.send(out, 0, body, msg);
          return;
        }
      }
      turns.add(Chat.Turn.assistant(last, List.of()));
      turns.add(
          Chat.Turn.user(
              "Your answer does not fit the schema:\n- "
                  + String.join("\n- ", problems)
                  + "\nAnswer again with ONLY the corrected JSON."));
    }
    Map<String, Object> details = model.errorDetails(null);
    details.put("validation", problems);
    details.put("answer", last);
    details.put("attempts", (long) retries + 1);
    body.put("usage", usage.toJson());
    errors.send(
        msg,
        body,
        out,
        "the answer did not fit the schema after "
            + (retries + 1)
            + " attempt(s): "
            + problems.get(0),
        details);
  }

  private static final Object NOT_JSON = new Object();

  /**
   * The JSON in a model's answer: the whole answer, else a fenced {@code ```json} block, else the
   * span from the first brace or bracket to the last; {@link #NOT_JSON} when there is none.
   */
  static Object json(String answer) {
    String trimmed = answer.strip();
    Object parsed = tryParse(trimmed);
    if (parsed != NOT_JSON) {
      return parsed;
    }
    int fence = trimmed.indexOf("```");
    if (fence >= 0) {
      int start = trimmed.indexOf('\n', fence);
      int end = trimmed.indexOf("```", fence + 3);
      if (start >= 0 && end > start) {
        parsed = tryParse(trimmed.substring(start + 1, end).strip());
        if (parsed != NOT_JSON) {
          return parsed;
        }
      }
    }
    int open = firstOf(trimmed, '{', '[');
    int close = Math.max(trimmed.lastIndexOf('}'), trimmed.lastIndexOf(']'));
    if (open >= 0 && close > open) {
      return tryParse(trimmed.substring(open, close + 1));
    }
    return NOT_JSON;
  }

  private static int firstOf(String text, char a, char b) {
    int i = text.indexOf(a);
    int j = text.indexOf(b);
    return i < 0 ? j : j < 0 ? i : Math.min(i, j);
  }

  private static Object tryParse(String text) {
    if (text.isEmpty()) {
      return NOT_JSON;
    }
    try {
      return JsonCodec.parse(text);
    } catch (JsonCodec.JsonException notJson) {
      return NOT_JSON;
    }
  }
}
