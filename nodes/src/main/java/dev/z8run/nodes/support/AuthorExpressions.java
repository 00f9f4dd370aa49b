package dev.z8run.nodes.support;

import dev.z8run.core.node.NodeContext;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether a node's rules run expressions the flow's author wrote, whose time is theirs to choose: a
 * regular expression ({@code t: regex}, z8run's {@code type}/{@code condition: regex}, {@code
 * fromt: re}) or a JSONata expression ({@code t: jsonata_exp}, any {@code vt}, {@code v2t}, {@code
 * tot}, {@code propertyType} of {@code jsonata}). Such a node declares it ({@link
 * NodeContext#declareAuthorTimed}), so that an HTTP request never runs it on its own thread.
 */
public final class AuthorExpressions {
  private static final Set<String> KIND_KEYS = Set.of("t", "type", "condition");
  private static final Set<String> KINDS = Set.of("regex", "jsonata_exp");
  private static final Set<String> TYPE_KEYS = Set.of("vt", "v2t", "tot", "propertyType", "fromt");
  private static final Set<String> TYPES = Set.of("jsonata", "re");

  private AuthorExpressions() {}

  /** Declares the node author-timed when its config uses any such expression. */
  public static void declareIfUsed(NodeContext context) {
    if (used(context.config())) {
      context.declareAuthorTimed();
    }
  }

  /** Whether {@code value} (a node's config, or part of it) holds such an expression. */
  static boolean used(Object value) {
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        Object key = entry.getKey();
        Object item = entry.getValue();
        if (KIND_KEYS.contains(key) && KINDS.contains(item)
            || TYPE_KEYS.contains(key) && TYPES.contains(item)
            || used(item)) {
          return true;
        }
      }
    } else if (value instanceof List<?> list) {
      for (Object item : list) {
        if (used(item)) {
          return true;
        }
      }
    }
    return false;
  }
}
