package dev.z8run.nodes.ai.provider;

import dev.z8run.io.json.JsonCodec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Anthropic's Messages API ({@code POST {baseUrl}/messages}, {@code x-api-key}, {@code
 * anthropic-version: 2023-06-01}): the system prompt beside the messages, content as blocks ({@code
 * text}, {@code tool_use}, {@code tool_result}), tools with an {@code input_schema}; streamed as
 * server-sent events ({@code message_start}, {@code content_block_start}/{@code _delta}/{@code
 * _stop}, {@code message_delta} with the output tokens, {@code message_stop}, {@code error}).
 */
final class AnthropicChat implements ChatApi {
  /** The API version the requests are written for. */
  static final String VERSION = "2023-06-01";

  private final ProviderClient client;

  AnthropicChat(ProviderClient client) {
    this.client = client;
  }

  private Map<String, String> headers() {
    return Map.of("x-api-key", client.settings().apiKey(), "anthropic-version", VERSION);
  }

  Map<String, Object> body(Chat.Request request, boolean stream) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("model", client.settings().model());
    body.put("max_tokens", request.maxTokens());
    if (!request.system().isEmpty()) {
      body.put("system", request.system());
    }
    body.put("messages", messages(request.turns()));
    if (!Double.isNaN(request.temperature())) {
      body.put("temperature", Math.min(1.0, Math.max(0.0, request.temperature())));
    }
    if (!request.tools().isEmpty()) {
      List<Object> tools = new ArrayList<>();
      for (Chat.ToolSpec tool : request.tools()) {
        Map<String, Object> schema = new LinkedHashMap<>(tool.parameters());
        schema.putIfAbsent("type", "object");
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("name", tool.name());
        spec.put("description", tool.description());
        spec.put("input_schema", schema);
        tools.add(spec);
      }
      body.put("tools", tools);
    }
    if (stream) {
      body.put("stream", true);
    }
    return body;
  }

  private static List<Object> messages(List<Chat.Turn> turns) {
    List<Object> messages = new ArrayList<>();
    List<Object> results = null;
    for (Chat.Turn turn : turns) {
      if (turn.role() == Chat.Role.TOOL) {
        if (results == null) {
          results = new ArrayList<>();
          messages.add(Map.of("role", "user", "content", results));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("type", "tool_result");
        result.put("tool_use_id", turn.toolCallId());
        result.put("content", turn.text());
        results.add(result);
        continue;
      }
      results = null;
      if (turn.role() == Chat.Role.USER) {
        messages.add(Map.of("role", "user", "content", turn.text()));
        continue;
      }
      List<Object> blocks = new ArrayList<>();
      if (!turn.text().isEmpty()) {
        blocks.add(Map.of("type", "text", "text", turn.text()));
      }
      for (Chat.ToolCall call : turn.toolCalls()) {
        blocks.add(
            Map.of(
                "type",
                "tool_use",
                "id",
                call.id(),
                "name",
                call.name(),
                "input",
                call.arguments()));
      }
      messages.add(Map.of("role", "assistant", "content", blocks));
    }
    return messages;
  }

  @Override
  public Chat.Result complete(Chat.Request request, Chat.Deltas deltas)
      throws ProviderException, InterruptedException {
    if (deltas == null) {
      return parse(client.postJson("/messages", headers(), body(request, false)));
    }
    Stream stream = new Stream(deltas);
    ServerSentEvents events = new ServerSentEvents(stream::onEvent);
    client.postStream("/messages", headers(), body(request, true), events);
    events.finish();
    return stream.result(client.settings().model());
  }

  private Chat.Result parse(Object answer) throws ProviderException {
    if (!(WireJson.at(answer, "content") instanceof List<?> blocks)) {
      throw new ProviderException(
          "anthropic answered without content: " + OpenAiChat.shorten(answer), 200);
    }
    StringBuilder text = new StringBuilder();
    List<Chat.ToolCall> calls = new ArrayList<>();
    for (Object block : blocks) {
      String type = WireJson.string(block, "type");
      if ("text".equals(type)) {
        text.append(WireJson.string(block, "text"));
      } else if ("tool_use".equals(type)) {
        Object input = WireJson.at(block, "input");
        calls.add(
            new Chat.ToolCall(
                WireJson.string(block, "id"),
                WireJson.string(block, "name"),
                WireJson.arguments(input),
                JsonCodec.writeString(input == null ? Map.of() : input)));
      }
    }
    String model = WireJson.string(answer, "model");
    String stop = WireJson.string(answer, "stop_reason");
    return new Chat.Result(
        text.toString(),
        calls,
        new Chat.Usage(
            WireJson.number(answer, "usage", "input_tokens"),
            WireJson.number(answer, "usage", "output_tokens")),
        stop == null ? "" : stop,
        model == null ? client.settings().model() : model);
  }

  /** Accumulates a streamed message. */
  private static final class Stream {
    private final Chat.Deltas deltas;
    private final StringBuilder text = new StringBuilder();
    private final Map<Integer, String[]> tools = new TreeMap<>(); // index -> {id, name, json}
    private long inputTokens;
    private long outputTokens;
    private String stop = "";
    private String model;
    private boolean stopped;

    Stream(Chat.Deltas deltas) {
      this.deltas = deltas;
    }

    void onEvent(String event, String data) throws ProviderException, InterruptedException {
      Object json = WireJson.parse("anthropic", data);
      String type = WireJson.string(json, "type");
      if (type == null) {
        type = event;
      }
      switch (type) {
        case "message_start" -> {
          model = WireJson.string(json, "message", "model");
          inputTokens = WireJson.number(json, "message", "usage", "input_tokens");
          outputTokens = WireJson.number(json, "message", "usage", "output_tokens");
        }
        case "content_block_start" -> {
          Object block = WireJson.at(json, "content_block");
          if ("tool_use".equals(WireJson.string(block, "type"))) {
            tools.put(
                (int) WireJson.number(json, "index"),
                new String[] {WireJson.string(block, "id"), WireJson.string(block, "name"), ""});
          }
        }
        case "content_block_delta" -> {
          Object delta = WireJson.at(json, "delta");
          String kind = WireJson.string(delta, "type");
          if ("text_delta".equals(kind)) {
            String piece = WireJson.string(delta, "text");
            if (piece != null && !piece.isEmpty()) {
              text.append(piece);
              deltas.onText(piece);
            }
          } else if ("input_json_delta".equals(kind)) {
            String[] tool = tools.get((int) WireJson.number(json, "index"));
            String partial = WireJson.string(delta, "partial_json");
            if (tool != null && partial != null) {
              tool[2] += partial;
            }
          }
        }
        case "message_delta" -> {
          String reason = WireJson.string(json, "delta", "stop_reason");
          if (reason != null) {
            stop = reason;
          }
          if (WireJson.at(json, "usage", "output_tokens") instanceof Number n) {
            outputTokens = n.longValue();
          }
          if (WireJson.at(json, "usage", "input_tokens") instanceof Number n && n.longValue() > 0) {
            inputTokens = n.longValue();
          }
        }
        case "message_stop" -> stopped = true;
        case "error" ->
            throw new ProviderException(
                "anthropic failed while streaming: "
                    + ProviderClient.errorText(data.getBytes(StandardCharsets.UTF_8)),
                200);
        default -> {
          // ping, content_block_stop and future event types
        }
      }
    }

    Chat.Result result(String configured) throws ProviderException {
      if (!stopped) {
        throw new ProviderException("anthropic's stream ended before message_stop", 200);
      }
      List<Chat.ToolCall> calls = new ArrayList<>();
      for (String[] tool : tools.values()) {
        String json = tool[2].isBlank() ? "{}" : tool[2];
        calls.add(new Chat.ToolCall(tool[0], tool[1], WireJson.arguments(json), json));
      }
      return new Chat.Result(
          text.toString(),
          calls,
          new Chat.Usage(inputTokens, outputTokens),
          stop,
          model == null ? configured : model);
    }
  }
}
