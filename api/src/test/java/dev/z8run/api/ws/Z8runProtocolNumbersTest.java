package dev.z8run.api.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.z8run.api.Main;
import dev.z8run.api.TestSettings;
import dev.z8run.api.Z8Server;
import dev.z8run.io.frame.MessageType;
import dev.z8run.io.json.JsonCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client that knows nothing but z8run's protocol crate: the numbers below are copied from z8run's
 * {@code crates/z8run-protocol/src/message.rs} ({@code enum MessageType}, {@code #[repr(u16)]}),
 * and the frame header from its {@code frame.rs} (version u8 = 1, msg_type u16, correlation_id u32,
 * payload_len u32, little endian). Such a client must get z8run's {@code Ok = 0x0F00} and {@code
 * Error = 0x0F01} from this server, and every request z8run defines must be understood (answered,
 * or refused as not implemented) rather than called unknown.
 */
class Z8runProtocolNumbersTest {
  @TempDir Path dataDir;
  private Z8Server server;

  @BeforeEach
  void start() {
    server = Main.start(TestSettings.ephemeral(Map.of("Z8_DATA_DIR", dataDir.toString())));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  /** z8run's MessageType enum, variant by variant, with its discriminant. */
  enum Z8 {
    Ping(0x0001),
    Pong(0x0002),
    Authenticate(0x0003),
    AuthResult(0x0004),
    VersionNegotiation(0x0005),
    FlowCreate(0x0100),
    FlowUpdate(0x0101),
    FlowDelete(0x0102),
    FlowDeploy(0x0103),
    FlowStart(0x0104),
    FlowStop(0x0105),
    FlowPause(0x0106),
    FlowResume(0x0107),
    FlowList(0x0108),
    FlowGet(0x0109),
    ExecStarted(0x0200),
    ExecNodeStarted(0x0201),
    ExecNodeCompleted(0x0202),
    ExecNodeError(0x0203),
    ExecMessageSent(0x0204),
    ExecCompleted(0x0205),
    ExecError(0x0206),
    DebugSetBreakpoint(0x0300),
    DebugRemoveBreakpoint(0x0301),
    DebugStep(0x0302),
    DebugInspect(0x0303),
    DebugInspectResult(0x0304),
    EditorNodeMoved(0x0400),
    EditorZoomChanged(0x0401),
    EditorSelectionChanged(0x0402),
    EditorCursorPosition(0x0403),
    Ok(0x0F00),
    Error(0x0F01);

    final int code;

    Z8(int code) {
      this.code = code;
    }
  }

  @Test
  void shouldGiveEveryZ8runTypeTheMeaningItHasInZ8run() {
    Map<Z8, Integer> ours =
        Map.ofEntries(
            Map.entry(Z8.Ping, MessageType.PING),
            Map.entry(Z8.Pong, MessageType.PONG),
            Map.entry(Z8.Authenticate, MessageType.AUTHENTICATE),
            Map.entry(Z8.AuthResult, MessageType.AUTH_RESULT),
            Map.entry(Z8.VersionNegotiation, MessageType.HELLO),
            Map.entry(Z8.FlowCreate, MessageType.FLOW_CREATE),
            Map.entry(Z8.FlowUpdate, MessageType.FLOW_UPDATE),
            Map.entry(Z8.FlowDelete, MessageType.FLOW_DELETE),
            Map.entry(Z8.FlowDeploy, MessageType.FLOW_DEPLOY),
            Map.entry(Z8.FlowStart, MessageType.FLOW_START),
            Map.entry(Z8.FlowStop, MessageType.FLOW_STOP),
            Map.entry(Z8.FlowPause, MessageType.FLOW_PAUSE),
            Map.entry(Z8.FlowResume, MessageType.FLOW_RESUME),
            Map.entry(Z8.FlowList, MessageType.FLOW_LIST),
            Map.entry(Z8.FlowGet, MessageType.FLOW_GET),
            Map.entry(Z8.ExecStarted, MessageType.EXECUTION_STARTED),
            Map.entry(Z8.ExecNodeStarted, MessageType.NODE_STARTED),
            Map.entry(Z8.ExecNodeCompleted, MessageType.NODE_COMPLETED),
            Map.entry(Z8.ExecNodeError, MessageType.NODE_ERROR),
            Map.entry(Z8.ExecMessageSent, MessageType.MESSAGE_SENT),
            Map.entry(Z8.ExecCompleted, MessageType.EXECUTION_COMPLETED),
            Map.entry(Z8.ExecError, MessageType.EXECUTION_FAILED),
            Map.entry(Z8.DebugSetBreakpoint, MessageType.DEBUG_SET_BREAKPOINT),
            Map.entry(Z8.DebugRemoveBreakpoint, MessageType.DEBUG_REMOVE_BREAKPOINT),
            Map.entry(Z8.DebugStep, MessageType.DEBUG_STEP),
            Map.entry(Z8.DebugInspect, MessageType.DEBUG_INSPECT),
            Map.entry(Z8.DebugInspectResult, MessageType.DEBUG_INSPECT_RESULT),
            Map.entry(Z8.EditorNodeMoved, MessageType.EDITOR_NODE_MOVED),
            Map.entry(Z8.EditorZoomChanged, MessageType.EDITOR_ZOOM_CHANGED),
            Map.entry(Z8.EditorSelectionChanged, MessageType.EDITOR_SELECTION_CHANGED),
            Map.entry(Z8.EditorCursorPosition, MessageType.EDITOR_CURSOR_POSITION),
            Map.entry(Z8.Ok, MessageType.OK),
            Map.entry(Z8.Error, MessageType.ERROR));
    assertEquals(Z8.values().length, ours.size());
    for (Z8 type : Z8.values()) {
      assertEquals(type.code, (int) ours.get(type), type.name());
    }
  }

  @Test
  void shouldAnswerAZ8runClientWithOk0x0F00AndError0x0F01() throws Exception {
    String token = signUp();
    try (DocClient client = DocClient.connect(server.port())) {
      DocClient.Frame negotiated = client.request(Z8.VersionNegotiation.code, "{\"versions\":[1]}");
      assertEquals(Z8.VersionNegotiation.code, negotiated.type());
      DocClient.Frame auth = client.request(Z8.Authenticate.code, "{\"token\":\"" + token + "\"}");
      assertEquals(Z8.AuthResult.code, auth.type());
      assertEquals(true, json(auth).get("ok"), auth.text());

      assertEquals(Z8.Pong.code, client.request(Z8.Ping.code, "").type());

      DocClient.Frame created =
          client.request(
              Z8.FlowCreate.code,
              "{\"id\":\"z\",\"name\":\"z\",\"nodes\":[{\"id\":\"a\",\"type\":\"inject\"}]}");
      assertEquals(Z8.Ok.code, created.type(), created.text());
      DocClient.Frame list = client.request(Z8.FlowList.code, "{}");
      assertEquals(Z8.Ok.code, list.type(), list.text());
      assertEquals(1, ((List<?>) json(list).get("flows")).size());
      DocClient.Frame got = client.request(Z8.FlowGet.code, "{\"flow_id\":\"z\"}");
      assertEquals(Z8.Ok.code, got.type(), got.text());
      assertEquals(
          Z8.Ok.code, client.request(Z8.FlowStart.code, "{\"flow_id\":\"z\"}").type(), "start");
      assertEquals(
          Z8.Ok.code, client.request(Z8.FlowStop.code, "{\"flow_id\":\"z\"}").type(), "stop");

      DocClient.Frame missing = client.request(Z8.FlowGet.code, "{\"flow_id\":\"nope\"}");
      assertEquals(Z8.Error.code, missing.type(), missing.text());
      assertEquals(404, ((Number) json(missing).get("code")).intValue());

      for (Z8 unimplemented :
          List.of(
              Z8.FlowPause,
              Z8.FlowResume,
              Z8.DebugSetBreakpoint,
              Z8.DebugRemoveBreakpoint,
              Z8.DebugStep,
              Z8.DebugInspect,
              Z8.EditorNodeMoved,
              Z8.EditorZoomChanged,
              Z8.EditorSelectionChanged,
              Z8.EditorCursorPosition)) {
        DocClient.Frame refused = client.request(unimplemented.code, "{}");
        assertEquals(Z8.Error.code, refused.type(), unimplemented.name());
        Map<?, ?> error = json(refused);
        assertEquals(501, ((Number) error.get("code")).intValue(), unimplemented.name());
      }
      for (Z8 serverOnly : List.of(Z8.ExecStarted, Z8.DebugInspectResult, Z8.Ok, Z8.Error)) {
        DocClient.Frame refused = client.request(serverOnly.code, "{}");
        assertEquals(Z8.Error.code, refused.type(), serverOnly.name());
        assertEquals(400, ((Number) json(refused).get("code")).intValue(), serverOnly.name());
      }
      assertEquals(
          Z8.Ok.code, client.request(Z8.FlowDelete.code, "{\"flow_id\":\"z\"}").type(), "delete");
    }
  }

  /** z8run's sign-up body (crates/z8run-api/src/auth.rs, RegisterRequest). */
  private String signUp() throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + server.port() + "/auth/register"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"email\":\"zed@example.com\",\"username\":\"zed\","
                              + "\"password\":\"a long password\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(201, response.statusCode(), response.body());
      return (String) ((Map<?, ?>) JsonCodec.parse(response.body())).get("token");
    }
  }

  private static Map<?, ?> json(DocClient.Frame frame) {
    return (Map<?, ?>) JsonCodec.parse(frame.text());
  }
}
