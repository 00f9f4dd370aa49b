package dev.z8run.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.api.auth.Tokens;
import dev.z8run.api.auth.UserPrincipal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What goes on the wire for the statuses without content (RFC 9110 §8.6, §15.3.5, §15.4.5): a 204
 * carries no {@code Content-Length} and no body, whether the API or a flow's {@code http-out}
 * answers; a flow's 304 carries neither, and its 205 no body and {@code Content-Length: 0}. Read as
 * raw bytes from a real socket of the real server, since an HTTP client hides both.
 */
class NoContentWireTest {
  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";
  private static final String FLOW =
      """
      {"id":"empty","name":"empty","nodes":[
        {"id":"in204","type":"http-in","config":{"method":"GET","path":"/gone"}},
        {"id":"set204","type":"change","config":{"rules":[
          {"t":"set","p":"payload","pt":"msg","to":"not for the wire","tot":"str"},
          {"t":"set","p":"statusCode","pt":"msg","to":"204","tot":"num"},
          {"t":"set","p":"headers","pt":"msg",
           "to":"{\\"Content-Length\\":\\"16\\",\\"x-kept\\":\\"yes\\"}","tot":"json"}]}},
        {"id":"in205","type":"http-in","config":{"method":"GET","path":"/reset"}},
        {"id":"set205","type":"change","config":{"rules":[
          {"t":"set","p":"payload","pt":"msg","to":"dropped","tot":"str"},
          {"t":"set","p":"statusCode","pt":"msg","to":"205","tot":"num"}]}},
        {"id":"in304","type":"http-in","config":{"method":"GET","path":"/same"}},
        {"id":"set304","type":"change","config":{"rules":[
          {"t":"set","p":"payload","pt":"msg","to":"{\\"not\\":\\"sent\\"}","tot":"json"},
          {"t":"set","p":"statusCode","pt":"msg","to":"304","tot":"num"}]}},
        {"id":"in200","type":"http-in","config":{"method":"GET","path":"/after"}},
        {"id":"set200","type":"change","config":{"rules":[
          {"t":"set","p":"payload","pt":"msg","to":"next","tot":"str"}]}},
        {"id":"out","type":"http-out","config":{}}],
       "wires":[
        {"from":"in204","to":"set204"},{"from":"set204","to":"out"},
        {"from":"in205","to":"set205"},{"from":"set205","to":"out"},
        {"from":"in304","to":"set304"},{"from":"set304","to":"out"},
        {"from":"in200","to":"set200"},{"from":"set200","to":"out"}]}
      """;

  @TempDir Path dataDir;

  private Z8Server server;
  private String alice;

  @BeforeEach
  void start() {
    server =
        Main.start(
            TestSettings.ephemeral(
                Map.of("Z8_DATA_DIR", dataDir.toString(), "Z8_JWT_SECRET", SECRET)));
    alice = Tokens.withSecret(SECRET).issue(new UserPrincipal("alice-id", "alice"));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void shouldAnswerAnApiDeleteWith204WithoutContentLength() throws Exception {
    server.store().vault().put("alice-id", "api_token", "s3cr3t");

    Answer deleted = exchange(request("DELETE", "/api/v1/vault/api_token", alice, null));

    assertEquals(204, deleted.status(), deleted.head());
    assertNoContentLength(deleted);
    assertEquals(0, deleted.trailing().length, "bytes after the head: " + deleted.trailing());
  }

  @Test
  void shouldAnswerAFlows204WithoutContentLengthOrThePayload() throws Exception {
    deployFlow();

    Answer answer = exchange(request("GET", "/hook/empty/gone", null, null));

    assertEquals(204, answer.status(), answer.head());
    assertNoContentLength(answer); // the flow's own Content-Length: 16 too
    assertEquals("yes", answer.header("x-kept"), answer.head());
    assertEquals("", new String(answer.trailing(), StandardCharsets.UTF_8));
  }

  @Test
  void shouldAnswerAFlows205WithContentLengthZeroAndWithoutThePayload() throws Exception {
    deployFlow();

    Answer answer = exchange(request("GET", "/hook/empty/reset", null, null));

    assertEquals(205, answer.status(), answer.head());
    assertEquals("0", answer.header("content-length"), "RFC 9110 §15.3.6:\n" + answer);
    assertEquals("", new String(answer.trailing(), StandardCharsets.UTF_8));
  }

  @Test
  void shouldAnswerAFlows304WithoutThePayloadAndKeepTheConnectionUsable() throws Exception {
    deployFlow();

    try (Socket socket = connect()) {
      // 304 then 200 on one connection: a body sent after the 304 would be read as the next
      // answer's start, so the second answer's status line shows it
      write(socket, request("GET", "/hook/empty/same", null, null));
      Answer notModified = readHead(socket.getInputStream());
      assertEquals(304, notModified.status(), notModified.head());
      assertNoContentLength(notModified);
      write(socket, request("GET", "/hook/empty/after", null, null));
      Answer next = readHead(socket.getInputStream());
      assertEquals(200, next.status(), "what followed the 304: " + next.head());
      assertEquals("next", new String(body(socket.getInputStream(), next), StandardCharsets.UTF_8));
    }
  }

  @Test
  void shouldAnswerOptionsOnAHookPathWith204WithoutContentLength() throws Exception {
    deployFlow();

    Answer answer = exchange(request("OPTIONS", "/hook/empty/gone", null, null));

    assertEquals(204, answer.status(), answer.head());
    assertTrue(answer.header("allow").contains("GET"), answer.head());
    assertNoContentLength(answer);
    assertEquals(0, answer.trailing().length);
  }

  private void deployFlow() throws IOException {
    Answer created = exchange(request("POST", "/api/v1/flows", alice, FLOW));
    assertEquals(201, created.status(), created.head());
    Answer started = exchange(request("POST", "/api/v1/flows/empty/start", alice, null));
    assertEquals(200, started.status(), started.head());
  }

  private static void assertNoContentLength(Answer answer) {
    assertEquals(
        "", answer.header("content-length"), "no Content-Length in a 204 or 304:\n" + answer);
  }

  private static byte[] request(String method, String path, String token, String body) {
    byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder();
    head.append(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    if (token != null) {
      head.append("Authorization: Bearer ").append(token).append("\r\n");
    }
    if (body != null) {
      head.append("Content-Type: application/json\r\n");
    }
    head.append("Content-Length: ").append(content.length).append("\r\n\r\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(head.toString().getBytes(StandardCharsets.US_ASCII));
    out.writeBytes(content);
    return out.toByteArray();
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket();
    socket.setSoTimeout(10_000);
    socket.connect(new InetSocketAddress("127.0.0.1", server.port()));
    return socket;
  }

  private static void write(Socket socket, byte[] request) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(request);
    out.flush();
  }

  /**
   * One request on its own connection: the answer's head, its body when it declares a length, and
   * whatever else arrives within a short wait (for a 204, nothing may).
   */
  private Answer exchange(byte[] request) throws IOException {
    try (Socket socket = connect()) {
      write(socket, request);
      InputStream in = socket.getInputStream();
      Answer answer = readHead(in);
      byte[] body = body(in, answer);
      socket.setSoTimeout(300); // a quiet wire: nothing that could be a stray body follows
      ByteArrayOutputStream rest = new ByteArrayOutputStream();
      rest.writeBytes(body);
      try {
        int b;
        while ((b = in.read()) >= 0) {
          rest.write(b);
        }
      } catch (SocketTimeoutException quiet) {
        // nothing more was sent
      }
      return new Answer(answer.head(), rest.toByteArray());
    }
  }

  private static Answer readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed after: " + head);
      }
      head.append((char) b);
    }
    return new Answer(head.toString(), new byte[0]);
  }

  private static byte[] body(InputStream in, Answer answer) throws IOException {
    String length = answer.header("content-length");
    return length.isEmpty() ? new byte[0] : in.readNBytes(Integer.parseInt(length));
  }

  /** An answer's head as sent, and the bytes read after it. */
  private record Answer(String head, byte[] trailing) {
    int status() {
      return Integer.parseInt(head.substring(9, 12));
    }

    /** The header's value, "" when absent. */
    String header(String name) {
      for (String line : head.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return "";
    }

    @Override
    public String toString() {
      return head + new String(trailing, StandardCharsets.UTF_8);
    }
  }
}
