package dev.z8run.api.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.z8run.api.Main;
import io.helidon.http.NotFoundException;
import io.helidon.webserver.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What {@link Main#routing}'s error handlers make of exceptions thrown by a resource's handler. */
class ErrorHandlingTest {
  private static WebServer server;
  private static HttpClient client;

  @BeforeAll
  static void startServer() {
    server =
        WebServer.builder()
            .host("127.0.0.1")
            .port(0)
            .shutdownHook(false)
            .routing(
                routing -> {
                  routing
                      .get(
                          "/test/missing",
                          (request, response) -> {
                            throw new NotFoundException("flow 42 not found");
                          })
                      .get(
                          "/test/broken",
                          (request, response) -> {
                            throw new IllegalStateException("secret detail");
                          });
                  Main.routing(routing, "test");
                })
            .build()
            .start();
    client = HttpClient.newHttpClient();
  }

  @AfterAll
  static void stopServer() {
    client.close();
    server.stop();
  }

  @Test
  void shouldKeepTheMessageOfAnHttpExceptionAHandlerThrows() throws Exception {
    HttpResponse<String> response = get("/test/missing");

    assertEquals(404, response.statusCode());
    assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
    assertEquals("{\"error\":{\"code\":404,\"message\":\"flow 42 not found\"}}", response.body());
  }

  @Test
  void shouldAnswer500WithoutDetailsWhenAHandlerFails() throws Exception {
    HttpResponse<String> response = get("/test/broken");

    assertEquals(500, response.statusCode());
    assertEquals("{\"error\":{\"code\":500,\"message\":\"internal error\"}}", response.body());
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
