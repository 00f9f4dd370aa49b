package dev.z8run.api.flows;

import dev.z8run.api.http.ApiException;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowCodec;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.NodeTypeRegistry;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.io.json.JsonCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts between our flow document and z8run's export format ({@code export_format: 1}):
 *
 * <pre>
 * {"z8run_version":"..","export_format":1,"flow":{"name","description","version",
 *   "canvas_nodes":[{"id","type":"z8node","position":{"x","y"},
 *                    "data":{"label","type","category","config":{..},"inputs":[{"id","name","type"}],"outputs":[..]}}],
 *   "canvas_edges":[{"id","source","target","sourceHandle","targetHandle"}],
 *   "viewport":{"x":0,"y":0,"zoom":1}}}
 * </pre>
 *
 * Port handles are port names; a canvas node without inputs/outputs has one {@code input} and one
 * {@code output}, as in z8run.
 */
public final class FlowDocuments {
  private final NodeTypeRegistry registry;
  private final String version;

  public FlowDocuments(NodeTypeRegistry registry, String version) {
    this.registry = registry;
    this.version = version;
  }

  /** The z8run export document of a flow at {@code revision}. */
  public Map<String, Object> export(Flow flow, int revision) {
    List<Object> nodes = new ArrayList<>();
    for (FlowNode node : flow.nodes()) {
      NodeType type = registry.find(node.type());
      Map<String, Object> data = new LinkedHashMap<>();
      data.put("label", node.name().isEmpty() ? node.type() : node.name());
      data.put("type", node.type());
      data.put("category", type == null ? "unknown" : type.category());
      data.put("disabled", node.disabled());
      data.put("config", node.config());
      data.put("inputs", ports(type == null ? List.of(PortSpec.any("input")) : type.inputs()));
      List<PortSpec> outputs = new ArrayList<>();
      int count = type == null ? 1 : type.outputCount(node.config());
      for (int port = 0; port < count; port++) {
        outputs.add(type == null ? PortSpec.any("output") : type.output(port, node.config()));
      }
      data.put("outputs", ports(outputs));
      Map<String, Object> canvas = new LinkedHashMap<>();
      canvas.put("id", node.id());
      canvas.put("type", "z8node");
      canvas.put("position", Map.of("x", node.x(), "y", node.y()));
      canvas.put("data", data);
      nodes.add(canvas);
    }
    List<Object> edges = new ArrayList<>();
    for (Wire wire : flow.wires()) {
      Map<String, Object> edge = new LinkedHashMap<>();
      edge.put(
          "id",
          wire.fromNode() + ":" + wire.fromPort() + "-" + wire.toNode() + ":" + wire.toPort());
      edge.put("source", wire.fromNode());
      edge.put("target", wire.toNode());
      edge.put("sourceHandle", outputName(flow, wire.fromNode(), wire.fromPort()));
      edge.put("targetHandle", inputName(flow, wire.toNode(), wire.toPort()));
      edges.add(edge);
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", flow.id());
    body.put("name", flow.name());
    body.put("description", flow.description());
    body.put("version", revision);
    body.put("canvas_nodes", nodes);
    body.put("canvas_edges", edges);
    body.put("viewport", Map.of("x", 0, "y", 0, "zoom", 1));
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("z8run_version", version);
    document.put("export_format", 1);
    document.put("flow", body);
    return document;
  }

  /**
   * A flow from an import body: z8run's export document, or our flow document. The flow gets {@code
   * newId}.
   *
   * @throws ApiException 400 naming what is wrong
   */
  public Flow importDocument(Object body, String newId) {
    if (!(body instanceof Map<?, ?> document)) {
      throw ApiException.badRequest(
          "an import is a JSON object (z8run export or flow document), got "
              + JsonCodec.describe(body));
    }
    if (document.containsKey("export_format")) {
      return fromExport(document, newId);
    }
    if (document.containsKey("nodes")) {
      @SuppressWarnings("unchecked")
      Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) document);
      copy.put("id", newId);
      try {
        return FlowCodec.fromMap(copy);
      } catch (RuntimeException invalid) {
        throw ApiException.badRequest(invalid.getMessage());
      }
    }
    throw ApiException.badRequest(
        "unrecognised import: expected a z8run export (export_format, flow) or a flow document"
            + " (nodes, wires)");
  }

  private Flow fromExport(Map<?, ?> document, String newId) {
    if (!Integer.valueOf(1).equals(asInt(document.get("export_format")))) {
      throw ApiException.badRequest(
          "export_format: only format 1 is supported, got "
              + JsonCodec.describe(document.get("export_format")));
    }
    Map<?, ?> flow = object(document.get("flow"), "flow");
    List<FlowNode> nodes = new ArrayList<>();
    Map<String, Map<?, ?>> dataById = new LinkedHashMap<>();
    List<?> canvasNodes = list(flow.get("canvas_nodes"), "flow.canvas_nodes");
    for (int i = 0; i < canvasNodes.size(); i++) {
      String where = "flow.canvas_nodes[" + i + "]";
      Map<?, ?> canvas = object(canvasNodes.get(i), where);
      String id = string(canvas.get("id"), where + ".id");
      Map<?, ?> data = object(canvas.get("data"), where + ".data");
      Map<?, ?> position =
          canvas.get("position") == null
              ? Map.of()
              : object(canvas.get("position"), where + ".position");
      Object config =
          data.get("config") == null
              ? Map.of()
              : object(data.get("config"), where + ".data.config");
      @SuppressWarnings("unchecked")
      Map<String, Object> typedConfig = (Map<String, Object>) config;
      nodes.add(
          new FlowNode(
              id,
              string(data.get("type"), where + ".data.type"),
              data.get("label") instanceof String label ? label : "",
              number(position.get("x")),
              number(position.get("y")),
              Boolean.TRUE.equals(data.get("disabled")),
              typedConfig));
      dataById.put(id, data);
    }
    List<Wire> wires = new ArrayList<>();
    List<?> edges =
        flow.get("canvas_edges") == null
            ? List.of()
            : list(flow.get("canvas_edges"), "flow.canvas_edges");
    for (int i = 0; i < edges.size(); i++) {
      String where = "flow.canvas_edges[" + i + "]";
      Map<?, ?> edge = object(edges.get(i), where);
      String source = string(edge.get("source"), where + ".source");
      String target = string(edge.get("target"), where + ".target");
      wires.add(
          new Wire(
              source,
              portIndex(dataById.get(source), "outputs", edge.get("sourceHandle")),
              target,
              portIndex(dataById.get(target), "inputs", edge.get("targetHandle"))));
    }
    return new Flow(
        newId,
        flow.get("name") instanceof String name ? name : "imported flow",
        flow.get("description") instanceof String description ? description : "",
        nodes,
        wires);
  }

  /**
   * Index of the port whose id (or name) is {@code handle} in the node's own port list; 0 if
   * unknown.
   */
  private static int portIndex(Map<?, ?> data, String side, Object handle) {
    if (data == null || handle == null || !(data.get(side) instanceof List<?> ports)) {
      return 0;
    }
    for (int i = 0; i < ports.size(); i++) {
      if (ports.get(i) instanceof Map<?, ?> port
          && (handle.equals(port.get("id")) || handle.equals(port.get("name")))) {
        return i;
      }
    }
    return 0;
  }

  private String outputName(Flow flow, String nodeId, int port) {
    FlowNode node = find(flow, nodeId);
    NodeType type = node == null ? null : registry.find(node.type());
    PortSpec spec = type == null ? null : type.output(port, node.config());
    return spec == null ? "output" + port : spec.name();
  }

  private String inputName(Flow flow, String nodeId, int port) {
    FlowNode node = find(flow, nodeId);
    NodeType type = node == null ? null : registry.find(node.type());
    return type == null || port >= type.inputs().size()
        ? "input" + port
        : type.inputs().get(port).name();
  }

  private static FlowNode find(Flow flow, String nodeId) {
    for (FlowNode node : flow.nodes()) {
      if (node.id().equals(nodeId)) {
        return node;
      }
    }
    return null;
  }

  private static List<Object> ports(List<PortSpec> ports) {
    List<Object> list = new ArrayList<>();
    for (PortSpec port : ports) {
      list.add(Map.of("id", port.name(), "name", port.name(), "type", port.type().jsonName()));
    }
    return list;
  }

  private static Map<?, ?> object(Object value, String where) {
    if (value instanceof Map<?, ?> map) {
      return map;
    }
    throw ApiException.badRequest(where + ": expected an object, got " + JsonCodec.describe(value));
  }

  private static List<?> list(Object value, String where) {
    if (value instanceof List<?> list) {
      return list;
    }
    throw ApiException.badRequest(where + ": expected an array, got " + JsonCodec.describe(value));
  }

  private static String string(Object value, String where) {
    if (value instanceof String text && !text.isBlank()) {
      return text;
    }
    throw ApiException.badRequest(
        where + ": expected a non-empty string, got " + JsonCodec.describe(value));
  }

  private static double number(Object value) {
    return value instanceof Number number ? number.doubleValue() : 0;
  }

  private static Integer asInt(Object value) {
    return value instanceof Number number ? Integer.valueOf(number.intValue()) : null;
  }
}
