package dev.z8run.api.flows;

import dev.z8run.api.http.ApiException;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.io.json.JsonCodec;
import io.helidon.http.Status;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns a Node-RED {@code flows.json} export (a JSON array of nodes, tabs and config nodes) into
 * flows: each tab becomes a flow, each node's {@code wires} (an array per output port) become
 * wires, and the node types this server has are mapped to ours. Nodes of other types are reported
 * by id and type; the import then stops, unless the caller asked to import the rest with those
 * nodes disabled.
 *
 * <p>Mapped so far: {@code change}, {@code function}, {@code debug}, {@code junction}, {@code http
 * in}, {@code http response}, {@code switch}, {@code json}, {@code template}, {@code http request},
 * {@code split}, {@code range}, {@code comment}, and the flow-control nodes of {@link
 * NodeRedFlowControl} ({@code inject}, {@code delay}, {@code join}, {@code catch}, {@code status},
 * {@code complete}, {@code link in/out/call}); Node-RED's field names become ours as each node's
 * reference page (docs/nodes) lists them.
 */
public final class NodeRedImport {
  /** A node that could not be mapped. */
  public record Unsupported(String nodeId, String type, String tab) {}

  /**
   * The flows found, the nodes that had to be disabled (empty unless asked for), and what mapped
   * nodes lost on the way, one sentence naming the node each.
   */
  public record Result(List<Flow> flows, List<Unsupported> unsupported, List<String> warnings) {}

  private static final Set<String> LAYOUT_ONLY = Set.of("tab", "group");

  private NodeRedImport() {}

  /** Whether {@code body} looks like a Node-RED export. */
  public static boolean isNodeRed(Object body) {
    return body instanceof List<?> list
        && !list.isEmpty()
        && list.stream().allMatch(item -> item instanceof Map<?, ?> map && map.get("type") != null);
  }

  /**
   * Converts the export.
   *
   * @param disableUnsupported import nodes of unknown types disabled instead of refusing
   * @throws ApiException 422 listing every unsupported node when not disabling them
   */
  public static Result convert(List<?> export, boolean disableUnsupported) {
    Map<String, Map<?, ?>> tabs = new LinkedHashMap<>();
    Map<String, List<Map<?, ?>>> nodesByTab = new LinkedHashMap<>();
    for (Object item : export) {
      Map<?, ?> node = (Map<?, ?>) item;
      String type = String.valueOf(node.get("type"));
      if (type.equals("tab")) {
        tabs.put(String.valueOf(node.get("id")), node);
        nodesByTab.computeIfAbsent(String.valueOf(node.get("id")), id -> new ArrayList<>());
      } else if (node.get("z") != null) {
        nodesByTab
            .computeIfAbsent(String.valueOf(node.get("z")), id -> new ArrayList<>())
            .add(node);
      }
    }
    List<Unsupported> unsupported = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    List<Flow> flows = new ArrayList<>();
    for (Map.Entry<String, List<Map<?, ?>>> tab : nodesByTab.entrySet()) {
      Map<?, ?> tabNode = tabs.getOrDefault(tab.getKey(), Map.of());
      List<FlowNode> nodes = new ArrayList<>();
      List<Wire> wires = new ArrayList<>();
      for (Map<?, ?> node : tab.getValue()) {
        String id = String.valueOf(node.get("id"));
        String type = String.valueOf(node.get("type"));
        if (LAYOUT_ONLY.contains(type)) {
          continue;
        }
        FlowNode mapped = map(node, id, type, warnings);
        if (mapped == null) {
          unsupported.add(new Unsupported(id, type, tab.getKey()));
          mapped =
              new FlowNode(id, "junction", label(node, type), x(node), y(node), true, Map.of());
        }
        nodes.add(mapped);
        if (node.get("wires") instanceof List<?> ports) {
          for (int port = 0; port < ports.size(); port++) {
            if (ports.get(port) instanceof List<?> targets) {
              for (Object target : targets) {
                wires.add(new Wire(id, port, String.valueOf(target), 0));
              }
            }
          }
        }
      }
      String name =
          tabNode.get("label") instanceof String label ? label : "Node-RED flow " + tab.getKey();
      String info = tabNode.get("info") instanceof String text ? text : "";
      flows.add(new Flow(tab.getKey(), name, info, nodes, wires));
    }
    if (!unsupported.isEmpty() && !disableUnsupported) {
      List<Map<String, Object>> problems = new ArrayList<>();
      for (Unsupported node : unsupported) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("node_id", node.nodeId());
        problem.put("field", "type");
        problem.put("code", "UNSUPPORTED_NODE_RED_TYPE");
        problem.put(
            "message",
            "Node-RED node '"
                + node.nodeId()
                + "' of type '"
                + node.type()
                + "' has no z8run equivalent yet");
        problems.add(problem);
      }
      throw new ApiException(
          Status.create(422, "Unprocessable Entity"),
          unsupported.size()
              + " Node-RED node(s) cannot be imported; import again with ?disable_unsupported=true"
              + " to import the rest with those nodes disabled",
          problems);
    }
    return new Result(flows, disableUnsupported ? unsupported : List.of(), warnings);
  }

  private static FlowNode map(Map<?, ?> node, String id, String type, List<String> warnings) {
    Map<String, Object> config = new LinkedHashMap<>();
    String ours;
    switch (type) {
      case "change" -> {
        ours = "change";
        config.put("rules", node.get("rules") == null ? List.of() : node.get("rules"));
      }
      case "debug" -> {
        ours = "debug";
        Object complete = node.get("complete");
        if ("true".equals(String.valueOf(complete))) {
          config.put("complete", true);
        } else if (complete instanceof String property
            && !property.isBlank()
            && !property.equals("false")) {
          config.put("property", property);
        }
        config.put("active", !Boolean.FALSE.equals(node.get("active")));
        config.put("console", Boolean.TRUE.equals(node.get("console")));
      }
      case "function" -> {
        ours = "function";
        mapFunction(node, id, config, warnings);
      }
      case "junction" -> ours = "junction";
      case "http in" -> {
        ours = "http-in";
        Object method = node.get("method");
        Object url = node.get("url");
        config.put("method", (method == null ? "get" : method.toString()).toUpperCase(Locale.ROOT));
        config.put("path", url == null ? "/" : url.toString());
      }
      case "http response" -> {
        ours = "http-out";
        Object status = node.get("statusCode");
        if (status != null && !String.valueOf(status).isBlank()) {
          try {
            config.put("statusCode", Long.parseLong(String.valueOf(status).strip()));
          } catch (NumberFormatException notNumber) {
            throw ApiException.badRequest(
                "Node-RED node '"
                    + id
                    + "': statusCode "
                    + JsonCodec.describe(status)
                    + " is not a number");
          }
        }
        if (node.get("headers") instanceof Map<?, ?> headers && !headers.isEmpty()) {
          config.put("headers", headers);
        }
      }
      case "switch" -> {
        if (!isMsg(node.get("propertyType"))) {
          return null;
        }
        ours = "switch";
        copy(node, "property", config, "property");
        config.put("rules", node.get("rules") == null ? List.of() : node.get("rules"));
        config.put("checkall", !"false".equals(String.valueOf(node.get("checkall"))));
      }
      case "json" -> {
        ours = "json";
        config.put(
            "action",
            switch (String.valueOf(node.get("action"))) {
              case "str" -> "stringify";
              case "obj" -> "parse";
              default -> "toggle";
            });
        copy(node, "property", config, "property");
        config.put("pretty", Boolean.TRUE.equals(node.get("pretty")));
      }
      case "template" -> {
        if (!isMsg(node.get("fieldType")) || "yaml".equals(node.get("output"))) {
          return null;
        }
        ours = "template";
        copy(node, "field", config, "field");
        copy(node, "syntax", config, "syntax");
        copy(node, "output", config, "output");
        config.put("template", node.get("template") == null ? "" : node.get("template"));
      }
      case "http request" -> {
        ours = "http-request";
        copy(node, "url", config, "url");
        Object method = node.get("method");
        config.put(
            "method",
            method == null || "use".equals(method)
                ? "use"
                : method.toString().toUpperCase(Locale.ROOT));
        config.put(
            "responseType",
            switch (String.valueOf(node.get("ret"))) {
              case "obj" -> "json";
              case "bin" -> "binary";
              default -> "text";
            });
        Map<String, Object> headers = headers(node.get("headers"));
        if (!headers.isEmpty()) {
          config.put("headers", headers);
        }
      }
      case "split" -> {
        ours = "split";
        String splitter = node.get("splt") == null ? "\\n" : node.get("splt").toString();
        if ("len".equals(node.get("spltType"))) {
          config.put("chunkLength", integer(id, "splt", splitter));
        } else {
          config.put(
              "delimiter", splitter.replace("\\n", "\n").replace("\\r", "\r").replace("\\t", "\t"));
        }
        if (node.get("arraySplt") != null && !"".equals(node.get("arraySplt"))) {
          config.put("arrayChunk", integer(id, "arraySplt", node.get("arraySplt")));
        }
        if (node.get("addname") instanceof String name && !name.isBlank()) {
          config.put("keyProperty", name);
        }
        copy(node, "property", config, "property");
      }
      case "range" -> {
        ours = "range";
        for (String field : List.of("minin", "maxin", "minout", "maxout")) {
          if (node.get(field) != null && !"".equals(node.get(field))) {
            config.put(field, typed(String.valueOf(node.get(field)), "num"));
          }
        }
        copy(node, "action", config, "action");
        config.put("round", Boolean.TRUE.equals(node.get("round")));
        copy(node, "property", config, "property");
      }
      case "comment" -> {
        ours = "comment";
        copy(node, "info", config, "info");
      }
      default -> {
        ours = NodeRedFlowControl.map(type, node, config);
        if (ours == null) {
          return null;
        }
      }
    }
    return new FlowNode(
        id, ours, label(node, type), x(node), y(node), Boolean.TRUE.equals(node.get("d")), config);
  }

  /**
   * Node-RED's function node: {@code func}, {@code outputs}, the On Start / On Stop code and its
   * {@code timeout} (seconds, 0 = none: ours then keeps its default CPU limit). {@code libs}
   * (modules loaded with require) cannot work in the sandbox and are dropped with a warning.
   */
  private static void mapFunction(
      Map<?, ?> node, String id, Map<String, Object> config, List<String> warnings) {
    config.put("func", node.get("func") instanceof String func ? func : "");
    long outputs = number(node, id, "outputs", 1);
    config.put("outputs", outputs);
    for (String code : List.of("initialize", "finalize")) {
      if (node.get(code) instanceof String text && !text.isBlank()) {
        config.put(code, text);
      }
    }
    long timeoutSeconds = number(node, id, "timeout", 0);
    if (timeoutSeconds > 0) {
      config.put("timeoutMs", timeoutSeconds * 1000);
    }
    if (node.get("libs") instanceof List<?> libs && !libs.isEmpty()) {
      List<String> modules = new ArrayList<>();
      for (Object lib : libs) {
        modules.add(
            lib instanceof Map<?, ?> entry
                ? String.valueOf(entry.get("module"))
                : String.valueOf(lib));
      }
      warnings.add(
          "Node-RED node '"
              + id
              + "' (function): libs "
              + modules
              + " ignored: function nodes cannot load modules here");
    }
  }

  /**
   * A whole number Node-RED may have written as a number or a string; blank is {@code fallback}.
   */
  private static long number(Map<?, ?> node, String id, String field, long fallback) {
    Object value = node.get(field);
    if (value == null || String.valueOf(value).isBlank()) {
      return fallback;
    }
    try {
      return value instanceof Number number
          ? number.longValue()
          : Long.parseLong(String.valueOf(value).strip());
    } catch (NumberFormatException notNumber) {
      throw ApiException.badRequest(
          "Node-RED node '"
              + id
              + "': "
              + field
              + " "
              + JsonCodec.describe(value)
              + " is not a number");
    }
  }

  /**
   * Whether a Node-RED property type is absent or {@code msg} (flow and global context are not).
   */
  private static boolean isMsg(Object type) {
    return type == null || "".equals(type) || "msg".equals(type);
  }

  /** Copies a non-blank string field under our name. */
  private static void copy(Map<?, ?> node, String theirs, Map<String, Object> config, String ours) {
    if (node.get(theirs) instanceof String value && !value.isBlank()) {
      config.put(ours, value);
    }
  }

  private static long integer(String id, String field, Object value) {
    try {
      return Long.parseLong(String.valueOf(value).strip());
    } catch (NumberFormatException notNumber) {
      throw ApiException.badRequest(
          "Node-RED node '"
              + id
              + "': "
              + field
              + " "
              + JsonCodec.describe(value)
              + " is not a whole number");
    }
  }

  /**
   * Node-RED 3's request headers ({@code [{keyType, keyValue, valueType, valueValue}]}, a type
   * other than {@code other} being the header name or value itself) or the older object form.
   */
  private static Map<String, Object> headers(Object raw) {
    Map<String, Object> headers = new LinkedHashMap<>();
    if (raw instanceof Map<?, ?> map) {
      map.forEach((name, value) -> headers.put(String.valueOf(name), String.valueOf(value)));
    } else if (raw instanceof List<?> list) {
      for (Object item : list) {
        if (item instanceof Map<?, ?> header) {
          String name =
              "other".equals(header.get("keyType"))
                  ? str(header.get("keyValue"))
                  : str(header.get("keyType"));
          String value =
              "other".equals(header.get("valueType"))
                  ? str(header.get("valueValue"))
                  : str(header.get("valueType"));
          if (!name.isBlank()) {
            headers.put(name, value);
          }
        }
      }
    }
    return headers;
  }

  private static String str(Object value) {
    return value == null ? "" : value.toString();
  }

  /** Node-RED's typed input: the string as the JSON value its type names. */
  private static Object typed(String value, String type) {
    return switch (type) {
      case "num" -> {
        try {
          yield new java.math.BigDecimal(value.strip());
        } catch (NumberFormatException notNumber) {
          yield value;
        }
      }
      case "bool" -> Boolean.parseBoolean(value);
      case "json" -> {
        try {
          yield JsonCodec.parse(value);
        } catch (RuntimeException notJson) {
          yield value;
        }
      }
      default -> value;
    };
  }

  private static String label(Map<?, ?> node, String type) {
    return node.get("name") instanceof String name && !name.isBlank() ? name : type;
  }

  private static double x(Map<?, ?> node) {
    return node.get("x") instanceof Number x ? x.doubleValue() : 0;
  }

  private static double y(Map<?, ?> node) {
    return node.get("y") instanceof Number y ? y.doubleValue() : 0;
  }
}
