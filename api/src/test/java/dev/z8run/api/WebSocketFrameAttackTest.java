package dev.z8run.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

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
 * WebSocket frames Helidon's reader fails on with an exception it does not turn into a close: a
 * frame with a reserved opcode (3-7, 11-15). Helidon 4.2 answered it with an HTTP/1.1 500 written
 * into the WebSocket stream (and a WARN with a stack trace); the editor socket now closes with 1002
 * and the server goes on (docs/protocol.md, bad frames).
 */
class WebSocketFrameAttackTest {
  @TempDir Path dataDir;

  private final AttackServer attack = new AttackServer();
  private Z8Server server;

  @AfterEach
  void stop() {
    attack.close();
  }

  /** Opens /ws/engine by hand: the 101's head is read, the socket is the WebSocket. */
  private Socket upgrade() throws IOException {
    Socket socket = new Socket("127.0.0.1", server.port());
    socket.setSoTimeout(10_000);
    socket
        .getOutputStream()
        .write(
            ("GET /ws/engine HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        fail("closed during the handshake: " + head);
      }
      head.append((char) b);
    }
    assertTrue(head.toString().startsWith("HTTP/1.1 101"), head.toString());
    return socket;
  }

  /** A masked client frame with {@code opcode}, FIN set, and {@code payload}. */
  private static byte[] frame(int opcode, byte[] payload) {
    byte[] frame = new byte[6 + payload.length];
    frame[0] = (byte) (0x80 | opcode);
    frame[1] = (byte) (0x80 | payload.length);
    byte[] mask = {1, 2, 3, 4};
    System.arraycopy(mask, 0, frame, 2, 4);
    for (int i = 0; i < payload.length; i++) {
      frame[6 + i] = (byte) (payload[i] ^ mask[i % 4]);
    }
    return frame;
  }

  /** Everything the server sends until it closes the connection (fails after 10 s). */
  private static byte[] readToEnd(Socket socket) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    try {
      for (int n; (n = socket.getInputStream().read(buffer)) > 0; ) {
        all.write(buffer, 0, n);
      }
    } catch (SocketTimeoutException open) {
      fail("the server kept the socket open after: " + all);
    } catch (IOException reset) {
      // after the close frame: what was read is what came
    }
    return all.toByteArray();
  }

  @Test
  void shouldCloseAFrameWithAReservedOpcodeWith1002AndNoHttpAnswer() throws Exception {
    server = attack.start(dataDir);
    for (int opcode : new int[] {3, 7, 11, 15}) {
      try (Socket socket = upgrade()) {
        OutputStream out = socket.getOutputStream();
        out.write(frame(opcode, "x".getBytes(StandardCharsets.US_ASCII)));
        out.flush();
        byte[] answer = readToEnd(socket);
        String text = new String(answer, StandardCharsets.ISO_8859_1);
        assertFalse(text.contains("HTTP/1.1"), "opcode " + opcode + ": an HTTP answer: " + text);
        assertTrue(answer.length >= 4, "opcode " + opcode + ": no close frame: " + text);
        assertEquals(0x88, answer[0] & 0xff, "opcode " + opcode + ": not a close frame: " + text);
        assertEquals(1002, ((answer[2] & 0xff) << 8) | (answer[3] & 0xff), text);
      }
    }
    assertEquals(200, attack.call("GET", "/api/v1/health", null, null).statusCode());
  }
}
