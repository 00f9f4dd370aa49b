package dev.z8run.api.flows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.api.Main;
import dev.z8run.api.TestRequests;
import dev.z8run.api.TestSettings;
import dev.z8run.api.Z8Server;
import dev.z8run.api.auth.Tokens;
import dev.z8run.api.auth.UserPrincipal;
import dev.z8run.core.event.EngineListener;
import dev.z8run.io.json.JsonCodec;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Node-RED export with a subflow used twice (each instance with its own env property), a group, a
 * config node and a node without a counterpart here: nothing is refused or dropped, the report says
 * what became of every node, and the flow runs with each instance's env.
 */
class NodeRedSubflowsGroupsConfigTest {
  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";
  private static final String EXPORT =
      """
      [{"id":"tab1","type":"tab","label":"Main","disabled":false,"info":""},
       {"id":"sf1","type":"subflow","name":"Prefix","info":"adds a prefix",
        "in":[{"x":50,"y":30,"wires":[{"id":"sfc"}]}],
        "out":[{"x":400,"y":30,"wires":[{"id":"sff","port":0}]}],
        "env":[{"name":"PREFIX","type":"str","value":"default"}]},
       {"id":"sfc","type":"change","z":"sf1","name":"","rules":[
          {"t":"set","p":"prefix","pt":"msg","to":"PREFIX","tot":"env"},
          {"t":"set","p":"jprefix","pt":"msg","to":"$env('PREFIX') & '-j'","tot":"jsonata"}],
        "x":150,"y":30,"wires":[["sfs"]]},
       {"id":"sfs","type":"switch","z":"sf1","name":"","property":"prefix","propertyType":"msg",
        "rules":[{"t":"eq","v":"$env('PREFIX')","vt":"jsonata"}],"checkall":"true","outputs":1,
        "x":200,"y":30,"wires":[["sff"]]},
       {"id":"sff","type":"function","z":"sf1","name":"","func":
          "msg.payload = msg.prefix + ':' + msg.payload + ':' + env.get('PREFIX') + ':' + msg.jprefix;\\nreturn msg;",
        "outputs":1,"x":280,"y":30,"wires":[[]]},
       {"id":"g1","type":"group","z":"tab1","name":"Inputs","style":{"stroke":"#999999",
        "fill":"#f2f2f2","label":true,"label-position":"nw","color":"#000000"},
        "nodes":["in1","in2"],"x":14,"y":19,"w":232,"h":122},
       {"id":"in1","type":"inject","z":"tab1","g":"g1","name":"","props":[{"p":"payload"}],
        "payload":"a","payloadType":"str","x":120,"y":60,"wires":[["i1"]]},
       {"id":"in2","type":"inject","z":"tab1","g":"g1","name":"","props":[{"p":"payload"}],
        "payload":"b","payloadType":"str","x":120,"y":100,"wires":[["i2"]]},
       {"id":"i1","type":"subflow:sf1","z":"tab1","name":"","x":300,"y":60,
        "env":[{"name":"PREFIX","type":"str","value":"one"}],"wires":[["dbg"]]},
       {"id":"i2","type":"subflow:sf1","z":"tab1","name":"","x":300,"y":100,"wires":[["dbg"]]},
       {"id":"dbg","type":"debug","z":"tab1","name":"","active":true,"complete":"payload",
        "x":480,"y":80,"wires":[]},
       {"id":"broker","type":"mqtt-broker","name":"local","broker":"localhost","port":"1883",
        "clientid":"","usetls":false},
       {"id":"mq","type":"serial out","z":"tab1","name":"","serial":"broker",
        "x":480,"y":140,"wires":[]}]
      """;

  @TempDir Path dataDir;
  private Z8Server server;
  private HttpClient client;
  private String token;
  private final Queue<String> debug = new ConcurrentLinkedQueue<>();

  @BeforeEach
  void start() {
    server =
        Main.start(
            TestSettings.ephemeral(
                Map.of("Z8_DATA_DIR", dataDir.toString(), "Z8_JWT_SECRET", SECRET)));
    client = HttpClient.newHttpClient();
    token = Tokens.withSecret(SECRET).issue(new UserPrincipal("u", "u"));
    server
        .engine()
        .addListener(
            new EngineListener() {
              @Override
              public void onNodeDebug(
                  String flowId, String nodeId, long executionId, String preview, long length) {
                debug.add(preview);
              }
            });
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  private HttpResponse<String> call(String method, String path, String body) throws Exception {
    HttpRequest.Builder request =
        TestRequests.json(method, "http://127.0.0.1:" + server.port() + path, body, token);
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldKeepSubflowsGroupsAndConfigNodesReportEveryNodeAndRunEachInstanceWithItsEnv()
      throws Exception {
    HttpResponse<String> imported = call("POST", "/api/v1/flows/import", EXPORT);
    assertEquals(201, imported.statusCode(), imported.body());
    Map<?, ?> flow =
        (Map<?, ?>) ((List<?>) ((Map<?, ?>) JsonCodec.parse(imported.body())).get("flows")).get(0);

    Map<String, Map<?, ?>> report = new LinkedHashMap<>();
    for (Object line : (List<?>) flow.get("report")) {
      report.put((String) ((Map<?, ?>) line).get("node_id"), (Map<?, ?>) line);
    }
    assertEquals("subflow", report.get("sf1").get("outcome"));
    assertEquals("group", report.get("g1").get("outcome"));
    assertEquals("config", report.get("broker").get("outcome"));
    assertEquals("imported", report.get("i1").get("outcome"));
    assertEquals("imported", report.get("sfc").get("outcome"), "a subflow's nodes are reported");
    Map<?, ?> mqtt = report.get("mq");
    assertEquals("disabled", mqtt.get("outcome"));
    assertEquals(
        "Node-RED's 'serial out' node has no counterpart here yet: it was kept switched off, with"
            + " its settings, and the rest of the flow runs without it",
        mqtt.get("note"));

    Map<?, ?> group = (Map<?, ?>) ((List<?>) flow.get("groups")).get(0);
    assertEquals(List.of("in1", "in2"), group.get("nodes"));
    assertEquals("Inputs", group.get("name"));
    assertEquals("#999999", ((Map<?, ?>) group.get("style")).get("stroke"));
    Map<?, ?> broker = (Map<?, ?>) ((List<?>) flow.get("config_nodes")).get(0);
    assertEquals("mqtt-broker", broker.get("type"));
    assertEquals("localhost", ((Map<?, ?>) broker.get("config")).get("broker"));
    Map<?, ?> subflow = (Map<?, ?>) ((List<?>) flow.get("subflows")).get(0);
    assertEquals("Prefix", subflow.get("name"));
    assertEquals(3, ((List<?>) subflow.get("nodes")).size());
    assertEquals(List.of(), flow.get("problems"));

    String id = (String) flow.get("id");
    assertEquals(200, call("POST", "/api/v1/flows/" + id + "/start", null).statusCode());
    server.engine().inject(id, "in1", "{}".getBytes());
    server.engine().inject(id, "in2", "{}".getBytes());
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (debug.size() < 2 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    List<Object> shown = new ArrayList<>();
    debug.forEach(preview -> shown.add(JsonCodec.parse(preview)));
    // env rules, JSONata's $env in change and switch, and the function's env.get see the same env
    assertTrue(shown.contains("one:a:one:one-j"), "the instance's own env: " + shown);
    assertTrue(
        shown.contains("default:b:default:default-j"), "the subflow's default env: " + shown);

    // the stored document reads back with everything kept
    Map<?, ?> stored = (Map<?, ?>) JsonCodec.parse(call("GET", "/api/v1/flows/" + id, null).body());
    assertEquals(flow.get("subflows"), stored.get("subflows"));
    assertEquals(flow.get("groups"), stored.get("groups"));
    assertEquals(flow.get("config_nodes"), stored.get("config_nodes"));
  }

  @Test
  void shouldRefuseOnlyWhenAskedToBeStrict() throws Exception {
    HttpResponse<String> strict = call("POST", "/api/v1/flows/import?strict=true", EXPORT);
    assertEquals(422, strict.statusCode());
    assertTrue(strict.body().contains("serial out"), strict.body());
    assertEquals(
        List.of(),
        ((Map<?, ?>) JsonCodec.parse(call("GET", "/api/v1/flows", null).body())).get("flows"),
        "nothing stored");
  }
}
