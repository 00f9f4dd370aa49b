package dev.z8run.api.flows;

import dev.z8run.api.rest.ApiException;
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
 * <p>Mapped so far: {@code change}, {@code debug}, {@code junction}, {@code http in}, {@code http
 * response}, and the flow-control nodes of {@link NodeRedFlowControl} ({@code inject}, {@code
 * delay}, {@code join}, {@code catch}, {@code status}, {@code complete}, {@code link in/out/call}).
 */
public final class NodeRedImport {
  /** A node that could not be mapped. */
  public record Unsupported(String nodeId, String type, String tab) {}

  /** The flows found, and the nodes that had to be disabled (empty unless asked for). */
  public record Result(List<Flow> flows, List<Unsupported> unsupported) {}

  private static final Set<String> LAYOUT_ONLY = Set.of("tab", "comment", "group");

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
        FlowNode mapped = map(node, id, type);
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
    return new Result(flows, disableUnsupported ? unsupported : List.of());
  }

  private static FlowNode map(Map<?, ?> node, String id, String type) {
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
