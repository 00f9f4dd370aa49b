package dev.z8run.api;

import dev.z8run.io.json.JsonCodec;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code z8run plugin install MANIFEST MODULE.wasm | list | remove NAME}: manages the plugins of a
 * running server through {@code /api/v1/plugins}. The server is {@code --url} or {@code $Z8_URL}
 * (default {@code http://127.0.0.1:$Z8_PORT}, port 7700); the bearer token is {@code --token} or
 * {@code $Z8_TOKEN}.
 *
 * <p>Exit codes: 0 done, 1 the server refused or could not be reached (its message is printed), 2 a
 * usage error.
 */
final class PluginCommand {
  static final String USAGE =
      """
      usage: z8run plugin [--url URL] [--token TOKEN] COMMAND
        install MANIFEST MODULE.wasm   upload a plugin (manifest.toml or .json, and its module)
        list                           list installed plugins
        remove NAME                    uninstall a plugin
      the server is --url or $Z8_URL (default http://127.0.0.1:$Z8_PORT); the token --token or $Z8_TOKEN
      """;

  private PluginCommand() {}

  static int run(List<String> argList, Settings settings, PrintStream out, PrintStream err) {
    List<String> args = new ArrayList<>(argList);
    String url = null;
    String token = settings.get(Settings.TOKEN);
    while (args.size() >= 2 && args.get(0).startsWith("--")) {
      switch (args.get(0)) {
        case "--url" -> url = args.get(1);
        case "--token" -> token = args.get(1);
        default -> {
          return usage(err, "unknown option '" + args.get(0) + "'");
        }
      }
      args.subList(0, 2).clear();
    }
    if (url == null) {
      url = settings.get(Settings.URL);
    }
    if (url == null) {
      url = "http://127.0.0.1:" + settings.port();
    }
    if (args.isEmpty()) {
      return usage(err, "'plugin' needs a command");
    }
    if (token == null || token.isBlank()) {
      return usage(err, "no token: pass --token or set Z8_TOKEN (POST /auth/login gives one)");
    }
    String base = url.replaceAll("/+$", "") + "/api/v1/plugins";
    try {
      return switch (args.get(0)) {
        case "install" ->
            args.size() == 3
                ? install(base, token, Path.of(args.get(1)), Path.of(args.get(2)), out, err)
                : usage(err, "'plugin install' takes MANIFEST and MODULE.wasm");
        case "list" ->
            args.size() == 1 ? list(base, token, out, err) : usage(err, "'list' takes nothing");
        case "remove" ->
            args.size() == 2
                ? answer(send("DELETE", base + "/" + args.get(1), token, null), out, err)
                : usage(err, "'plugin remove' takes NAME");
        default -> usage(err, "unknown plugin command '" + args.get(0) + "'");
      };
    } catch (IOException e) {
      err.println("z8run: cannot reach " + url + ": " + e);
      return Main.EXIT_START_FAILED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Main.EXIT_START_FAILED;
    }
  }

  private static int install(
      String base, String token, Path manifest, Path module, PrintStream out, PrintStream err)
      throws IOException, InterruptedException {
    String manifestText = Files.readString(manifest, StandardCharsets.UTF_8);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put(
        "manifest",
        manifest.toString().endsWith(".json") ? JsonCodec.parse(manifestText) : manifestText);
    body.put("module", Base64.getEncoder().encodeToString(Files.readAllBytes(module)));
    return answer(send("POST", base, token, JsonCodec.write(body)), out, err);
  }

  private static int list(String base, String token, PrintStream out, PrintStream err)
      throws IOException, InterruptedException {
    HttpResponse<String> response = send("GET", base, token, null);
    if (response.statusCode() != 200) {
      return answer(response, out, err);
    }
    Map<?, ?> body = (Map<?, ?>) JsonCodec.parse(response.body());
    for (Object item : (List<?>) body.get("plugins")) {
      Map<?, ?> plugin = (Map<?, ?>) item;
      out.println(
          plugin.get("name")
              + "\t"
              + plugin.get("version")
              + "\t"
              + plugin.get("category")
              + "\t"
              + plugin.get("description"));
    }
    return Main.EXIT_OK;
  }

  private static HttpResponse<String> send(String method, String url, String token, byte[] body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofMinutes(1))
            .header("Authorization", "Bearer " + token)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    try (HttpClient client = HttpClient.newHttpClient()) {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
  }

  private static int answer(HttpResponse<String> response, PrintStream out, PrintStream err) {
    if (response.statusCode() / 100 == 2) {
      if (!response.body().isEmpty()) {
        out.println(response.body());
      }
      return Main.EXIT_OK;
    }
    err.println("z8run: the server answered " + response.statusCode() + ": " + response.body());
    return Main.EXIT_START_FAILED;
  }

  private static int usage(PrintStream err, String problem) {
    err.println("z8run: " + problem);
    err.print(USAGE);
    return Main.EXIT_USAGE;
  }
}
