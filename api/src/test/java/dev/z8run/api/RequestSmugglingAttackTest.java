package dev.z8run.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request smuggling: a request's body read as a request of its own. A front proxy that shares one
 * connection among its clients forwards a body whole; if this server ends the request elsewhere
 * than the proxy did, the rest of the body runs as a request the proxy never saw, with the
 * attacker's token, and its answer goes to the proxy's next client. Each test writes bytes to a
 * real socket, reads until the server closes it, and checks that exactly one answer came and that
 * the smuggled request (a vault write of Mallory's) had no effect (docs/security.md, finding 13).
 */
class RequestSmugglingAttackTest {
  private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");

  @TempDir Path dataDir;

  private final AttackServer attack = new AttackServer();
  private Z8Server server;
  private String mallory;

  private void start() throws Exception {
    server = attack.start(dataDir);
    mallory = attack.register("mallory");
  }

  @AfterEach
  void stop() {
    attack.close();
  }

  /** Mallory's vault write, as the request an attacker hides in a body. */
  private String smuggled(String key) {
    String body = "{\"key\":\"" + key + "\",\"value\":\"x\"}";
    return "POST /api/v1/vault HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
        + mallory
        + "\r\nContent-Type: application/json\r\nContent-Length: "
        + body.length()
        + "\r\n\r\n"
        + body;
  }

  /** Writes {@code request}, reads until the server closes; fails when it does not in 10 s. */
  private String exchange(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      try {
        for (int n; (n = in.read(buffer)) > 0; ) {
          answer.write(buffer, 0, n);
        }
      } catch (SocketTimeoutException open) {
        fail("the server kept the connection open after: " + answer);
      } catch (IOException reset) {
        // a reset after the answer: what was read is what came
      }
      return answer.toString(StandardCharsets.ISO_8859_1);
    }
  }

  private static List<String> statuses(String answers) {
    Matcher matcher = STATUS_LINE.matcher(answers);
    List<String> found = new java.util.ArrayList<>();
    while (matcher.find()) {
      found.add(matcher.group(1));
    }
    return found;
  }

  private void assertNotStored(String key) throws Exception {
    HttpResponse<String> vault = attack.call("GET", "/api/v1/vault", null, mallory);
    assertEquals(200, vault.statusCode(), vault.body());
    assertFalse(vault.body().contains(key), "the smuggled request ran: " + vault.body());
  }

  @Test
  void shouldNotRunARequestHiddenInTheBodyOfARefusedRequest() throws Exception {
    start();
    // 413 by Content-Length, answered before the body is read: the body must not be read as a
    // request afterwards, however soon it arrives
    String hidden = smuggled("after413");
    String body = hidden + " ".repeat(70_000 - hidden.length());
    String answers =
        exchange(
            "POST /auth/register HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: "
                + body.length()
                + "\r\n\r\n"
                + body);
    assertEquals(List.of("413"), statuses(answers), answers);
    assertNotStored("after413");
    // 401 for a body sent without a token, the same
    hidden = smuggled("after401");
    answers =
        exchange(
            "POST /api/v1/flows HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: "
                + hidden.length()
                + "\r\n\r\n"
                + hidden);
    assertEquals(List.of("401"), statuses(answers), answers);
    assertNotStored("after401");
  }

  @Test
  void shouldReadNoRequestAfterOneThatAskedToCloseTheConnection() throws Exception {
    start();
    String answers =
        exchange(
            "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                + smuggled("afterclose"));
    assertEquals(List.of("200"), statuses(answers), answers);
    assertNotStored("afterclose");
  }

  @Test
  void shouldRefuseRequestsWhoseLengthCanBeReadTwoWays() throws Exception {
    start();
    record Case(String framing, String body, String message) {}
    String hidden = smuggled("framed");
    String chunk = Integer.toHexString(hidden.length()) + "\r\n" + hidden + "\r\n0\r\n\r\n";
    List<Case> cases =
        List.of(
            new Case("Content-Length: 2\r\nContent-Length: 5\r\n", "{}" + hidden, "given once"),
            new Case("Content-Length: 2, 2\r\n", "{}" + hidden, "given once"),
            new Case("Content-Length: -1\r\n", "{}" + hidden, "non-negative decimal"),
            new Case("Content-Length: +2\r\n", "{}" + hidden, "non-negative decimal"),
            new Case(
                "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n",
                "2\r\n{}\r\n0\r\n\r\n" + hidden,
                "not both"),
            new Case("Transfer-Encoding: gzip, chunked\r\n", chunk, "'chunked' alone"),
            new Case("Transfer-Encoding: identity\r\n", hidden, "'chunked' alone"),
            new Case(
                "Transfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n",
                chunk,
                "'chunked' alone"));
    for (Case c : cases) {
      String answers =
          exchange(
              "POST /api/v1/flows HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                  + mallory
                  + "\r\nContent-Type: application/json\r\n"
                  + c.framing()
                  + "\r\n"
                  + c.body());
      assertEquals(List.of("400"), statuses(answers), c.framing() + answers);
      assertTrue(answers.contains("\"code\":400") && answers.contains(c.message()), answers);
      assertTrue(answers.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), answers);
    }
    assertNotStored("framed");
    HttpResponse<String> flows = attack.call("GET", "/api/v1/flows", null, mallory);
    assertEquals(0L, AttackServer.json(flows).get("total"), "a refused request made a flow");
  }

  @Test
  void shouldAnswerAMalformedChunkSizeWith400AndClose() throws Exception {
    start();
    for (String size : List.of("zz", "FFFFFFFFFFFFFFFFFF", "-1")) {
      String answers =
          exchange(
              "POST /api/v1/flows HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                  + mallory
                  + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                  + size
                  + "\r\n{}\r\n0\r\n\r\n"
                  + smuggled("chunked"));
      assertEquals(List.of("400"), statuses(answers), size + ": " + answers);
      assertTrue(answers.contains("malformed chunked encoding"), answers);
    }
    assertNotStored("chunked");
    HttpResponse<String> health = attack.call("GET", "/api/v1/health", null, null);
    assertEquals(200, health.statusCode());
  }

  @Test
  void shouldStillServeKeepAliveAndPipelinedRequests() throws Exception {
    start();
    // what the checks must not break: two pipelined requests, a chunked body, then a close
    String body = "{\"name\":\"piped\"}";
    String answers =
        exchange(
            "GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /api/v1/flows HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + mallory
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: Chunked\r\n\r\n"
                + Integer.toHexString(body.length())
                + "\r\n"
                + body
                + "\r\n0\r\n\r\n"
                + "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assertEquals(List.of("200", "201", "200"), statuses(answers), answers);
  }
}
