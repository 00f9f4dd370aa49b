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
import dev.z8run.testkit.Poll;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Node-RED's common database nodes imported as {@code database} nodes on their config node: a
 * {@code sqlite} node with a prepared statement on a {@code sqlitedb} file runs against a real
 * SQLite file under the data directory, its {@code $word} bound from {@code msg.params.$word} as
 * Node-RED's node binds it; {@code mysql} and {@code postgresql} map their fields.
 */
class NodeRedDataImportTest {
  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";
  private static final String EXPORT =
      """
      [{"id":"t1","type":"tab","label":"DB"},
       {"id":"lite","type":"sqlitedb","db":"nr/app.db","mode":"RWC"},
       {"id":"my","type":"MySQLdatabase","name":"","host":"127.0.0.1","port":"3306","db":"shop",
        "tz":"","charset":"UTF8"},
       {"id":"pgc","type":"postgreSQLConfig","name":"","host":"127.0.0.1","port":"5432",
        "database":"shop","ssl":"false","max":"4"},
       {"id":"q","type":"sqlite","z":"t1","mydb":"lite","sqlquery":"prepared",
        "sql":"SELECT $word || '!' AS shout","name":"","x":100,"y":40,"wires":[["dbg"]]},
       {"id":"m","type":"mysql","z":"t1","mydb":"my","name":"","x":100,"y":80,"wires":[[]]},
       {"id":"p","type":"postgresql","z":"t1","postgreSQLConfig":"pgc","name":"",
        "query":"SELECT * FROM orders WHERE id = $1","split":true,"rowsPerMsg":"100",
        "outputs":1,"x":100,"y":120,"wires":[[]]},
       {"id":"dbg","type":"debug","z":"t1","name":"","active":true,"complete":"payload",
        "x":300,"y":40,"wires":[]}]
      """;

  @TempDir Path dataDir;
  @TempDir Path allowedDir;
  @TempDir Path otherDir;
  private Z8Server server;
  private HttpClient client;
  private String token;
  private final Queue<String> debug = new ConcurrentLinkedQueue<>();

  @BeforeEach
  void start() {
    server =
        Main.start(
            TestSettings.ephemeral(
                Map.of(
                    "Z8_DATA_DIR",
                    dataDir.toString(),
                    "Z8_JWT_SECRET",
                    SECRET,
                    "Z8_HTTP_ALLOW",
                    "127.0.0.1",
                    "Z8_SQLITE_ALLOW",
                    allowedDir.toString())));
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
  void shouldImportTheDatabaseNodesOnTheirConfigNodesAndRunSqlite() throws Exception {
    HttpResponse<String> imported = call("POST", "/api/v1/flows/import?strict=true", EXPORT);
    assertEquals(201, imported.statusCode(), imported.body());
    Map<?, ?> flow =
        (Map<?, ?>) ((List<?>) ((Map<?, ?>) JsonCodec.parse(imported.body())).get("flows")).get(0);
    Map<String, Map<?, ?>> nodes = new LinkedHashMap<>();
    for (Object node : (List<?>) flow.get("nodes")) {
      nodes.put((String) ((Map<?, ?>) node).get("id"), (Map<?, ?>) node);
    }
    Map<?, ?> pg = (Map<?, ?>) nodes.get("p").get("config");
    assertEquals("database", nodes.get("p").get("type"));
    assertEquals("pgc", pg.get("connection"));
    assertEquals("stream", pg.get("mode"));
    assertEquals(100L, pg.get("streamBatch"));
    assertEquals("my", ((Map<?, ?>) nodes.get("m").get("config")).get("connection"));

    String id = (String) flow.get("id");
    HttpResponse<String> started = call("POST", "/api/v1/flows/" + id + "/start", null);
    assertEquals(200, started.statusCode(), started.body());
    Poll.eventually("the sqlite node's answer")
        .until(
            () -> {
              server
                  .engine()
                  .inject(
                      id,
                      "q",
                      // node-red-node-sqlite's prepared statements: msg.params = {$word: ...}
                      "{\"params\":{\"$word\":\"hey\"}}".getBytes(StandardCharsets.UTF_8));
              Thread.sleep(100);
              return debug.stream().anyMatch(preview -> preview.contains("hey!"));
            });
    assertTrue(Files.exists(dataDir.resolve("nr/app.db")), "the file lies in the data directory");
  }

  private static String sqliteExport(Path file) {
    return """
        [{"id":"t1","type":"tab","label":"DB"},
         {"id":"lite","type":"sqlitedb","db":"%s","mode":"RWC"},
         {"id":"q","type":"sqlite","z":"t1","mydb":"lite","sqlquery":"fixed",
          "sql":"SELECT 'plant' || 1 AS one","name":"","x":100,"y":40,"wires":[["dbg"]]},
         {"id":"dbg","type":"debug","z":"t1","name":"","active":true,"complete":"payload",
          "x":300,"y":40,"wires":[]}]
        """
        .formatted(file.toString().replace("\\", "\\\\"));
  }

  @Test
  void shouldOpenAnAbsoluteSqliteFileOnlyUnderADirectoryOfZ8SqliteAllow() throws Exception {
    HttpResponse<String> imported =
        call("POST", "/api/v1/flows/import", sqliteExport(allowedDir.resolve("plant.db")));
    assertEquals(201, imported.statusCode(), imported.body());
    String id =
        (String)
            ((Map<?, ?>)
                    ((List<?>) ((Map<?, ?>) JsonCodec.parse(imported.body())).get("flows")).get(0))
                .get("id");
    HttpResponse<String> started = call("POST", "/api/v1/flows/" + id + "/start", null);
    assertEquals(200, started.statusCode(), started.body());
    Poll.eventually("the sqlite node's answer")
        .until(
            () -> {
              server.engine().inject(id, "q", "{}".getBytes(StandardCharsets.UTF_8));
              Thread.sleep(100);
              return debug.stream().anyMatch(preview -> preview.contains("plant1"));
            });
    assertTrue(Files.exists(allowedDir.resolve("plant.db")), "the file lies in the allowed dir");

    HttpResponse<String> elsewhere =
        call("POST", "/api/v1/flows/import", sqliteExport(otherDir.resolve("x.db")));
    assertEquals(201, elsewhere.statusCode(), elsewhere.body());
    String other =
        (String)
            ((Map<?, ?>)
                    ((List<?>) ((Map<?, ?>) JsonCodec.parse(elsewhere.body())).get("flows")).get(0))
                .get("id");
    HttpResponse<String> refused = call("POST", "/api/v1/flows/" + other + "/start", null);
    assertTrue(refused.statusCode() >= 400, refused.statusCode() + " " + refused.body());
    assertTrue(refused.body().contains("outside the data directory"), refused.body());
    assertTrue(!Files.exists(otherDir.resolve("x.db")), "no file outside the allowed dirs");
  }
}
