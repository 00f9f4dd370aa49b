package dev.z8run.api.ws;

import static dev.z8run.api.ws.Z8CrateClient.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.api.Main;
import dev.z8run.api.TestSettings;
import dev.z8run.api.Z8Server;
import dev.z8run.api.auth.Tokens;
import dev.z8run.api.auth.UserPrincipal;
import dev.z8run.io.json.JsonCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that encodes as z8run's protocol crate does ({@link Z8CrateClient}: bincode, and the
 * debug JSON), over the real socket: authenticate, create, list, get, start (and get its execution
 * events), stop; and malformed bincode, which gets an {@code Error} and keeps the connection.
 */
class Z8CodecSocketTest {
  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";
  private static final UUID USER = UUID.fromString("6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b");
  private static final UUID FLOW = UUID.fromString("0b1c2d3e-4f50-4617-8a9b-acbdcedf0011");
  private static final HexFormat HEX = HexFormat.of();

  @TempDir Path dataDir;
  private Z8Server server;
  private String token;

  @BeforeEach
  void start() {
    server =
        Main.start(
            TestSettings.ephemeral(
                Map.of("Z8_DATA_DIR", dataDir.toString(), "Z8_JWT_SECRET", SECRET)));
    token = Tokens.withSecret(SECRET).issue(new UserPrincipal(USER.toString(), "alice"));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private static String flowDocument() {
    return "{\"id\":\""
        + FLOW
        + "\",\"name\":\"Z8\",\"nodes\":["
        + "{\"id\":\"in\",\"type\":\"inject\",\"config\":{\"payload\":1,\"repeat\":0.1}},"
        + "{\"id\":\"dbg\",\"type\":\"debug\",\"config\":{}}],"
        + "\"wires\":[{\"from\":\"in\",\"to\":\"dbg\"}]}";
  }

  private static DocClient.Frame send(DocClient client, int type, int id, byte[] payload)
      throws InterruptedException {
    client.sendRaw(DocClient.frame(1, type, id, payload));
    return client.reply(id);
  }

  /** Authenticate { token } (message.rs line 104): index 2, then the token as a String. */
  private byte[] authenticate(String token) {
    return variant(AUTHENTICATE).str(token).bytes();
  }

  /** Creates the test flow over a debug-JSON connection (bincode cannot carry a Value). */
  private void createFlowInDebugJson() throws Exception {
    try (DocClient json = DocClient.connect(server.port())) {
      DocClient.Frame auth =
          send(
              json,
              T_AUTHENTICATE,
              1,
              ("{\"type\":\"Authenticate\",\"data\":{\"token\":\"" + token + "\"}}")
                  .getBytes(StandardCharsets.UTF_8));
      assertEquals(T_AUTH_RESULT, auth.type());
      assertEquals(
          Map.of("type", "AuthResult", "data", Map.of("success", true, "user_id", USER.toString())),
          JsonCodec.parse(auth.payload()));
      DocClient.Frame created =
          send(
              json,
              T_FLOW_CREATE,
              2,
              ("{\"type\":\"FlowCreate\",\"data\":{\"flow\":" + flowDocument() + "}}")
                  .getBytes(StandardCharsets.UTF_8));
      assertEquals(T_OK, created.type(), created.text());
      Map<?, ?> ok = (Map<?, ?>) JsonCodec.parse(created.payload());
      assertEquals("Ok", ok.get("type"));
      Map<?, ?> data = (Map<?, ?>) ok.get("data");
      assertEquals(2L, data.get("correlation_id"));
      assertEquals(FLOW.toString(), ((Map<?, ?>) data.get("data")).get("id"));

      DocClient.Frame listed =
          send(json, T_FLOW_LIST, 3, "{\"type\":\"FlowList\"}".getBytes(StandardCharsets.UTF_8));
      Map<?, ?> list = (Map<?, ?>) ((Map<?, ?>) JsonCodec.parse(listed.payload())).get("data");
      assertEquals(1L, ((Map<?, ?>) list.get("data")).get("total"));
    }
  }

  @Test
  void shouldAuthenticateListGetStartAndStreamEventsInBincode() throws Exception {
    createFlowInDebugJson();
    try (DocClient client = DocClient.connect(server.port())) {
      // Authenticate { token: "ab" } by hand: variant 2, u64 length 2, "ab" (message.rs l.104)
      assertArrayEquals(HEX.parseHex("02000000" + "0200000000000000" + "6162"), authenticate("ab"));
      DocClient.Frame refused = send(client, T_AUTHENTICATE, 1, authenticate("ab"));
      assertEquals(T_AUTH_RESULT, refused.type());
      // AuthResult { success: false, user_id: None }: variant 3, bool 0, Option tag 0
      assertArrayEquals(HEX.parseHex("03000000" + "00" + "00"), refused.payload());

      DocClient.Frame auth = send(client, T_AUTHENTICATE, 2, authenticate(token));
      // AuthResult { success: true, user_id: Some(USER) }: 3, 01, 01, u64 16, the 16 bytes
      assertEquals(
          "03000000" + "01" + "01" + "1000000000000000" + HEX.formatHex(uuidBytes(USER)),
          HEX.formatHex(auth.payload()));

      // Ping is variant 0; Pong variant 1 (message.rs lines 102-103)
      DocClient.Frame pong = send(client, T_PING, 3, HEX.parseHex("00000000"));
      assertEquals(T_PONG, pong.type());
      assertArrayEquals(HEX.parseHex("01000000"), pong.payload());

      // FlowList: unit variant 9. Ok { correlation_id: 4, data: Some(Value) }: 20, 4, tag 1...
      DocClient.Frame listed = send(client, T_FLOW_LIST, 4, variant(FLOW_LIST).bytes());
      assertEquals(T_OK, listed.type());
      byte[] list = listed.payload();
      assertEquals("14000000" + "04000000" + "01", HEX.formatHex(Arrays.copyOf(list, 9)));
      // the Value is a map (u64 count 2, keys in BTreeMap order): "flows" then "total"
      assertEquals(
          "0200000000000000" + "0500000000000000" + HEX.formatHex("flows".getBytes()),
          HEX.formatHex(Arrays.copyOfRange(list, 9, 30)));
      assertTrue(contains(list, FLOW.toString().getBytes(StandardCharsets.UTF_8)));

      // FlowGet { flow_id }: variant 10, then the Uuid as 16 bytes with a u64 length
      byte[] get = variant(FLOW_GET).uuid(FLOW).bytes();
      assertEquals(
          "0a000000" + "1000000000000000" + "0b1c2d3e4f5046178a9bacbdcedf0011", HEX.formatHex(get));
      DocClient.Frame got = send(client, T_FLOW_GET, 5, get);
      assertEquals(T_OK, got.type());
      assertTrue(contains(got.payload(), FLOW.toString().getBytes(StandardCharsets.UTF_8)));
      // a flow the user does not have: Error { correlation_id: 8, code: 404, ... }
      UUID other = UUID.fromString("11111111-2222-4333-8444-555555555555");
      DocClient.Frame missing = send(client, T_FLOW_GET, 8, variant(FLOW_GET).uuid(other).bytes());
      Z8Error notFound = Z8CrateClient.error(missing.payload());
      assertEquals(8, notFound.correlationId());
      assertEquals(404, notFound.code());

      // FlowStart (variant 7) deploys and runs it, and subscribes this connection
      DocClient.Frame started =
          send(client, T_FLOW_START, 6, variant(FLOW_START).uuid(FLOW).bytes());
      assertEquals(T_OK, started.type(), () -> HEX.formatHex(started.payload()));
      DocClient.Frame event = client.awaitEvent(f -> f.type() == T_EXEC_STARTED, 10_000);
      assertNotNull(event, "an ExecStarted event");
      assertEquals(0, event.correlationId());
      // ExecStarted { flow_id, trace_id }: variant 11, Uuid, Uuid (high 64 bits 0)
      ByteBuffer in = ByteBuffer.wrap(event.payload()).order(ByteOrder.LITTLE_ENDIAN);
      assertEquals(EXEC_STARTED, in.getInt());
      assertEquals(16, in.getLong());
      byte[] flow = new byte[16];
      in.get(flow);
      assertArrayEquals(uuidBytes(FLOW), flow);
      assertEquals(16, in.getLong());
      assertEquals(0, in.order(ByteOrder.BIG_ENDIAN).getLong(), "trace id high bits");
      in.getLong();
      assertFalse(in.hasRemaining());
      DocClient.Frame completed = client.awaitEvent(f -> f.type() == 0x0205, 10_000);
      assertNotNull(completed, "an ExecCompleted event");
      assertEquals(EXEC_COMPLETED, completed.reader().getInt());
      assertEquals(4 + 24 + 24 + 8, completed.payload().length);
      for (DocClient.Frame seen : client.events()) {
        assertTrue(
            List.of(0x0200, 0x0202, 0x0203, 0x0205).contains(seen.type()),
            "only z8run's Exec* events: " + Integer.toHexString(seen.type()));
      }

      DocClient.Frame stopped = send(client, T_FLOW_STOP, 7, variant(FLOW_STOP).uuid(FLOW).bytes());
      assertEquals(T_OK, stopped.type());
    }
  }

  @Test
  void shouldAnswerMalformedBincodeWithAnErrorAndKeepTheConnection() throws Exception {
    try (DocClient client = DocClient.connect(server.port())) {
      // before the encoding is known: a token whose length says 2^64-1
      DocClient.Frame lying =
          send(client, T_AUTHENTICATE, 1, variant(AUTHENTICATE).u64(-1).raw('a').bytes());
      assertEquals(T_ERROR, lying.type());
      Z8Error error = Z8CrateClient.error(lying.payload());
      assertEquals(new Z8Error(1, 400, error.message()), error);
      assertTrue(error.message().contains("exceeds"), error.message());

      assertEquals(T_AUTH_RESULT, send(client, T_AUTHENTICATE, 2, authenticate(token)).type());

      Map<String, byte[]> bad =
          Map.of(
              "unknown variant index 22",
              variant(22).bytes(),
              "huge uuid length",
              variant(FLOW_GET).u64(Long.MAX_VALUE).bytes(),
              "uuid of 17 bytes",
              variant(FLOW_GET).u64(17).raw(new int[17]).bytes(),
              "truncated uuid",
              variant(FLOW_GET).u64(16).raw(1, 2, 3).bytes(),
              "trailing bytes",
              variant(FLOW_LIST).raw(0).bytes(),
              "empty payload",
              new byte[0],
              "our JSON on a bincode connection",
              "{}".getBytes(StandardCharsets.UTF_8),
              "a truncated variant index",
              HEX.parseHex("0900"));
      int id = 10;
      for (Map.Entry<String, byte[]> entry : bad.entrySet()) {
        int type = entry.getKey().contains("uuid") ? T_FLOW_GET : T_FLOW_LIST;
        DocClient.Frame reply = send(client, type, id, entry.getValue());
        assertEquals(T_ERROR, reply.type(), entry.getKey());
        Z8Error decoded = Z8CrateClient.error(reply.payload());
        assertEquals(id, decoded.correlationId(), entry.getKey());
        assertEquals(400, decoded.code(), entry.getKey() + ": " + decoded.message());
        id++;
      }
      // a Value in bincode cannot be decoded (bincode has no deserialize_any): 415
      DocClient.Frame create = send(client, T_FLOW_CREATE, 30, variant(FLOW_CREATE).u64(0).bytes());
      assertEquals(415, Z8CrateClient.error(create.payload()).code());
      // the header's msg_type and the payload's variant disagree
      DocClient.Frame mismatch = send(client, T_FLOW_STOP, 31, variant(FLOW_LIST).bytes());
      assertEquals(400, Z8CrateClient.error(mismatch.payload()).code());
      // a server-to-client variant: Pong sent as a Ping frame is a mismatch; as its own type 400
      DocClient.Frame serverOnly = send(client, T_PING, 32, variant(ERROR).u32(1).bytes());
      assertEquals(T_ERROR, serverOnly.type());

      assertFalse(client.isClosed());
      assertArrayEquals(
          HEX.parseHex("01000000"), send(client, T_PING, 40, variant(PING).bytes()).payload());
    }
  }

  @Test
  void shouldKeepAnsweringThisServersJsonClientsInTheirOwnEncoding() throws Exception {
    try (DocClient ours = DocClient.connect(server.port())) {
      ours.handshake(token);
      DocClient.Frame listed = ours.request(DocClient.FLOW_LIST, "{}");
      assertEquals(Map.of("flows", List.of(), "total", 0L), JsonCodec.parse(listed.payload()));
      // once the connection speaks our JSON, bincode is refused as JSON
      DocClient.Frame bincode = send(ours, DocClient.FLOW_LIST, 99, variant(FLOW_LIST).bytes());
      assertEquals(DocClient.ERROR, bincode.type());
      assertEquals(400L, ((Map<?, ?>) JsonCodec.parse(bincode.payload())).get("code"));
    }
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
