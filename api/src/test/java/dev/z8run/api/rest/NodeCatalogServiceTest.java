package dev.z8run.api.rest;

import static dev.z8run.api.rest.RestServer.errorMessage;
import static dev.z8run.api.rest.RestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.z8run.api.auth.Tokens;
import dev.z8run.api.auth.UserPrincipal;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.NodeTypeRegistry;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.core.registry.PortType;
import dev.z8run.nodes.BuiltinNodes;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link NodeCatalogService} through real HTTP, over the built-in node types. */
class NodeCatalogServiceTest {
  private final Tokens tokens = Tokens.withRandomSecret();
  private final String token = tokens.issue(new UserPrincipal("u1", "alice"));
  private NodeTypeRegistry registry;
  private RestServer server;

  @BeforeEach
  void start() {
    registry = BuiltinNodes.registry();
    NodeCatalogService catalog = new NodeCatalogService(registry);
    server = new RestServer(tokens, routing -> routing.register("/api/v1/nodes", catalog));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void shouldListEveryRegisteredTypeByCategoryThenNameWithItsTotal() throws Exception {
    HttpResponse<String> response = server.send("GET", "/api/v1/nodes", null, token);

    assertEquals(200, response.statusCode());
    assertEquals("application/json", response.headers().firstValue("content-type").orElse(""));
    Map<String, Object> body = json(response);
    List<Map<String, Object>> nodes = nodes(body);
    assertEquals((long) registry.all().size(), body.get("total"));
    assertEquals(registry.names().size(), nodes.size());
    List<Map<String, Object>> sorted = new ArrayList<>(nodes);
    sorted.sort(
        Comparator.comparing((Map<String, Object> n) -> (String) n.get("category"))
            .thenComparing(n -> (String) n.get("type")));
    assertEquals(sorted, nodes);
  }

  @Test
  void shouldDescribePortsAndConfigSchemaOfAType() throws Exception {
    HttpResponse<String> response = server.send("GET", "/api/v1/nodes/http-in", null, token);

    assertEquals(200, response.statusCode());
    Map<String, Object> method = new LinkedHashMap<>();
    method.put("name", "method");
    method.put("type", "enum");
    method.put("default", "GET");
    method.put("required", false);
    method.put("description", "The HTTP method to answer.");
    method.put(
        "options", List.of("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "ANY"));
    Map<String, Object> body = json(response);
    assertEquals(
        List.of(
            "type",
            "category",
            "description",
            "inputs",
            "outputs",
            "dynamic_outputs",
            "blocking",
            "config"),
        List.copyOf(body.keySet()));
    assertEquals("http-in", body.get("type"));
    assertEquals("network", body.get("category"));
    assertEquals(List.of(), body.get("inputs"));
    assertEquals(List.of(Map.of("name", "output", "type", "any")), body.get("outputs"));
    assertEquals(false, body.get("dynamic_outputs"));
    assertEquals(false, body.get("blocking"));
    List<?> config = (List<?>) body.get("config");
    assertEquals(method, config.get(0));
    Map<?, ?> path = (Map<?, ?>) config.get(1);
    assertEquals(true, path.get("required"));
    assertEquals(null, path.get("default"));
    assertEquals(List.of(), path.get("options"));
  }

  @Test
  void shouldAnswerOneTypeAsItAppearsInTheList() throws Exception {
    List<Map<String, Object>> listed =
        nodes(json(server.send("GET", "/api/v1/nodes", null, token)));

    for (Map<String, Object> node : listed) {
      HttpResponse<String> one =
          server.send("GET", "/api/v1/nodes/" + node.get("type"), null, token);
      assertEquals(node, json(one));
    }
  }

  @Test
  void shouldShowTypesRegisteredAfterStartWithDynamicOutputsAndBlocking() throws Exception {
    registry.register(
        NodeType.builder("router")
            .category("aaa")
            .description("Test type.")
            .outputs(new PortSpec("matched", PortType.OBJECT), PortSpec.any("default"))
            .outputCount(config -> 2)
            .blocking(true)
            .field(ConfigField.optional("limit", FieldType.INTEGER, 10L, "How many."))
            .factory(context -> (msg, out) -> {})
            .build());

    List<Map<String, Object>> listed =
        nodes(json(server.send("GET", "/api/v1/nodes", null, token)));

    Map<String, Object> router = listed.get(0);
    assertEquals("router", router.get("type"));
    assertEquals(true, router.get("dynamic_outputs"));
    assertEquals(true, router.get("blocking"));
    assertEquals(List.of(Map.of("name", "input", "type", "any")), router.get("inputs"));
    assertEquals(
        List.of(
            Map.of("name", "matched", "type", "object"), Map.of("name", "default", "type", "any")),
        router.get("outputs"));
    assertEquals(10L, ((Map<?, ?>) ((List<?>) router.get("config")).get(0)).get("default"));
  }

  @Test
  void shouldAnswer404ForAnUnknownType() throws Exception {
    HttpResponse<String> response = server.send("GET", "/api/v1/nodes/no-such", null, token);

    assertEquals(404, response.statusCode());
    assertEquals("no node type 'no-such'", errorMessage(response));
  }

  @Test
  void shouldNeedASignedInUser() throws Exception {
    assertEquals(401, server.send("GET", "/api/v1/nodes", null, null).statusCode());
    assertEquals(401, server.send("GET", "/api/v1/nodes/inject", null, null).statusCode());
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> nodes(Map<String, Object> body) {
    return (List<Map<String, Object>>) body.get("nodes");
  }
}
