package dev.z8run.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Request lines the HTTP/1.1 parser does not take: HTTP/1.0 (what nginx's {@code proxy_pass} sends
 * unless told {@code proxy_http_version 1.1}, and HAProxy's default health check), another version,
 * a line that is no request line. Each was closed without a byte, which a proxy reports as a bare
 * 502; each now gets an answer in the error shape that says what to send, and a closed connection.
 */
class RequestLineTest {
  @TempDir Path dataDir;

  private final AttackServer attack = new AttackServer();
  private Z8Server server;

  @AfterEach
  void stop() {
    attack.close();
  }

  /** Writes {@code request}, reads until the server closes; fails when it does not in 10 s. */
  private String exchange(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", server.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      InputStream in = socket.getInputStream();
      byte[] buffer = new byte[8192];
      try {
        for (int n; (n = in.read(buffer)) > 0; ) {
          answer.write(buffer, 0, n);
        }
      } catch (SocketTimeoutException open) {
        fail("the server kept the connection open after: " + answer);
      }
      return answer.toString(StandardCharsets.ISO_8859_1);
    }
  }

  @Test
  void shouldAnswerAnHttp10RequestWith505SayingToSendHttp11() throws Exception {
    server = attack.start(dataDir);
    for (String request :
        new String[] {
          "GET /api/v1/health HTTP/1.0\r\n\r\n",
          "GET /api/v1/health HTTP/1.0\r\nHost: x\r\nConnection: close\r\n\r\n"
        }) {
      String answer = exchange(request);
      assertTrue(answer.startsWith("HTTP/1.1 505 "), answer);
      assertTrue(
          answer.endsWith(
              "{\"error\":{\"code\":505,\"message\":\"HTTP/1.0 is not supported: send HTTP/1.1"
                  + " (behind nginx: proxy_http_version 1.1)\"}}"),
          answer);
    }
  }

  @Test
  void shouldAnswerALineThatIsNoHttp11RequestWith400() throws Exception {
    server = attack.start(dataDir);
    for (String request :
        new String[] {
          "GET /api/v1/health HTTP/2.0\r\nHost: x\r\n\r\n",
          "GET /api/v1/health\r\n\r\n",
          "hello\r\n\r\n"
        }) {
      String answer = exchange(request);
      assertTrue(answer.startsWith("HTTP/1.1 400 "), request + " -> " + answer);
      assertTrue(answer.contains("{\"error\":{\"code\":400,"), answer);
    }
    // and the server goes on serving HTTP/1.1
    assertEquals(200, attack.call("GET", "/api/v1/health", null, null).statusCode());
  }
}
