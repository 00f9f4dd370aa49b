package dev.z8run.api.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.z8run.api.Main;
import io.helidon.http.NotFoundException;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What {@link Main#routing}'s error handlers make of exceptions thrown by a resource's handler. */
class ErrorHandlingTest {
  private static RestServer server;

  @BeforeAll
  static void startServer() {
    server =
        new RestServer(
            routing ->
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
                        }));
  }

  @AfterAll
  static void stopServer() {
    server.close();
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
    return server.send("GET", path, null, null);
  }
}
