package dev.z8run.nodes.network;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.z8run.core.runtime.DeployException;
import dev.z8run.core.validate.FlowValidator.ValidationException;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.FlowHarness.Captured;
import dev.z8run.nodes.NodeErrors;
import dev.z8run.nodes.support.OutboundPolicy;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code http-request} node in a deployed flow (source -> http-request -> response "o0", error
 * "o1") against a real HTTP server on the loopback interface, which the tests' outbound policy
 * allows.
 */
class HttpRequestNodeTest {
  private FlowHarness harness;
  private HttpServer server;
  private String base;
  private final CountDownLatch release = new CountDownLatch(1);

  @BeforeEach
  void setUp() throws IOException {
    harness = new FlowHarness();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/echo", this::echo);
    server.createContext(
        "/bytes",
        exchange ->
            reply(
                exchange,
                200,
                "application/octet-stream",
                new byte[] {0, 1, (byte) 0xFE, (byte) 0xFF}));
    server.createContext(
        "/text",
        exchange ->
            reply(exchange, 404, "text/plain", "not here \u2713".getBytes(StandardCharsets.UTF_8)));
    server.createContext(
        "/redirect",
        exchange -> {
          String query = exchange.getRequestURI().getQuery();
          int hops = query == null ? 0 : Integer.parseInt(query);
          exchange
              .getResponseHeaders()
              .add("Location", hops == 0 ? "/echo?redirected" : "/redirect?" + (hops - 1));
          exchange.sendResponseHeaders(hops == 0 ? 303 : 302, -1);
          exchange.close();
        });
    server.createContext(
        "/elsewhere",
        exchange -> {
          exchange.getResponseHeaders().add("Location", "http://10.1.2.3/internal");
          exchange.sendResponseHeaders(302, -1);
          exchange.close();
        });
    server.createContext(
        "/slow",
        exchange -> {
          try {
            release.await(30, TimeUnit.SECONDS);
          } catch (InterruptedException interrupted) {
            Thread.currentThread().interrupt();
          }
          reply(exchange, 200, "text/plain", new byte[] {'x'});
        });
    server.createContext("/big", exchange -> reply(exchange, 200, "text/plain", new byte[10_000]));
    server.createContext(
        "/endless",
        exchange -> {
          exchange.sendResponseHeaders(200, 0); // chunked, no length declared
          try (OutputStream body = exchange.getResponseBody()) {
            for (int i = 0; i < 100; i++) {
              body.write(new byte[1000]);
              body.flush();
            }
          } catch (IOException clientGaveUp) {
            // expected: the node stops reading at its limit
          }
        });
    server.start();
    base = "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void tearDown() {
    release.countDown();
    harness.close();
    server.stop(0);
  }

  /** Echoes the method, path, query, content type, a test header and the body as JSON. */
  private void echo(HttpExchange exchange) throws IOException {
    Map<String, Object> echo = new LinkedHashMap<>();
    echo.put("method", exchange.getRequestMethod());
    echo.put("path", exchange.getRequestURI().getRawPath());
    echo.put("query", exchange.getRequestURI().getRawQuery());
    echo.put("contentType", exchange.getRequestHeaders().getFirst("Content-Type"));
    echo.put("token", exchange.getRequestHeaders().getFirst("X-Token"));
    echo.put("body", new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    exchange.getResponseHeaders().add("X-Served-By", "test");
    reply(exchange, 200, "application/json", JsonCodec.write(echo));
  }

  private static void reply(HttpExchange exchange, int status, String type, byte[] body)
      throws IOException {
    exchange.getResponseHeaders().add("Content-Type", type);
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  private static String config(Object... keyValues) {
    Map<String, Object> config = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      config.put((String) keyValues[i], keyValues[i + 1]);
    }
    return JsonCodec.writeString(config);
  }

  private void deploy(String config, String policy, String sourceConfig) {
    if (policy != null) {
      harness.engine.registerService(OutboundPolicy.class, OutboundPolicy.parse(policy));
    }
    harness.engine.deploy(FlowHarness.switchFlow("http-request", config, 2, sourceConfig));
  }

  private Map<?, ?> response(String config, String message) {
    deploy(config, "127.0.0.1", "{}");
    harness.inject("f", "in", message);
    return (Map<?, ?>) harness.awaitCaptured("o0", 1).get(0).parsed();
  }

  private String error(String config, String policy, String message) {
    deploy(config, policy, "{}");
    harness.inject("f", "in", message);
    FlowHarness.await(
        "a message", () -> harness.captured("o1").size() + harness.captured("o0").size() > 0);
    Map<?, ?> failed = (Map<?, ?>) harness.awaitCaptured("o1", 1).get(0).parsed();
    assertEquals(List.of(), harness.captured("o0"));
    return (String) ((Map<?, ?>) failed.get("error")).get("message");
  }

  /**
   * z8run's http-request (crates/z8run-core/src/nodes/http_request.rs; editor defaults {url,
   * method: "POST", headers: {}, bodyPath: "req.body", timeout: 5000}): {x} placeholders of the
   * payload, the body at bodyPath as JSON, and {status, headers, body, url} as the payload.
   */
  @Test
  void shouldCallAsZ8runDoesWithPlaceholdersBodyPathAndItsResponseShape() {
    Map<?, ?> out =
        response(
            config(
                "url",
                base + "/echo/{req.body.id}?city={req.query.city}&none={req.nope}",
                "method",
                "POST",
                "headers",
                Map.of(),
                "bodyPath",
                "req.body",
                "timeout",
                5000,
                "mode",
                "z8run"),
            "{\"topic\":\"t\",\"payload\":{\"req\":{\"body\":{\"id\":42,\"name\":\"test\"},"
                + "\"query\":{\"city\":\"London\"}}}}");
    assertEquals("t", out.get("topic"));
    Map<?, ?> payload = (Map<?, ?>) out.get("payload");
    assertEquals(200L, payload.get("status"));
    assertEquals(base + "/echo/42?city=London&none=", payload.get("url"));
    assertEquals("test", ((Map<?, ?>) payload.get("headers")).get("x-served-by"));
    Map<?, ?> echo = (Map<?, ?>) payload.get("body");
    assertEquals("POST", echo.get("method"));
    assertEquals("application/json", echo.get("contentType"));
    assertEquals(Map.of("id", 42L, "name", "test"), JsonCodec.parse((String) echo.get("body")));
  }

  @Test
  void shouldAnswerAZ8runFailureWithItsErrorShape() {
    deploy(
        config("url", base + "/slow", "timeout", 200, "mode", "z8run", "method", "GET"),
        "127.0.0.1",
        "{}");
    harness.inject("f", "in", "{\"payload\":{}}");
    Map<?, ?> failed = (Map<?, ?>) harness.awaitCaptured("o1", 1).get(0).parsed();
    Map<?, ?> payload = (Map<?, ?>) failed.get("payload");
    assertEquals(base + "/slow", payload.get("url"));
    assertEquals(true, payload.get("timeout"));
    assertTrue(((String) payload.get("error")).contains("timed out"), payload.toString());
  }

  @Test
  void shouldReadBodyPathAndTimeoutInNodeRedModeToo() {
    Map<?, ?> out =
        response(
            config(
                "url",
                base + "/echo",
                "method",
                "PUT",
                "bodyPath",
                "order",
                "timeout",
                3000,
                "responseType",
                "json"),
            "{\"payload\":{\"order\":[1,2],\"other\":true}}");
    Map<?, ?> echo = (Map<?, ?>) out.get("payload");
    assertEquals("[1,2]", echo.get("body"));
    assertEquals(200L, out.get("statusCode"), "Node-RED's response shape");
  }

  @Test
  void shouldGetAUrlFilledFromTheMessageAndParseTheJsonResponse() {
    Map<?, ?> out =
        response(
            config(
                "url",
                base + "/echo/{{payload.id}}?q={{topic}}&raw={{{payload.raw}}}",
                "responseType",
                "json"),
            "{\"topic\":\"t&u\",\"payload\":{\"id\":\"a b/c\",\"raw\":\"x%2By\"}}");

    Map<?, ?> echo = (Map<?, ?>) out.get("payload");
    assertEquals("GET", echo.get("method"));
    assertEquals("/echo/a%20b%2Fc", echo.get("path"));
    assertEquals("q=t%26u&raw=x%2By", echo.get("query"));
    assertEquals(200L, out.get("statusCode"));
    assertEquals("test", ((Map<?, ?>) out.get("headers")).get("x-served-by"));
    assertEquals("t&u", out.get("topic"));
    assertTrue(((String) out.get("responseUrl")).startsWith(base + "/echo/a%20b%2Fc?"));
  }

  @Test
  void shouldSendThePayloadAsJsonOrTextWithMessageHeadersAndMethod() {
    deploy(
        config(
            "method",
            "use",
            "url",
            base + "/echo",
            "responseType",
            "json",
            "headers",
            Map.of("X-Token", "from-config")),
        "127.0.0.1",
        "{}");
    harness.inject("f", "in", "{\"method\":\"put\",\"payload\":{\"a\":[1,2]}}");
    harness.inject(
        "f",
        "in",
        "{\"method\":\"POST\",\"headers\":{\"x-token\":\"from-msg\"},\"payload\":\"hi\"}");

    // a blocking node handles messages concurrently: responses may come in either order
    Map<Object, Map<?, ?>> byMethod = new LinkedHashMap<>();
    for (Captured captured : harness.awaitCaptured("o0", 2)) {
      Map<?, ?> echo = (Map<?, ?>) ((Map<?, ?>) captured.parsed()).get("payload");
      byMethod.put(echo.get("method"), echo);
    }
    Map<?, ?> first = byMethod.get("PUT");
    Map<?, ?> second = byMethod.get("POST");
    assertEquals("PUT", first.get("method"));
    assertEquals("application/json", first.get("contentType"));
    assertEquals("{\"a\":[1,2]}", first.get("body"));
    assertEquals("from-config", first.get("token"));
    assertEquals("POST", second.get("method"));
    assertEquals("text/plain; charset=utf-8", second.get("contentType"));
    assertEquals("hi", second.get("body"));
    assertEquals("from-msg", second.get("token"));
  }

  /**
   * Node-RED's http request sends {@code msg.payload} for every method but GET and HEAD
   * (21-httprequest.js): an OPTIONS request carries it too.
   */
  @Test
  void shouldSendThePayloadWithAnOptionsRequestButNotWithAHead() {
    deploy(
        config("method", "use", "url", base + "/echo", "responseType", "json"), "127.0.0.1", "{}");
    harness.inject("f", "in", "{\"method\":\"OPTIONS\",\"payload\":{\"a\":1}}");
    harness.inject("f", "in", "{\"method\":\"HEAD\",\"payload\":{\"a\":2}}");

    Map<Object, Map<?, ?>> byMethod = new LinkedHashMap<>();
    for (Captured captured : harness.awaitCaptured("o0", 2)) {
      Map<?, ?> msg = (Map<?, ?>) captured.parsed();
      byMethod.put(msg.get("payload") instanceof Map<?, ?> echo ? echo.get("method") : "HEAD", msg);
    }
    Map<?, ?> options = (Map<?, ?>) byMethod.get("OPTIONS").get("payload");
    assertEquals("{\"a\":1}", options.get("body"));
    assertEquals("application/json", options.get("contentType"));
    assertEquals(200L, byMethod.get("HEAD").get("statusCode"));
  }

  @Test
  void shouldReturnTextForAnyStatus() {
    Map<?, ?> text = response(config("url", base + "/text"), "{\"payload\":null}");

    assertEquals("not here \u2713", text.get("payload"));
    assertEquals(404L, text.get("statusCode"));
  }

  @Test
  void shouldReturnBinaryBodiesInTheBinaryPayload() {
    deploy(config("url", base + "/bytes", "responseType", "binary"), "127.0.0.1", "{}");
    harness.inject("f", "in", "{\"payload\":1}");

    Captured out = harness.awaitCaptured("o0", 1).get(0);
    assertArrayEquals(new byte[] {0, 1, (byte) 0xFE, (byte) 0xFF}, out.binary());
    assertEquals(null, ((Map<?, ?>) out.parsed()).get("payload"));
  }

  @Test
  void shouldFollowRedirectsUpToTheLimitTurningSeeOtherIntoGet() {
    Map<?, ?> out =
        response(
            config("method", "POST", "url", base + "/redirect?2", "responseType", "json"),
            "{\"payload\":{\"a\":1}}");

    Map<?, ?> echo = (Map<?, ?>) out.get("payload");
    assertEquals("GET", echo.get("method"));
    assertEquals("redirected", echo.get("query"));
    assertEquals(base + "/echo?redirected", out.get("responseUrl"));
  }

  @Test
  void shouldFailAfterTooManyRedirects() {
    assertEquals(
        "more than maxRedirects=2 redirects, the last to /redirect?2",
        error(config("url", base + "/redirect?5", "maxRedirects", 2), "127.0.0.1", "{}"));
  }

  @Test
  void shouldCheckEveryRedirectAgainstTheOutboundPolicy() {
    assertEquals(
        "host '10.1.2.3' (10.1.2.3) is not allowed by the outbound policy Z8_HTTP_ALLOW=127.0.0.1",
        error(config("url", base + "/elsewhere"), "127.0.0.1", "{}"));
  }

  @Test
  void shouldRefuseLoopbackUnderTheDefaultPolicy() {
    assertEquals(
        "host '127.0.0.1' (127.0.0.1) is not allowed by the outbound policy Z8_HTTP_ALLOW=public",
        error(config("url", base + "/echo"), "", "{}"));
  }

  @Test
  void shouldTimeOutTheWholeExchange() {
    String message = error(config("url", base + "/slow", "timeoutMs", 300), "127.0.0.1", "{}");

    assertEquals("timed out after timeoutMs=300 calling " + base + "/slow", message);
  }

  @Test
  void shouldRefuseBodiesLargerThanTheLimitDeclaredOrStreamed() {
    assertEquals(
        "response body exceeds maxResponseBytes=5000 (" + base + "/big)",
        error(config("url", base + "/big", "maxResponseBytes", 5000), "127.0.0.1", "{}"));
  }

  @Test
  void shouldStopReadingAStreamedBodyAtTheLimit() {
    assertEquals(
        "response body exceeds maxResponseBytes=5000 (" + base + "/endless)",
        error(config("url", base + "/endless", "maxResponseBytes", 5000), "127.0.0.1", "{}"));
  }

  @Test
  void shouldReportBadUrlsAndJsonThatIsNotJson() {
    assertEquals(
        "'ftp://x/' is not an http or https URL",
        error(config("url", "{{{payload}}}"), "127.0.0.1", "{\"payload\":\"ftp://x/\"}"));
  }

  @Test
  void shouldReportFailuresAsNodeErrorsWhenTheErrorPortIsNotWired() {
    NodeErrors errors = NodeErrors.of(harness);
    harness.engine.registerService(OutboundPolicy.class, OutboundPolicy.parse("127.0.0.1"));
    harness.engine.deploy(
        FlowHarness.switchFlow(
            "http-request", config("url", base + "/big", "maxResponseBytes", 100), 1, "{}"));
    harness.inject("f", "in", "{}");

    String error = errors.await("sw", 1).get(0);
    assertTrue(error.contains("exceeds maxResponseBytes=100"), error);
  }

  /**
   * As Node-RED's HTTP Request answers (measured against Node-RED 4.1.15 with the same server): a
   * JSON response that is not JSON goes on as text with a warning; {@code msg.redirectList} holds
   * each redirect's Location; {@code msg.responseCookies} the Set-Cookie headers as the cookie
   * package parses them; paytoqs puts an object payload in a GET's query; a URL with a space is
   * percent-encoded, not refused; no HTTP/2 upgrade is offered over plain http.
   */
  @Test
  void shouldAnswerAsNodeRedsHttpRequest() {
    server.createContext(
        "/cookies",
        exchange -> {
          exchange.getResponseHeaders().add("Set-Cookie", "a=1; Path=/; HttpOnly");
          exchange.getResponseHeaders().add("Set-Cookie", "b=\"x%20y\"; Max-Age=60");
          reply(exchange, 200, "text/plain", "not json".getBytes(StandardCharsets.UTF_8));
        });
    server.createContext(
        "/upgrade",
        exchange -> {
          String upgrade = String.valueOf(exchange.getRequestHeaders().getFirst("Upgrade"));
          reply(exchange, 200, "text/plain", upgrade.getBytes(StandardCharsets.UTF_8));
        });
    NodeErrors errors = NodeErrors.of(harness);
    Map<?, ?> cookies = response(config("url", base + "/cookies", "responseType", "json"), "{}");
    assertEquals("not json", cookies.get("payload"));
    assertEquals(
        Map.of(
            "a", Map.of("Path", "/", "value", "1"), "b", Map.of("Max-Age", "60", "value", "x y")),
        cookies.get("responseCookies"));
    assertEquals(List.of(), cookies.get("redirectList"));
    FlowHarness.await("the warning", () -> !harness.warnings("sw").isEmpty());
    assertTrue(
        harness
            .warnings("sw")
            .get(0)
            .contains("the response from " + base + "/cookies is not JSON"),
        harness.warnings("sw").toString());
    assertEquals(List.of(), errors.of("sw"));
    harness.close();

    harness = new FlowHarness();
    Map<?, ?> redirected = response(config("url", base + "/redirect?1"), "{}");
    assertEquals(
        List.of(Map.of("location", "/redirect?0"), Map.of("location", "/echo?redirected")),
        redirected.get("redirectList"));
    harness.close();

    harness = new FlowHarness();
    Map<?, ?> query =
        response(
            config("url", base + "/echo/a b?x=1", "payloadToQuery", true, "responseType", "json"),
            "{\"payload\":{\"q\":\"a b&c\",\"n\":5,\"l\":[1,2],\"o\":{}}}");
    Map<?, ?> echo = (Map<?, ?>) query.get("payload");
    assertEquals("/echo/a%20b", echo.get("path"));
    assertEquals("x=1&q=a%20b%26c&n=5&l=1&l=2&o=", echo.get("query"));
    harness.close();

    harness = new FlowHarness();
    assertEquals("null", response(config("url", base + "/upgrade"), "{}").get("payload"));
  }

  /**
   * Node-RED's paytoqs {@code body} (21-httprequest.js: {@code allowGetBody}): a GET carries
   * msg.payload as its body, an object as its JSON, a number as its text, a string as it is, with
   * no content type added; without the option a GET has no body; other methods are unchanged.
   */
  @Test
  void shouldSendTheGetsPayloadAsItsBodyWithPayloadAsBody() {
    deploy(
        config(
            "method", "use", "url", base + "/echo", "payloadAsBody", true, "responseType", "json"),
        "127.0.0.1",
        "{}");
    harness.inject("f", "in", "{\"method\":\"GET\",\"topic\":\"obj\",\"payload\":{\"a\":[1,2]}}");
    harness.inject("f", "in", "{\"method\":\"GET\",\"topic\":\"num\",\"payload\":5}");
    harness.inject(
        "f",
        "in",
        "{\"method\":\"GET\",\"topic\":\"text\",\"payload\":\"a b\","
            + "\"headers\":{\"Content-Type\":\"text/plain\"}}");
    harness.inject("f", "in", "{\"method\":\"GET\",\"topic\":\"bool\",\"payload\":true}");
    harness.inject("f", "in", "{\"method\":\"POST\",\"topic\":\"post\",\"payload\":\"p\"}");
    Map<Object, Map<?, ?>> byTopic = new LinkedHashMap<>();
    for (Captured captured : harness.awaitCaptured("o0", 5)) {
      Map<?, ?> out = (Map<?, ?>) captured.parsed();
      byTopic.put(out.get("topic"), (Map<?, ?>) out.get("payload"));
    }
    assertEquals("GET", byTopic.get("obj").get("method"));
    assertEquals("{\"a\":[1,2]}", byTopic.get("obj").get("body"));
    assertEquals(null, byTopic.get("obj").get("contentType"), "Node-RED adds no content type");
    assertEquals(null, byTopic.get("obj").get("query"));
    assertEquals("5", byTopic.get("num").get("body"));
    assertEquals("a b", byTopic.get("text").get("body"));
    assertEquals("text/plain", byTopic.get("text").get("contentType"));
    assertEquals("", byTopic.get("bool").get("body"), "a boolean is no body, as Node-RED");
    assertEquals("POST", byTopic.get("post").get("method"));
    assertEquals("p", byTopic.get("post").get("body"));
    assertEquals("text/plain; charset=utf-8", byTopic.get("post").get("contentType"));
    harness.close();

    harness = new FlowHarness();
    Map<?, ?> without =
        response(config("url", base + "/echo", "responseType", "json"), "{\"payload\":{\"a\":1}}");
    assertEquals("", ((Map<?, ?>) without.get("payload")).get("body"), "no body by default");
  }

  @Test
  void shouldRefuseBadConfigAtDeploy() {
    assertEquals(
        "node 'sw' (http-request): url: 'file:///etc/passwd' is not an http or https URL",
        refused(config("url", "file:///etc/passwd")));
    assertEquals(
        "node 'sw': field 'timeoutMs' must be 1 to 600000, got 0",
        assertThrows(
                ValidationException.class,
                () ->
                    harness.engine.deploy(
                        FlowHarness.switchFlow(
                            "http-request", config("url", base, "timeoutMs", 0), 2, "{}")))
            .getMessage());
    assertEquals(
        "node 'sw' (http-request): url: 'http://x/{{payload' has an unclosed {{",
        refused(config("url", "http://x/{{payload")));
    assertEquals(
        "node 'sw' (http-request): payloadToQuery and payloadAsBody: a GET's payload goes to the"
            + " query or the body, not both",
        refused(config("url", base, "payloadToQuery", true, "payloadAsBody", true)));
  }

  private String refused(String config) {
    return assertThrows(
            DeployException.class,
            () -> harness.engine.deploy(FlowHarness.switchFlow("http-request", config, 2, "{}")))
        .getMessage();
  }
}
