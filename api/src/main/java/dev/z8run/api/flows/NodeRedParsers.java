package dev.z8run.api.flows;

import java.util.List;
import java.util.Map;

/**
 * The Node-RED parser and sequence nodes {@link NodeRedImport} maps: {@code csv}, {@code yaml},
 * {@code xml}, {@code html}, {@code sort} and {@code batch}. Ours keep Node-RED's field names;
 * Node-RED writes numbers and booleans in several forms ({@code "5"}, {@code ""}, {@code true}),
 * which become one type here.
 */
final class NodeRedParsers {
  private NodeRedParsers() {}

  /**
   * Fills {@code config} for a Node-RED node of {@code type}.
   *
   * @return our type name, or null when this class does not map that type
   */
  static String map(String type, Map<?, ?> node, Map<String, Object> config, List<String> notes) {
    switch (type) {
      case "csv" -> {
        if ("rfc".equals(node.get("spec"))) {
          notes.add(
              "its RFC 4180 parser is not supported yet: the legacy parser (Node-RED's default"
                  + " before 4.0) is used");
        }
        text(node, config, "sep", "temp", "ret");
        config.put("hdrin", truthy(node.get("hdrin")));
        Object hdrout = node.get("hdrout");
        config.put(
            "hdrout",
            Boolean.TRUE.equals(hdrout)
                ? "all"
                : "all".equals(hdrout) || "once".equals(hdrout) ? hdrout : "none");
        config.put("multi", "mult".equals(node.get("multi")) ? "mult" : "one");
        integer(node, config, "skip", 0);
        config.put("strings", !Boolean.FALSE.equals(node.get("strings")));
        config.put("include_empty_strings", truthy(node.get("include_empty_strings")));
        config.put("include_null_values", truthy(node.get("include_null_values")));
        return "csv";
      }
      case "yaml" -> {
        text(node, config, "property");
        return "yaml";
      }
      case "html" -> {
        text(node, config, "property", "outproperty", "tag", "chr");
        config.put(
            "ret",
            node.get("ret") != null
                    && List.of("html", "text", "attr", "compl").contains(node.get("ret"))
                ? node.get("ret")
                : "html");
        config.put("as", "multi".equals(node.get("as")) ? "multi" : "single");
        return "html";
      }
      case "xml" -> {
        text(node, config, "property", "attr", "chr");
        return "xml";
      }
      case "sort" -> {
        config.put("targetType", "seq".equals(node.get("targetType")) ? "seq" : "msg");
        text(node, config, "target", "msgKey", "seqKey", "order");
        config.put("msgKeyType", "jsonata".equals(node.get("msgKeyType")) ? "jsonata" : "elem");
        config.put("seqKeyType", "jsonata".equals(node.get("seqKeyType")) ? "jsonata" : "msg");
        config.put("as_num", truthy(node.get("as_num")));
        if (!"descending".equals(config.get("order"))) {
          config.put("order", "ascending");
        }
        if ("".equals(config.get("target"))) {
          config.remove("target");
        }
        return "sort";
      }
      case "batch" -> {
        String mode = node.get("mode") instanceof String text ? text : "count";
        if (!List.of("count", "interval", "concat").contains(mode)) {
          notes.add("its mode '" + mode + "' is not a batch mode");
          return null;
        }
        config.put("mode", mode);
        integer(node, config, "count", 1);
        integer(node, config, "overlap", 0);
        Object interval = node.get("interval");
        if (interval != null && !"".equals(interval)) {
          config.put("interval", Double.parseDouble(String.valueOf(interval).strip()));
        }
        if (node.get("topics") instanceof List<?> topics) {
          config.put("topics", topics);
        }
        if ("interval".equals(mode) && truthy(node.get("allowEmptySequence"))) {
          config.put("allowEmptySequence", true);
        }
        if (truthy(node.get("honourParts"))) {
          config.put("honourParts", true);
        }
        return "batch";
      }
      default -> {
        return null;
      }
    }
  }

  private static boolean truthy(Object value) {
    return Boolean.TRUE.equals(value) || "true".equals(value);
  }

  private static void text(Map<?, ?> node, Map<String, Object> config, String... fields) {
    for (String field : fields) {
      if (node.get(field) != null) {
        config.put(field, String.valueOf(node.get(field)));
      }
    }
  }

  private static void integer(Map<?, ?> node, Map<String, Object> config, String field, long dflt) {
    Object value = node.get(field);
    long number = dflt;
    if (value instanceof Number n) {
      number = n.longValue();
    } else if (value instanceof String text && !text.isBlank()) {
      try {
        number = (long) Double.parseDouble(text.strip());
      } catch (NumberFormatException notANumber) {
        throw new IllegalArgumentException(field + ": '" + text + "' is not a number");
      }
    }
    config.put(field, number);
  }
}
