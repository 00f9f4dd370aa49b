package dev.z8run.api.hook;

import dev.z8run.core.plan.ExecutionPlan.PlannedNode;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The route of an {@code http-in} node: its method and its path pattern of literal segments and
 * {@code :name} parameters, as Node-RED writes them ({@code /orders/:id}). Immutable.
 */
final class HookRoute {
  private final PlannedNode node;
  private final String method;
  private final String[] segments;

  HookRoute(PlannedNode node) {
    this.node = node;
    this.method =
        String.valueOf(node.config().getOrDefault("method", "GET")).toUpperCase(Locale.ROOT);
    this.segments = split(String.valueOf(node.config().get("path")));
  }

  PlannedNode node() {
    return node;
  }

  /** The method it answers, upper case; {@code ANY} for every method. */
  String method() {
    return method;
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
