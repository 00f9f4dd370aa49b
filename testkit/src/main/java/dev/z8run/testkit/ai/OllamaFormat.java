package dev.z8run.testkit.ai;

import dev.z8run.io.json.JsonCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Ollama's answers, from the recorded examples. */
final class OllamaFormat {
  private OllamaFormat() {}

  static String chat(FakeProviders.Reply reply) {
    if (reply instanceof FakeProviders.Reply.ToolCalls calls) {
      Map<String, Object> answer =
          FakeProviders.object(FakeProviders.recorded("ollama-chat-tools.json"));
      Map<String, Object> message = FakeProviders.object(answer.get("message"));
      message.put("tool_calls", toolCalls(calls));
      answer.put("message", message);
      return JsonCodec.writeString(answer);
    }
    Map<String, Object> answer = FakeProviders.object(FakeProviders.recorded("ollama-chat.json"));
    Map<String, Object> message = FakeProviders.object(answer.get("message"));
    message.put("content", ((FakeProviders.Reply.Text) reply).text());
    answer.put("message", message);
    return JsonCodec.writeString(answer);
  }

  private static List<Object> toolCalls(FakeProviders.Reply.ToolCalls calls) {
    List<Object> list = new ArrayList<>();
    for (String[] call : calls.calls()) {
      list.add(Map.of("function", Map.of("name", call[0], "arguments", JsonCodec.parse(call[1]))));
    }
    return list;
  }

  static String stream(FakeProviders.Reply reply) {
    String[] recorded = FakeProviders.recorded("ollama-chat-stream.ndjson").split("\n");
    Map<String, Object> part = FakeProviders.object(recorded[0]);
    StringBuilder out = new StringBuilder();
    if (reply instanceof FakeProviders.Reply.ToolCalls calls) {
      Map<String, Object> chunk = Recordings.copy(part);
      Map<String, Object> message = FakeProviders.object(chunk.get("message"));
      message.put("content", "");
      message.put("tool_calls", toolCalls(calls));
      chunk.put("message", message);
      out.append(JsonCodec.writeString(chunk)).append('\n');
    } else {
      for (String piece : Recordings.pieces(((FakeProviders.Reply.Text) reply).text())) {
        Map<String, Object> chunk = Recordings.copy(part);
        Map<String, Object> message = FakeProviders.object(chunk.get("message"));
        message.put("content", piece);
        chunk.put("message", message);
        out.append(JsonCodec.writeString(chunk)).append('\n');
      }
    }
    out.append(recorded[1]).append('\n');
    return out.toString();
  }

  static String embed(List<String> texts) {
    Map<String, Object> answer = FakeProviders.object(FakeProviders.recorded("ollama-embed.json"));
    List<Object> vectors = new ArrayList<>();
    for (String text : texts) {
      vectors.add(FakeProviders.vector(text));
    }
    answer.put("embeddings", vectors);
    return JsonCodec.writeString(answer);
  }
}
