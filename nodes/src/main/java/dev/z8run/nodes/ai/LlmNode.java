package dev.z8run.nodes.ai;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.core.registry.PortType;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.ai.provider.Chat;
import dev.z8run.nodes.ai.provider.ChatApi;
import dev.z8run.nodes.ai.provider.Provider;
import dev.z8run.nodes.ai.provider.ProviderClient;
import dev.z8run.nodes.ai.provider.ProviderException;
import dev.z8run.nodes.ai.provider.ProviderSettings;
import dev.z8run.nodes.support.MessageBodies;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code llm}: one chat completion per message, from OpenAI (or any server speaking its API),
 * Anthropic or Ollama. The prompt is {@code msg.payload} (a string, a z8run text field, or a
 * messages array {@code [{role, content}]}); the answer goes on as z8run's {@code payload = {text,
 * model, provider, prompt}} with {@code msg.usage}. With {@code stream}, the answer also goes out
 * piece by piece as partial messages before the whole. Blocking: runs on virtual threads, at most
 * {@code concurrency} at once.
 */
public final class LlmNode implements Node {
  public static final NodeType TYPE =
      AiNodes.chatType(
              "llm",
              "Asks a language model (OpenAI or compatible, Anthropic, Ollama) and sends"
                  + " its answer on.",
              "gpt-4o-mini",
              30_000)
          .outputs(new PortSpec("response", PortType.OBJECT), PortSpec.any("error"))
          .field(
              ConfigField.optional(
                  "systemPrompt", FieldType.STRING, "", "Instructions sent before the prompt."))
          .field(
              ConfigField.optional(
                  "temperature", FieldType.NUMBER, 0.7, "Sampling temperature (0 to 2)."))
          .field(
              ConfigField.optional(
                  "maxTokens", FieldType.INTEGER, 1024L, "Most tokens to generate (1 to 1000000)."))
          .field(
              ConfigField.optional(
                  "stream",
                  FieldType.BOOLEAN,
                  false,
                  "Also send the answer piece by piece as it arrives (msg.partial = true)."))
          .factory(LlmNode::new)
          .build();

  private final AiNodes.ErrorPort errors;
  private final ProviderClient client;
  private final ChatApi chat;
  private final String systemPrompt;
  private final double temperature;
  private final long maxTokens;
  private final boolean stream;

  private LlmNode(NodeContext context) {
    this.errors = new AiNodes.ErrorPort(context, TYPE.name(), 1);
    Provider provider = Provider.of(context.configString("provider", "openai"));
    this.client = AiNodes.client(context, ProviderSettings.from(context, provider, "gpt-4o-mini"));
    this.chat = ChatApi.of(client);
    this.systemPrompt = context.configString("systemPrompt", "");
    this.temperature = AiNodes.number(context, "temperature", 0.7, 0, 2);
    this.maxTokens = AiNodes.whole(context, "maxTokens", 1024, 1, 1_000_000);
    this.stream = context.configBoolean("stream", false);
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) throws InterruptedException {
    Map<String, Object> body = MessageBodies.parse(msg);
    Conversation conversation;
    try {
      conversation = conversation(body.get("payload"));
    } catch (IllegalArgumentException bad) {
      errors.send(msg, body, out, bad.getMessage(), Map.of());
      return;
    }
    Chat.Request request =
        new Chat.Request(
            conversation.system(), conversation.turns(), temperature, maxTokens, List.of(), false);
    Chat.Result result;
    int[] pieces = {0};
    try {
      result =
          chat.complete(
              request,
              stream
                  ? delta -> {
                    Map<String, Object> partial = new LinkedHashMap<>(body);
                    partial.put(
                        "payload",
                        payload(delta, conversation.prompt(), client.settings().model()));
                    partial.put("partial", true);
                    partial.put("index", pieces[0]++);
                    AiNodes.send(out, 0, partial);
                  }
                  : null);
    } catch (ProviderException failed) {
      errors.send(msg, body, out, failed.getMessage(), errorDetails(failed.status()));
      return;
    }
    client.counters().tokens(result.usage().promptTokens(), result.usage().completionTokens());
    Map<String, Object> answer = new LinkedHashMap<>(body);
    Map<String, Object> payload = payload(result.text(), conversation.prompt(), result.model());
    payload.put("finish_reason", result.finishReason());
    answer.put("payload", payload);
    answer.put("usage", result.usage().toJson());
    if (stream) {
      answer.put("partial", false);
      answer.put("index", pieces[0]);
    }
    MessageBodies.send(out, 0, answer, msg);
  }

  private Map<String, Object> payload(String text, String prompt, String model) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("text", text);
    payload.put("model", model);
    payload.put("provider", client.settings().provider().id());
    payload.put("prompt", prompt);
    return payload;
  }

  private Map<String, Object> errorDetails(int status) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("provider", client.settings().provider().id());
    details.put("model", client.settings().model());
    if (status > 0) {
      details.put("status", (long) status);
    }
    return details;
  }

  /** The system prompt, turns and (for the output) the prompt text. */
  private record Conversation(String system, List<Chat.Turn> turns, String prompt) {}

  private Conversation conversation(Object payload) {
    Object messages =
        payload instanceof Map<?, ?> map && map.get("messages") instanceof List<?> list
            ? list
            : payload;
    if (messages instanceof List<?> list) {
      StringBuilder system = new StringBuilder(systemPrompt);
      List<Chat.Turn> turns = new ArrayList<>();
      String prompt = "";
      for (int i = 0; i < list.size(); i++) {
        if (!(list.get(i) instanceof Map<?, ?> message)
            || !(message.get("role") instanceof String role)
            || !(message.get("content") instanceof String content)) {
          throw new IllegalArgumentException(
              "payload[" + i + "]: expected {role, content} with string values");
        }
        switch (role.toLowerCase(Locale.ROOT)) {
          case "system", "developer" -> {
            if (!system.isEmpty()) {
              system.append("\n\n");
            }
            system.append(content);
          }
          case "user" -> {
            turns.add(Chat.Turn.user(content));
            prompt = content;
          }
          case "assistant" -> turns.add(Chat.Turn.assistant(content, List.of()));
          default ->
              throw new IllegalArgumentException(
                  "payload[" + i + "].role: '" + role + "' is not system, user or assistant");
        }
      }
      if (turns.isEmpty() || turns.get(turns.size() - 1).role() != Chat.Role.USER) {
        throw new IllegalArgumentException("payload: the messages must end with a user message");
      }
      return new Conversation(system.toString(), turns, prompt);
    }
    String prompt = AiNodes.text(payload, AiNodes.TEXT_KEYS);
    if (prompt.isEmpty()) {
      throw new IllegalArgumentException(
          "no prompt in the message: expected a string payload, a messages array, or one of the"
              + " fields prompt, text, input, content, body, message");
    }
    return new Conversation(systemPrompt, List.of(Chat.Turn.user(prompt)), prompt);
  }
}
