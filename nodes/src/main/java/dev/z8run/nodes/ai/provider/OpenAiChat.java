package dev.z8run.nodes.ai.provider;

import dev.z8run.io.json.JsonCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * OpenAI's chat completions ({@code POST {baseUrl}/chat/completions}), which vLLM, LM Studio,
 * llama.cpp's server and Ollama's {@code /v1} speak too: bearer key, {@code messages} with {@code
 * system}/{@code user}/{@code assistant}/{@code tool} roles, {@code tools} as functions, tool calls
 * with their arguments as JSON text; streamed as server-sent events of {@code
 * chat.completion.chunk} deltas ended by {@code [DONE]}, with the usage in a last chunk ({@code
 * stream_options. include_usage}).
 */
final class OpenAiChat implements ChatApi {
  private final ProviderClient client;

  OpenAiChat(ProviderClient client) {
    this.client = client;
  }

  Map<String, Object> body(Chat.Request request, boolean stream) {
    ProviderSettings settings = client.settings();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("model", settings.model());
    body.put("messages", messages(request));
    if (!Double.isNaN(request.temperature())) {
      body.put("temperature", request.temperature());
    }
    // OpenAI's newer models refuse max_tokens; servers that copy the API know only max_tokens
    boolean openAi = settings.baseUrl().equals(Provider.OPENAI.defaultBaseUrl());
    body.put(openAi ? "max_completion_tokens" : "max_tokens", request.maxTokens());
    if (!request.tools().isEmpty()) {
      body.put("tools", functionTools(request.tools()));
    }
    if (request.jsonMode()) {
      body.put("response_format", Map.of("type", "json_object"));
    }
    if (stream) {
      body.put("stream", true);
      body.put("stream_options", Map.of("include_usage", true));
    }
    return body;
  }

  private static List<Object> messages(Chat.Request request) {
    List<Object> messages = systemMessage(request);
    for (Chat.Turn turn : request.turns()) {
      Map<String, Object> message = new LinkedHashMap<>();
      switch (turn.role()) {
        case USER -> {
          message.put("role", "user");
          message.put("content", turn.text());
        }
        case ASSISTANT -> {
          message.put("role", "assistant");
          message.put("content", turn.text().isEmpty() ? null : turn.text());
          if (!turn.toolCalls().isEmpty()) {
            List<Object> calls = new ArrayList<>();
            for (Chat.ToolCall call : turn.toolCalls()) {
              calls.add(
                  Map.of(
                      "id",
                      call.id(),
                      "type",
                      "function",
                      "function",
                      Map.of("name", call.name(), "arguments", call.rawArguments())));
            }
            message.put("tool_calls", calls);
          }
        }
        case TOOL -> {
          message.put("role", "tool");
          message.put("tool_call_id", turn.toolCallId());
          message.put("content", turn.text());
        }
      }
      messages.add(message);
    }
    return messages;
  }

  @Override
  public Chat.Result complete(Chat.Request request, Chat.Deltas deltas)
      throws ProviderException, InterruptedException {
    if (deltas == null) {
      Object answer =
          client.postJson("/chat/completions", client.bearerHeaders(), body(request, false));
      return parse(answer, client.settings().model());
    }
    Stream stream = new Stream(deltas);
    ServerSentEvents events = new ServerSentEvents(stream::onEvent);
    client.postStream("/chat/completions", client.bearerHeaders(), body(request, true), events);
    events.finish();
    return stream.result(client.settings().model());
  }

  static Chat.Result parse(Object answer, String model) throws ProviderException {
    Object message = WireJson.at(answer, "choices", 0, "message");
    if (!(message instanceof Map<?, ?>)) {
      throw new ProviderException(
          "openai answered without choices[0].message: " + shorten(answer), 200);
    }
    List<Chat.ToolCall> calls = new ArrayList<>();
    for (Object call : WireJson.list(message, "tool_calls")) {
      Object raw = WireJson.at(call, "function", "arguments");
      calls.add(
          new Chat.ToolCall(
              String.valueOf(WireJson.at(call, "id")),
              String.valueOf(WireJson.string(call, "function", "name")),
              WireJson.arguments(raw),
              raw instanceof String text ? text : JsonCodec.writeString(raw)));
    }
    String text = WireJson.string(message, "content");
    String finish = WireJson.string(answer, "choices", 0, "finish_reason");
    String answered = WireJson.string(answer, "model");
    return new Chat.Result(
        text == null ? "" : text,
        calls,
        new Chat.Usage(
            WireJson.number(answer, "usage", "prompt_tokens"),
            WireJson.number(answer, "usage", "completion_tokens")),
        finish == null ? "" : finish,
        answered == null ? model : answered);
  }

  /**
   * A new message list that starts with the request's system prompt as a {@code system} message
   * (the OpenAI shape that Ollama shares), or an empty one.
   */
  static List<Object> systemMessage(Chat.Request request) {
    List<Object> messages = new ArrayList<>();
    if (!request.system().isEmpty()) {
      messages.add(Map.of("role", "system", "content", request.system()));
    }
    return messages;
  }

  /** Tools in the OpenAI shape that Ollama shares: {@code {type: function, function: {...}}}. */
  static List<Object> functionTools(List<Chat.ToolSpec> specs) {
    List<Object> tools = new ArrayList<>();
    for (Chat.ToolSpec tool : specs) {
      Map<String, Object> function = new LinkedHashMap<>();
      function.put("name", tool.name());
      function.put("description", tool.description());
      function.put("parameters", tool.parameters());
      tools.add(Map.of("type", "function", "function", function));
    }
    return tools;
  }

  static String shorten(Object value) {
    String text = JsonCodec.writeString(value);
    return text.length() > 200 ? text.substring(0, 200) + "..." : text;
  }

  /** Accumulates a streamed completion. */
  private static final class Stream {
    private final Chat.Deltas deltas;
    private final StringBuilder text = new StringBuilder();
    private final Map<Integer, String[]> calls = new TreeMap<>(); // index -> {id, name, args}
    private Chat.Usage usage = Chat.Usage.NONE;
    private String finish = "";
    private String model;
    private boolean done;

    Stream(Chat.Deltas deltas) {
      this.deltas = deltas;
    }

    void onEvent(String event, String data) throws ProviderException, InterruptedException {
      if (data.equals("[DONE]")) {
        done = true;
        return;
      }
      Object chunk = WireJson.parse("openai", data);
      if (WireJson.at(chunk, "error") != null) {
        throw new ProviderException(
            "openai failed while streaming: "
                + ProviderClient.errorText(data.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
            200);
      }
      if (WireJson.string(chunk, "model") != null) {
        model = WireJson.string(chunk, "model");
      }
      if (WireJson.at(chunk, "usage") instanceof Map<?, ?>) {
        usage =
            new Chat.Usage(
                WireJson.number(chunk, "usage", "prompt_tokens"),
                WireJson.number(chunk, "usage", "completion_tokens"));
      }
      Object delta = WireJson.at(chunk, "choices", 0, "delta");
      String content = WireJson.string(delta, "content");
      if (content != null && !content.isEmpty()) {
        text.append(content);
        deltas.onText(content);
      }
      for (Object call : WireJson.list(delta, "tool_calls")) {
        int index = (int) WireJson.number(call, "index");
        String[] parts = calls.computeIfAbsent(index, i -> new String[] {"", "", ""});
        String id = WireJson.string(call, "id");
        String name = WireJson.string(call, "function", "name");
        String args = WireJson.string(call, "function", "arguments");
        if (id != null) {
          parts[0] = id;
        }
        if (name != null) {
          parts[1] += name;
        }
        if (args != null) {
          parts[2] += args;
        }
      }
      String reason = WireJson.string(chunk, "choices", 0, "finish_reason");
      if (reason != null) {
        finish = reason;
      }
    }

    Chat.Result result(String configured) throws ProviderException {
      if (!done && finish.isEmpty()) {
        throw new ProviderException("openai's stream ended before the completion finished", 200);
      }
      List<Chat.ToolCall> toolCalls = new ArrayList<>();
      for (String[] call : calls.values()) {
        toolCalls.add(new Chat.ToolCall(call[0], call[1], WireJson.arguments(call[2]), call[2]));
      }
      return new Chat.Result(
          text.toString(), toolCalls, usage, finish, model == null ? configured : model);
    }
  }
}
