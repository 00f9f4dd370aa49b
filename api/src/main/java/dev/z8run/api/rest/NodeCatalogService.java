package dev.z8run.api.rest;

import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.NodeTypeRegistry;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.io.json.JsonCodec;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.NotFoundException;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * {@code /api/v1/nodes}: the node-type catalogue the editor builds its palette and property panels
 * from.
 *
 * <pre>
 *   GET /api/v1/nodes        -&gt; {"nodes":[type...],"total":N}, by category, then name
 *   GET /api/v1/nodes/{type} -&gt; one type, 404 when the registry has none by that name
 *
 *   type = {"type","category","description",
 *           "inputs":[{"name","type"}], "outputs":[{"name","type"}],
 *           "dynamic_outputs":bool, "blocking":bool,
 *           "config":[{"name","type","default","required","description","options":[...],
 *                      "min","max" (bounded numbers only)}]}
 * </pre>
 *
 * <p>Port types are z8run's ({@code any, string, number, ...}); field types are {@link
 * dev.z8run.core.registry.FieldType}'s lower-case names; {@code default} is the field's JSON value
 * or null. For a type with {@code dynamic_outputs} the listed outputs are those of an empty config.
 *
 * <p>Read from the registry on every request, so types registered later (plugins) show up.
 */
public final class NodeCatalogService implements HttpService {
  private final NodeTypeRegistry registry;

  public NodeCatalogService(NodeTypeRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
  }

  @Override
  public void routing(HttpRules rules) {
    rules.get("/", this::list).get("/{type}", this::one);
  }

  private void list(ServerRequest request, ServerResponse response) {
    List<NodeType> types = registry.all(); // sorted by category, then name
    List<Object> nodes = new ArrayList<>(types.size());
    for (NodeType type : types) {
      nodes.add(describe(type));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("nodes", nodes);
    body.put("total", nodes.size());
    sendJson(response, JsonCodec.write(body));
  }

  private void one(ServerRequest request, ServerResponse response) {
    String name = request.path().pathParameters().get("type");
    NodeType type = registry.find(name);
    if (type == null) {
      throw new NotFoundException("no node type '" + name + "'");
    }
    sendJson(response, JsonCodec.write(describe(type)));
  }

  /** One catalogue entry as plain JSON values. */
  static Map<String, Object> describe(NodeType type) {
    Map<String, Object> node = new LinkedHashMap<>();
    node.put("type", type.name());
    node.put("category", type.category());
    node.put("description", type.description());
    node.put("inputs", ports(type.inputs()));
    node.put("outputs", ports(type.outputs()));
    node.put("dynamic_outputs", type.dynamicOutputs());
    node.put("blocking", type.blocking());
    List<Object> config = new ArrayList<>(type.config().size());
    for (ConfigField field : type.config()) {
      Map<String, Object> entry = new LinkedHashMap<>();
      entry.put("name", field.name());
      entry.put("type", field.type().jsonName());
      entry.put("default", field.defaultValue());
      entry.put("required", field.required());
      entry.put("description", field.description());
      entry.put("options", field.options());
      if (field.min() != null) {
        entry.put("min", field.min());
      }
      if (field.max() != null) {
        entry.put("max", field.max());
      }
      config.add(entry);
    }
    node.put("config", config);
    return node;
  }

  private static List<Object> ports(List<PortSpec> specs) {
    List<Object> ports = new ArrayList<>(specs.size());
    for (PortSpec spec : specs) {
      Map<String, Object> port = new LinkedHashMap<>();
      port.put("name", spec.name());
      port.put("type", spec.type().jsonName());
      ports.add(port);
    }
    return ports;
  }

  private static void sendJson(ServerResponse response, byte[] body) {
    response.headers().contentType(MediaTypes.APPLICATION_JSON);
    response.send(body);
  }
}
