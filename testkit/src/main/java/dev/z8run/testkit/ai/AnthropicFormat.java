package dev.z8run.testkit.ai;

import dev.z8run.io.json.JsonCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Anthropic's answers, from the recorded examples. */
final class AnthropicFormat {
  private AnthropicFormat() {}

  static String message(FakeProviders.Reply reply) {
    if (reply instanceof FakeProviders.Reply.ToolCalls calls) {
      Map<String, Object> answer =
          FakeProviders.object(FakeProviders.recorded("anthropic-tool-use.json"));
      List<?> recorded = (List<?>) answer.get("content");
      List<Object> content = new ArrayList<>();
      content.add(recorded.get(0));
      for (int i = 0; i < calls.calls().size(); i++) {
        Map<String, Object> block = FakeProviders.object(recorded.get(1));
        block.put("id", "toolu_01A09q90qw90lq917835lq" + i);
        block.put("name", calls.calls().get(i)[0]);
        block.put("input", JsonCodec.parse(calls.calls().get(i)[1]));
        content.add(block);
      }
      answer.put("content", content);
      return JsonCodec.writeString(answer);
    }
    Map<String, Object> answer =
        FakeProviders.object(FakeProviders.recorded("anthropic-message.json"));
    Map<String, Object> block = FakeProviders.object(((List<?>) answer.get("content")).get(0));
    block.put("text", ((FakeProviders.Reply.Text) reply).text());
    answer.put("content", List.of(block));
    return JsonCodec.writeString(answer);
  }

  static String stream(FakeProviders.Reply reply) {
    List<Recordings.Event> out = new ArrayList<>();
    if (reply instanceof FakeProviders.Reply.ToolCalls calls) {
      List<Recordings.Event> recorded = Recordings.events("anthropic-stream-tool-use.sse");
      for (int i = 0; i < 6; i++) {
        out.add(recorded.get(i)); // message_start, the text block and its stop
      }
      Recordings.Event start = recorded.get(6);
      Recordings.Event delta = recorded.get(8);
      for (int i = 0; i < calls.calls().size(); i++) {
        int index = i + 1;
        Map<String, Object> begin = Recordings.copy(start.data());
        begin.put("index", index);
        Map<String, Object> block = new LinkedHashMap<>();
        block.put("type", "tool_use");
        block.put("id", "toolu_01T1x1fJ34qAmk2tNTrN7Up" + i);
        block.put("name", calls.calls().get(i)[0]);
        block.put("input", Map.of());
        begin.put("content_block", block);
        out.add(new Recordings.Event(start.name(), begin, null));
        for (String piece : Recordings.thirds(calls.calls().get(i)[1])) {
          Map<String, Object> part = Recordings.copy(delta.data());
          part.put("index", index);
          part.put("delta", Map.of("type", "input_json_delta", "partial_json", piece));
          out.add(new Recordings.Event(delta.name(), part, null));
        }
        Map<String, Object> stop = Recordings.copy(recorded.get(14).data());
        stop.put("index", index);
        out.add(new Recordings.Event(recorded.get(14).name(), stop, null));
      }
      out.add(recorded.get(15)); // message_delta: tool_use
      out.add(recorded.get(16)); // message_stop
      return Recordings.sse(out);
    }
    List<Recordings.Event> recorded = Recordings.events("anthropic-stream.sse");
    out.add(recorded.get(0));
    out.add(recorded.get(1));
    out.add(recorded.get(2));
    Recordings.Event delta = recorded.get(3);
    for (String piece : Recordings.pieces(((FakeProviders.Reply.Text) reply).text())) {
      Map<String, Object> part = Recordings.copy(delta.data());
      part.put("delta", Map.of("type", "text_delta", "text", piece));
      out.add(new Recordings.Event(delta.name(), part, null));
    }
    out.add(recorded.get(5));
    out.add(recorded.get(6));
    out.add(recorded.get(7));
    return Recordings.sse(out);
  }
}
