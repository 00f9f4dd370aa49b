package dev.z8run.api.hook;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The path pattern of an {@code http-in} node: literal segments and {@code :name} parameters, as
 * Node-RED writes them ({@code /orders/:id}). Immutable.
 */
final class HookRoute {
  private final String[] segments;

  HookRoute(String pattern) {
    this.segments = split(pattern);
  }

  /** The parameters of {@code path} when it matches, else null. */
  Map<String, String> match(String path) {
    String[] parts = split(path);
    if (parts.length != segments.length) {
      return null;
    }
    Map<String, String> params = new LinkedHashMap<>();
    for (int i = 0; i < parts.length; i++) {
      if (segments[i].startsWith(":") && segments[i].length() > 1) {
        params.put(segments[i].substring(1), parts[i]);
      } else if (!segments[i].equals(parts[i])) {
        return null;
      }
    }
    return params;
  }

  private static String[] split(String path) {
    String trimmed = path == null ? "" : path.strip();
    while (trimmed.startsWith("/")) {
      trimmed = trimmed.substring(1);
    }
    while (trimmed.endsWith("/")) {
      trimmed = trimmed.substring(0, trimmed.length() - 1);
    }
    return trimmed.isEmpty() ? new String[0] : trimmed.split("/", -1);
  }
}
