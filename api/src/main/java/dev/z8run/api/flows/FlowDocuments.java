package dev.z8run.api.flows;

import dev.z8run.api.http.ApiException;
import dev.z8run.core.flow.Canvas;
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
    Canvas canvas = canvas(flow);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("id", flow.id());
    body.put("name", flow.name());
    body.put("description", flow.description());
    body.put("version", revision);
    body.put("canvas_nodes", new ArrayList<>(canvas.nodes()));
    body.put("canvas_edges", new ArrayList<>(canvas.edges()));
    body.put("viewport", viewport(flow));
    Map<String, Object> ours = FlowCodec.toMap(flow);
    for (String extra : List.of("groups", "config_nodes", "subflows")) {
      if (ours.containsKey(extra)) {
        body.put(extra, ours.get(extra)); // ours, beside z8run's fields (its importer ignores them)
      }
    }
    Map<String, Object> document = new LinkedHashMap<>();
    document.put("z8run_version", version);
    document.put("export_format", 1);
    document.put("flow", body);
    return document;
  }

  /**
   * Refuses a flow whose viewport (z8run's editor's {@code {x, y, zoom}}) has an {@code x}, {@code
   * y} or {@code zoom} that is not a finite number ({@code "NaN"}, {@code 1e999}), or a zoom not
   * above 0; absent ones are fine. Checked where a flow comes in (create, save, import, validate),
   * not when a stored one is read.
   *
   * @param where names the body's fields in the error ({@code flow.} for an export, else empty)
   * @return {@code flow}
   * @throws ApiException 400 naming the field
   */
  public static Flow checkViewport(Flow flow, String where) {
    Map<String, Object> viewport = flow.viewport();
    if (viewport == null) {
      return flow;
    }
    for (String key : List.of("x", "y", "zoom")) {
      Object value = viewport.get(key);
      if (value == null) {
        continue;
      }
      if (!(value instanceof Number number) || !Double.isFinite(number.doubleValue())) {
        throw ApiException.badRequest(
            where
                + "viewport."
                + key
                + ": expected a finite number, got "
                + JsonCodec.describe(value));
      }
      if (key.equals("zoom") && number.doubleValue() <= 0) {
        throw ApiException.badRequest(
            where + "viewport.zoom: expected a number above 0, got " + JsonCodec.describe(value));
      }
    }
    return flow;
  }

  /** z8run's viewport of the flow: the one its editor saved, else {@code {x:0, y:0, zoom:1}}. */
  public static Map<String, Object> viewport(Flow flow) {
    return flow.viewport() != null
        ? new LinkedHashMap<>(flow.viewport())
        : new LinkedHashMap<>(Map.of("x", 0L, "y", 0L, "zoom", 1L));
  }

  /**
   * z8run's canvas of the flow: the one its editor saved, as it saved it, while the nodes and wires
   * are still the ones derived from it; else one made from the nodes and wires (port lists from the
   * node types, edge handles named after the ports).
   */
  public Canvas canvas(Flow flow) {
    if (flow.canvas() != null) {
      return flow.canvas();
    }
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
      int count = outputCount(type, node);
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
    return new Canvas(nodes, edges);
  }

  private static int outputCount(NodeType type, FlowNode node) {
    if (type == null) {
      return 1;
    }
    try {
      return type.outputCount(node.config());
    } catch (RuntimeException unreadable) {
      return type.outputs().size(); // the validator names the config's problem
    }
  }

  /** Nodes and wires made from z8run's canvas. */
  public record Graph(List<FlowNode> nodes, List<Wire> wires) {}

  /**
   * Our nodes and wires from z8run's canvas: a canvas node's {@code data.type}, {@code data.label},
   * {@code data.config}, {@code data.disabled} and {@code position} make a node (the canvas id is
   * its id); an edge's handles name ports of the node's own {@code data.inputs} and {@code
   * data.outputs} lists (by id or name), else of its type; a z8run switch's handle names the {@code
   * port} of its rules, each of which is an output of ours (and {@code default} the last).
   *
   * @param where names the body's fields in errors ({@code flow.} for an export, empty for a save)
   * @throws ApiException 400 naming the first malformed node or edge
   */
  public Graph fromCanvas(List<?> canvasNodes, List<?> canvasEdges, String where) {
    List<FlowNode> nodes = new ArrayList<>();
    Map<String, Map<?, ?>> dataById = new LinkedHashMap<>();
    for (int i = 0; i < canvasNodes.size(); i++) {
      String at = where + "canvas_nodes[" + i + "]";
      Map<?, ?> canvas = object(canvasNodes.get(i), at);
      String id = string(canvas.get("id"), at + ".id");
      Map<?, ?> data = object(canvas.get("data"), at + ".data");
      Map<?, ?> position =
          canvas.get("position") == null
              ? Map.of()
              : object(canvas.get("position"), at + ".position");
      Object config =
          data.get("config") == null ? Map.of() : object(data.get("config"), at + ".data.config");
      @SuppressWarnings("unchecked")
      Map<String, Object> typedConfig = (Map<String, Object>) config;
      Object type = data.get("type") != null ? data.get("type") : data.get("nodeType");
      if (dataById.containsKey(id)) {
        throw ApiException.badRequest(at + ".id: '" + id + "' is the id of another canvas node");
      }
      nodes.add(
          new FlowNode(
              id,
              string(type, at + ".data.type"),
              data.get("label") instanceof String label ? label : "",
              number(position.get("x")),
              number(position.get("y")),
              Boolean.TRUE.equals(data.get("disabled")),
              typedConfig));
      dataById.put(id, data);
    }
    List<Wire> wires = new ArrayList<>();
    for (int i = 0; i < canvasEdges.size(); i++) {
      String at = where + "canvas_edges[" + i + "]";
      Map<?, ?> edge = object(canvasEdges.get(i), at);
      String source = string(edge.get("source"), at + ".source");
      String target = string(edge.get("target"), at + ".target");
      int targetPort = inputIndex(dataById.get(target), edge.get("targetHandle"));
      for (int sourcePort :
          outputIndexes(dataById.get(source), nodeOf(nodes, source), edge.get("sourceHandle"))) {
        wires.add(new Wire(source, sourcePort, target, targetPort));
      }
    }
    return new Graph(nodes, wires);
  }

  /**
   * {@code body}, a flow document to create or validate, with the nodes and wires its z8run canvas
   * describes, when it carries {@code canvas_nodes} or {@code canvas_edges} and neither {@code
   * nodes} nor {@code wires}: as a save reads such a body ({@link FlowPatch}), so that a flow
   * created from its canvas runs what the canvas shows, and validation judges it. The canvas is
   * kept. Any other body is answered as it is.
   *
   * @throws ApiException 400 naming the first malformed canvas node or edge
   */
  public Map<String, Object> withGraphFromCanvas(Map<String, Object> body) {
    boolean canvas = body.containsKey("canvas_nodes") || body.containsKey("canvas_edges");
    if (!canvas || body.containsKey("nodes") || body.containsKey("wires")) {
      return body;
    }
    List<?> canvasNodes =
        body.get("canvas_nodes") == null
            ? List.of()
            : list(body.get("canvas_nodes"), "canvas_nodes");
    List<?> canvasEdges =
        body.get("canvas_edges") == null
            ? List.of()
            : list(body.get("canvas_edges"), "canvas_edges");
    Graph graph = fromCanvas(canvasNodes, canvasEdges, "");
    Map<String, Object> derived =
        FlowCodec.toMap(new Flow("canvas", "", "", graph.nodes(), graph.wires()));
    Map<String, Object> withGraph = new LinkedHashMap<>(body);
    withGraph.put("nodes", derived.get("nodes"));
    withGraph.put("wires", derived.get("wires"));
    return withGraph;
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
      Flow flow;
      try {
        flow = FlowCodec.fromMap(copy);
      } catch (RuntimeException invalid) {
        throw ApiException.badRequest(invalid.getMessage());
      }
      return checkViewport(flow, "");
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
    List<?> canvasNodes = list(flow.get("canvas_nodes"), "flow.canvas_nodes");
    List<?> edges =
        flow.get("canvas_edges") == null
            ? List.of()
            : list(flow.get("canvas_edges"), "flow.canvas_edges");
    Graph graph = fromCanvas(canvasNodes, edges, "flow.");
    Map<String, Object> extras = new LinkedHashMap<>();
    extras.put("id", newId);
    extras.put("groups", flow.get("groups"));
    extras.put("config_nodes", flow.get("config_nodes"));
    extras.put("subflows", flow.get("subflows"));
    extras.put("viewport", flow.get("viewport"));
    Flow parts;
    try {
      parts = FlowCodec.fromMap(extras);
    } catch (RuntimeException invalid) {
      throw ApiException.badRequest("flow." + invalid.getMessage());
    }
    checkViewport(parts, "flow.");
    @SuppressWarnings("unchecked")
    List<Object> keptNodes = (List<Object>) canvasNodes;
    @SuppressWarnings("unchecked")
    List<Object> keptEdges = (List<Object>) edges;
    return new Flow(
        newId,
        flow.get("name") instanceof String name ? name : "imported flow",
        flow.get("description") instanceof String description ? description : "",
        graph.nodes(),
        graph.wires(),
        parts.groups(),
        parts.configNodes(),
        parts.subflows(),
        new Canvas(keptNodes, keptEdges),
        parts.viewport());
  }

  /** The input port a handle names: its index in the node's own inputs; else 0. */
  private static int inputIndex(Map<?, ?> data, Object handle) {
    int index = portIndex(data, "inputs", handle);
    return index < 0 ? 0 : index;
  }

  private static FlowNode nodeOf(List<FlowNode> nodes, String id) {
    for (FlowNode node : nodes) {
      if (node.id().equals(id)) {
        return node;
      }
    }
    return null;
  }

  /**
   * The output ports a handle names. A z8run switch (rules with a {@code port}) has one output per
   * rule, then {@code default}: a handle stands for every rule routed to it. Other nodes: the
   * handle's index in the node's own outputs, else the port of that name of its type, else 0.
   */
  private List<Integer> outputIndexes(Map<?, ?> data, FlowNode node, Object handle) {
    if (data != null
        && "switch".equals(data.get("type"))
        && data.get("config") instanceof Map<?, ?> config
        && config.get("rules") instanceof List<?> rules
        && !rules.isEmpty()
        && rules.stream().allMatch(rule -> rule instanceof Map<?, ?> m && m.containsKey("type"))) {
      if ("default".equals(handle)) {
        return List.of(rules.size());
      }
      List<Integer> ports = new ArrayList<>();
      for (int i = 0; i < rules.size(); i++) {
        Object port = ((Map<?, ?>) rules.get(i)).get("port");
        if (handle != null && handle.equals(port == null ? "default" : port)) {
          ports.add(i);
        }
      }
      if (!ports.isEmpty()) {
        return ports;
      }
    }
    int index = portIndex(data, "outputs", handle);
    if (index < 0 && node != null && handle instanceof String name) {
      NodeType type = registry.find(node.type());
      int count = type == null ? 0 : outputCount(type, node);
      for (int port = 0; port < count && index < 0; port++) {
        PortSpec spec = type.output(port, node.config());
        if (spec != null && spec.name().equals(name)) {
          index = port;
        }
      }
    }
    return List.of(index < 0 ? 0 : index);
  }

  /**
   * Index of the port whose id (or name) is {@code handle} in the node's own port list; -1 if
   * unknown.
   */
  private static int portIndex(Map<?, ?> data, String side, Object handle) {
    if (data == null || handle == null || !(data.get(side) instanceof List<?> ports)) {
      return -1;
    }
    for (int i = 0; i < ports.size(); i++) {
      if (ports.get(i) instanceof Map<?, ?> port
          && (handle.equals(port.get("id")) || handle.equals(port.get("name")))) {
        return i;
      }
    }
    return -1;
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
