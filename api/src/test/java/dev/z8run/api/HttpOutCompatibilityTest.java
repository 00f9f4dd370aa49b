package dev.z8run.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.api.HookSandboxAttackTest.RawAnswer;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code http-out} answers as Node-RED's {@code http response} node (express's {@code res.send} and
 * {@code res.cookie}) for a Node-RED-mode {@code http-in} node: a string is an HTML page, a number
 * its text; {@code msg.cookies} are {@code Set-Cookie} headers. A z8run-mode flow keeps its text
 * answers. Read through raw sockets on a whole server.
 */
class HttpOutCompatibilityTest {
  private static final String FLOW =
      """
      {"id":"compat","name":"compat","nodes":[
        {"id":"page-in","type":"http-in","config":{"method":"GET","path":"/page","mode":"node-red"}},
        {"id":"page","type":"template","config":{"field":"payload",
          "template":"<h1>Hello {{payload.name}}!</h1>"}},
        {"id":"number-in","type":"http-in","config":{"method":"GET","path":"/number","mode":"node-red"}},
        {"id":"number","type":"function","config":{"func":"msg.payload = 42; return msg;"}},
        {"id":"text-in","type":"http-in","config":{"method":"GET","path":"/text"}},
        {"id":"text","type":"function","config":{"func":"msg.payload = '<h1>z8run</h1>'; return msg;"}},
        {"id":"cookies-in","type":"http-in","config":{"method":"GET","path":"/cookies","mode":"node-red"}},
        {"id":"cookies","type":"function","config":{"func":
          "msg.cookies = {session: {value: 'a b', maxAge: 60000, httpOnly: true, sameSite: 'strict'}, theme: 'dark', old: null}; msg.headers = {'Set-Cookie': 'mine=1'}; msg.payload = 'ok'; return msg;"}},
        {"id":"bad-in","type":"http-in","config":{"method":"GET","path":"/bad","mode":"node-red"}},
        {"id":"bad","type":"function","config":{"func":
          "msg.cookies = {ok: 'fine', session: {value: 'x', path: '/\\\\r\\\\nSet-Cookie: admin=1'}}; msg.payload = 'ok'; return msg;"}},
        {"id":"lines-in","type":"http-in","config":{"method":"GET","path":"/lines","mode":"node-red"}},
        {"id":"lines","type":"function","config":{"func":
          "msg.headers = {'Set-Cookie': ['a=1', 'b=2'], Link: ['</a>; rel=next', '</b>; rel=prev'], 'X-N': 5}; msg.payload = 'ok'; return msg;"}},
        {"id":"json-in","type":"http-in","config":{"method":"GET","path":"/json","mode":"node-red"}},
        {"id":"json","type":"function","config":{"func":"msg.payload = {a: [1]}; return msg;"}},
        {"id":"frame-in","type":"http-in","config":{"method":"GET","path":"/frame/:code","mode":"node-red"}},
        {"id":"frame","type":"function","config":{"func":
          "msg.statusCode = Number(msg.req.params.code); msg.headers = {'Transfer-Encoding': 'chunked', 'Content-Length': '3', 'X-Kept': 'yes'}; msg.payload = 'framed by the server'; return msg;"}},
        {"id":"out","type":"http-out","config":{}}],
       "wires":[{"from":"page-in","to":"page"},{"from":"page","to":"out"},
                {"from":"number-in","to":"number"},{"from":"number","to":"out"},
                {"from":"text-in","to":"text"},{"from":"text","to":"out"},
                {"from":"cookies-in","to":"cookies"},{"from":"cookies","to":"out"},
                {"from":"bad-in","to":"bad"},{"from":"bad","to":"out"},
                {"from":"lines-in","to":"lines"},{"from":"lines","to":"out"},
                {"from":"json-in","to":"json"},{"from":"json","to":"out"},
                {"from":"frame-in","to":"frame"},{"from":"frame","to":"out"}]}
      """;

  @TempDir Path dataDir;

  private final AttackServer attack = new AttackServer();
  private Z8Server server;

  @BeforeEach
  void start() throws Exception {
    server = attack.start(dataDir, "Z8_HOOK_TIMEOUT_MS", "1000");
    String admin = attack.admin();
    HttpResponse<String> created = attack.call("POST", "/api/v1/flows", FLOW, admin);
    assertEquals(201, created.statusCode(), created.body());
    HttpResponse<String> started = attack.call("POST", "/api/v1/flows/compat/start", null, admin);
    assertEquals(200, started.statusCode(), started.body());
  }

  @AfterEach
  void stop() {
    attack.close();
  }

  private RawAnswer get(String path) throws Exception {
    return RawAnswer.get(server.port(), "/hook/compat" + path, null);
  }

  @Test
  void shouldServeANodeRedTemplatePageAsHtmlInTheSandbox() throws Exception {
    RawAnswer page = get("/page?name=Ada");
    assertEquals(200, page.status(), page.head());
    assertEquals("<h1>Hello Ada!</h1>", page.body());
    assertEquals(List.of("text/html; charset=utf-8"), page.values("content-type"), page.head());
    assertEquals(List.of(HookSandboxAttackTest.SANDBOX), page.values("content-security-policy"));

    RawAnswer number = get("/number");
    assertEquals("42", number.body());
    assertEquals(List.of("text/html; charset=utf-8"), number.values("content-type"));
  }

  @Test
  void shouldKeepAZ8runFlowsStringAnswerAsText() throws Exception {
    RawAnswer text = get("/text");
    assertEquals("<h1>z8run</h1>", text.body());
    assertEquals(List.of("text/plain; charset=utf-8"), text.values("content-type"), text.head());
  }

  /** An array in msg.headers is one header line per item, as express's res.set writes it. */
  @Test
  void shouldWriteAnArrayHeaderValueAsOneLinePerItem() throws Exception {
    RawAnswer lines = get("/lines");
    assertEquals(200, lines.status(), lines.head());
    assertEquals(List.of("a=1", "b=2"), lines.values("set-cookie"), lines.head());
    assertEquals(List.of("</a>; rel=next", "</b>; rel=prev"), lines.values("link"), lines.head());
    assertEquals(List.of("5"), lines.values("x-n"), lines.head());
    // an object answers as express's res.send writes it, charset named
    RawAnswer json = get("/json");
    assertEquals("{\"a\":[1]}", json.body());
    assertEquals(List.of("application/json; charset=utf-8"), json.values("content-type"));
  }

  /**
   * The server frames the answer: a flow's Content-Length or Transfer-Encoding is not sent (a wrong
   * length would cut or hang the body; either on a 204 made Helidon answer 500). Its other headers
   * are.
   */
  @Test
  void shouldFrameTheAnswerItselfWhateverLengthOrEncodingTheFlowSets() throws Exception {
    RawAnswer ok = get("/frame/200");
    assertEquals(200, ok.status(), ok.head());
    assertEquals("framed by the server", ok.body());
    assertEquals(List.of("20"), ok.values("content-length"), ok.head());
    assertEquals(List.of(), ok.values("transfer-encoding"), ok.head());
    assertEquals(List.of("yes"), ok.values("x-kept"), ok.head());

    RawAnswer none = get("/frame/204");
    assertEquals(204, none.status(), none.head());
    assertEquals(List.of(), none.values("transfer-encoding"), none.head());
    assertEquals(List.of(), none.values("content-length"), none.head());
    assertEquals(List.of("yes"), none.values("x-kept"), none.head());
  }

  @Test
  void shouldSetMsgCookiesAsSetCookieHeadersAsNodeRed() throws Exception {
    RawAnswer answer = get("/cookies");
    assertEquals(200, answer.status(), answer.head());
    List<String> cookies = answer.values("set-cookie");
    assertEquals(4, cookies.size(), answer.head());
    assertEquals("mine=1", cookies.get(0), answer.head());
    assertTrue(
        cookies
            .get(1)
            .matches(
                "session=a%20b; Max-Age=60; Path=/; Expires=[A-Z][a-z]{2}, \\d{2} [A-Z][a-z]{2}"
                    + " \\d{4} \\d{2}:\\d{2}:\\d{2} GMT; HttpOnly; SameSite=Strict"),
        cookies.get(1));
    assertEquals("theme=dark; Path=/", cookies.get(2));
    assertEquals("old=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT", cookies.get(3));
  }

  @Test
  void shouldRefuseACookieThatWouldInjectAHeaderAndWriteNothing() throws Exception {
    RawAnswer answer = get("/bad");
    assertEquals(504, answer.status(), "the node failed, nothing answered: " + answer.head());
    assertTrue(answer.values("set-cookie").isEmpty(), answer.head());
    assertTrue(answer.head().toLowerCase(java.util.Locale.ROOT).indexOf("admin=1") < 0);
  }
}
