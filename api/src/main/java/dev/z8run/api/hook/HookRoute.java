package dev.z8run.api.hook;

import dev.z8run.core.plan.ExecutionPlan.PlannedNode;
import dev.z8run.nodes.network.ExpressPath;
import dev.z8run.nodes.network.HttpInNode;
import dev.z8run.nodes.network.WebhookNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The route of an {@code http-in} or {@code webhook} node: its method and its path pattern of
 * literal segments and {@code :name} parameters, as Node-RED writes them ({@code /orders/:id}); for
 * a webhook, also its {@link WebhookGate}. Immutable.
 *
 * <p>Express's other forms ({@code /orders/:id?}, {@code /orders/:id(\\d+)}, {@code /files/*}) are
 * matched as the regular expression {@link ExpressPath} makes of them. Literal segments match
 * without regard to case, as Express's router does by default ({@code caseSensitive: false}, which
 * Node-RED's http in keeps): {@code /Orders} answers {@code /orders}; parameters keep the request's
 * case.
 */
final class HookRoute {
  private final PlannedNode node;
  private final String method;
  private final String[] segments;

  /** The path without its outer slashes when it has no {@code :name} segment, else null. */
  private final String literal;

  /**
   * Express's forms ({@code :id?}, {@code :id(re)}, {@code *}) as a regular expression, or null.
   */
  private final Pattern expression;

  private final List<String> keys = new java.util.ArrayList<>();

  private final WebhookGate webhook;
  private final boolean nodeRed;

  HookRoute(PlannedNode node) {
    this.node = node;
    this.method =
        String.valueOf(node.config().getOrDefault("method", "GET")).toUpperCase(Locale.ROOT);
    this.segments = split(String.valueOf(node.config().get("path")));
    boolean params = false;
    for (String segment : segments) {
      params |= segment.startsWith(":") && segment.length() > 1;
    }
    String path = String.valueOf(node.config().get("path"));
    this.expression = ExpressPath.usesForms(path) ? ExpressPath.compile(path, keys) : null;
    this.literal = params || expression != null ? null : String.join("/", segments);
    this.webhook = isWebhook(node) ? WebhookGate.of(node.config()) : null;
    this.nodeRed = "node-red".equals(node.config().get("mode"));
  }

  /** Whether the node wants Node-RED's message (payload = body or query), not z8run's. */
  boolean nodeRed() {
    return nodeRed;
  }

  /** Whether {@code node} is served by the {@code /hook} routes. */
  static boolean routes(PlannedNode node) {
    return node.type().name().equals(HttpInNode.TYPE.name()) || isWebhook(node);
  }

  private static boolean isWebhook(PlannedNode node) {
    return node.type().name().equals(WebhookNode.TYPE.name());
  }

  PlannedNode node() {
    return node;
  }

  /** The signature and event check of a {@code webhook} node; null for {@code http-in}. */
  WebhookGate webhook() {
    return webhook;
  }

  /** The method it answers, upper case; {@code ANY} for every method. */
  String method() {
    return method;
  }

  /** The parameters of {@code path} when it matches, else null. */
  Map<String, String> match(String path) {
    if (expression != null) {
      Matcher matcher = ExpressPath.matcher(expression, "/" + trim(path));
      try {
        if (!matcher.matches()) {
          return null;
        }
      } catch (IllegalStateException backtracked) {
        return null; // the author's pattern ran past its time limit: no match
      }
      Map<String, String> params = new LinkedHashMap<>();
      for (int i = 0; i < keys.size(); i++) {
        String value = matcher.group(i + 1);
        if (value != null) { // an optional parameter that is absent is no parameter
          params.put(keys.get(i), value);
        }
      }
      return params;
    }
    if (literal != null) {
      // no parameters: equal segments are equal text once the outer slashes are gone
      return trimmedEquals(path, literal) ? Map.of() : null;
    }
    String[] parts = split(path);
    if (parts.length != segments.length) {
      return null;
    }
    Map<String, String> params = new LinkedHashMap<>();
    for (int i = 0; i < parts.length; i++) {
      if (segments[i].startsWith(":") && segments[i].length() > 1) {
        params.put(segments[i].substring(1), parts[i]);
      } else if (!segments[i].equalsIgnoreCase(parts[i])) {
        return null;
      }
    }
    return params;
  }

  private static String[] split(String path) {
    String trimmed = trim(path);
    return trimmed.isEmpty() ? new String[0] : trimmed.split("/", -1);
  }

  /** {@code path} without surrounding white space and slashes. */
  private static String trim(String path) {
    if (path == null) {
      return "";
    }
    int start = trimStart(path);
    return path.substring(start, trimEnd(path, start));
  }

  /** Whether {@link #trim}{@code (path)} equals {@code trimmed}, without making the substring. */
  private static boolean trimmedEquals(String path, String trimmed) {
    if (path == null) {
      return trimmed.isEmpty();
    }
    int start = trimStart(path);
    int length = trimEnd(path, start) - start;
    return length == trimmed.length() && path.regionMatches(true, start, trimmed, 0, length);
  }

  /** Where {@link #trim} starts: past leading white space, then leading slashes. */
  private static int trimStart(String path) {
    int start = 0;
    int end = path.length();
    while (start < end && Character.isWhitespace(path.charAt(start))) {
      start++;
    }
    int trailing = end;
    while (trailing > start && Character.isWhitespace(path.charAt(trailing - 1))) {
      trailing--;
    }
    while (start < trailing && path.charAt(start) == '/') {
      start++;
    }
    return start;
  }

  /** Where {@link #trim} ends, given its {@code start}: before trailing white space and slashes. */
  private static int trimEnd(String path, int start) {
    int end = path.length();
    while (end > start && Character.isWhitespace(path.charAt(end - 1))) {
      end--;
    }
    while (end > start && path.charAt(end - 1) == '/') {
      end--;
    }
    return end;
  }
}
