package dev.z8run.api.ws;

import static dev.z8run.api.ws.DocClient.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.api.Main;
import dev.z8run.api.TestSettings;
import dev.z8run.api.Z8Server;
import dev.z8run.io.json.JsonCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile clients of {@code /ws/engine}: each bad frame of docs/protocol.md's "Bad frames" table
 * gets its ERROR or close, the server stays up, and a well-behaved client connected all along is
 * not disturbed.
 */
class EngineSocketHostileTest {
  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";

  @TempDir Path dataDir;
  private Z8Server server;
  private String token;
  private DocClient bystander;

  @BeforeEach
  void start() throws Exception {
    server =
        Main.start(
            TestSettings.ephemeral(
                Map.of(
                    "Z8_DATA_DIR",
                    dataDir.toString(),
                    "Z8_JWT_SECRET",
                    SECRET,
                    "Z8_WS_AUTH_TIMEOUT_MS",
                    "1500")));
    token =
        dev.z8run.api.auth.Tokens.withSecret(SECRET)
            .issue(new dev.z8run.api.auth.UserPrincipal("u1", "alice"));
    bystander = DocClient.connect(server.port());
    bystander.handshake(token);
  }

  @AfterEach
  void stop() throws Exception {
    // the well-behaved client saw nothing of it
    assertFalse(bystander.isClosed(), "the bystander's connection stays open");
    assertEquals(PONG, bystander.request(PING, "").type());
    bystander.close();
    server.close();
  }

  private DocClient authenticated() throws Exception {
    DocClient client = DocClient.connect(server.port());
    client.handshake(token);
    return client;
  }

  private static int code(Frame frame) {
    return ((Number) ((Map<?, ?>) JsonCodec.parse(frame.text())).get("code")).intValue();
  }

  private static String message(Frame frame) {
    return (String) ((Map<?, ?>) JsonCodec.parse(frame.text())).get("message");
  }

  private static byte[] header(int version, int type, int correlationId, long payloadLength) {
    ByteBuffer out = ByteBuffer.allocate(11).order(ByteOrder.LITTLE_ENDIAN);
    out.put((byte) version).putShort((short) type).putInt(correlationId);
    out.putInt((int) payloadLength);
    return out.array();
  }

  private static byte[] concat(byte[] a, byte[] b) {
    byte[] out = new byte[a.length + b.length];
    System.arraycopy(a, 0, out, 0, a.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  /** A raw socket past the WebSocket upgrade: java.net.http refuses to send a ping over 125. */
  private java.net.Socket upgraded() throws java.io.IOException {
    java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port());
    socket.setSoTimeout(10_000);
    socket
        .getOutputStream()
        .write(
            ("GET /ws/engine HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    java.io.InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    assertTrue(head.toString().startsWith("HTTP/1.1 101"), head.toString());
    return socket;
  }

  /** A masked client frame (mask 0: the payload goes as is) of opcode {@code opcode}. */
  private static byte[] clientFrame(boolean fin, int opcode, int payloadLength) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write((fin ? 0x80 : 0) | opcode);
    if (payloadLength < 126) {
      out.write(0x80 | payloadLength);
    } else {
      out.write(0x80 | 126);
      out.write(payloadLength >>> 8);
      out.write(payloadLength & 0xff);
    }
    out.writeBytes(new byte[4]); // masking key 0
    out.writeBytes(new byte[payloadLength]);
    return out.toByteArray();
  }

  /** The code of the close frame the server sends, skipping other frames; -1 if none came. */
  private static int closeCode(java.net.Socket socket) throws java.io.IOException {
    java.io.DataInputStream in = new java.io.DataInputStream(socket.getInputStream());
    try {
      while (true) {
        int opcode = in.readUnsignedByte() & 0x0f;
        long length = in.readUnsignedByte() & 0x7f;
        if (length == 126) {
          length = in.readUnsignedShort();
        } else if (length == 127) {
          length = in.readLong();
        }
        byte[] payload = in.readNBytes((int) length);
        if (opcode == 0x8) {
          return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : 1005;
        }
      }
    } catch (java.io.EOFException | java.net.SocketTimeoutException none) {
      return -1;
    }
  }

  @Test
  void shouldClosePingWithPayloadOver125BytesWith1002() throws Exception {
    try (java.net.Socket socket = upgraded()) {
      socket.getOutputStream().write(clientFrame(true, 0x9, 200));
      assertEquals(1002, closeCode(socket), "a control frame over 125 bytes is a protocol error");
    }
    try (java.net.Socket socket = upgraded()) {
      socket.getOutputStream().write(clientFrame(true, 0x9, 125));
      socket.getOutputStream().write(clientFrame(true, 0x8, 0));
      assertEquals(1000, closeCode(socket), "125 bytes is a ping like any other");
    }
  }

  @Test
  void shouldCloseATextMessageWith1003() throws Exception {
    try (DocClient client = authenticated()) {
      client.sendText("{\"type\":\"hello\"}");
      assertEquals("1003 binary frames only", client.awaitClose(5_000));
    }
  }

  @Test
  void shouldRefuseAWrongVersionAndClose() throws Exception {
    try (DocClient client = authenticated()) {
      client.sendRaw(DocClient.frame(2, PING, 7, new byte[0]));
      Frame error = client.reply(7);
      assertEquals(ERROR, error.type());
      assertEquals(400, code(error));
      assertEquals("version=2 is not the supported version=1", message(error));
      assertTrue(client.awaitClose(5_000).startsWith("1002"));
    }
  }

  @Test
  void shouldAnswerAnUnknownTypeAndKeepTheConnection() throws Exception {
    try (DocClient client = authenticated()) {
      client.sendRaw(DocClient.frame(1, 0x0999, 9, new byte[0]));
      Frame error = client.reply(9);
      assertEquals(400, code(error));
      assertEquals("msg_type=0x0999 is unknown", message(error));
      client.sendRaw(DocClient.frame(1, 0x03F0, 10, new byte[0]));
      assertEquals(400, code(client.reply(10)), "a debug number nobody defines");
      client.sendRaw(DocClient.frame(1, OK, 11, new byte[0]));
      Frame serverOnly = client.reply(11);
      assertEquals(400, code(serverOnly));
      assertTrue(message(serverOnly).contains("sent by the server only"), message(serverOnly));
      assertEquals(PONG, client.request(PING, "").type());
    }
  }

  @Test
  void shouldCloseOnALengthThatLies() throws Exception {
    try (DocClient shortBody = authenticated();
        DocClient longBody = authenticated()) {
      shortBody.sendRaw(concat(header(1, FLOW_LIST, 3, 10), new byte[] {'{', '}'}));
      Frame error = shortBody.reply(3);
      assertEquals(400, code(error));
      assertEquals("payload_len=10 but 2 bytes follow the header", message(error));
      assertTrue(shortBody.awaitClose(5_000).startsWith("1002"));

      longBody.sendRaw(concat(header(1, FLOW_LIST, 4, 1), new byte[] {'{', '}', ' ', ' '}));
      assertEquals(400, code(longBody.reply(4)));
      assertTrue(longBody.awaitClose(5_000).startsWith("1002"));
    }
  }

  @Test
  void shouldRefuseAnOversizedPayloadLengthWith1009() throws Exception {
    try (DocClient client = authenticated()) {
      client.sendRaw(concat(header(1, FLOW_CREATE, 5, 16L * 1024 * 1024 + 1), new byte[8]));
      Frame error = client.reply(5);
      assertEquals(413, code(error));
      assertEquals("payload_len=16777217 exceeds 16777216", message(error));
      assertTrue(client.awaitClose(5_000).startsWith("1009"));
    }
  }

  @Test
  void shouldCloseAMessageLargerThanAnyFrameWith1009() throws Exception {
    try (DocClient client = authenticated()) {
      try {
        client.sendRaw(new byte[11 + 16 * 1024 * 1024 + 1]);
      } catch (java.util.concurrent.CompletionException cutOff) {
        // the server refused the message from its header and closed before it was all sent
      }
      String closed = client.awaitClose(10_000);
      // the server closes with 1009 on reading the header; a client still sending may see its
      // connection cut (broken pipe) before it reads that close frame
      assertTrue(closed.startsWith("1009") || closed.startsWith("error"), closed);
    }
  }

  @Test
  void shouldAnswerGarbageWithAnErrorAndClose() throws Exception {
    try (DocClient client = authenticated()) {
      client.sendRaw(new byte[] {9, 9, 9});
      Frame error = client.reply(0);
      assertEquals(400, code(error));
      assertTrue(message(error).contains("shorter than the header"), message(error));
      assertTrue(client.awaitClose(5_000).startsWith("1002"));
    }
  }

  @Test
  void shouldAssembleAFrameSentInFragments() throws Exception {
    try (DocClient client = authenticated()) {
      byte[] frame =
          DocClient.frame(1, FLOW_LIST, 12, "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      client.sendFragments(frame, 4);
      assertEquals(OK, client.reply(12).type());
    }
  }

  @Test
  void shouldRefuseUnsharedVersionsInHello() throws Exception {
    try (DocClient client = DocClient.connect(server.port())) {
      Frame error = client.request(HELLO, "{\"versions\":[2,3]}");
      assertEquals(426, code(error));
      assertTrue(client.awaitClose(5_000).startsWith("1002"));
    }
  }

  @Test
  void shouldCloseAfterThreeFailedAuthentications() throws Exception {
    try (DocClient client = DocClient.connect(server.port())) {
      for (int i = 0; i < 3; i++) {
        Frame refused = client.request(AUTHENTICATE, "{\"token\":\"forged.token.value\"}");
        assertEquals(AUTH_RESULT, refused.type());
        assertEquals(false, ((Map<?, ?>) JsonCodec.parse(refused.text())).get("ok"));
      }
      assertEquals("1008 too many failed authentications", client.awaitClose(5_000));
    }
  }

  @Test
  void shouldCloseAConnectionThatNeverAuthenticates() throws Exception {
    try (DocClient client = DocClient.connect(server.port())) {
      assertEquals(401, code(client.request(SUBSCRIBE, "{\"flow_id\":\"x\"}")));
      assertEquals("1008 authentication timeout", client.awaitClose(10_000));
    }
  }

  @Test
  void shouldLimitRequestsPerSecond() throws Exception {
    try (DocClient client = authenticated()) {
      int limited = 0;
      int[] ids = new int[150];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = client.send(PING, "");
      }
      for (int id : ids) {
        Frame reply = client.reply(id);
        if (reply.type() == ERROR) {
          assertEquals(429, code(reply));
          limited++;
        }
      }
      assertTrue(limited >= 40, "at least 150 - 2 x 100 requests were refused: " + limited);
      assertFalse(client.isClosed());
    }
  }

  @Test
  void shouldSurviveRandomAndMutatedFrames() throws Exception {
    Random random = new Random(42);
    for (int round = 0; round < 20; round++) {
      try (DocClient client = authenticated()) {
        for (int i = 0; i < 50 && !client.isClosed(); i++) {
          byte[] frame = DocClient.frame(1, PING, 1000 + i, new byte[random.nextInt(40)]);
          switch (random.nextInt(4)) {
            case 0 -> random.nextBytes(frame);
            case 1 -> frame[random.nextInt(frame.length)] ^= (byte) (1 << random.nextInt(8));
            case 2 -> frame = java.util.Arrays.copyOf(frame, random.nextInt(frame.length + 1));
            default -> frame[1] = (byte) random.nextInt(256);
          }
          try {
            client.sendRaw(frame);
          } catch (RuntimeException closedMeanwhile) {
            break;
          }
        }
      }
    }
    try (DocClient after = authenticated()) {
      assertEquals(PONG, after.request(PING, "").type());
    }
  }
}
