package dev.z8run.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code HEAD} is answered as {@code GET} would be, without the body (RFC 9110 §9.3.2): uptime
 * monitors use it. Each request is a {@code HEAD} followed on the same connection by a {@code GET}
 * of the same path: the second answer's status line comes right after the first answer's headers
 * (no body between them), and the {@code HEAD}'s status, {@code Content-Type} and {@code
 * Content-Length} are the {@code GET}'s.
 */
class HeadRequestTest {
  private static final Pattern LENGTH = Pattern.compile("(?im)^content-length: *(\\d+)\r$");
  private static final Pattern TYPE = Pattern.compile("(?im)^content-type: *([^\r]*)\r$");

  @TempDir Path dataDir;

  private final AttackServer attack = new AttackServer();
  private Z8Server server;

  @AfterEach
  void stop() {
    attack.close();
  }

  @Test
  void shouldAnswerHeadAsGetWithoutTheBodyOnApiRoutesEditorAssetsAndHooks() throws Exception {
    server = attack.start(dataDir);
    String token = attack.admin();
    String flow =
        attack.deploy(
            token,
            """
            {"name":"head","nodes":[
              {"id":"in","type":"http-in","config":{"method":"GET","path":"/ping"}},
              {"id":"out","type":"http-out","config":{}}],
             "wires":[{"from":"in","to":"out"}]}
            """);
    String auth = "Authorization: Bearer " + token + "\r\n";
    assertHeadIsGetWithoutBody("/api/v1/health", "");
    assertHeadIsGetWithoutBody("/api/v1/info", auth);
    assertHeadIsGetWithoutBody("/api/v1/flows", auth);
    assertHeadIsGetWithoutBody("/", "");
    assertHeadIsGetWithoutBody("/hook/" + flow + "/ping?x=1", "");
    // a refusal too: the GET's 401 (and the route that does not exist: the GET's 404)
    assertHeadIsGetWithoutBody("/api/v1/flows", "");
    assertHeadIsGetWithoutBody("/no-such-route", "");
  }

  private void assertHeadIsGetWithoutBody(String path, String headers) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      String request = " " + path + " HTTP/1.1\r\nHost: x\r\n" + headers;
      socket
          .getOutputStream()
          .write(
              ("HEAD" + request + "\r\nGET" + request + "\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      String head = readHead(in);
      if (head.toLowerCase(Locale.ROOT).contains("\r\nconnection: close\r\n")) {
        // a refusal that ends the connection (a 401): nothing after its headers, and the GET's
        // answer on a connection of its own
        assertEquals("", new String(in.readAllBytes(), StandardCharsets.ISO_8859_1), head);
        try (Socket again = new Socket("127.0.0.1", server.port())) {
          again.setSoTimeout(10_000);
          again
              .getOutputStream()
              .write(("GET" + request + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
          again.getOutputStream().flush();
          assertSameAnswer(path, head, again.getInputStream());
        }
        return;
      }
      assertSameAnswer(path, head, in);
    }
  }

  /** Checks that {@code head} is the {@code GET} answer that {@code in} gives, but its body. */
  private static void assertSameAnswer(String path, String head, InputStream in)
      throws IOException {
    {
      String get = readHead(in);
      assertTrue(get.startsWith("HTTP/1.1 "), "a body came after the HEAD's headers: " + get);
      assertEquals(status(get), status(head), path + "\n" + head + "\n" + get);
      assertEquals(
          value(TYPE, get).toLowerCase(Locale.ROOT),
          value(TYPE, head).toLowerCase(Locale.ROOT),
          path);
      String length = value(LENGTH, get);
      if (!length.isEmpty()) {
        assertEquals(
            Integer.parseInt(length), in.readNBytes(Integer.parseInt(length)).length, path);
      }
      assertEquals(length, value(LENGTH, head), path + "\n" + head + "\n" + get);
    }
  }

  private static String status(String head) {
    return head.substring(0, Math.min(12, head.length()));
  }

  private static String value(Pattern header, String head) {
    Matcher matcher = header.matcher(head);
    return matcher.find() ? matcher.group(1) : "";
  }

  /** An answer's status line and headers, up to and with the blank line. */
  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
      matched = (b == '\r' || b == '\n') && (matched % 2 == 0) == (b == '\r') ? matched + 1 : 0;
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }
}
