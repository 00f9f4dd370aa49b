package dev.z8run.api.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.api.Main;
import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowCodec;
import dev.z8run.core.node.Replies;
import dev.z8run.core.runtime.Engine;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.BuiltinNodes;
import dev.z8run.testkit.Poll;
import io.helidon.webserver.WebServer;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The /hook routes through a real socket, into a real engine and back. */
class HookServiceTest {
  private static final String FLOW =
      """
      {"id":"web","name":"web","nodes":[
        {"id":"hello","type":"http-in","config":{"method":"GET","path":"/hello"}},
        {"id":"set","type":"change","config":{"rules":[
          {"t":"set","p":"payload","pt":"msg","to":"{\\"hello\\":\\"world\\"}","tot":"json"}]}},
        {"id":"echo","type":"http-in","config":{"method":"POST","path":"/echo/:id"}},
        {"id":"lost","type":"http-in","config":{"method":"GET","path":"/lost"}},
        {"id":"text","type":"http-in","config":{"method":"ANY","path":"/text"}},
        {"id":"totext","type":"change","config":{"rules":[
          {"t":"set","p":"payload","pt":"msg","to":"plain words","tot":"str"},
          {"t":"set","p":"statusCode","pt":"msg","to":"202","tot":"num"}]}},
        {"id":"reqpath","type":"http-in","config":{"method":"GET","path":"/reqpath/:id"}},
        {"id":"topath","type":"change","config":{"rules":[
          {"t":"set","p":"payload","pt":"msg","to":"req.params.id","tot":"msg"}]}},
        {"id":"out","type":"http-out","config":{"headers":{"x-flow":"web"}}}],
       "wires":[
        {"from":"hello","to":"set"},{"from":"set","to":"out"},
        {"from":"echo","to":"out"},
        {"from":"text","to":"totext"},{"from":"totext","to":"out"},
        {"from":"reqpath","to":"topath"},{"from":"topath","to":"out"}]}
      """;

  private Engine engine;
  private HookService hooks;
  private WebServer server;
  private HttpClient client;

  @BeforeEach
  void start() {
    engine = new Engine(EngineConfig.builder().workers(2).build(), BuiltinNodes.registry());
    hooks = new HookService(engine, new HookSettings(1024, 300, 4));
    engine.registerService(Replies.class, hooks);
    server =
        WebServer.builder()
            .host("127.0.0.1")
            .port(0)
            .routing(routing -> Main.routing(routing, "test", hooks))
            .build()
            .start();
    client = HttpClient.newHttpClient();
    Flow flow = FlowCodec.read(FLOW);
    engine.deploy(flow);
  }

  @AfterEach
  void stop() {
    client.close();
    server.stop();
    engine.close();
  }

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .header("content-type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldAnswerWithWhatTheFlowPutInPayload() throws Exception {
    HttpResponse<String> response = send("GET", "/hook/web/hello", null);
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(Map.of("hello", "world"), JsonCodec.parse(response.body()));
    assertEquals("application/json", response.headers().firstValue("content-type").orElse(""));
    assertEquals("web", response.headers().firstValue("x-flow").orElse(""));
  }

  @Test
  void shouldGiveTheFlowMethodPathParamsQueryHeadersAndParsedBody() throws Exception {
    HttpResponse<String> response =
        send("POST", "/hook/web/echo/42?x=1&y=a&y=b", "{\"item\":\"tea\"}");
    assertEquals(200, response.statusCode(), response.body());
    Map<?, ?> req = (Map<?, ?>) ((Map<?, ?>) JsonCodec.parse(response.body())).get("req");
    assertEquals("POST", req.get("method"));
    assertEquals("/echo/42", req.get("path"));
    assertEquals(Map.of("id", "42"), req.get("params"));
    assertEquals(Map.of("x", "1", "y", List.of("a", "b")), req.get("query"));
    assertEquals(Map.of("item", "tea"), req.get("body"));
    assertEquals("application/json", ((Map<?, ?>) req.get("headers")).get("content-type"));
  }

  @Test
  void shouldGiveEachRequestItsOwnMessageWhenOneConnectionSendsALongOneThenShortOnes()
      throws Exception {
    // the messages are written into a scratch reused by the connection's next request
    String longItem = "t".repeat(900);
    for (String item : List.of(longItem, "tea", "", longItem.substring(0, 300), "x")) {
      HttpResponse<String> response =
          send("POST", "/hook/web/echo/" + item.length(), "{\"item\":\"" + item + "\"}");
      assertEquals(200, response.statusCode(), response.body());
      // the answer is msg.payload, {"req":REQ}
      Map<?, ?> req = (Map<?, ?>) ((Map<?, ?>) JsonCodec.parse(response.body())).get("req");
      assertEquals("/echo/" + item.length(), req.get("path"));
      assertEquals(Map.of("id", String.valueOf(item.length())), req.get("params"));
      assertEquals(Map.of("item", item), req.get("body"));
    }
  }

  @Test
  void shouldLetANodeReadMsgReqThroughTheIndexTheRequestsMessageCarries() throws Exception {
    HttpResponse<String> response = send("GET", "/hook/web/reqpath/abc", null);
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("abc", response.body());
  }

  @Test
  void shouldSendTextPayloadAsTextWithTheMessagesStatus() throws Exception {
    HttpResponse<String> response = send("DELETE", "/hook/web/text", null);
    assertEquals(202, response.statusCode());
    assertEquals("plain words", response.body());
    assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
  }

  @Test
  void shouldAnswer404ForUnknownFlowsAndPaths() throws Exception {
    HttpResponse<String> noFlow = send("GET", "/hook/nope/hello", null);
    assertEquals(404, noFlow.statusCode());
    assertTrue(noFlow.body().contains("no deployed flow 'nope'"), noFlow.body());
    HttpResponse<String> noPath = send("GET", "/hook/web/elsewhere", null);
    assertEquals(404, noPath.statusCode());
    assertTrue(noPath.body().contains("no http-in node for GET /elsewhere"), noPath.body());
  }

  @Test
  void shouldAnswer405WithAllowForAWrongMethod() throws Exception {
    HttpResponse<String> response = send("PUT", "/hook/web/hello", null);
    assertEquals(405, response.statusCode());
    assertEquals("GET", response.headers().firstValue("allow").orElse(""));
    assertTrue(response.body().startsWith("{\"error\":{\"code\":405,"), response.body());
  }

  @Test
  void shouldRefuseBodiesOverTheLimit() throws Exception {
    HttpResponse<String> response =
        send("POST", "/hook/web/echo/1", "\"" + "x".repeat(2000) + "\"");
    assertEquals(413, response.statusCode());
    assertTrue(response.body().contains("exceeds the limit of 1024 bytes"), response.body());
  }

  @Test
  void shouldTimeOutWith504WhenNoNodeAnswers() throws Exception {
    HttpResponse<String> response = send("GET", "/hook/web/lost", null);
    assertEquals(504, response.statusCode());
    assertTrue(response.body().contains("did not answer within 300 ms"), response.body());
    // the request leaves the waiting map right after its answer is written, not before
    Poll.eventually("the request out of the waiting map", Duration.ofSeconds(5))
        .until(() -> hooks.waiting() == 0);
  }

  /**
   * A client that pauses keeps its counter while few clients have one: its next request writes no
   * map entry, and no request meets a retired counter (whose first meeting deoptimised the compiled
   * hook path).
   */
  @Test
  void shouldKeepAnIdleClientsCounterWhileFewClientsHaveOne() throws Exception {
    assertEquals(200, send("GET", "/hook/web/hello", null).statusCode());
    Thread.sleep(300); // ten sweeps (every 30 ms with a 300 ms timeout)
    assertEquals(1, hooks.clientCounters());
    assertEquals(200, send("GET", "/hook/web/hello", null).statusCode());
    assertEquals(1, hooks.clientCounters());
  }

  /**
   * Past {@link HookService#IDLE_CLIENTS_KEPT} clients the idle ones' counters are retired: however
   * many clients came, no more than that many idle counters stay.
   */
  @Test
  void shouldKeepNoMoreIdleCountersThanItKeeps() throws Exception {
    int clients = HookService.IDLE_CLIENTS_KEPT + 16;
    for (int i = 0; i < clients; i++) {
      // each from its own loopback address (127.0.0.0/8 is all local on Linux): one client each
      InetAddress from = InetAddress.getByAddress(new byte[] {127, 0, 1, (byte) (i + 1)});
      try (HttpClient fromThere = HttpClient.newBuilder().localAddress(from).build()) {
        HttpResponse<String> answer =
            fromThere.send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/hook/web/hello"))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, answer.statusCode(), answer.body());
      }
    }
    // a sweep every 30 ms retires them; on a loaded machine the sweeper may not run for a while
    Poll.eventually("no more than " + HookService.IDLE_CLIENTS_KEPT + " idle counters kept")
        .until(() -> hooks.clientCounters() <= HookService.IDLE_CLIENTS_KEPT);
  }

  @Test
  void shouldShedLoadWith503AndRetryAfterPastTheFlowsLimit() throws Exception {
    List<CompletableFuture<HttpResponse<String>>> pending = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      pending.add(
          client.sendAsync(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + server.port() + "/hook/web/lost"))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
    }
    int shed = 0;
    int timedOut = 0;
    for (CompletableFuture<HttpResponse<String>> future : pending) {
      HttpResponse<String> response = future.get();
      if (response.statusCode() == 503) {
        shed++;
        assertEquals("1", response.headers().firstValue("retry-after").orElse(""));
      } else {
        assertEquals(504, response.statusCode());
        timedOut++;
      }
    }
    assertTrue(shed > 0, "some requests were shed");
    assertTrue(timedOut <= 4 * 3, "at most the limit waited at once: " + timedOut);
  }
}
