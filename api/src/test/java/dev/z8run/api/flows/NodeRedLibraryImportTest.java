package dev.z8run.api.flows;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import dev.z8run.api.Main;
import dev.z8run.api.TestSettings;
import dev.z8run.api.Z8Server;
import dev.z8run.api.auth.Tokens;
import dev.z8run.api.auth.UserPrincipal;
import dev.z8run.io.json.JsonCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Node-RED export using the library's nodes (change with every rule kind, switch, template,
 * range, json, split, http request, comment), in the shape the Node-RED editor writes it, imported
 * through the API and run through real hooks against a real server.
 */
class NodeRedLibraryImportTest {
  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";

  @TempDir Path dataDir;

  private Z8Server server;
  private HttpServer stub;
  private HttpClient client;
  private String token;

  @BeforeEach
  void start() throws IOException {
    stub = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    stub.createContext(
        "/data",
        exchange -> {
          Map<String, Object> data = new LinkedHashMap<>();
          data.put("path", exchange.getRequestURI().getPath());
          data.put("token", exchange.getRequestHeaders().getFirst("X-Token"));
          byte[] body = JsonCodec.write(data);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
          }
        });
    stub.start();
    server =
        Main.start(
            TestSettings.ephemeral(
                Map.of(
                    "Z8_DATA_DIR",
                    dataDir.toString(),
                    "Z8_JWT_SECRET",
                    SECRET,
                    "Z8_HTTP_ALLOW",
                    "127.0.0.1")));
    client = HttpClient.newHttpClient();
    token = Tokens.withSecret(SECRET).issue(new UserPrincipal("alice-id", "alice"));
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
    stub.stop(0);
  }

  private HttpResponse<String> call(String method, String path, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldImportAndRunTheLibraryNodesFromANodeRedExport() throws Exception {
    String export =
        new String(
                NodeRedLibraryImportTest.class
                    .getResourceAsStream("node-red-library-export.json")
                    .readAllBytes(),
                StandardCharsets.UTF_8)
            .replace("STUB", "http://127.0.0.1:" + stub.getAddress().getPort());
    HttpResponse<String> imported = call("POST", "/api/v1/flows/import", export);
    assertEquals(201, imported.statusCode(), imported.body());
    Map<String, String> ids = new LinkedHashMap<>();
    for (Object flow : (List<?>) ((Map<?, ?>) JsonCodec.parse(imported.body())).get("flows")) {
      Map<?, ?> saved = (Map<?, ?>) flow;
      assertEquals(List.of(), saved.get("problems"), String.valueOf(saved));
      ids.put((String) saved.get("name"), (String) saved.get("id"));
      HttpResponse<String> started =
          call("POST", "/api/v1/flows/" + saved.get("id") + "/start", null);
      assertEquals(200, started.statusCode(), started.body());
    }
    String orders = "/hook/" + ids.get("Orders") + "/order";
    String lists = "/hook/" + ids.get("Lists");

    HttpResponse<String> big =
        call("POST", orders, "{\"id\":\"A1\",\"total\":250,\"status\":\"new\",\"secret\":\"x\"}");
    assertEquals(200, big.statusCode(), big.body());
    assertEquals(
        Map.of("big", true, "id", "A1", "status", "accepted", "topic", "order"),
        JsonCodec.parse(big.body()));

    HttpResponse<String> small =
        call("POST", orders, "{\"id\":\"B2\",\"total\":50,\"status\":\"new\",\"secret\":\"x\"}");
    assertEquals(200, small.statusCode(), small.body());
    assertEquals(
        Map.of("id", "B2", "total", 5L, "status", "accepted"), JsonCodec.parse(small.body()));

    HttpResponse<String> first = call("POST", lists + "/split", "[\"a\",\"b\",\"c\"]");
    assertEquals(200, first.statusCode(), first.body());
    assertEquals("a", first.body());

    HttpResponse<String> fetched = call("GET", lists + "/fetch?id=7", null);
    assertEquals(200, fetched.statusCode(), fetched.body());
    assertEquals(Map.of("path", "/data/7", "token", "abc"), JsonCodec.parse(fetched.body()));
  }
}
