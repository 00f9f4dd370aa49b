package dev.z8run.api.flows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.api.Main;
import dev.z8run.api.TestRequests;
import dev.z8run.api.TestSettings;
import dev.z8run.api.Z8Server;
import dev.z8run.io.json.JsonCodec;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * z8run's own clients against this server, written from z8run's source (github.com/z8run/z8run):
 * the routes and answers of {@code crates/z8run-api/src/routes.rs} and {@code auth.rs}, and the
 * bodies its editor sends ({@code frontend/src/api/auth.ts}, {@code api/flows.ts}, {@code
 * stores/flowStore.ts} saveFlow, {@code features/editor/EditorPage.tsx} load, {@code
 * components/layout/Header.tsx} deploy/stop) and the canvas nodes of {@code
 * lib/nodeDefinitions.ts}. Each step checks the fields z8run's client reads.
 */
class Z8runCompatibilityTest {
  /** What z8run's editor saves (flowStore.saveFlow): React Flow nodes and edges, and viewport. */
  static final String SAVE =
      """
      {"name":"Greeter",
       "canvas_nodes":[
        {"id":"node_1712000000000_0","type":"z8node","position":{"x":80,"y":120},
         "data":{"label":"HTTP In","type":"http-in","category":"input","icon":"Globe",
                 "config":{"method":"POST","path":"/greet"},"status":"idle",
                 "inputs":[],"outputs":[{"id":"response","name":"Response","type":"object"}]},
         "measured":{"width":180,"height":64},"selected":false,"dragging":false},
        {"id":"node_1712000000001_1","type":"z8node","position":{"x":320,"y":120},
         "data":{"label":"Answer","type":"function","category":"process","icon":"Code",
                 "config":{"template":{"message":"Hello {req.body.name}","age":"{req.body.age}"}},
                 "status":"success","lastOutput":{"message":"Hello Ada"},
                 "inputs":[{"id":"input","name":"Input","type":"any"}],
                 "outputs":[{"id":"output","name":"Output","type":"any"}]},
         "measured":{"width":180,"height":64},"selected":true},
        {"id":"node_1712000000002_2","type":"z8node","position":{"x":560,"y":120},
         "data":{"label":"HTTP Out","type":"http-out","category":"output","icon":"Send",
                 "config":{"statusCode":201},
                 "inputs":[{"id":"input","name":"Input","type":"any"}],"outputs":[]}}],
       "canvas_edges":[
        {"id":"xy-edge__node_1712000000000_0response-node_1712000000001_1input",
         "source":"node_1712000000000_0","target":"node_1712000000001_1",
         "sourceHandle":"response","targetHandle":"input","animated":true},
        {"id":"xy-edge__node_1712000000001_1output-node_1712000000002_2input",
         "source":"node_1712000000001_1","target":"node_1712000000002_2",
         "sourceHandle":"output","targetHandle":"input"}],
       "viewport":{"x":-12.5,"y":40,"zoom":0.75}}
      """;

  @TempDir Path dataDir;
  private Z8Server server;
  private HttpClient client;

  @BeforeEach
  void start() {
    server =
        Main.start(
            TestSettings.ephemeral(
                Map.of("Z8_DATA_DIR", dataDir.toString(), "Z8_OPEN_REGISTRATION", "true")));
    client = HttpClient.newHttpClient();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  @Test
  void shouldSignUpSignInAndAnswerMeAsZ8runDoes() throws Exception {
    // auth.ts register(email, username, password) -> AuthResponse {token,
    // user:{id,email,username,roles}}
    Map<?, ?> registered =
        json(
            call(
                "POST",
                "/auth/register",
                null,
                "{\"email\":\"ada@example.com\",\"username\":\"ada\",\"password\":\"correct horse\"}",
                201));
    String token = (String) registered.get("token");
    assertNotNull(token);
    Map<?, ?> user = (Map<?, ?>) registered.get("user");
    assertEquals("ada@example.com", user.get("email"));
    assertEquals("ada", user.get("username"));
    assertEquals(List.of("admin", "user"), user.get("roles"), "the first user is an admin");

    // auth.ts login(email, password)
    Map<?, ?> login =
        json(
            call(
                "POST",
                "/auth/login",
                null,
                "{\"email\":\"ada@example.com\",\"password\":\"correct horse\"}",
                200));
    assertEquals(user, login.get("user"));
    // auth.ts me(token) -> UserInfo
    Map<?, ?> me = json(call("GET", "/auth/me", (String) login.get("token"), null, 200));
    assertEquals(user.get("id"), me.get("id"));
    assertEquals("ada@example.com", me.get("email"));
    assertEquals(List.of("admin", "user"), me.get("roles"));

    Map<?, ?> second =
        json(
            call(
                "POST",
                "/auth/register",
                null,
                "{\"email\":\"bob@example.com\",\"username\":\"bob\",\"password\":\"correct horse\"}",
                201));
    assertEquals(List.of("user"), ((Map<?, ?>) second.get("user")).get("roles"));
  }

  @Test
  void shouldCreateSaveLoadStartCallStopExportImportAndDeleteAsZ8runsEditorDoes() throws Exception {
    String token = signUp();

    // flows.ts create({name, description}) -> CreateFlowResponse
    Map<?, ?> created =
        json(
            call(
                "POST",
                "/api/v1/flows",
                token,
                "{\"name\":\"Greeter\",\"description\":\"says hello\"}",
                201));
    String id = (String) created.get("id");
    assertEquals("Greeter", created.get("name"));
    assertEquals("says hello", created.get("description"));
    assertEquals("idle", created.get("status"));
    assertNotNull(created.get("created_at"));

    // flowStore.saveFlow -> flows.ts update(id, {name, canvas_nodes, canvas_edges, viewport})
    Map<?, ?> saved = json(call("PUT", "/api/v1/flows/" + id, token, SAVE, 200));
    assertEquals(id, saved.get("id"));
    assertNotNull(saved.get("updated_at"));

    // EditorPage load: flows.ts get(id) -> FlowDetail with the canvas as saved
    Map<?, ?> detail = json(call("GET", "/api/v1/flows/" + id, token, null, 200));
    Map<?, ?> sent = (Map<?, ?>) JsonCodec.parse(SAVE);
    assertEquals(sent.get("canvas_nodes"), detail.get("canvas_nodes"), "every field kept");
    assertEquals(sent.get("canvas_edges"), detail.get("canvas_edges"));
    assertEquals(sent.get("viewport"), detail.get("viewport"));
    assertEquals("says hello", detail.get("description"), "a field not sent is kept");
    // and in this server's own form, derived from the canvas
    List<?> nodes = (List<?>) detail.get("nodes");
    assertEquals(3, nodes.size());
    assertEquals("http-in", ((Map<?, ?>) nodes.get(0)).get("type"));
    assertEquals(2, ((List<?>) detail.get("wires")).size());

    // list -> FlowSummary with counts
    Map<?, ?> list = json(call("GET", "/api/v1/flows", token, null, 200));
    Map<?, ?> summary = (Map<?, ?>) ((List<?>) list.get("flows")).get(0);
    assertEquals(3L, summary.get("nodes"));
    assertEquals(2L, summary.get("edges"));
    assertEquals(1L, list.get("total"));

    // Header.tsx deploy: flows.ts start(id) -> {flow_id, trace_id, status, node_map, routes}
    Map<?, ?> started = json(call("POST", "/api/v1/flows/" + id + "/start", token, null, 200));
    assertEquals(id, started.get("flow_id"));
    assertTrue(started.get("trace_id") instanceof String traceId && !traceId.isEmpty());
    assertEquals("running", started.get("status"));
    Map<?, ?> nodeMap = (Map<?, ?>) started.get("node_map");
    assertEquals("node_1712000000001_1", nodeMap.get("node_1712000000001_1"));
    assertEquals(
        List.of(Map.of("method", "POST", "path", "/hook/" + id + "/greet")), started.get("routes"));

    // the route answers as the flow says: z8run's function template and http-out status
    HttpResponse<String> greeted =
        call("POST", "/hook/" + id + "/greet", null, "{\"name\":\"Ada\",\"age\":36}", 201);
    assertEquals(Map.of("message", "Hello Ada", "age", 36L), JsonCodec.parse(greeted.body()));

    Map<?, ?> info = json(call("GET", "/api/v1/info", null, null, 200));
    assertEquals((long) server.port(), info.get("port"));
    assertEquals(1L, info.get("active_flows"));

    // Header.tsx stop: flows.ts stop(id) -> {flow_id, status}
    Map<?, ?> stopped = json(call("POST", "/api/v1/flows/" + id + "/stop", token, null, 200));
    assertEquals(id, stopped.get("flow_id"));
    assertEquals("stopped", stopped.get("status"));
    assertEquals(0L, json(call("GET", "/api/v1/info", null, null, 200)).get("active_flows"));

    // export -> {z8run_version, export_format, flow:{name, description, version, canvas...}}
    Map<?, ?> export = json(call("GET", "/api/v1/flows/" + id + "/export", token, null, 200));
    assertEquals(1L, export.get("export_format"));
    Map<?, ?> exported = (Map<?, ?>) export.get("flow");
    assertEquals(sent.get("canvas_nodes"), exported.get("canvas_nodes"));
    assertEquals(sent.get("viewport"), exported.get("viewport"));

    // import (z8run's import_flow answer: id, name, description, nodes, edges, status, created_at)
    Map<?, ?> imported =
        json(call("POST", "/api/v1/flows/import", token, JsonCodec.writeString(export), 201));
    assertFalse(id.equals(imported.get("id")), "a new flow");
    assertEquals("Greeter", imported.get("name"));
    assertEquals(3L, imported.get("nodes"));
    assertEquals(2L, imported.get("edges"));
    assertEquals("idle", imported.get("status"));
    assertEquals(List.of(), imported.get("problems"));

    // flows.ts delete(id) -> {deleted}
    Map<?, ?> deleted = json(call("DELETE", "/api/v1/flows/" + id, token, null, 200));
    assertEquals(id, deleted.get("deleted"));
    call("GET", "/api/v1/flows/" + id, token, null, 404);
  }

  @Test
  void shouldRunAFlowCreatedFromItsCanvasAndValidateItsCanvas() throws Exception {
    String token = signUp();
    // a create with z8run's canvas only (a script posting what the editor saves): the nodes and
    // wires are the canvas's, as a save makes them; before, the flow was stored with none and
    // deployed as a flow that does nothing
    String id = (String) json(call("POST", "/api/v1/flows", token, SAVE, 201)).get("id");
    Map<?, ?> detail = json(call("GET", "/api/v1/flows/" + id, token, null, 200));
    assertEquals(3, ((List<?>) detail.get("nodes")).size(), detail.toString());
    assertEquals(2, ((List<?>) detail.get("wires")).size(), detail.toString());
    Map<?, ?> sent = (Map<?, ?>) JsonCodec.parse(SAVE);
    assertEquals(sent.get("canvas_nodes"), detail.get("canvas_nodes"), "the canvas is kept");
    Map<?, ?> started = json(call("POST", "/api/v1/flows/" + id + "/start", token, null, 200));
    assertEquals(
        List.of(Map.of("method", "POST", "path", "/hook/" + id + "/greet")), started.get("routes"));
    HttpResponse<String> greeted =
        call("POST", "/hook/" + id + "/greet", null, "{\"name\":\"Ada\",\"age\":36}", 201);
    assertEquals(Map.of("message", "Hello Ada", "age", 36L), JsonCodec.parse(greeted.body()));

    // validate judges the canvas: a node of a type nobody installed is a problem (it said valid)
    String unknown = SAVE.replace("\"type\":\"function\"", "\"type\":\"no-such-type\"");
    Map<?, ?> verdict = json(call("POST", "/api/v1/flows/validate", token, unknown, 200));
    assertEquals(false, verdict.get("valid"), verdict.toString());
    assertTrue(verdict.get("problems").toString().contains("no-such-type"), verdict.toString());
    assertEquals(true, json(call("POST", "/api/v1/flows/validate", token, SAVE, 200)).get("valid"));
    // a malformed canvas node is a 400 naming it, on create as on a save
    HttpResponse<String> malformed =
        call(
            "POST",
            "/api/v1/flows",
            token,
            "{\"name\":\"m\",\"canvas_nodes\":[{\"id\":\"a\",\"data\":null}]}",
            400);
    assertTrue(malformed.body().contains("canvas_nodes[0].data"), malformed.body());
  }

  @Test
  void shouldSaveOnlyWhatZ8runsEditorSendsAndLoseNothingElse() throws Exception {
    String token = signUp();
    String id =
        (String)
            json(call("POST", "/api/v1/flows", token, "{\"name\":\"Partial\"}", 201)).get("id");
    call("PUT", "/api/v1/flows/" + id, token, SAVE, 200);

    // only the viewport: the nodes stay
    call("PUT", "/api/v1/flows/" + id, token, "{\"viewport\":{\"x\":1,\"y\":2,\"zoom\":2}}", 200);
    Map<?, ?> detail = json(call("GET", "/api/v1/flows/" + id, token, null, 200));
    assertEquals(3, ((List<?>) detail.get("canvas_nodes")).size());
    assertEquals(Map.of("x", 1L, "y", 2L, "zoom", 2L), detail.get("viewport"));
    assertEquals("Greeter", detail.get("name"));

    // only the name
    call("PUT", "/api/v1/flows/" + id, token, "{\"name\":\"Renamed\"}", 200);
    detail = json(call("GET", "/api/v1/flows/" + id, token, null, 200));
    assertEquals("Renamed", detail.get("name"));
    assertEquals(3, ((List<?>) detail.get("nodes")).size());

    // only the edges: one removed, the nodes stay
    Map<?, ?> sent = (Map<?, ?>) JsonCodec.parse(SAVE);
    List<?> edges = (List<?>) sent.get("canvas_edges");
    call(
        "PUT",
        "/api/v1/flows/" + id,
        token,
        JsonCodec.writeString(Map.of("canvas_edges", List.of(edges.get(0)))),
        200);
    detail = json(call("GET", "/api/v1/flows/" + id, token, null, 200));
    assertEquals(3, ((List<?>) detail.get("nodes")).size());
    assertEquals(1, ((List<?>) detail.get("wires")).size());
    assertEquals(sent.get("canvas_nodes"), detail.get("canvas_nodes"));

    // a document read and sent back whole is accepted as it is
    Map<?, ?> again = json(call("PUT", "/api/v1/flows/" + id, token, bodyOf(detail), 200));
    assertEquals(detail.get("canvas_nodes"), again.get("canvas_nodes"));

    // refused, and nothing changes: an unknown field, contradicting kinds, a malformed canvas
    int revision = ((Number) again.get("revision")).intValue();
    assertEquals(
        "unknown field 'bogus'",
        message(call("PUT", "/api/v1/flows/" + id, token, "{\"bogus\":1}", 400)).substring(0, 21));
    assertTrue(
        message(
                call(
                    "PUT", "/api/v1/flows/" + id, token, "{\"nodes\":[],\"canvas_nodes\":[]}", 400))
            .contains("save one or the other"));
    assertEquals(
        "canvas_nodes[0].data: expected an object, got string \"x\"",
        message(
            call(
                "PUT",
                "/api/v1/flows/" + id,
                token,
                "{\"canvas_nodes\":[{\"id\":\"a\",\"data\":\"x\"}]}",
                400)));
    Map<?, ?> after = json(call("GET", "/api/v1/flows/" + id, token, null, 200));
    assertEquals(revision, ((Number) after.get("revision")).intValue());
    assertEquals(3, ((List<?>) after.get("nodes")).size());
  }

  @Test
  void shouldRouteAZ8runSwitchByItsRulePorts() throws Exception {
    String token = signUp();
    // nodeDefinitions.ts switch: rules {type, value, port}, outputs out1, out2, default
    String save =
        """
        {"canvas_nodes":[
          {"id":"in","type":"z8node","position":{"x":0,"y":0},
           "data":{"type":"http-in","config":{"method":"POST","path":"/route"},
                   "outputs":[{"id":"response","name":"Response","type":"object"}]}},
          {"id":"sw","type":"z8node","position":{"x":200,"y":0},
           "data":{"type":"switch","config":{"property":"req.body.action","rules":[
                     {"type":"eq","value":"update","port":"out2"},
                     {"type":"eq","value":"create","port":"out1"},
                     {"type":"eq","value":"upsert","port":"out1"}]},
                   "inputs":[{"id":"input","name":"Input","type":"any"}],
                   "outputs":[{"id":"out1","name":"Case 1","type":"any"},
                              {"id":"out2","name":"Case 2","type":"any"},
                              {"id":"default","name":"Default","type":"any"}]}},
          {"id":"created","type":"z8node","position":{"x":400,"y":0},
           "data":{"type":"http-out","config":{"statusCode":201}}},
          {"id":"updated","type":"z8node","position":{"x":400,"y":100},
           "data":{"type":"http-out","config":{"statusCode":200}}},
          {"id":"other","type":"z8node","position":{"x":400,"y":200},
           "data":{"type":"http-out","config":{"statusCode":400}}}],
         "canvas_edges":[
          {"source":"in","target":"sw","sourceHandle":"response","targetHandle":"input"},
          {"source":"sw","target":"created","sourceHandle":"out1","targetHandle":"input"},
          {"source":"sw","target":"updated","sourceHandle":"out2","targetHandle":"input"},
          {"source":"sw","target":"other","sourceHandle":"default","targetHandle":"input"}]}
        """;
    String id =
        (String) json(call("POST", "/api/v1/flows", token, "{\"name\":\"Router\"}", 201)).get("id");
    call("PUT", "/api/v1/flows/" + id, token, save, 200);
    call("POST", "/api/v1/flows/" + id + "/start", token, null, 200);
    call("POST", "/hook/" + id + "/route", null, "{\"action\":\"create\"}", 201);
    call("POST", "/hook/" + id + "/route", null, "{\"action\":\"upsert\"}", 201);
    call("POST", "/hook/" + id + "/route", null, "{\"action\":\"update\"}", 200);
    call("POST", "/hook/" + id + "/route", null, "{\"action\":\"delete\"}", 400);
    call("POST", "/hook/" + id + "/route", null, "{}", 400);
  }

  private static String bodyOf(Map<?, ?> detail) {
    return JsonCodec.writeString(detail);
  }

  private String signUp() throws Exception {
    return (String)
        json(call(
                "POST",
                "/auth/register",
                null,
                "{\"email\":\"ada@example.com\",\"username\":\"ada\","
                    + "\"password\":\"correct horse\"}",
                201))
            .get("token");
  }

  private HttpResponse<String> call(
      String method, String path, String token, String body, int expected) throws Exception {
    HttpRequest.Builder request =
        TestRequests.json(method, "http://127.0.0.1:" + server.port() + path, body, token);
    HttpResponse<String> response =
        client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(expected, response.statusCode(), method + " " + path + ": " + response.body());
    return response;
  }

  private static Map<?, ?> json(HttpResponse<String> response) {
    return (Map<?, ?>) JsonCodec.parse(response.body());
  }

  private static String message(HttpResponse<String> response) {
    return (String) ((Map<?, ?>) json(response).get("error")).get("message");
  }
}
