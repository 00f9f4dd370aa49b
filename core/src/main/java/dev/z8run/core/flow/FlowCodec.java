package dev.z8run.core.flow;

import dev.z8run.io.json.JsonCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Reads and writes {@link Flow} documents as JSON, the format the editor, the API and the store
 * exchange:
 *
 * <pre>{@code
 * {"id": "f1", "name": "My flow", "description": "",
 *  "nodes": [{"id": "n1", "type": "inject", "name": "", "x": 100.0, "y": 80.0,
 *             "disabled": false, "config": {"payload": "{}"}}],
 *  "wires": [{"from": "n1", "fromPort": 0, "to": "n2", "toPort": 0}],
 *  "groups": [{"id": "g1", "name": "Inputs", "nodes": ["n1"], "style": {"stroke": "#3f93cf"}}],
 *  "config_nodes": [{"id": "c1", "type": "tls-config", "name": "", "config": {"verifyservercert": true}}],
 *  "subflows": [{"id": "s1", "name": "Double", "description": "", "inputs": 1,
 *                "in": [{"node": "d", "port": 0}], "out": [[{"node": "d", "port": 0}]],
 *                "env": [{"name": "FACTOR", "type": "num", "value": "2"}],
 *                "nodes": [...], "wires": [...]}],
 *  "canvas_nodes": [...], "canvas_edges": [...], "viewport": {"x": 0, "y": 0, "zoom": 1}}
 * }</pre>
 *
 * <p>Reading is lenient about what may be left out and strict about types:
 *
 * <ul>
 *   <li>flow: {@code id} is a required string; {@code name}, {@code description} are optional
 *       strings (default empty); {@code nodes} and {@code wires} are optional arrays (default
 *       empty);
 *   <li>node: {@code id} and {@code type} are required strings; {@code name} an optional string;
 *       {@code x}, {@code y} optional finite numbers (default 0); {@code disabled} an optional
 *       boolean (default false); {@code config} an optional object (default empty) kept as plain
 *       JSON values, key order preserved;
 *   <li>wire: {@code from} and {@code to} are required strings; {@code fromPort} and {@code toPort}
 *       optional non-negative integers (default 0);
 *   <li>{@code groups} and {@code config_nodes} are optional arrays (default empty; written only
 *       when not empty); group: {@code id} a required string, {@code name} an optional string,
 *       {@code nodes} an optional array of strings, {@code style} an optional object; config node:
 *       {@code id} and {@code type} required strings, {@code name} an optional string, {@code
 *       config} an optional object;
 *   <li>{@code subflows} an optional array (written only when not empty); subflow: {@code id} a
 *       required string, {@code name}, {@code description} optional strings, {@code inputs} 0 or 1
 *       (default: 1 when {@code in} lists a target, else 0), {@code in} an array of {@code {node,
 *       port}}, {@code out} an array (one entry per output) of arrays of {@code {node, port}},
 *       {@code env} an array of {@code {name, type, value}}, {@code nodes} and {@code wires} as in
 *       a flow;
 *   <li>{@code canvas_nodes} and {@code canvas_edges} (z8run's editor state, kept as plain JSON
 *       values; written only when kept, both or neither) optional arrays; {@code viewport} an
 *       optional object (written only when kept).
 * </ul>
 *
 * <p>An optional field given as JSON {@code null} counts as absent. Fields this format does not
 * define, at the top level, in nodes or in wires, are <em>ignored</em> here (the HTTP API refuses
 * them before they reach the codec); they are not kept: {@link #write} emits only the fields above.
 * {@link #TOP_LEVEL_FIELDS} lists the top-level ones. A document that breaks these rules is refused
 * with a {@link FlowFormatException} whose message names the place, e.g. {@code nodes[2].x:
 * expected a number, got string "abc"}. Whether the flow makes sense (unique ids, known node types,
 * wires between existing ports) is the validator's business, not the codec's.
 *
 * <p>Stateless and thread-safe; for the control plane.
 */
public final class FlowCodec {
  /** Every top-level field of the format, in the order {@link #write} emits them. */
  public static final List<String> TOP_LEVEL_FIELDS =
      List.of(
          "id",
          "name",
          "description",
          "nodes",
          "wires",
          "groups",
          "config_nodes",
          "subflows",
          "canvas_nodes",
          "canvas_edges",
          "viewport");

  private FlowCodec() {}

  /**
   * Reads a flow from UTF-8 JSON.
   *
   * @throws FlowFormatException if the bytes are not JSON (the cause is then the {@link
   *     JsonCodec.JsonException}) or do not describe a flow
   */
  public static Flow read(byte[] json) {
    return read(() -> JsonCodec.parse(json));
  }

  /** Reads a flow from a JSON string; see {@link #read(byte[])}. */
  public static Flow read(String json) {
    return read(() -> JsonCodec.parse(json));
  }

  private static Flow read(Supplier<Object> parse) {
    Object document;
    try {
      document = parse.get();
    } catch (JsonCodec.JsonException e) {
      throw new FlowFormatException("", e.getMessage(), e);
    }
    return fromDocument(document);
  }

  /** Writes a flow as compact UTF-8 JSON with every field of the format, in the order shown. */
  public static byte[] write(Flow flow) {
    return JsonCodec.write(toMap(flow));
  }

  /**
   * The flow as plain JSON values, ready for {@link JsonCodec#write}: a fresh, mutable map whose
   * node configs are shallow copies of the flow's.
   */
  public static Map<String, Object> toMap(Flow flow) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("id", flow.id());
    map.put("name", flow.name());
    map.put("description", flow.description());
    map.put("nodes", list(flow.nodes(), FlowCodec::nodeToMap));
    map.put("wires", list(flow.wires(), FlowCodec::wireToMap));
    if (!flow.groups().isEmpty()) {
      map.put("groups", list(flow.groups(), FlowCodec::groupToMap));
    }
    if (!flow.configNodes().isEmpty()) {
      map.put("config_nodes", list(flow.configNodes(), FlowCodec::configNodeToMap));
    }
    if (!flow.subflows().isEmpty()) {
      map.put("subflows", list(flow.subflows(), FlowCodec::subflowToMap));
    }
    if (flow.canvas() != null) {
      map.put("canvas_nodes", new ArrayList<>(flow.canvas().nodes()));
      map.put("canvas_edges", new ArrayList<>(flow.canvas().edges()));
    }
    if (flow.viewport() != null) {
      map.put("viewport", new LinkedHashMap<>(flow.viewport()));
    }
    return map;
  }

  /** {@code items} as a JSON array, each written by {@code writer}. */
  private static <T> List<Object> list(List<T> items, Function<T, Object> writer) {
    List<Object> list = new ArrayList<>(items.size());
    for (T item : items) {
      list.add(writer.apply(item));
    }
    return list;
  }

  private static Map<String, Object> wireToMap(Wire wire) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("from", wire.fromNode());
    map.put("fromPort", (long) wire.fromPort());
    map.put("to", wire.toNode());
    map.put("toPort", (long) wire.toPort());
    return map;
  }

  private static Map<String, Object> groupToMap(FlowGroup group) {
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("id", group.id());
    entry.put("name", group.name());
    entry.put("nodes", new ArrayList<Object>(group.nodes()));
    entry.put("style", new LinkedHashMap<>(group.style()));
    return entry;
  }

  private static Map<String, Object> configNodeToMap(ConfigNode node) {
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("id", node.id());
    entry.put("type", node.type());
    entry.put("name", node.name());
    entry.put("config", new LinkedHashMap<>(node.config()));
    return entry;
  }

  private static Map<String, Object> subflowToMap(Subflow subflow) {
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("id", subflow.id());
    entry.put("name", subflow.name());
    entry.put("description", subflow.description());
    entry.put("inputs", (long) subflow.inputs());
    entry.put("in", list(subflow.in(), FlowCodec::linkToMap));
    entry.put("out", list(subflow.out(), links -> list(links, FlowCodec::linkToMap)));
    entry.put("env", list(subflow.env(), FlowCodec::envToMap));
    entry.put("nodes", list(subflow.nodes(), FlowCodec::nodeToMap));
    entry.put("wires", list(subflow.wires(), FlowCodec::wireToMap));
    return entry;
  }

  private static Map<String, Object> linkToMap(Subflow.PortLink link) {
    Map<String, Object> item = new LinkedHashMap<>();
    item.put("node", link.node());
    item.put("port", (long) link.port());
    return item;
  }

  private static Map<String, Object> envToMap(Subflow.EnvProperty property) {
    Map<String, Object> item = new LinkedHashMap<>();
    item.put("name", property.name());
    item.put("type", property.type());
    item.put("value", property.value());
    return item;
  }

  /**
   * Builds a flow from plain JSON values, as {@link JsonCodec#parse} produces them.
   *
   * @throws FlowFormatException naming the first field that is missing or has the wrong type
   */
  public static Flow fromMap(Map<String, Object> map) {
    String id = requiredString(map, "id", "");
    String name = optionalString(map, "name", "");
    String description = optionalString(map, "description", "");
    List<FlowNode> nodes = objects(map, "nodes", "", FlowCodec::nodeFromMap);
    List<Wire> wires = objects(map, "wires", "", FlowCodec::wireFromMap);
    List<FlowGroup> groups =
        objects(
            map,
            "groups",
            "",
            (group, path) ->
                new FlowGroup(
                    requiredString(group, "id", path),
                    optionalString(group, "name", path),
                    strings(optionalArray(group, "nodes", path), at(path, "nodes")),
                    optionalObject(group, "style", path)));
    List<ConfigNode> configNodes =
        objects(
            map,
            "config_nodes",
            "",
            (node, path) ->
                new ConfigNode(
                    requiredString(node, "id", path),
                    requiredString(node, "type", path),
                    optionalString(node, "name", path),
                    optionalObject(node, "config", path)));
    List<Subflow> subflows = objects(map, "subflows", "", FlowCodec::subflowFromMap);
    Canvas canvas = null;
    if (map.get("canvas_nodes") != null || map.get("canvas_edges") != null) {
      @SuppressWarnings("unchecked")
      List<Object> canvasNodes = (List<Object>) optionalArray(map, "canvas_nodes", "");
      @SuppressWarnings("unchecked")
      List<Object> canvasEdges = (List<Object>) optionalArray(map, "canvas_edges", "");
      canvas = new Canvas(canvasNodes, canvasEdges);
    }
    Map<String, Object> viewport =
        map.get("viewport") == null ? null : optionalObject(map, "viewport", "");
    return new Flow(
        id, name, description, nodes, wires, groups, configNodes, subflows, canvas, viewport);
  }

  /** Reads one object of an array; {@code path} names it in errors ({@code nodes[3]}). */
  private interface ObjectReader<T> {
    T read(Map<String, Object> object, String path);
  }

  /** The objects of the optional array {@code key} of {@code map}, each read by {@code reader}. */
  private static <T> List<T> objects(
      Map<String, Object> map, String key, String path, ObjectReader<T> reader) {
    return objects(optionalArray(map, key, path), at(path, key), reader);
  }

  private static <T> List<T> objects(List<?> list, String where, ObjectReader<T> reader) {
    List<T> objects = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      String path = where + "[" + i + "]";
      objects.add(reader.read(asObject(list.get(i), path), path));
    }
    return objects;
  }

  private static Subflow subflowFromMap(Map<String, Object> map, String path) {
    List<Subflow.PortLink> in = linksFromList(optionalArray(map, "in", path), at(path, "in"));
    List<?> outList = optionalArray(map, "out", path);
    List<List<Subflow.PortLink>> out = new ArrayList<>(outList.size());
    for (int i = 0; i < outList.size(); i++) {
      String where = at(path, "out") + "[" + i + "]";
      if (!(outList.get(i) instanceof List<?> links)) {
        throw new FlowFormatException(
            where, "expected an array, got " + JsonCodec.describe(outList.get(i)), null);
      }
      out.add(linksFromList(links, where));
    }
    int inputs = in.isEmpty() ? 0 : 1;
    if (map.get("inputs") != null) {
      inputs = optionalPort(map, "inputs", path);
      if (inputs > 1) {
        throw new FlowFormatException(at(path, "inputs"), "a subflow has 0 or 1 input", null);
      }
      if (inputs == 0 && !in.isEmpty()) {
        throw new FlowFormatException(
            at(path, "in"), "a subflow without an input cannot send it anywhere", null);
      }
    }
    List<Subflow.EnvProperty> env =
        objects(
            map,
            "env",
            path,
            (property, where) ->
                new Subflow.EnvProperty(
                    requiredString(property, "name", where),
                    optionalString(property, "type", where),
                    property.get("value")));
    return new Subflow(
        requiredString(map, "id", path),
        optionalString(map, "name", path),
        optionalString(map, "description", path),
        inputs,
        in,
        out,
        env,
        objects(map, "nodes", path, FlowCodec::nodeFromMap),
        objects(map, "wires", path, FlowCodec::wireFromMap));
  }

  private static List<Subflow.PortLink> linksFromList(List<?> list, String path) {
    return objects(
        list,
        path,
        (link, where) ->
            new Subflow.PortLink(
                requiredString(link, "node", where), optionalPort(link, "port", where)));
  }

  private static List<String> strings(List<?> list, String path) {
    List<String> strings = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof String s)) {
        throw new FlowFormatException(
            path + "[" + i + "]",
            "expected a string, got " + JsonCodec.describe(list.get(i)),
            null);
      }
      strings.add(s);
    }
    return strings;
  }

  private static Flow fromDocument(Object document) {
    if (!(document instanceof Map<?, ?>)) {
      throw new FlowFormatException(
          "", "a flow document must be a JSON object, got " + JsonCodec.describe(document), null);
    }
    return fromMap(asObject(document, ""));
  }

  private static Map<String, Object> nodeToMap(FlowNode node) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("id", node.id());
    map.put("type", node.type());
    map.put("name", node.name());
    map.put("x", node.x());
    map.put("y", node.y());
    map.put("disabled", node.disabled());
    map.put("config", new LinkedHashMap<>(node.config()));
    return map;
  }

  private static FlowNode nodeFromMap(Map<String, Object> map, String path) {
    return new FlowNode(
        requiredString(map, "id", path),
        requiredString(map, "type", path),
        optionalString(map, "name", path),
        optionalNumber(map, "x", path),
        optionalNumber(map, "y", path),
        optionalBoolean(map, "disabled", path),
        optionalObject(map, "config", path));
  }

  private static Wire wireFromMap(Map<String, Object> map, String path) {
    return new Wire(
        requiredString(map, "from", path),
        optionalPort(map, "fromPort", path),
        requiredString(map, "to", path),
        optionalPort(map, "toPort", path));
  }

  private static String requiredString(Map<String, Object> map, String key, String path) {
    Object value = map.get(key);
    if (value == null) {
      throw new FlowFormatException(at(path, key), "required", null);
    }
    if (!(value instanceof String s)) {
      throw wrongType(path, key, "a string", value);
    }
    return s;
  }

  private static String optionalString(Map<String, Object> map, String key, String path) {
    Object value = map.get(key);
    if (value == null || value instanceof String) {
      return (String) value;
    }
    throw wrongType(path, key, "a string", value);
  }

  private static String optionalString(
      Map<String, Object> map, String key, String path, String fallback) {
    String value = optionalString(map, key, path);
    return value == null ? fallback : value;
  }

  private static double optionalNumber(Map<String, Object> map, String key, String path) {
    Object value = map.get(key);
    if (value == null) {
      return 0.0;
    }
    if (!(value instanceof Number number)) {
      throw wrongType(path, key, "a number", value);
    }
    double d = number.doubleValue();
    if (!Double.isFinite(d)) {
      throw wrongType(path, key, "a finite number", value);
    }
    return d;
  }

  private static boolean optionalBoolean(Map<String, Object> map, String key, String path) {
    Object value = map.get(key);
    if (value == null) {
      return false;
    }
    if (!(value instanceof Boolean b)) {
      throw wrongType(path, key, "a boolean", value);
    }
    return b;
  }

  private static Map<String, Object> optionalObject(
      Map<String, Object> map, String key, String path) {
    Object value = map.get(key);
    return value == null ? Map.of() : asObject(value, at(path, key));
  }

  private static List<?> optionalArray(Map<String, Object> map, String key, String path) {
    Object value = map.get(key);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list)) {
      throw wrongType(path, key, "an array", value);
    }
    return list;
  }

  private static int optionalPort(Map<String, Object> map, String key, String path) {
    Object value = map.get(key);
    if (value == null) {
      return 0;
    }
    if (value instanceof Number number) {
      double d = number.doubleValue();
      if (d >= 0 && d <= Integer.MAX_VALUE && d == Math.rint(d)) {
        return (int) d;
      }
    }
    throw wrongType(path, key, "a non-negative integer", value);
  }

  private static Map<String, Object> asObject(Object value, String path) {
    if (!(value instanceof Map<?, ?> raw)) {
      throw new FlowFormatException(
          path, "expected an object, got " + JsonCodec.describe(value), null);
    }
    Map<String, Object> map = new LinkedHashMap<>();
    for (Map.Entry<?, ?> entry : raw.entrySet()) {
      if (!(entry.getKey() instanceof String key)) {
        throw new FlowFormatException(
            path, "object keys must be strings, got " + entry.getKey(), null);
      }
      map.put(key, entry.getValue());
    }
    return map;
  }

  private static FlowFormatException wrongType(
      String path, String key, String expected, Object value) {
    return new FlowFormatException(
        at(path, key), "expected " + expected + ", got " + JsonCodec.describe(value), null);
  }

  private static String at(String path, String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  /**
   * A document that is not a flow. The message is {@code path: problem}, e.g. {@code wires[0].from:
   * required}; {@link #path()} gives the path alone (empty for the whole document).
   */
  public static final class FlowFormatException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String path;

    public FlowFormatException(String path, String problem, Throwable cause) {
      super(path.isEmpty() ? problem : path + ": " + problem, cause);
      this.path = path;
    }

    /** Where in the document the problem is: {@code nodes[2].x}, or empty for the document. */
    public String path() {
      return path;
    }
  }
}
