package dev.z8run.nodes.ai.provider;

import dev.z8run.io.json.JsonCodec;
import java.util.List;
import java.util.Map;

/** Reading providers' JSON answers: lenient getters that answer null instead of throwing. */
final class WireJson {
  private WireJson() {}

  /** The value at {@code path} (map keys and list indexes), or null. */
  static Object at(Object root, Object... path) {
    Object current = root;
    for (Object step : path) {
      if (step instanceof String key && current instanceof Map<?, ?> map) {
        current = map.get(key);
      } else if (step instanceof Integer index
          && current instanceof List<?> list
          && index < list.size()) {
        current = list.get(index);
      } else {
        return null;
      }
    }
    return current;
  }

  static String string(Object root, Object... path) {
    return at(root, path) instanceof String text ? text : null;
  }

  static long number(Object root, Object... path) {
    return at(root, path) instanceof Number number ? number.longValue() : 0;
  }

  static List<?> list(Object root, Object... path) {
    return at(root, path) instanceof List<?> list ? list : List.of();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> object(Object value) {
    return value instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
  }

  /** Parses an SSE or NDJSON data line as JSON; a broken line is the provider's error. */
  static Object parse(String provider, String data) throws ProviderException {
    try {
      return JsonCodec.parse(data);
    } catch (JsonCodec.JsonException bad) {
      String shown = data.length() > 200 ? data.substring(0, 200) + "..." : data;
      throw new ProviderException(provider + " streamed a line that is not JSON: " + shown, 200);
    }
  }

  /** Tool arguments as a map: the model writes JSON text (OpenAI) or an object (others). */
  static Map<String, Object> arguments(Object raw) {
    if (raw instanceof Map<?, ?>) {
      return object(raw);
    }
    if (raw instanceof String text && !text.isBlank()) {
      try {
        return object(JsonCodec.parse(text));
      } catch (JsonCodec.JsonException notJson) {
        return Map.of();
      }
    }
    return Map.of();
  }
}
