package dev.z8run.testkit.ai;

import dev.z8run.io.json.JsonCodec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** OpenAI's answers, from the recorded examples. */
final class OpenAiFormat {
  private OpenAiFormat() {}

  @SuppressWarnings("unchecked")
  static String completion(FakeProviders.Reply reply) {
    if (reply instanceof FakeProviders.Reply.ToolCalls calls) {
      Map<String, Object> answer =
          FakeProviders.object(FakeProviders.recorded("openai-chat-tools.json"));
      Map<String, Object> choice = FakeProviders.object(((List<?>) answer.get("choices")).get(0));
      Map<String, Object> message = FakeProviders.object(choice.get("message"));
      List<Object> toolCalls = new ArrayList<>();
      Map<String, Object> recorded =
          (Map<String, Object>) ((List<?>) message.get("tool_calls")).get(0);
      for (int i = 0; i < calls.calls().size(); i++) {
        Map<String, Object> call = Recordings.copy(recorded);
        call.put("id", i == 0 ? recorded.get("id") : "call_abc12" + (3 + i));
        call.put(
            "function",
            Map.of("name", calls.calls().get(i)[0], "arguments", calls.calls().get(i)[1]));
        toolCalls.add(call);
      }
      message.put("tool_calls", toolCalls);
      choice.put("message", message);
      answer.put("choices", List.of(choice));
      return JsonCodec.writeString(answer);
    }
    String text = ((FakeProviders.Reply.Text) reply).text();
    Map<String, Object> answer = FakeProviders.object(FakeProviders.recorded("openai-chat.json"));
    Map<String, Object> choice = FakeProviders.object(((List<?>) answer.get("choices")).get(0));
    Map<String, Object> message = FakeProviders.object(choice.get("message"));
    message.put("content", text);
    choice.put("message", message);
    answer.put("choices", List.of(choice));
    return JsonCodec.writeString(answer);
  }

  @SuppressWarnings("unchecked")
  static String stream(FakeProviders.Reply reply) {
    List<Recordings.Event> recorded = Recordings.events("openai-chat-stream.sse");
    Map<String, Object> role = recorded.get(0).data();
    Map<String, Object> content = recorded.get(1).data();
    Map<String, Object> finish = recorded.get(2).data();
    List<Recordings.Event> out = new ArrayList<>();
    out.add(recorded.get(0));
    if (reply instanceof FakeProviders.Reply.ToolCalls calls) {
      for (int i = 0; i < calls.calls().size(); i++) {
        String[] call = calls.calls().get(i);
        Map<String, Object> start = Recordings.copy(role);
        Map<String, Object> toolCall = new LinkedHashMap<>();
        toolCall.put("index", i);
        toolCall.put("id", "call_abc12" + (3 + i));
        toolCall.put("type", "function");
        toolCall.put("function", Map.of("name", call[0], "arguments", ""));
        start.put("choices", List.of(choice(start, Map.of("tool_calls", List.of(toolCall)), null)));
        out.add(new Recordings.Event(null, start, null));
        for (String piece : Recordings.thirds(call[1])) {
          Map<String, Object> delta = Recordings.copy(role);
          Map<String, Object> args = Map.of("index", i, "function", Map.of("arguments", piece));
          delta.put("choices", List.of(choice(delta, Map.of("tool_calls", List.of(args)), null)));
          out.add(new Recordings.Event(null, delta, null));
        }
      }
      Map<String, Object> end = Recordings.copy(finish);
      end.put("choices", List.of(choice(end, Map.of(), "tool_calls")));
      out.add(new Recordings.Event(null, end, null));
    } else {
      for (String piece : Recordings.pieces(((FakeProviders.Reply.Text) reply).text())) {
        Map<String, Object> chunk = Recordings.copy(content);
        chunk.put("choices", List.of(choice(chunk, Map.of("content", piece), null)));
        out.add(new Recordings.Event(null, chunk, null));
      }
      out.add(recorded.get(2));
    }
    out.add(recorded.get(3));
    out.add(recorded.get(4));
    return Recordings.sse(out);
  }

  private static Map<String, Object> choice(
      Map<String, Object> chunk, Map<String, Object> delta, String finish) {
    Map<String, Object> choice = FakeProviders.object(((List<?>) chunk.get("choices")).get(0));
    choice.put("delta", delta);
    choice.put("finish_reason", finish);
    return choice;
  }

  static String embeddings(List<String> texts) {
    Map<String, Object> answer =
        FakeProviders.object(FakeProviders.recorded("openai-embeddings.json"));
    Map<String, Object> recorded = FakeProviders.object(((List<?>) answer.get("data")).get(0));
    List<Object> data = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      Map<String, Object> item = Recordings.copy(recorded);
      item.put("embedding", FakeProviders.vector(texts.get(i)));
      item.put("index", i);
      data.add(item);
    }
    answer.put("data", data);
    return JsonCodec.writeString(answer);
  }

  static String image(String url) {
    if (url != null) {
      Map<String, Object> answer =
          FakeProviders.object(FakeProviders.recorded("openai-images-url.json"));
      Map<String, Object> item = FakeProviders.object(((List<?>) answer.get("data")).get(0));
      item.put("url", url);
      answer.put("data", List.of(item));
      return JsonCodec.writeString(answer);
    }
    Map<String, Object> answer = FakeProviders.object(FakeProviders.recorded("openai-images.json"));
    answer.put(
        "data", List.of(Map.of("b64_json", Base64.getEncoder().encodeToString(FakeProviders.PNG))));
    return JsonCodec.writeString(answer);
  }
}
