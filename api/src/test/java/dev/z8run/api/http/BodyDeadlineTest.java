package dev.z8run.api.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.helidon.webserver.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link BodyDeadline} through a real socket: a route that reads each POST's body under it. */
class BodyDeadlineTest {
  private WebServer server;
  private HttpClient client;

  @BeforeEach
  void start() {
    server =
        WebServer.builder()
            .host("127.0.0.1")
            .port(0)
            .shutdownHook(false)
            .routing(
                routing ->
                    routing.post(
                        "/body",
                        (request, response) ->
                            response.send(
                                String.valueOf(BodyDeadline.read(request, 1024, 10_000).length))))
            .build()
            .start();
    client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  }

  @AfterEach
  void stop() {
    client.close();
    server.stop();
  }

  /**
   * A body read in time cancels its alarm, and the alarm leaves the scheduler's queue then, not
   * when its deadline (10 s here) would have come: a stream of requests with bodies kept every dead
   * alarm, and the request thread it held, queued for the whole deadline.
   */
  @Test
  void shouldLeaveNoAlarmQueuedOnceABodyIsRead() throws Exception {
    int requests = 200;
    for (int i = 0; i < requests; i++) {
      HttpResponse<String> answer =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/body"))
                  .POST(HttpRequest.BodyPublishers.ofString("{\"n\":" + i + "}"))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, answer.statusCode(), answer.body());
      assertEquals(String.valueOf(("{\"n\":" + i + "}").length()), answer.body());
    }
    // other test classes may be reading a body right now: a few alarms, not one per request here
    int pending = BodyDeadline.pendingAlarms();
    assertTrue(pending < requests / 2, pending + " alarms queued after " + requests + " reads");
  }
}
