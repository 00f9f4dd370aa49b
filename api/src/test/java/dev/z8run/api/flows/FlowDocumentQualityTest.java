package dev.z8run.api.flows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.api.Main;
import dev.z8run.api.TestRequests;
import dev.z8run.api.TestSettings;
import dev.z8run.api.Z8Server;
import dev.z8run.api.auth.Tokens;
import dev.z8run.api.auth.UserPrincipal;
import dev.z8run.io.json.JsonCodec;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a flow document may not carry, through the real server: a Node-RED wire to {@code null}, a
 * subflow port that is not a non-negative integer, a viewport that is not finite. Each is left out
 * with a warning (as Node-RED leaves it) or refused with a 400 naming the field; what z8run's own
 * editor sends still passes.
 */
class FlowDocumentQualityTest {
  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";

  @TempDir Path dataDir;
  private Z8Server server;
  private HttpClient client;
  private String token;

  @BeforeEach
  void start() {
    server =
        Main.start(
            TestSettings.ephemeral(
                Map.of("Z8_DATA_DIR", dataDir.toString(), "Z8_JWT_SECRET", SECRET)));
    client = HttpClient.newHttpClient();
    token = Tokens.withSecret(SECRET).issue(new UserPrincipal("u", "u"));
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  private HttpResponse<String> call(String method, String path, String body) throws Exception {
    return client.send(
        TestRequests.json(method, "http://127.0.0.1:" + server.port() + path, body, token).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldLeaveOutANodeRedWireToNullWithAWarningInsteadOfANodeNamedNull() throws Exception {
    HttpResponse<String> imported =
        call(
            "POST",
            "/api/v1/flows/import",
            """
            [{"id":"t","type":"tab","label":"nulls"},
             {"id":"a","type":"junction","z":"t","wires":[[null]]},
             {"id":"b","type":"junction","z":"t","wires":[["c",null]]},
             {"id":"c","type":"junction","z":"t","wires":[]}]
            """);
    assertEquals(201, imported.statusCode(), imported.body());
    Map<?, ?> body = (Map<?, ?>) JsonCodec.parse(imported.body());
    Map<?, ?> flow = (Map<?, ?>) ((List<?>) body.get("flows")).get(0);
    assertEquals(List.of(), flow.get("problems"), imported.body());
    assertTrue(
        String.valueOf(body.get("warnings"))
            .contains("Node-RED node 'b' (junction): wires[0] has a target that is not a node id"),
        imported.body());
    Map<?, ?> stored =
        (Map<?, ?>) JsonCodec.parse(call("GET", "/api/v1/flows/" + flow.get("id"), null).body());
    assertEquals(
        List.of(Map.of("from", "b", "fromPort", 0L, "to", "c", "toPort", 0L)),
        stored.get("wires"),
        "no wire to a node 'null'");
  }

  @Test
  void shouldRefuseANodeRedSubflowPortThatIsNotANonNegativeInteger() throws Exception {
    for (String port : List.of("-1", "1.5", "\"1\"")) {
      HttpResponse<String> imported =
          call(
              "POST",
              "/api/v1/flows/import",
              """
              [{"id":"t","type":"tab","label":"ports"},
               {"id":"sf","type":"subflow","name":"S","in":[{"wires":[{"id":"j"}]}],
                "out":[{"wires":[{"id":"j","port":PORT}]}]},
               {"id":"j","type":"junction","z":"sf","wires":[[]]},
               {"id":"i","type":"subflow:sf","z":"t","wires":[[]]}]
              """
                  .replace("PORT", port));
      assertEquals(400, imported.statusCode(), port + ": " + imported.body());
      assertTrue(
          imported
              .body()
              .contains(
                  "Node-RED subflow 'sf': out[0].wires[0].port: expected a non-negative integer"),
          imported.body());
    }
  }

  @Test
  void shouldRefuseAViewportThatIsNotFiniteNamingTheField() throws Exception {
    String create =
        "{\"id\":\"v\",\"nodes\":[],\"wires\":[],\"viewport\":{\"x\":X,\"y\":0,\"zoom\":ZOOM}}";
    HttpResponse<String> nan =
        call("POST", "/api/v1/flows", create.replace("X", "\"NaN\"").replace("ZOOM", "1"));
    assertEquals(400, nan.statusCode(), nan.body());
    assertTrue(
        nan.body().contains("viewport.x: expected a finite number, got string \\\"NaN\\\""),
        nan.body());
    HttpResponse<String> infinite =
        call("POST", "/api/v1/flows", create.replace("X", "0").replace("ZOOM", "1e999"));
    assertEquals(400, infinite.statusCode(), infinite.body());
    assertTrue(
        infinite.body().contains("viewport.zoom: expected a finite number"), infinite.body());
    HttpResponse<String> validated =
        call("POST", "/api/v1/flows/validate", create.replace("X", "1e999").replace("ZOOM", "1"));
    assertEquals(400, validated.statusCode(), validated.body());
    assertTrue(validated.body().contains("viewport.x"), validated.body());

    // z8run's editor's save (Z8runCompatibilityTest.SAVE: viewport -12.5, 40, 0.75) is kept
    HttpResponse<String> created = call("POST", "/api/v1/flows", Z8runCompatibilityTest.SAVE);
    assertEquals(201, created.statusCode(), created.body());
    String id = (String) ((Map<?, ?>) JsonCodec.parse(created.body())).get("id");
    HttpResponse<String> saved =
        call(
            "PUT",
            "/api/v1/flows/" + id,
            "{\"canvas_nodes\":[],\"canvas_edges\":[],\"viewport\":{\"x\":0,\"y\":0,\"zoom\":1e999}}");
    assertEquals(400, saved.statusCode(), saved.body());
    assertTrue(saved.body().contains("viewport.zoom"), saved.body());
    Map<?, ?> kept = (Map<?, ?>) JsonCodec.parse(call("GET", "/api/v1/flows/" + id, null).body());
    assertEquals(Map.of("x", -12.5, "y", 40L, "zoom", 0.75), kept.get("viewport"));

    HttpResponse<String> imported =
        call(
            "POST",
            "/api/v1/flows/import",
            "{\"export_format\":1,\"flow\":{\"name\":\"v\",\"canvas_nodes\":[],"
                + "\"viewport\":{\"x\":0,\"y\":-1e999,\"zoom\":1}}}");
    assertEquals(400, imported.statusCode(), imported.body());
    assertTrue(imported.body().contains("flow.viewport.y"), imported.body());
  }
}
