package dev.z8run.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's flow answers {@code /hook/...} on the editor's origin, where the editor keeps its bearer
 * token in {@code localStorage}: a flow that answers an HTML page with a script would read the
 * token of whoever opens the link (an admin) and take the account over. Every {@code /hook} answer
 * is therefore sandboxed ({@code Content-Security-Policy: sandbox ...} without {@code
 * allow-same-origin}: the page runs in an opaque origin) and not sniffed; the editor's own routes
 * are not. Read through raw sockets: every header line as the server wrote it.
 */
class HookSandboxAttackTest {
  static final String SANDBOX =
      "sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads";

  @TempDir Path dataDir;

  private final AttackServer attack = new AttackServer();
  private Z8Server server;
  private String mallory;

  private void start(String... extra) throws Exception {
    server = attack.start(dataDir, extra);
    mallory = attack.register("mallory");
  }

  @AfterEach
  void stop() {
    attack.close();
  }

  /** Mallory's flow: GET /page answers HTML with a script that sends the editor's token away. */
  private String deployStealer() throws Exception {
    String flow =
        """
        {"id":"steal","name":"steal","nodes":[
          {"id":"in","type":"http-in","config":{"method":"GET","path":"/page"}},
          {"id":"post-in","type":"http-in","config":{"method":"POST","path":"/page"}},
          {"id":"html","type":"function","config":{"func":
            "msg.headers = {'content-type': 'text/html', 'x-content-type-options': 'sniff'}; msg.payload = '<script>fetch(\\\\'/api/v1/users\\\\', {headers: {authorization: \\\\'Bearer \\\\' + localStorage.getItem(\\\\'z8run.token\\\\')}})</script>'; return msg;"}},
          {"id":"own-in","type":"http-in","config":{"method":"GET","path":"/own-csp"}},
          {"id":"own","type":"function","config":{"func":
            "msg.headers = {'Content-Type': 'text/html', 'Content-Security-Policy': \\"default-src 'self'\\"}; msg.payload = '<p>mine</p>'; return msg;"}},
          {"id":"open-in","type":"http-in","config":{"method":"GET","path":"/open"}},
          {"id":"open-out","type":"http-out","config":{"headers":{"Access-Control-Allow-Origin":"*"}}},
          {"id":"out","type":"http-out","config":{}}],
         "wires":[{"from":"in","to":"html"},{"from":"post-in","to":"html"},{"from":"html","to":"out"},
                  {"from":"own-in","to":"own"},{"from":"own","to":"out"},
                  {"from":"open-in","to":"open-out"}]}
        """;
    HttpResponse<String> created = attack.call("POST", "/api/v1/flows", flow, mallory);
    assertEquals(201, created.statusCode(), created.body());
    String id = (String) AttackServer.json(created).get("id");
    HttpResponse<String> started =
        attack.call("POST", "/api/v1/flows/" + id + "/start", null, mallory);
    assertEquals(200, started.statusCode(), started.body());
    return id;
  }

  @Test
  void shouldSandboxAFlowsHtmlPageSoThatItsScriptCannotReadTheEditorsToken() throws Exception {
    start();
    String flow = deployStealer();

    RawAnswer page = RawAnswer.get(server.port(), "/hook/" + flow + "/page", null);
    assertEquals(200, page.status(), page.head());
    assertTrue(page.body().contains("<script>"), page.body());
    assertEquals(List.of(SANDBOX), page.values("content-security-policy"), page.head());
    assertEquals(List.of("nosniff"), page.values("x-content-type-options"), page.head());

    RawAnswer own = RawAnswer.get(server.port(), "/hook/" + flow + "/own-csp", null);
    assertEquals(200, own.status(), own.head());
    List<String> policies = own.values("content-security-policy");
    assertTrue(policies.contains(SANDBOX), "ours is sent beside the flow's: " + own.head());
    assertTrue(policies.contains("default-src 'self'"), "the flow's stays: " + own.head());
    assertEquals(List.of("nosniff"), own.values("x-content-type-options"), own.head());

    for (String path : new String[] {"/hook/" + flow + "/nothing", "/hook/no-such-flow/x"}) {
      RawAnswer missing = RawAnswer.get(server.port(), path, null);
      assertEquals(404, missing.status(), missing.head());
      assertEquals(List.of(SANDBOX), missing.values("content-security-policy"), missing.head());
      assertEquals(List.of("nosniff"), missing.values("x-content-type-options"), missing.head());
    }
  }

  @Test
  void shouldSandboxTheRefusalOfABodyOverTheHookLimit() throws Exception {
    start("Z8_HOOK_MAX_BODY_BYTES", "16");
    String flow = deployStealer();
    RawAnswer tooLarge =
        RawAnswer.post(server.port(), "/hook/" + flow + "/page", "x".repeat(64), null);
    assertEquals(413, tooLarge.status(), tooLarge.head());
    assertEquals(List.of(SANDBOX), tooLarge.values("content-security-policy"), tooLarge.head());
    assertEquals(List.of("nosniff"), tooLarge.values("x-content-type-options"), tooLarge.head());
  }

  @Test
  void shouldNotSandboxTheEditorsOwnRoutes() throws Exception {
    start();
    for (String path : new String[] {"/", "/api/v1/health", "/api/v1/flows"}) {
      RawAnswer editor = RawAnswer.get(server.port(), path, null);
      assertTrue(editor.values("content-security-policy").isEmpty(), path + ": " + editor.head());
    }
  }

  @Test
  void shouldLetTheOperatorOfASingleUserServerTurnTheSandboxOff() throws Exception {
    start("Z8_HOOK_SANDBOX", "false");
    String flow = deployStealer();
    RawAnswer page = RawAnswer.get(server.port(), "/hook/" + flow + "/page", null);
    assertEquals(200, page.status(), page.head());
    assertTrue(page.values("content-security-policy").isEmpty(), page.head());
    assertEquals(List.of("sniff"), page.values("x-content-type-options"), page.head());
  }

  /**
   * A sandboxed page's fetch of its own hook and another site's sandboxed frame's are alike ({@code
   * Origin: null}, no {@code Referer} from Chromium): no CORS header unless the flow sets one, so
   * no site a visitor opens reads the hooks the visitor's browser can reach.
   */
  @Test
  void shouldAllowNoCrossOriginReadUnlessTheFlowSaysSo() throws Exception {
    start();
    String flow = deployStealer();
    for (String path : new String[] {"/hook/" + flow + "/page", "/api/v1/health"}) {
      RawAnswer read = RawAnswer.get(server.port(), path, "Origin: null\r\n");
      assertTrue(read.values("access-control-allow-origin").isEmpty(), read.head());
    }
    RawAnswer preflight =
        RawAnswer.send(
            server.port(),
            "OPTIONS",
            "/hook/" + flow + "/page",
            "Origin: null\r\nAccess-Control-Request-Method: PUT\r\n",
            null);
    assertEquals(204, preflight.status(), preflight.head());
    assertTrue(preflight.values("access-control-allow-origin").isEmpty(), preflight.head());
    assertEquals(List.of(SANDBOX), preflight.values("content-security-policy"));
    RawAnswer optedIn = RawAnswer.get(server.port(), "/hook/" + flow + "/open", "Origin: null\r\n");
    assertEquals(List.of("*"), optedIn.values("access-control-allow-origin"), optedIn.head());
    assertEquals(List.of(SANDBOX), optedIn.values("content-security-policy"));
  }

  /** One answer read off a socket: the status, every header line, the body. */
  record RawAnswer(int status, String head, List<String> lines, String body) {
    static RawAnswer get(int port, String path, String extraHeaders) throws IOException {
      return send(port, "GET", path, extraHeaders, null);
    }

    static RawAnswer post(int port, String path, String body, String extraHeaders)
        throws IOException {
      return send(port, "POST", path, extraHeaders, body);
    }

    static RawAnswer send(int port, String method, String path, String extraHeaders, String body)
        throws IOException {
      try (Socket socket = new Socket("127.0.0.1", port)) {
        socket.setSoTimeout(30_000);
        byte[] sent = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        String request =
            method
                + " "
                + path
                + " HTTP/1.1\r\nHost: 127.0.0.1:"
                + port
                + "\r\nConnection: close\r\n"
                + (extraHeaders == null ? "" : extraHeaders)
                + (body == null ? "" : "Content-Length: " + sent.length + "\r\n")
                + "\r\n";
        OutputStream out = socket.getOutputStream();
        out.write(request.getBytes(StandardCharsets.US_ASCII));
        out.write(sent);
        out.flush();
        InputStream in = socket.getInputStream();
        ByteArrayOutputStream read = new ByteArrayOutputStream();
        int end = -1;
        while (end < 0) {
          int b = in.read();
          if (b < 0) {
            break;
          }
          read.write(b);
          end = read.toString(StandardCharsets.ISO_8859_1).indexOf("\r\n\r\n");
        }
        String head =
            end < 0
                ? read.toString(StandardCharsets.ISO_8859_1)
                : read.toString(StandardCharsets.ISO_8859_1).substring(0, end);
        List<String> lines = List.of(head.split("\r\n"));
        int status = Integer.parseInt(lines.get(0).split(" ")[1]);
        RawAnswer headOnly = new RawAnswer(status, head, lines, "");
        List<String> length = headOnly.values("content-length");
        byte[] content =
            method.equals("HEAD") || length.isEmpty()
                ? new byte[0]
                : in.readNBytes(Integer.parseInt(length.get(0)));
        return new RawAnswer(status, head, lines, new String(content, StandardCharsets.UTF_8));
      }
    }

    /** The values of every line of header {@code name}, in order. */
    List<String> values(String name) {
      List<String> values = new ArrayList<>();
      for (String line : lines.subList(1, lines.size())) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).strip().toLowerCase(Locale.ROOT).equals(name)) {
          values.add(line.substring(colon + 1).strip());
        }
      }
      return values;
    }
  }
}
