package dev.z8run.testkit.ai;

import dev.z8run.io.json.JsonCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Helpers that take recorded bodies and streams apart and put them back together. */
final class Recordings {
  private Recordings() {}

  /** One server-sent event of a recording. */
  record Event(String name, Map<String, Object> data, String raw) {}

  /** The events of a recorded {@code .sse} file, in order. */
  static List<Event> events(String file) {
    List<Event> events = new ArrayList<>();
    String name = null;
    for (String line : FakeProviders.recorded(file).split("\n")) {
      if (line.startsWith("event: ")) {
        name = line.substring(7).strip();
      } else if (line.startsWith("data: ")) {
        String data = line.substring(6);
        events.add(new Event(name, data.startsWith("{") ? FakeProviders.object(data) : null, data));
        name = null;
      }
    }
    return events;
  }

  /** Writes events back as server-sent events (with {@code event:} lines where they had one). */
  static String sse(List<Event> events) {
    StringBuilder out = new StringBuilder();
    for (Event event : events) {
      if (event.name() != null) {
        out.append("event: ").append(event.name()).append('\n');
      }
      out.append("data: ")
          .append(event.data() == null ? event.raw() : JsonCodec.writeString(event.data()))
          .append("\n\n");
    }
    return out.toString();
  }

  /** A deep copy of a JSON object. */
  static Map<String, Object> copy(Map<String, Object> json) {
    return FakeProviders.object(JsonCodec.writeString(json));
  }

  /** A text in pieces as a model streams it: words with their following blanks. */
  static List<String> pieces(String text) {
    List<String> pieces = new ArrayList<>();
    int start = 0;
    for (int i = 1; i <= text.length(); i++) {
      if (i == text.length() || text.charAt(i - 1) == ' ' && text.charAt(i) != ' ') {
        pieces.add(text.substring(start, i));
        start = i;
      }
    }
    return pieces;
  }

  /** A JSON text in three pieces, as models stream tool arguments. */
  static List<String> thirds(String json) {
    int a = json.length() / 3;
    int b = 2 * json.length() / 3;
    return List.of(json.substring(0, a), json.substring(a, b), json.substring(b));
  }
}
