package dev.z8run.api.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.z8run.api.Main;
import dev.z8run.api.Z8Version;
import io.helidon.webserver.WebServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The server's routes through a real socket: {@link Main#routing} on an ephemeral port. */
class ApiRoutingTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private static WebServer server;
  private static HttpClient client;

  @BeforeAll
  static void startServer() {
    server =
        WebServer.builder()
            .host("127.0.0.1")
            .port(0)
            .shutdownHook(false)
            .routing(routing -> Main.routing(routing, Z8Version.current()))
            .build()
            .start();
    client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
  }

  @AfterAll
  static void stopServer() {
    client.close();
    server.stop();
  }

  @Test
  void shouldAnswerHealthWithServiceNameAndProjectVersion() throws Exception {
    HttpResponse<String> response = send("GET", "/api/v1/health");

    assertEquals(200, response.statusCode());
    assertEquals("application/json", contentType(response));
    assertEquals(
        "{\"status\":\"ok\",\"service\":\"z8run\",\"version\":\""
            + System.getProperty("z8.expected.version")
            + "\"}",
        response.body());
  }

  @Test
  void shouldAnswerUnknownRouteWithJsonError404() throws Exception {
    HttpResponse<String> response = send("GET", "/x");

    assertEquals(404, response.statusCode());
    assertEquals("application/json", contentType(response));
    assertEquals("{\"error\":{\"code\":404,\"message\":\"no route for GET /x\"}}", response.body());
  }

  @Test
  void shouldAnswerPathsBelowHealthWith404() throws Exception {
    HttpResponse<String> response = send("GET", "/api/v1/health/deep");

    assertEquals(404, response.statusCode());
    assertEquals(
        "{\"error\":{\"code\":404,\"message\":\"no route for GET /api/v1/health/deep\"}}",
        response.body());
  }

  @Test
  void shouldAnswerOtherMethodsOnHealthWith404NamingTheMethod() throws Exception {
    HttpResponse<String> response = send("POST", "/api/v1/health");

    assertEquals(404, response.statusCode());
    assertEquals(
        "{\"error\":{\"code\":404,\"message\":\"no route for POST /api/v1/health\"}}",
        response.body());
  }

  @Test
  void shouldEscapeThePathInsideTheErrorMessage() throws Exception {
    HttpResponse<String> response = send("GET", "/a%22b");

    assertEquals(404, response.statusCode());
    assertEquals(
        "{\"error\":{\"code\":404,\"message\":\"no route for GET /a%22b\"}}", response.body());
  }

  private static HttpResponse<String> send(String method, String path)
      throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(TIMEOUT)
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static String contentType(HttpResponse<?> response) {
    return response.headers().firstValue("Content-Type").orElse("");
  }
}
