package dev.z8run.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.api.hook.HookService;
import dev.z8run.api.rest.EditorService;
import dev.z8run.io.json.JsonCodec;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OpenAPI document the server serves at {@code /api/v1/openapi.json}, held against the routes
 * the code registers (recorded through {@link RouteRecorder}) and against a real server's answers:
 * every documented operation reaches a route, not the catch-all, and needs a token exactly where
 * the document says so.
 */
class OpenApiRoutesTest {
  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";
  private static final Set<String> METHODS =
      Set.of("get", "put", "post", "delete", "patch", "head", "options", "trace");
  private static final Map<String, String> SAMPLE_PARAMETERS =
      Map.of(
          "id", "sample-flow",
          "n", "1",
          "key", "sample-key",
          "type", "inject",
          "flowId", "sample-flow",
          "path", "orders/42",
          "name", "sample-plugin");

  @TempDir Path dataDir;

  private Z8Server server;
  private HttpClient client;
  private String token;
  private Map<?, ?> document;

  /** One documented operation: method, path template and its object. */
  private record Operation(String method, String path, Map<?, ?> spec) {
    String route() {
      return method.toUpperCase(Locale.ROOT) + " " + path;
    }

    boolean isProtected() {
      if (!(spec.get("security") instanceof List<?> requirements) || requirements.isEmpty()) {
        return false;
      }
      for (Object requirement : requirements) {
        if (((Map<?, ?>) requirement).isEmpty()) {
          return false; // an empty requirement: the token is optional
        }
      }
      return true;
    }

    boolean needsBody() {
      return spec.get("requestBody") instanceof Map<?, ?> body
          && Boolean.TRUE.equals(body.get("required"));
    }

    Set<String> statuses() {
      Set<String> statuses = new TreeSet<>();
      for (Object status : ((Map<?, ?>) spec.get("responses")).keySet()) {
        statuses.add((String) status);
      }
      return statuses;
    }
  }

  @BeforeEach
  void start() throws Exception {
    server =
        Main.start(
            TestSettings.ephemeral(
                Map.of("Z8_DATA_DIR", dataDir.toString(), "Z8_JWT_SECRET", SECRET)));
    client = HttpClient.newHttpClient();
    HttpResponse<String> registered =
        call(
            "POST",
            "/auth/register",
            null,
            "{\"username\":\"alice\",\"password\":\"correct horse battery\"}");
    assertEquals(201, registered.statusCode(), registered.body());
    token = (String) ((Map<?, ?>) JsonCodec.parse(registered.body())).get("token");
    HttpResponse<String> served = call("GET", "/api/v1/openapi.json", null, null);
    assertEquals(200, served.statusCode(), "the document is open: " + served.body());
    assertEquals(
        "application/json", served.headers().firstValue("content-type").orElse("").split(";")[0]);
    document = (Map<?, ?>) JsonCodec.parse(served.body());
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  @Test
  void shouldServeVersion31WithTheServersVersion() {
    assertEquals("3.1.0", document.get("openapi"));
    assertEquals(Z8Version.current(), ((Map<?, ?>) document.get("info")).get("version"));
  }

  @Test
  void shouldDocumentExactlyTheRoutesTheServerRegisters() {
    RouteRecorder recorder = registeredRoutes();
    assertEquals(1, recorder.catchAlls(), "one catch-all, the 'no route for' 404");
    Set<String> anyMethodPaths = new TreeSet<>();
    Set<String> registered = new TreeSet<>();
    for (String route : recorder.routes()) {
      if (EditorService.ROUTES.contains(route)) {
        continue; // the editor's page and files, not the API
      }
      if (route.equals("ANY /hook/*")) {
        // the hook service takes everything under /hook and cuts its own paths
        for (String path : HookService.PATHS) {
          anyMethodPaths.add("/hook" + path);
        }
      } else if (route.startsWith("ANY ")) {
        anyMethodPaths.add(route.substring(4));
      } else {
        registered.add(route);
      }
    }
    Set<String> documented = new TreeSet<>();
    Map<String, Set<String>> documentedAnyMethod = new TreeMap<>();
    for (Operation operation : operations()) {
      if (anyMethodPaths.contains(operation.path())) {
        documentedAnyMethod
            .computeIfAbsent(operation.path(), path -> new TreeSet<>())
            .add(operation.method());
      } else {
        documented.add(operation.route());
      }
    }
    assertEquals(registered, documented, "documented operations against registered routes");
    for (String path : anyMethodPaths) {
      Set<String> methods = documentedAnyMethod.getOrDefault(path, Set.of());
      assertTrue(
          methods.containsAll(Set.of("get", "post")),
          "ANY " + path + " documents at least GET and POST, got " + methods);
    }
  }

  @Test
  void shouldAnswerEveryDocumentedOperationFromItsRouteWithADocumentedStatus() throws Exception {
    List<String> failures = new ArrayList<>();
    for (Operation operation : operations()) {
      HttpResponse<String> answer = send(operation, token);
      String seen = operation.route() + " -> " + answer.statusCode() + " " + answer.body();
      if (answer.body().contains("no route for")) {
        failures.add("caught by the catch-all: " + seen);
      } else if (!operation.statuses().contains(Integer.toString(answer.statusCode()))
          && !operation.statuses().contains("default")) {
        failures.add("undocumented status " + operation.statuses() + ": " + seen);
      }
    }
    assertEquals(List.of(), failures);
  }

  @Test
  void shouldRequireATokenExactlyWhereTheDocumentSaysSo() throws Exception {
    List<String> failures = new ArrayList<>();
    int guarded = 0;
    for (Operation operation : operations()) {
      HttpResponse<String> answer = send(operation, null);
      if (operation.isProtected()) {
        guarded++;
        if (answer.statusCode() != 401) {
          failures.add("protected but answered " + answer.statusCode() + ": " + operation.route());
        }
      } else if (answer.statusCode() == 401) {
        failures.add("documented open but asked for a token: " + operation.route());
      }
    }
    assertEquals(List.of(), failures);
    assertTrue(guarded > 20, "most of the API is protected, got " + guarded + " operations");
  }

  @Test
  void shouldDescribeEveryPathParameterOfEveryOperation() {
    for (Operation operation : operations()) {
      Set<String> inPath = new TreeSet<>();
      Matcher template = Pattern.compile("\\{([^}]+)}").matcher(operation.path());
      while (template.find()) {
        inPath.add(template.group(1));
      }
      Set<String> described = new TreeSet<>();
      if (operation.spec().get("parameters") instanceof List<?> parameters) {
        for (Object parameter : parameters) {
          Map<?, ?> resolved = resolve((Map<?, ?>) parameter);
          if ("path".equals(resolved.get("in"))) {
            described.add((String) resolved.get("name"));
          }
        }
      }
      assertEquals(inPath, described, operation.route());
      assertFalse(operation.statuses().isEmpty(), operation.route());
    }
  }

  /** The routes the running server registered, registered again on a recorder. */
  private RouteRecorder registeredRoutes() {
    RouteRecorder recorder = new RouteRecorder();
    server.routes(recorder);
    return recorder;
  }

  private List<Operation> operations() {
    List<Operation> operations = new ArrayList<>();
    for (Map.Entry<?, ?> path : ((Map<?, ?>) document.get("paths")).entrySet()) {
      for (Map.Entry<?, ?> method : ((Map<?, ?>) path.getValue()).entrySet()) {
        if (METHODS.contains((String) method.getKey())) {
          operations.add(
              new Operation(
                  (String) method.getKey(), (String) path.getKey(), (Map<?, ?>) method.getValue()));
        }
      }
    }
    return operations;
  }

  /** A {@code $ref} to {@code #/components/...} followed, or the object itself. */
  private Map<?, ?> resolve(Map<?, ?> object) {
    if (!(object.get("$ref") instanceof String ref)) {
      return object;
    }
    Map<?, ?> target = document;
    for (String segment : ref.substring(2).split("/")) {
      target = (Map<?, ?>) target.get(segment);
    }
    return target;
  }

  private HttpResponse<String> send(Operation operation, String bearer) throws Exception {
    String path = operation.path();
    for (Map.Entry<String, String> sample : SAMPLE_PARAMETERS.entrySet()) {
      path = path.replace("{" + sample.getKey() + "}", sample.getValue());
    }
    assertFalse(path.contains("{"), "no sample value for a parameter of " + operation.route());
    return call(
        operation.method().toUpperCase(Locale.ROOT),
        path,
        bearer,
        operation.needsBody() ? "{}" : null);
  }

  private HttpResponse<String> call(String method, String path, String bearer, String body)
      throws Exception {
    HttpRequest.Builder request =
        TestRequests.json(method, "http://127.0.0.1:" + server.port() + path, body, bearer);
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
