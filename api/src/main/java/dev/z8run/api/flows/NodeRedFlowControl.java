package dev.z8run.api.flows;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Node-RED flow-control nodes {@link NodeRedImport} maps: {@code inject}, {@code delay}, {@code
 * join}, {@code catch}, {@code status}, {@code complete}, {@code link in}, {@code link out} and
 * {@code link call}. Our nodes read Node-RED's own field names (numbers written as strings
 * included), so mapping is mostly choosing the fields to keep; modes we do not have are reported as
 * unsupported rather than imported with a different meaning.
 */
final class NodeRedFlowControl {
  private static final List<String> INJECT =
      List.of("props", "payload", "payloadType", "topic", "repeat", "crontab", "once", "onceDelay");
  private static final List<String> DELAY =
      List.of(
          "pauseType",
          "timeout",
          "timeoutUnits",
          "randomFirst",
          "randomLast",
          "randomUnits",
          "rate",
          "nbRateUnits",
          "rateUnits",
          "drop");
  private static final List<String> JOIN =
      List.of("mode", "build", "property", "key", "joiner", "joinerType", "count", "timeout");
  private static final Set<String> DELAY_MODES =
      Set.of("delay", "delayv", "random", "rate", "queue", "timed", "burst");

  private NodeRedFlowControl() {}

  /**
   * Fills {@code config} for a Node-RED node of {@code type}.
   *
   * @return our type name, or null when the type (or the mode it is in) has no equivalent here
   */
  static String map(String type, Map<?, ?> node, Map<String, Object> config, List<String> notes) {
    switch (type) {
      case "inject" -> {
        copy(node, config, INJECT);
        return "inject";
      }
      case "delay" -> {
        if (node.get("pauseType") instanceof String mode && !DELAY_MODES.contains(mode)) {
          notes.add(
              "its mode '"
                  + (mode.equals("burst") ? "allow bursts" : mode)
                  + "' is not supported yet (fixed, per-message and random delays, rate limits"
                  + " overall and per topic are)");
          return null;
        }
        copy(node, config, DELAY);
        return "delay";
      }
      case "join" -> {
        if ("reduce".equals(node.get("mode"))) {
          copy(
              node,
              config,
              List.of("mode", "reduceExp", "reduceInit", "reduceInitType", "reduceFixup"));
          config.put("reduceRight", Boolean.TRUE.equals(node.get("reduceRight")));
          if (!oneOf(
              config.get("reduceInitType"),
              "str",
              "num",
              "json",
              "bool",
              "jsonata",
              "env",
              "flow",
              "global")) {
            config.put("reduceInitType", "str");
          }
          return "join";
        }
        Object mode = node.get("mode");
        if (mode != null && !mode.equals("auto") && !mode.equals("custom")) {
          notes.add("its mode '" + mode + "' is not a join mode");
          return null;
        }
        copy(node, config, JOIN);
        if (Boolean.TRUE.equals(node.get("accumulate")) || "true".equals(node.get("accumulate"))) {
          config.put("accumulate", true);
        }
        if ("".equals(config.get("property"))) {
          config.remove("property");
        }
        if ("full".equals(node.get("propertyType"))) {
          config.put("propertyType", "full"); // each complete message, not one property
          config.remove("property");
        }
        if (!oneOf(config.get("joinerType"), "str", "bin")) {
          config.remove("joinerType");
        }
        if (!oneOf(config.get("build"), "array", "object", "string", "merged", "buffer")) {
          config.remove("build");
        }
        return "join";
      }
      case "catch", "status", "complete" -> {
        if (node.get("scope") instanceof List<?> scope) {
          config.put("scope", scope);
        }
        if (type.equals("catch") && Boolean.TRUE.equals(node.get("uncaught"))) {
          config.put("uncaught", true);
        }
        return type;
      }
      case "link in" -> {
        return "link-in";
      }
      case "link out" -> {
        config.put("mode", "return".equals(node.get("mode")) ? "return" : "link");
        if (node.get("links") instanceof List<?> links) {
          config.put("links", links);
        }
        return "link-out";
      }
      case "link call" -> {
        if ("dynamic".equals(node.get("linkType"))) {
          config.put("linkType", "dynamic");
        }
        config.put("links", node.get("links") instanceof List<?> links ? links : List.of());
        copy(node, config, List.of("timeout"));
        return "link-call";
      }
      default -> {
        return null;
      }
    }
  }

  private static void copy(Map<?, ?> node, Map<String, Object> config, List<String> fields) {
    for (String field : fields) {
      Object value = node.get(field);
      if (value != null) {
        config.put(field, value);
      }
    }
  }

  /**
   * Whether {@code value} is one of {@code options}; false for a field the export left out (null),
   * which {@code Set.contains} would refuse with an exception.
   */
  private static boolean oneOf(Object value, String... options) {
    return value != null && List.of(options).contains(value);
  }
}
