package dev.z8run.api.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.api.Main;
import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.flow.FlowCodec;
import dev.z8run.core.node.Replies;
import dev.z8run.core.runtime.Engine;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.BuiltinNodes;
import io.helidon.webserver.WebServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code http-in} in Node-RED's mode (what the Node-RED importer sets): {@code msg.payload} is the
 * query for GET and the parsed body otherwise, {@code msg.req} the request with its query, params,
 * headers and cookies, as Node-RED's {@code 21-httpin.js} (express with body-parser and
 * cookie-parser) makes them. The template greets as Node-RED's example "Create HTTP endpoint" and
 * "Handle query parameters" do.
 */
class NodeRedHttpInTest {
  private static final String FLOW =
      """
      {"id":"nr","name":"nr","nodes":[
        {"id":"get","type":"http-in","config":{"method":"GET","path":"/hello","mode":"node-red"}},
        {"id":"greet","type":"template","config":{"field":"payload",
          "template":"<h1>Hello {{payload.name}}!</h1>"}},
        {"id":"post","type":"http-in","config":{"method":"POST","path":"/echo/:id","mode":"node-red"}},
        {"id":"show","type":"function","config":{"func":
          "msg.payload = {payload: msg.payload, query: msg.req.query, params: msg.req.params, cookies: msg.req.cookies, url: msg.req.url, body: msg.req.body, binary: Buffer.isBuffer(msg.payload) ? msg.payload.length : -1, hostname: msg.req.hostname, protocol: msg.req.protocol, ip: msg.req.ip}; return msg;"}},
        {"id":"status-in","type":"http-in","config":{"method":"GET","path":"/status","mode":"node-red"}},
        {"id":"status","type":"function","config":{"func":
          "msg.statusCode = msg.payload.s; msg.payload = {s: msg.payload.s}; return msg;"}},
        {"id":"opt","type":"http-in","config":{"method":"GET","path":"/opt/:a/:b?","mode":"node-red"}},
        {"id":"digits","type":"http-in","config":{"method":"GET","path":"/n/:id(\\\\d+)","mode":"node-red"}},
        {"id":"star","type":"http-in","config":{"method":"GET","path":"/files/*","mode":"node-red"}},
        {"id":"slow","type":"http-in","config":{"method":"GET","path":"/bt/:x((.*?,){11}P)","mode":"node-red"}},
        {"id":"params","type":"function","config":{"func":"msg.payload = msg.req.params; return msg;"}},
        {"id":"out","type":"http-out"}],
       "wires":[{"from":"get","to":"greet"},{"from":"greet","to":"out"},
                {"from":"opt","to":"params"},{"from":"digits","to":"params"},
                {"from":"star","to":"params"},{"from":"slow","to":"params"},
                {"from":"params","to":"out"},
                {"from":"post","to":"show"},{"from":"show","to":"out"},
                {"from":"status-in","to":"status"},{"from":"status","to":"out"}]}
      """;

  private Engine engine;
  private HookService hooks;
  private WebServer server;
  private HttpClient client;

  @BeforeEach
  void start() {
    engine = new Engine(EngineConfig.builder().workers(2).build(), BuiltinNodes.registry());
    hooks = new HookService(engine, new HookSettings(1 << 20, 5_000, 8));
    engine.registerService(Replies.class, hooks);
    server =
        WebServer.builder()
            .host("127.0.0.1")
            .port(0)
            .routing(routing -> Main.routing(routing, "test", hooks))
            .build()
            .start();
    client = HttpClient.newHttpClient();
    engine.deploy(FlowCodec.read(FLOW));
  }

  @AfterEach
  void stop() {
    client.close();
    server.stop();
    engine.close();
  }

  private HttpResponse<String> send(String method, String path, String type, byte[] body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (type != null) {
      request.header("Content-Type", type);
    }
    // cookie-parser's reading: bytes that are not UTF-8 stay as sent, an empty name is no cookie,
    // the first of a name wins
    request.header("Cookie", "session=abc%20def; theme=dark; half=%E2%82; =empty; theme=light");
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private Map<?, ?> echo(String type, String body) throws Exception {
    HttpResponse<String> response =
        send("POST", "/hook/nr/echo/7?x=1", type, body == null ? null : body.getBytes());
    assertEquals(200, response.statusCode(), response.body());
    return (Map<?, ?>) JsonCodec.parse(response.body());
  }

  /** Express's path forms, as Node-RED's http in matches them: :b?, :id(re) and *. */
  @Test
  void shouldMatchExpressOptionalPatternAndWildcardPaths() throws Exception {
    assertEquals(Map.of("a", "x", "b", "y"), params("/opt/x/y"));
    assertEquals(Map.of("a", "x"), params("/opt/x"));
    assertEquals(Map.of("a", "x"), params("/opt/x/"));
    assertEquals(404, send("GET", "/hook/nr/opt/x/y/z", null, null).statusCode());
    assertEquals(Map.of("id", "42"), params("/n/42"));
    assertEquals(404, send("GET", "/hook/nr/n/4x", null, null).statusCode());
    assertEquals(Map.of("0", "a/b/c.txt"), params("/files/a/b/c.txt"));
    assertEquals(404, send("GET", "/hook/nr/files", null, null).statusCode());
  }

  /**
   * Express's router is not case-sensitive by default, and Node-RED's http in keeps the default:
   * {@code /hello} answers {@code /HELLO}; parameters keep the request's case. Ours answered 404.
   */
  @Test
  void shouldMatchPathsWithoutRegardToCaseAsExpress() throws Exception {
    HttpResponse<String> literal = send("GET", "/hook/nr/HeLLo?name=Nick", null, null);
    assertEquals(200, literal.statusCode(), literal.body());
    assertEquals("<h1>Hello Nick!</h1>", literal.body());
    HttpResponse<String> param =
        send("POST", "/hook/nr/ECHO/7?x=1", "application/json", "{}".getBytes());
    assertEquals(200, param.statusCode(), param.body());
    assertEquals(Map.of("a", "Xy", "b", "Z"), params("/OPT/Xy/Z"));
    assertEquals(Map.of("0", "A/b.TXT"), params("/Files/A/b.TXT"));
  }

  /**
   * A parameter's own pattern is the flow author's: one that backtracks ends at the time limit of a
   * user's regular expression (1 s) as no match, where it held the request's thread for hours.
   */
  @Test
  void shouldStopAPathPatternThatBacktracksAsNoMatch() throws Exception {
    assertEquals(Map.of("x", "a,".repeat(11) + "P"), params("/bt/" + "a,".repeat(11) + "P"));
    long startNs = System.nanoTime();
    HttpResponse<String> response = send("GET", "/hook/nr/bt/" + "a,".repeat(45), null, null);
    assertEquals(404, response.statusCode(), response.body());
    assertTrue(System.nanoTime() - startNs < 10_000_000_000L, "ended at the time limit");
  }

  private Map<?, ?> params(String path) throws Exception {
    HttpResponse<String> response = send("GET", "/hook/nr" + path, null, null);
    assertEquals(200, response.statusCode(), path + ": " + response.body());
    return (Map<?, ?>) JsonCodec.parse(response.body());
  }

  @Test
  void shouldPutTheQueryInThePayloadOfAGet() throws Exception {
    HttpResponse<String> response = send("GET", "/hook/nr/hello?name=Nick", null, null);
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("<h1>Hello Nick!</h1>", response.body());
  }

  @Test
  void shouldPutTheParsedJsonBodyInThePayloadAndTheRequestInMsgReq() throws Exception {
    Map<?, ?> echoed = echo("application/json", "{\"name\":\"Ada\",\"n\":[1,2]}");
    assertEquals(Map.of("name", "Ada", "n", List.of(1L, 2L)), echoed.get("payload"));
    assertEquals(Map.of("x", "1"), echoed.get("query"));
    assertEquals(Map.of("id", "7"), echoed.get("params"));
    assertEquals(
        Map.of("session", "abc def", "theme", "dark", "half", "%E2%82"), echoed.get("cookies"));
    assertEquals("/echo/7?x=1", echoed.get("url"));
    assertEquals(echoed.get("payload"), echoed.get("body"));
    // Express's req.hostname (the Host header without its port), req.protocol and req.ip
    assertEquals("127.0.0.1", echoed.get("hostname"));
    assertEquals("http", echoed.get("protocol"));
    assertEquals("127.0.0.1", echoed.get("ip"));
  }

  @Test
  void shouldRefuseMalformedJsonAndBareScalarsWith400AsNodeRedsStrictJsonParser() throws Exception {
    for (String body : List.of("{bad", "5", "\"s\"", "true", "{\"a\":1} x")) {
      HttpResponse<String> response =
          send("POST", "/hook/nr/echo/7", "application/json", body.getBytes());
      assertEquals(400, response.statusCode(), body + " -> " + response.body());
      assertTrue(response.body().startsWith("{\"error\":{\"code\":400,"), response.body());
    }
    assertEquals(List.of(1L), echo("application/json", " [1] ").get("payload"));
  }

  @Test
  void shouldAnswerOptionsOnARouteWith204AndAllowAsExpress() throws Exception {
    HttpResponse<String> post = send("OPTIONS", "/hook/nr/echo/7", null, null);
    assertEquals(204, post.statusCode(), post.body());
    assertEquals("POST, OPTIONS", post.headers().firstValue("Allow").orElse(""));
    HttpResponse<String> get = send("OPTIONS", "/hook/nr/hello", null, null);
    assertEquals(204, get.statusCode(), get.body());
    assertEquals("GET, HEAD, OPTIONS", get.headers().firstValue("Allow").orElse(""));
    assertEquals(404, send("OPTIONS", "/hook/nr/nowhere", null, null).statusCode());
  }

  @Test
  void shouldParseFormBodiesAsNodeRedsUrlencodedParserDoes() throws Exception {
    Map<?, ?> echoed =
        echo(
            "application/x-www-form-urlencoded",
            "name=Ada+Lovelace&tag=a&tag=b&user%5Bage%5D=36&list[]=x&list[]=y&empty=");
    assertEquals(
        Map.of(
            "name", "Ada Lovelace",
            "tag", List.of("a", "b"),
            "user", Map.of("age", "36"),
            "list", List.of("x", "y"),
            "empty", ""),
        echoed.get("payload"));
  }

  @Test
  void shouldKeepTextAsAStringAndBytesAsABuffer() throws Exception {
    assertEquals("plain text", echo("text/plain", "plain text").get("payload"));
    assertEquals("<a>1</a>", echo("application/xml", "<a>1</a>").get("payload"));
    HttpResponse<String> binary =
        send(
            "POST",
            "/hook/nr/echo/1",
            "application/octet-stream",
            new byte[] {0, (byte) 0xFF, 1, 2});
    assertEquals(4L, ((Map<?, ?>) JsonCodec.parse(binary.body())).get("binary"));
  }

  @Test
  void shouldTakeAStatusCodeGivenAsTextAsNodeRedsParseIntDoes() throws Exception {
    // a change node's "set msg.statusCode to 404" is a string unless its type was switched to
    // number
    HttpResponse<String> response = send("GET", "/hook/nr/status?s=404", null, null);
    assertEquals(404, response.statusCode(), response.body());
    assertEquals(Map.of("s", "404"), JsonCodec.parse(response.body()));
    assertEquals(200, send("GET", "/hook/nr/status?s=teapot", null, null).statusCode());
  }

  @Test
  void shouldAnswerNoContentAndNotModifiedWithoutABody() throws Exception {
    for (int status : new int[] {204, 205, 304}) {
      HttpResponse<String> response = send("GET", "/hook/nr/status?s=" + status, null, null);
      assertEquals(status, response.statusCode(), response.body());
      assertEquals("", response.body());
      assertTrue(
          response.headers().firstValue("Content-Type").isEmpty(), response.headers().toString());
    }
  }

  @Test
  void shouldAnswerHeadOnAGetRouteWithoutTheBody() throws Exception {
    HttpResponse<String> response = send("HEAD", "/hook/nr/hello?name=Nick", null, null);
    assertEquals(200, response.statusCode(), response.body());
    assertEquals("", response.body());
    assertEquals(
        "text/html; charset=utf-8", response.headers().firstValue("Content-Type").orElse(""));
  }
}
