package dev.z8run.core.flow;

import dev.z8run.io.json.JsonCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes {@link Flow} documents as JSON, the format the editor, the API and the store
 * exchange:
 *
 * <pre>{@code
 * {"id": "f1", "name": "My flow", "description": "",
 *  "nodes": [{"id": "n1", "type": "inject", "name": "", "x": 100.0, "y": 80.0,
 *             "disabled": false, "config": {"payload": "{}"}}],
 *  "wires": [{"from": "n1", "fromPort": 0, "to": "n2", "toPort": 0}]}
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
 *       optional non-negative integers (default 0).
 * </ul>
 *
 * <p>An optional field given as JSON {@code null} counts as absent. Fields this format does not
 * define, at the top level, in nodes or in wires, are <em>ignored</em> so that the editor may store
 * its own things (viewport, colours) beside the flow; they are not kept: {@link #write} emits only
 * the fields above. A document that breaks these rules is refused with a {@link
 * FlowFormatException} whose message names the place, e.g. {@code nodes[2].x: expected a number,
 * got string "abc"}. Whether the flow makes sense (unique ids, known node types, wires between
 * existing ports) is the validator's business, not the codec's.
 *
 * <p>Stateless and thread-safe; for the control plane.
 */
public final class FlowCodec {
  private FlowCodec() {}

  /**
   * Reads a flow from UTF-8 JSON.
   *
   * @throws FlowFormatException if the bytes are not JSON (the cause is then the {@link
   *     JsonCodec.JsonException}) or do not describe a flow
   */
  public static Flow read(byte[] json) {
    Object document;
    try {
      document = JsonCodec.parse(json);
    } catch (JsonCodec.JsonException e) {
      throw new FlowFormatException("", e.getMessage(), e);
    }
    return fromDocument(document);
  }

  /** Reads a flow from a JSON string; see {@link #read(byte[])}. */
  public static Flow read(String json) {
    Object document;
    try {
      document = JsonCodec.parse(json);
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
    List<Object> nodes = new ArrayList<>(flow.nodes().size());
    for (FlowNode node : flow.nodes()) {
      nodes.add(nodeToMap(node));
    }
    List<Object> wires = new ArrayList<>(flow.wires().size());
    for (Wire wire : flow.wires()) {
      Map<String, Object> map = new LinkedHashMap<>();
      map.put("from", wire.fromNode());
      map.put("fromPort", (long) wire.fromPort());
      map.put("to", wire.toNode());
      map.put("toPort", (long) wire.toPort());
      wires.add(map);
    }
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("id", flow.id());
    map.put("name", flow.name());
    map.put("description", flow.description());
    map.put("nodes", nodes);
    map.put("wires", wires);
    return map;
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
    List<?> nodeList = optionalArray(map, "nodes", "");
    List<FlowNode> nodes = new ArrayList<>(nodeList.size());
    for (int i = 0; i < nodeList.size(); i++) {
      String path = "nodes[" + i + "]";
      nodes.add(nodeFromMap(asObject(nodeList.get(i), path), path));
    }
    List<?> wireList = optionalArray(map, "wires", "");
    List<Wire> wires = new ArrayList<>(wireList.size());
    for (int i = 0; i < wireList.size(); i++) {
      String path = "wires[" + i + "]";
      wires.add(wireFromMap(asObject(wireList.get(i), path), path));
    }
    return new Flow(id, name, description, nodes, wires);
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
