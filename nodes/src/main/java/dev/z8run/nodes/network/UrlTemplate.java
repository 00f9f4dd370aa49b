package dev.z8run.nodes.network;

import dev.z8run.io.json.JsonScanner;
import dev.z8run.nodes.support.JsonValues;
import dev.z8run.nodes.support.MessagePath;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.agrona.DirectBuffer;

/**
 * A URL with mustache-style placeholders filled from the message: {@code {{payload.id}}} inserts
 * the value percent-encoded (safe inside a path segment or a query value), {@code
 * {{{payload.url}}}} inserts it as it is, and z8run's {@code {req.body.id}} inserts a value of
 * {@code msg.payload} as it is (as z8run's {@code resolve_template}). A string is inserted as its
 * text, anything else as its JSON, a missing property as nothing. Values are read from the message
 * bytes in place.
 */
final class UrlTemplate {
  private final List<String> literals = new ArrayList<>();
  private final List<MessagePath> paths = new ArrayList<>();
  private final List<Boolean> raw = new ArrayList<>();

  UrlTemplate(String template) {
    int i = 0;
    while (true) {
      int open = template.indexOf('{', i);
      if (open < 0) {
        literals.add(template.substring(i));
        return;
      }
      boolean triple = template.startsWith("{{{", open);
      boolean single = !template.startsWith("{{", open);
      String close = triple ? "}}}" : single ? "}" : "}}";
      int end = template.indexOf(close, open);
      if (end < 0) {
        throw new IllegalArgumentException(
            "'" + template + "' has an unclosed " + (triple ? "{{{" : single ? "{" : "{{"));
      }
      literals.add(template.substring(i, open));
      String inside = template.substring(open + (triple ? 3 : single ? 1 : 2), end).strip();
      paths.add(single ? MessagePath.inPayload(inside, "url") : MessagePath.of(inside));
      raw.add(triple || single);
      i = end + close.length();
    }
  }

  /** Whether the template has no placeholder. */
  boolean isConstant() {
    return paths.isEmpty();
  }

  String fill(DirectBuffer buffer, int offset, int length) {
    StringBuilder url = new StringBuilder(literals.get(0));
    for (int k = 0; k < paths.size(); k++) {
      long span = paths.get(k).find(buffer, offset, length);
      if (span != JsonScanner.NOT_FOUND) {
        String value = JsonValues.text(buffer, span);
        url.append(
            raw.get(k)
                ? value
                : URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20"));
      }
      url.append(literals.get(k + 1));
    }
    return url.toString();
  }
}
