package dev.z8run.nodes.function;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.MessageBodies;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A {@code function} node in z8run's form, which runs no code ({@code
 * crates/z8run-core/src/nodes/function.rs}): {@code template} makes the new {@code msg.payload}
 * from the old one, {@code outputValue} replaces it with a constant. The template is a JSON value
 * (or a string holding one) whose strings may name values of the payload in braces: {@code
 * "{req.body.age}"} alone gives the value itself (a number stays a number), {@code "Hello
 * {req.body.name}"} inserts its text (a missing value as {@code null}), and a result that reads as
 * a number or boolean becomes one. Other message properties are kept; a binary payload is not.
 */
final class Z8runTemplate implements Node {
  private final Object template;
  private final Object outputValue;
  private final boolean hasTemplate;

  Z8runTemplate(NodeContext context) {
    Object configured = context.config().get("template");
    hasTemplate = configured != null;
    if (configured instanceof String text) {
      Object parsed;
      try {
        parsed = JsonCodec.parse(text);
      } catch (RuntimeException notJson) {
        parsed = text; // z8run keeps a template string that is not JSON as it is
      }
      template = parsed;
    } else {
      template = configured;
    }
    outputValue = context.config().get("outputValue");
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    Map<String, Object> body = MessageBodies.parse(msg);
    Object payload = body.get("payload");
    body.put("payload", hasTemplate ? resolve(template, payload) : outputValue);
    MessageBodies.send(out, 0, body, null);
  }

  /** z8run's {@code resolve_template}. */
  static Object resolve(Object template, Object data) {
    if (template instanceof String text) {
      return resolveText(text, data);
    }
    if (template instanceof Map<?, ?> map) {
      Map<String, Object> resolved = new LinkedHashMap<>();
      map.forEach((key, value) -> resolved.put(String.valueOf(key), resolve(value, data)));
      return resolved;
    }
    if (template instanceof List<?> list) {
      List<Object> resolved = new ArrayList<>(list.size());
      for (Object item : list) {
        resolved.add(resolve(item, data));
      }
      return resolved;
    }
    return template;
  }

  private static Object resolveText(String text, Object data) {
    if (text.indexOf('{') < 0) {
      return text;
    }
    String trimmed = text.strip();
    if (trimmed.startsWith("{")
        && trimmed.endsWith("}")
        && trimmed.chars().filter(c -> c == '{').count() == 1) {
      Object value = lookup(data, trimmed.substring(1, trimmed.length() - 1));
      if (value != null) {
        return value;
      }
    }
    StringBuilder result = new StringBuilder();
    int i = 0;
    while (true) {
      int open = text.indexOf('{', i);
      int close = open < 0 ? -1 : text.indexOf('}', open);
      if (close < 0) {
        result.append(text, i, text.length());
        break;
      }
      result.append(text, i, open);
      Object value = lookup(data, text.substring(open + 1, close));
      result.append(
          value instanceof String string
              ? string
              : value == null ? "null" : JsonCodec.writeString(value));
      i = close + 1;
    }
    String resolved = result.toString();
    try {
      Object parsed = JsonCodec.parse(resolved);
      if (parsed instanceof Number || parsed instanceof Boolean) {
        return parsed;
      }
    } catch (RuntimeException notJson) {
      // text it stays
    }
    return resolved;
  }

  /** z8run's {@code json_path_lookup}: dotted keys, digits index arrays; missing is null. */
  static Object lookup(Object data, String path) {
    Object current = data;
    for (String segment : path.split("\\.", -1)) {
      if (current instanceof Map<?, ?> map) {
        current = map.get(segment);
      } else if (current instanceof List<?> list) {
        try {
          int index = Integer.parseInt(segment);
          current = index >= 0 && index < list.size() ? list.get(index) : null;
        } catch (NumberFormatException notIndex) {
          return null;
        }
      } else {
        return null;
      }
      if (current == null) {
        return null;
      }
    }
    return current;
  }
}
