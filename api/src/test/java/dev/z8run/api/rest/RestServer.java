package dev.z8run.api.rest;

import dev.z8run.api.Main;
import dev.z8run.api.TestRequests;
import dev.z8run.api.auth.Authenticator;
import dev.z8run.api.auth.Tokens;
import dev.z8run.api.http.ClientConnections;
import dev.z8run.io.json.JsonCodec;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A real server on an ephemeral port for one resource: the {@link Authenticator} filter, the
 * resource's routes, then the server's own {@link Main#routing} (health, the last route and the
 * error handlers, {@link dev.z8run.api.http.ErrorResponses#finish}); plus a client for it.
 */
final class RestServer implements AutoCloseable {
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final WebServer server;
  private final HttpClient client;

  /** A server without the authentication filter: {@code routes}, then {@link Main#routing}'s. */
  RestServer(Consumer<HttpRouting.Builder> routes) {
    this(null, routes);
  }

  /** A server whose {@link Authenticator} takes {@code tokens} (null: no filter). */
  RestServer(Tokens tokens, Consumer<HttpRouting.Builder> routes) {
    server =
        WebServer.builder()
            .host("127.0.0.1")
            .port(0)
            .shutdownHook(false)
            // the server's own connection handling, with its lingering close: a 413 answered from
            // the headers while the client still writes its body is read, not lost to a reset
            .addConnectionSelector(new ClientConnections(1_000, List.of()))
            .routing(
                routing -> {
                  if (tokens != null) {
                    routing.addFilter(new Authenticator(tokens));
                  }
                  routes.accept(routing);
                  Main.routing(routing, "test");
                })
            .build()
            .start();
    client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  }

  int port() {
    return server.port();
  }

  /** Sends {@code body} (null for none) as JSON, with a bearer {@code token} unless null. */
  HttpResponse<String> send(String method, String path, String body, String token)
      throws IOException, InterruptedException {
    return client.send(
        TestRequests.json(method, "http://127.0.0.1:" + port() + path, body, token)
            .timeout(TIMEOUT)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** Sends a prepared request to this server's {@code path}. */
  HttpResponse<String> send(HttpRequest.Builder request, String path)
      throws IOException, InterruptedException {
    return client.send(
        request.uri(URI.create("http://127.0.0.1:" + port() + path)).timeout(TIMEOUT).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The response's body as a JSON object. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> json(HttpResponse<String> response) {
    return (Map<String, Object>) JsonCodec.parse(response.body());
  }

  /** The message of an error response, after checking its shape and code. */
  static String errorMessage(HttpResponse<String> response) {
    Map<String, Object> body = json(response);
    if (body.size() != 1 || !(body.get("error") instanceof Map<?, ?> error)) {
      throw new AssertionError("not an error body: " + response.body());
    }
    if (!Long.valueOf(response.statusCode()).equals(error.get("code"))) {
      throw new AssertionError(
          "error code differs from status " + response.statusCode() + ": " + response.body());
    }
    return (String) error.get("message");
  }

  @Override
  public void close() {
    client.close();
    server.stop();
  }
}
