package dev.z8run.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow requests (slowloris): a client that trickles a request's headers or body, a piece every
 * little while, must not hold its connection for ever. Each test paces its bytes on a real socket
 * under deadlines of one second ({@code Z8_HEADERS_TIMEOUT_MS}, {@code Z8_BODY_TIMEOUT_MS}) and
 * checks that the server answers 408 in the error shape and closes, while a client that pauses
 * between requests, or sits on the editor's socket, is left alone (docs/security.md, finding 5c).
 */
class SlowRequestAttackTest {
  /** Each test's deadlines. */
  private static final int DEADLINE_MS = 1_000;

  /** How long a test trickles before it gives up on an answer: far past the deadline. */
  private static final long GIVE_UP_MS = 8_000;

  @TempDir Path dataDir;

  private final AttackServer attack = new AttackServer();
  private Z8Server server;

  private void start() throws Exception {
    server =
        attack.start(
            dataDir,
            "Z8_HEADERS_TIMEOUT_MS",
            String.valueOf(DEADLINE_MS),
            "Z8_BODY_TIMEOUT_MS",
            String.valueOf(DEADLINE_MS),
            "Z8_BODY_MIN_BYTES_PER_S",
            "1000000");
  }

  @AfterEach
  void stop() {
    attack.close();
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", server.port());
    socket.setSoTimeout(200);
    return socket;
  }

  /**
   * Writes {@code first}, then {@code piece} again and again, whenever 200 ms pass without an
   * answer, reading what the server sends between them; returns what was read once the server
   * closed, or null when it did not within {@link #GIVE_UP_MS}.
   */
  private static String trickle(Socket socket, String first, String piece) throws IOException {
    OutputStream out = socket.getOutputStream();
    InputStream in = socket.getInputStream();
    out.write(first.getBytes(StandardCharsets.ISO_8859_1));
    out.flush();
    ByteArrayOutputStream answer = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    long giveUp = System.nanoTime() + GIVE_UP_MS * 1_000_000;
    while (System.nanoTime() < giveUp) {
      try {
        int n = in.read(buffer);
        if (n < 0) {
          return answer.toString(StandardCharsets.ISO_8859_1);
        }
        answer.write(buffer, 0, n);
        continue;
      } catch (SocketTimeoutException quiet) {
        // nothing yet: send the next piece
      } catch (IOException reset) {
        return answer.toString(StandardCharsets.ISO_8859_1);
      }
      try {
        out.write(piece.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      } catch (IOException closed) {
        // closed under a write: read what came before it
      }
    }
    return null;
  }

  private static void assertRequestTimeout(String answer, String says) {
    assertTrue(answer != null, "the server still held the connection after " + GIVE_UP_MS + " ms");
    assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
    assertTrue(answer.contains("Connection: close"), answer);
    assertTrue(answer.contains("{\"error\":{\"code\":408,\"message\":\"" + says), answer);
  }

  @Test
  void shouldAnswer408AndCloseAConnectionWhoseHeadersTrickle() throws Exception {
    start();
    try (Socket socket = connect()) {
      String answer = trickle(socket, "GET /api/v1/info HTTP/1.1\r\nHost: x\r\n", "X-Slow: 1\r\n");
      assertRequestTimeout(answer, "the request's headers did not arrive within 1000 ms");
    }
  }

  @Test
  void shouldAnswer408AndCloseAKeptAliveConnectionWhoseNextRequestLineTrickles() throws Exception {
    start();
    try (Socket socket = connect()) {
      String answer =
          trickle(
              socket,
              "GET /api/v1/info HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/info?a=",
              "aaaaaaaa"); // a request line of 2,000 bytes at most, 8 bytes every 200 ms
      assertTrue(answer != null, "the server still held the connection");
      assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
      int second = answer.indexOf("HTTP/1.1 408 ");
      assertTrue(second > 0, answer);
      assertRequestTimeout(answer.substring(second), "the request's headers did not arrive");
    }
  }

  @Test
  void shouldAnswer408AndCloseARestBodyThatTrickles() throws Exception {
    start();
    String token = attack.admin();
    try (Socket socket = connect()) {
      String answer =
          trickle(
              socket,
              "POST /api/v1/flows HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                  + token
                  + "\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
              " ");
      assertRequestTimeout(answer, "the request body did not arrive within ");
    }
  }

  @Test
  void shouldAnswerAClientThatPausesBetweenRequestsAndSendsItsHeadersInPieces() throws Exception {
    start();
    try (Socket socket = connect()) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      for (int i = 0; i < 2; i++) {
        // kept alive and quiet past the headers' deadline: a pause between requests is no request
        Thread.sleep(DEADLINE_MS * 2L);
        out.write("GET /api/v1/info HTTP/1.1\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        Thread.sleep(DEADLINE_MS / 4);
        out.write("Host: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        String head = readHead(in);
        assertTrue(head.startsWith("HTTP/1.1 200 "), head);
        skipBody(in, head);
      }
    }
  }

  /**
   * A kept-alive connection that waits longer than {@code Z8_IDLE_TIMEOUT_MS} for its next request
   * is closed: before, an idle connection stayed open for minutes, so one address could keep its
   * whole share of connections without sending anything more.
   */
  @Test
  void shouldCloseAKeptAliveConnectionIdlePastItsTimeout() throws Exception {
    server = attack.start(dataDir, "Z8_IDLE_TIMEOUT_MS", String.valueOf(DEADLINE_MS));
    try (Socket socket = connect()) {
      socket.setSoTimeout((int) GIVE_UP_MS);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(
          "GET /api/v1/info HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      String head = readHead(in);
      assertTrue(head.startsWith("HTTP/1.1 200 "), head);
      skipBody(in, head);
      long idleFromNs = System.nanoTime();
      int next;
      try {
        next = in.read();
      } catch (SocketTimeoutException stillOpen) {
        next = -2;
      } catch (IOException reset) {
        next = -1;
      }
      long idleMs = (System.nanoTime() - idleFromNs) / 1_000_000;
      assertEquals(-1, next, "the idle connection still open after " + idleMs + " ms");
      assertTrue(idleMs >= DEADLINE_MS - 50, "closed after " + idleMs + " ms");
    }
  }

  @Test
  void shouldLeaveAnUpgradedEditorSocketOpenPastTheDeadlines() throws Exception {
    start();
    try (Socket socket = connect()) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(upgrade("GET").getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      String head = readHead(in);
      assertTrue(head.startsWith("HTTP/1.1 101 "), head);
      Thread.sleep(DEADLINE_MS * 3L);
      // a masked ping with no payload: the socket answers a pong
      out.write(new byte[] {(byte) 0x89, (byte) 0x80, 1, 2, 3, 4});
      out.flush();
      assertEquals(0x8A, in.read(), "a pong");
    }
  }

  @Test
  void shouldAnswerAPostToTheEditorSocketAsAPostNotAnUpgrade() throws Exception {
    start();
    try (Socket socket = connect()) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(upgrade("POST").getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      String head = readHead(socket.getInputStream());
      assertFalse(head.startsWith("HTTP/1.1 101 "), "RFC 6455 upgrades a GET only: " + head);
      assertTrue(head.startsWith("HTTP/1.1 404 ") || head.startsWith("HTTP/1.1 405 "), head);
    }
  }

  private static String upgrade(String method) {
    return method
        + " /ws/engine HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
        + "Content-Length: 0\r\n\r\n";
  }

  /** Reads an answer's status line and headers. */
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

  private static void skipBody(InputStream in, String head) throws IOException {
    java.util.regex.Matcher length =
        java.util.regex.Pattern.compile("(?i)content-length: (\\d+)").matcher(head);
    assertTrue(length.find(), head);
    in.readNBytes(Integer.parseInt(length.group(1)));
  }
}
