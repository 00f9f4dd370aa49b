package dev.z8run.nodes.ai.provider;

import dev.z8run.io.json.JsonCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Ollama's native chat ({@code POST {baseUrl}/api/chat}): {@code options.temperature} and {@code
 * num_predict}, tools as functions, tool calls with their arguments as objects and no ids (made up
 * here as {@code call_<n>}), {@code format: "json"} for JSON answers; streamed as newline-delimited
 * JSON objects, the last one {@code done: true} with {@code prompt_eval_count} and {@code
 * eval_count}.
 */
final class OllamaChat implements ChatApi {
  private final ProviderClient client;

  OllamaChat(ProviderClient client) {
    this.client = client;
  }

  Map<String, Object> body(Chat.Request request, boolean stream) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("model", client.settings().model());
    List<Object> messages = OpenAiChat.systemMessage(request);
    for (Chat.Turn turn : request.turns()) {
      Map<String, Object> message = new LinkedHashMap<>();
      switch (turn.role()) {
        case USER -> message.put("role", "user");
        case ASSISTANT -> message.put("role", "assistant");
        case TOOL -> {
          message.put("role", "tool");
          message.put("tool_name", turn.toolName());
        }
      }
      message.put("content", turn.text());
      if (!turn.toolCalls().isEmpty()) {
        List<Object> calls = new ArrayList<>();
        for (Chat.ToolCall call : turn.toolCalls()) {
          calls.add(Map.of("function", Map.of("name", call.name(), "arguments", call.arguments())));
        }
        message.put("tool_calls", calls);
      }
      messages.add(message);
    }
    body.put("messages", messages);
    body.put("stream", stream);
    Map<String, Object> options = new LinkedHashMap<>();
    if (!Double.isNaN(request.temperature())) {
      options.put("temperature", request.temperature());
    }
    options.put("num_predict", request.maxTokens());
    body.put("options", options);
    if (!request.tools().isEmpty()) {
      body.put("tools", OpenAiChat.functionTools(request.tools()));
    }
    if (request.jsonMode()) {
      body.put("format", "json");
    }
    return body;
  }

  @Override
  public Chat.Result complete(Chat.Request request, Chat.Deltas deltas)
      throws ProviderException, InterruptedException {
    if (deltas == null) {
      Object answer = client.postJson("/api/chat", client.bearerHeaders(), body(request, false));
      if (!(WireJson.at(answer, "message") instanceof Map<?, ?>)) {
        throw new ProviderException(
            "ollama answered without a message: " + OpenAiChat.shorten(answer), 200);
      }
      Accumulator result = new Accumulator();
      result.add(answer, null);
      return result.result(client.settings().model());
    }
    Accumulator result = new Accumulator();
    client.postStream(
        "/api/chat",
        client.bearerHeaders(),
        body(request, true),
        line -> {
          if (!line.isBlank()) {
            Object chunk = WireJson.parse("ollama", line);
            if (WireJson.at(chunk, "error") != null) {
              throw new ProviderException(
                  "ollama failed while streaming: " + WireJson.at(chunk, "error"), 200);
            }
            result.add(chunk, deltas);
          }
        });
    if (!result.done) {
      throw new ProviderException("ollama's stream ended before done: true", 200);
    }
    return result.result(client.settings().model());
  }

  /** Adds up the chunks of an answer (one chunk when not streamed). */
  private static final class Accumulator {
    private final StringBuilder text = new StringBuilder();
    private final List<Chat.ToolCall> calls = new ArrayList<>();
    private long promptTokens;
    private long completionTokens;
    private String reason = "";
    private String model;
    private boolean done;

    void add(Object chunk, Chat.Deltas deltas) throws InterruptedException {
      String content = WireJson.string(chunk, "message", "content");
      if (content != null && !content.isEmpty()) {
        text.append(content);
        if (deltas != null) {
          deltas.onText(content);
        }
      }
      for (Object call : WireJson.list(chunk, "message", "tool_calls")) {
        Object args = WireJson.at(call, "function", "arguments");
        String id = WireJson.string(call, "id");
        calls.add(
            new Chat.ToolCall(
                id == null ? "call_" + (calls.size() + 1) : id,
                String.valueOf(WireJson.string(call, "function", "name")),
                WireJson.arguments(args),
                args instanceof String raw
                    ? raw
                    : JsonCodec.writeString(args == null ? Map.of() : args)));
      }
      if (WireJson.string(chunk, "model") != null) {
        model = WireJson.string(chunk, "model");
      }
      if (Boolean.TRUE.equals(WireJson.at(chunk, "done"))) {
        done = true;
        promptTokens = WireJson.number(chunk, "prompt_eval_count");
        completionTokens = WireJson.number(chunk, "eval_count");
        String why = WireJson.string(chunk, "done_reason");
        reason = why == null ? "stop" : why;
      }
    }

    Chat.Result result(String configured) {
      return new Chat.Result(
          text.toString(),
          calls,
          new Chat.Usage(promptTokens, completionTokens),
          reason,
          model == null ? configured : model);
    }
  }
}
