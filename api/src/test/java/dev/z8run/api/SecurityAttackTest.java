package dev.z8run.api;

import static dev.z8run.api.AttackServer.errorMessage;
import static dev.z8run.api.AttackServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.z8run.api.auth.Authenticator;
import dev.z8run.api.auth.Tokens;
import dev.z8run.api.auth.UserPrincipal;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.support.PinningResolver;
import dev.z8run.testkit.Poll;
import dev.z8run.testkit.TestPlugins;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.spi.InetAddressResolver;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The attacks of the security review (issue 12), each performed from outside against a running
 * server the way a hostile user of a shared instance would: with an account of their own, the docs,
 * and sockets. Each test shows the attack stopped, and the server still answering health
 * afterwards. docs/security.md lists them with their defences.
 */
@Isolated // measures the heap in use, which other classes would move
class SecurityAttackTest {

  @TempDir Path dataDir;
  @TempDir Path scratch;

  private Z8Server server;
  private final AttackServer attack = new AttackServer();
  private final HttpClient client = attack.client();
  private String admin;
  private String mallory;

  private void start(String... extra) throws Exception {
    server = attack.start(dataDir, extra);
    admin = attack.admin();
    mallory = attack.register("mallory");
  }

  @AfterEach
  void stop() {
    attack.close();
  }

  private String register(String name) throws Exception {
    return attack.register(name);
  }

  private HttpResponse<String> call(String method, String path, String body, String token)
      throws Exception {
    return attack.call(method, path, body, token);
  }

  private void assertHealthy() throws Exception {
    HttpResponse<String> health = call("GET", "/api/v1/health", null, null);
    assertEquals(200, health.statusCode(), health.body());
    assertEquals("ok", json(health).get("status"));
  }

  /**
   * Creates and starts a flow; answers its id, which the server made unless {@code token} is an
   * admin's (only an admin's chosen id is kept).
   */
  private String deploy(String token, String flow) throws Exception {
    return attack.deploy(token, flow);
  }

  /** Mallory's flow that answers {@code POST /e} with what it received; answers its id. */
  private String deployEcho() throws Exception {
    return deploy(
        mallory,
        """
        {"id":"echo","nodes":[
          {"id":"in","type":"http-in","config":{"method":"POST","path":"/e"}},
          {"id":"out","type":"http-out","config":{}}],
         "wires":[{"from":"in","to":"out"}]}
        """);
  }

  /**
   * Waits until every body has given its bytes back to the server's budget: a request's are given
   * back as it ends, just after its answer is sent, so the client may read the answer first.
   */
  private static void awaitBodyBudgetGivenBack() {
    Poll.eventually("the body budget given back")
        .until(() -> dev.z8run.api.http.BodyBudget.server().used(), used -> used == 0);
  }

  private static String upload(String manifest, byte[] module) {
    return "{\"manifest\":"
        + JsonCodec.writeString(manifest)
        + ",\"module\":\""
        + Base64.getEncoder().encodeToString(module)
        + "\"}";
  }

  /** A flow: http-in GET /path -> (function setting the payload from ?p=) -> node -> http-out. */
  private static String hookFlow(String id, String nodeType, String nodeConfig) {
    return """
        {"id":"%s","name":"%s","nodes":[
          {"id":"in","type":"http-in","config":{"method":"GET","path":"/go"}},
          {"id":"arg","type":"function","config":{"func":
            "msg.payload = JSON.parse(msg.payload.req.query.p); return msg;"}},
          {"id":"x","type":"%s","config":%s},
          {"id":"out","type":"http-out","config":{}}],
         "wires":[{"from":"in","to":"arg"},{"from":"arg","to":"x"},{"from":"x","to":"out"}]}
        """
        .formatted(id, id, nodeType, nodeConfig);
  }

  private HttpResponse<String> hook(String flowId, Object argument) throws Exception {
    return call("GET", hookPath(flowId, argument), null, null);
  }

  private static String hookPath(String flowId, Object argument) {
    String p = java.net.URLEncoder.encode(JsonCodec.writeString(argument), StandardCharsets.UTF_8);
    return "/hook/" + flowId + "/go?p=" + p;
  }

  /**
   * Sends a request without waiting for its answer: for a hook whose execution ends in an error, so
   * that no http-out answers it and the server's hook timeout (3 s here) would. The test reads the
   * outcome from the flow's execution records instead.
   */
  private void fire(String method, String path) {
    client.sendAsync(
        TestRequests.json(method, "http://127.0.0.1:" + server.port() + path, null, null)
            .timeout(AttackServer.TIMEOUT)
            .build(),
        HttpResponse.BodyHandlers.discarding());
  }

  /** The most recent execution records of a flow. */
  private List<?> executions(String token, String flowId) throws Exception {
    HttpResponse<String> listed =
        call("GET", "/api/v1/flows/" + flowId + "/executions", null, token);
    assertEquals(200, listed.statusCode(), listed.body());
    return (List<?>) json(listed).get("executions");
  }

  // 1. Any user owns the server through a plugin

  @Test
  void shouldNotLetAUserOwnTheServerThroughAPlugin() throws Exception {
    Path root = Files.createDirectories(scratch.resolve("plugin-files"));
    start("Z8_PLUGIN_FILES_ROOT", root.toString(), "Z8_PLUGIN_ENV", "HOME");
    String hostile =
        TestPlugins.manifest(
            "grab-env",
            "[capabilities]",
            "env = [\"Z8_JWT_SECRET\", \"HOME\"]",
            "files = \"/\"",
            "http = [\"127.0.0.1\"]");

    HttpResponse<String> byUser =
        call("POST", "/api/v1/plugins", upload(hostile, TestPlugins.wasm("env")), mallory);
    assertEquals(403, byUser.statusCode(), byUser.body());
    assertEquals("only an admin may install a plugin", errorMessage(byUser));

    // even an admin's plugin gets only what the operator's ceiling allows
    HttpResponse<String> byAdmin =
        call("POST", "/api/v1/plugins", upload(hostile, TestPlugins.wasm("env")), admin);
    assertEquals(201, byAdmin.statusCode(), byAdmin.body());
    Map<?, ?> granted = (Map<?, ?>) json(byAdmin).get("granted");
    assertEquals(List.of("HOME"), granted.get("env"));
    assertNull(granted.get("files"), "'/' lies outside the files root");
    assertEquals(
        403, call("DELETE", "/api/v1/plugins/grab-env", null, mallory).statusCode(), "remove");

    String stealId = deploy(mallory, hookFlow("steal", "grab-env", "{}"));
    HttpResponse<String> stolen = hook(stealId, "Z8_JWT_SECRET");
    assertFalse(stolen.body().contains(AttackServer.SECRET), stolen.body());
    Poll.eventually("the refusal recorded")
        .until(
            () -> executions(mallory, stealId).toString(),
            text -> text.contains("z8.env_get('Z8_JWT_SECRET') refused"));

    // the http grant obeys the outbound policy: loopback is not public
    String caller = TestPlugins.manifest("call-home", "[capabilities]", "http = [\"127.0.0.1\"]");
    assertEquals(
        201,
        call("POST", "/api/v1/plugins", upload(caller, TestPlugins.wasm("http")), admin)
            .statusCode());
    String homeId = deploy(mallory, hookFlow("home", "call-home", "{}"));
    hook(homeId, Map.of("url", "http://127.0.0.1:" + server.port() + "/api/v1/health"));
    Poll.eventually("the loopback call refused")
        .until(
            () -> executions(mallory, homeId).toString(),
            text -> text.contains("is not allowed by the outbound policy"));
    assertHealthy();
  }

  // 2. A save wipes a flow

  @Test
  void shouldNeverLoseAFlowOnSave() throws Exception {
    start();
    String flow =
        """
        {"id":"keep","name":"Keep","nodes":[
          {"id":"in","type":"http-in","config":{"method":"GET","path":"/k"}},
          {"id":"out","type":"http-out","config":{}}],
         "wires":[{"from":"in","to":"out"}]}
        """;
    HttpResponse<String> kept = call("POST", "/api/v1/flows", flow, mallory);
    assertEquals(201, kept.statusCode(), kept.body());
    String keep = "/api/v1/flows/" + json(kept).get("id");

    assertEquals(200, call("PUT", keep, "{\"name\":\"x\"}", mallory).statusCode());
    Map<String, Object> read = json(call("GET", keep, null, mallory));
    assertEquals("x", read.get("name"));
    assertEquals(2, ((List<?>) read.get("nodes")).size(), "a rename keeps the nodes");

    String canvasSave =
        JsonCodec.writeString(
            Map.of(
                "canvas_nodes", read.get("canvas_nodes"),
                "canvas_edges", read.get("canvas_edges"),
                "viewport", Map.of("x", 10, "y", 20, "zoom", 1.5)));
    HttpResponse<String> saved = call("PUT", keep, canvasSave, mallory);
    assertEquals(200, saved.statusCode(), saved.body());
    assertEquals(2, ((List<?>) json(call("GET", keep, null, mallory)).get("nodes")).size());

    HttpResponse<String> bogus = call("PUT", keep, "{\"bogus\":1}", mallory);
    assertEquals(400, bogus.statusCode());
    assertTrue(errorMessage(bogus).startsWith("unknown field 'bogus'"), bogus.body());
    assertEquals(2, ((List<?>) json(call("GET", keep, null, mallory)).get("nodes")).size());

    HttpResponse<String> edges =
        call("POST", "/api/v1/flows", "{\"name\":\"e\",\"nodes\":[],\"edges\":[]}", mallory);
    assertEquals(400, edges.statusCode());
    assertTrue(errorMessage(edges).startsWith("unknown field 'edges'"), edges.body());

    HttpResponse<String> form =
        client.send(
            HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + server.port() + "/api/v1/flows"))
                .header("Authorization", "Bearer " + mallory)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("name=x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(415, form.statusCode(), form.body());
    assertHealthy();
  }

  // 3. Memory is unbounded by flow size

  /** {@code count} unwired junction nodes, n0 to n(count - 1), as JSON objects joined by commas. */
  private static String junctions(int count) {
    StringBuilder nodes = new StringBuilder();
    for (int i = 0; i < count; i++) {
      nodes
          .append(i == 0 ? "" : ",")
          .append("{\"id\":\"n")
          .append(i)
          .append("\",\"type\":\"junction\"}");
    }
    return nodes.toString();
  }

  @Test
  void shouldRefuseAFlowLargerThanTheNodeLimitInTheErrorShape() throws Exception {
    start("Z8_MAX_FLOW_NODES", "500");
    String nodes = junctions(10_000);
    HttpResponse<String> huge =
        call("POST", "/api/v1/flows", "{\"id\":\"huge\",\"nodes\":[" + nodes + "]}", mallory);
    assertEquals(422, huge.statusCode(), huge.body());
    assertTrue(errorMessage(huge).contains("Z8_MAX_FLOW_NODES=500"), huge.body());
    assertHealthy();
  }

  @Test
  void shouldRefuseAFlowNameLongerThanTheLimitOnCreateAndSave() throws Exception {
    start();
    String longName = "n".repeat(100_000);
    HttpResponse<String> created =
        call("POST", "/api/v1/flows", "{\"name\":\"" + longName + "\"}", mallory);
    assertEquals(422, created.statusCode(), created.body());
    assertTrue(errorMessage(created).contains("more than the limit of 256"), created.body());

    HttpResponse<String> fits =
        call("POST", "/api/v1/flows", "{\"name\":\"" + "n".repeat(256) + "\"}", mallory);
    assertEquals(201, fits.statusCode(), fits.body());
    String id = (String) json(fits).get("id");
    HttpResponse<String> saved =
        call("PUT", "/api/v1/flows/" + id, "{\"name\":\"" + "n".repeat(257) + "\"}", mallory);
    assertEquals(422, saved.statusCode(), saved.body());

    // a Node-RED import is all or nothing: the short tab is not created either
    String listed = call("GET", "/api/v1/flows", null, mallory).body();
    HttpResponse<String> imported =
        call(
            "POST",
            "/api/v1/flows/import",
            "[{\"id\":\"t1\",\"type\":\"tab\",\"label\":\"short\"},"
                + "{\"id\":\"t2\",\"type\":\"tab\",\"label\":\""
                + "l".repeat(300)
                + "\"}]",
            mallory);
    assertEquals(422, imported.statusCode(), imported.body());
    assertEquals(listed, call("GET", "/api/v1/flows", null, mallory).body());
    assertHealthy();
  }

  @Test
  void shouldRefuseAFlowBeyondTheMemoryBudgetInTheErrorShape() throws Exception {
    start("Z8_MEMORY_BUDGET_MB", "64");
    // a small flow fits; 100 unwired nodes each take a full 1 MiB inbox, past the 64 MiB budget
    String small = deploy(mallory, "{\"nodes\":[{\"id\":\"a\",\"type\":\"junction\"}]}");
    String nodes = junctions(100);
    HttpResponse<String> created =
        call("POST", "/api/v1/flows", "{\"nodes\":[" + nodes + "]}", mallory);
    assertEquals(201, created.statusCode(), created.body());
    String id = (String) json(created).get("id");

    HttpResponse<String> wide = call("POST", "/api/v1/flows/" + id + "/start", null, mallory);

    assertEquals(507, wide.statusCode(), wide.body());
    assertTrue(errorMessage(wide).contains("Z8_MEMORY_BUDGET_MB"), wide.body());
    assertTrue(wide.body().contains("MEMORY_BUDGET"), wide.body());
    assertFalse(server.engine().isRunning(id));
    assertTrue(server.engine().isRunning(small), "the flow already running is not touched");
    assertHealthy();
  }

  // 4. One OutOfMemoryError leaves a zombie

  @Test
  void shouldNotBufferLargeFramesFromStrangersNorLargePluginAnswers() throws Exception {
    HttpServer huge =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    huge.createContext(
        "/huge",
        exchange -> {
          exchange.sendResponseHeaders(200, 0); // chunked, no length: 700 MB streamed
          byte[] chunk = new byte[1 << 20];
          try (OutputStream out = exchange.getResponseBody()) {
            for (int i = 0; i < 700; i++) {
              out.write(chunk);
            }
          } catch (IOException closedByTheReader) {
            // expected: the plugin stops reading past its limit
          }
        });
    huge.start();
    try {
      start("Z8_HTTP_ALLOW", "127.0.0.1");
      List<Socket> sockets = new ArrayList<>();
      int closed = 0;
      for (int i = 0; i < 40; i++) {
        Socket socket = webSocket();
        sockets.add(socket);
        OutputStream out = socket.getOutputStream();
        // a masked binary frame announcing 16 MiB, then 256 KiB of it
        out.write(new byte[] {(byte) 0x82, (byte) 0xFF, 0, 0, 0, 0, 1, 0, 0, 0, 1, 2, 3, 4});
        try {
          out.write(new byte[256 * 1024]);
        } catch (IOException refused) {
          closed++;
          continue;
        }
        closed += closedWithin(socket, 5_000) ? 1 : 0;
      }
      assertEquals(40, closed, "every oversized frame closes its connection");
      for (Socket socket : sockets) {
        socket.close();
      }

      String manifest =
          TestPlugins.manifest(
              "fetch",
              "[capabilities]",
              "http = [\"127.0.0.1\"]",
              "[limits]",
              "timeout_ms = 20000");
      assertEquals(
          201,
          call("POST", "/api/v1/plugins", upload(manifest, TestPlugins.wasm("http")), admin)
              .statusCode());
      String fetchId = deploy(mallory, hookFlow("fetch", "fetch", "{}"));
      long heapBefore = usedHeap();
      HttpResponse<String> fetched =
          hook(fetchId, Map.of("url", "http://127.0.0.1:" + huge.getAddress().getPort() + "/huge"));
      assertEquals(200, fetched.statusCode(), fetched.body());
      assertTrue(fetched.body().contains("exceeds 1048576"), fetched.body());
      assertTrue(usedHeap() - heapBefore < 256L << 20, "the body was not read whole");
      assertHealthy();
    } finally {
      huge.stop(0);
    }
  }

  private static long usedHeap() {
    return Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
  }

  /** A socket that has completed the WebSocket upgrade of /ws/engine. */
  private Socket webSocket() throws IOException {
    Socket socket = new Socket("127.0.0.1", server.port());
    socket.setSoTimeout(10_000);
    socket
        .getOutputStream()
        .write(
            ("GET /ws/engine HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    String head = readHead(socket.getInputStream());
    assertTrue(head.startsWith("HTTP/1.1 101"), head);
    return socket;
  }

  private static String readHead(InputStream in) throws IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    return head.toString();
  }

  /** Whether the server closes {@code socket} within {@code ms} (reading whatever it sends). */
  private static boolean closedWithin(Socket socket, int ms) throws IOException {
    socket.setSoTimeout(ms);
    byte[] sink = new byte[4096];
    try {
      while (socket.getInputStream().read(sink) >= 0) {
        // a close frame, then the end
      }
      return true;
    } catch (SocketTimeoutException open) {
      return false;
    } catch (IOException reset) {
      return true;
    }
  }

  // 5. Slow clients starve hooks

  @Test
  void shouldAnswerHooksWhileSlowClientsHoldConnections() throws Exception {
    start("Z8_HOOK_MAX_IN_FLIGHT", "8", "Z8_HOOK_BODY_TIMEOUT_MS", "1000");
    String echo = deployEcho();
    List<Socket> slow = new ArrayList<>();
    for (int i = 0; i < 64; i++) {
      Socket socket = new Socket("127.0.0.1", server.port());
      socket
          .getOutputStream()
          .write(
              ("POST /hook/" + echo + "/e HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      slow.add(socket);
    }
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> answered =
          call("POST", "/hook/" + echo + "/e", "{\"n\":" + i + "}", null);
      assertEquals(200, answered.statusCode(), answered.body());
    }
    Socket first = slow.get(0);
    first.setSoTimeout(10_000);
    // at the deadline the connection is closed under the reader (a 408 when it can still be sent)
    String head = readHead(first.getInputStream());
    assertTrue(head.isEmpty() || head.startsWith("HTTP/1.1 408"), head);
    for (Socket socket : slow) {
      assertTrue(closedWithin(socket, 10_000), "a body that never came ends the connection");
      socket.close();
    }
    assertHealthy();
  }

  /**
   * A connection from {@code from} that sends the head of a POST to {@code path} declaring {@code
   * length} bytes of body, then {@code part} of them, and nothing more: a body being read, stalled.
   * Refused while sending, it is still returned: its answer is read from it.
   */
  private Socket stallBody(java.net.InetAddress from, String path, int length, byte[] part)
      throws IOException {
    Socket socket = new Socket(java.net.InetAddress.getLoopbackAddress(), server.port(), from, 0);
    OutputStream out;
    try {
      out = socket.getOutputStream();
      out.write(
          ("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
    } catch (IOException failed) {
      socket.close();
      throw failed;
    }
    try {
      out.write(part);
      out.flush();
    } catch (IOException closedUnderUs) {
      // refused while sending: its answer is read by the test
    }
    return socket;
  }

  /** The head of the answer on {@code socket} if one comes within a second, else null. */
  private static String answerWithinASecond(Socket socket) throws IOException {
    socket.setSoTimeout(1_000);
    try {
      return readHead(socket.getInputStream());
    } catch (SocketTimeoutException stillReading) {
      return null;
    }
  }

  /**
   * Bodies read at once from many clients, each under its own limits (the hook body limit, the
   * requests one address may hold open), filled the heap together: a thousand connections from four
   * addresses, each sending a megabyte of a hook body and then nothing, ended the server with
   * {@code OutOfMemoryError} (exit 3). Now the bodies being read share one budget; past it a body
   * is refused with 503 + {@code Retry-After}, and the budget comes back as the connections end.
   */
  @Test
  void shouldRefuseBodiesPastTheServersBudgetAndLiveOn() throws Exception {
    start("Z8_BODY_BUDGET_MB", "1", "Z8_HOOK_BODY_TIMEOUT_MS", "3000");
    String echo = deployEcho();
    byte[] sent = new byte[300_000];
    java.util.Arrays.fill(sent, (byte) 'a');
    List<Socket> stalled = new ArrayList<>();
    int refused = 0;
    try {
      // eight addresses, each sending 300 KB of a 900 KB body, then nothing
      for (int i = 0; i < 8; i++) {
        stalled.add(
            stallBody(
                java.net.InetAddress.getByName("127.0.0." + (i + 2)),
                "/hook/" + echo + "/e",
                900_000,
                sent));
      }
      for (Socket socket : stalled) {
        String head = answerWithinASecond(socket); // none: held, its 300 KB are in the budget
        if (head != null && head.startsWith("HTTP/1.1 503")) {
          assertTrue(head.toLowerCase(java.util.Locale.ROOT).contains("retry-after: 1"), head);
          refused++;
        }
      }
      assertTrue(refused > 0, "no body past the 1 MiB budget was refused");
      assertTrue(refused < stalled.size(), "the budget let no body in at all");
      assertTrue(
          dev.z8run.api.http.BodyBudget.server().used() <= 1 << 20,
          "bodies took " + dev.z8run.api.http.BodyBudget.server().used() + " bytes");
      assertHealthy();
    } finally {
      for (Socket socket : stalled) {
        socket.close();
      }
    }
    // the bodies broken off give their bytes back: the next one is read
    awaitBodyBudgetGivenBack();
    HttpResponse<String> answered = call("POST", "/hook/" + echo + "/e", "{\"n\":1}", null);
    assertEquals(200, answered.statusCode(), answered.body());
  }

  /**
   * One address took the whole body budget: it sent part of several bodies and stalled them, and
   * every other client's body, a sign-in's included, was refused with 503 until they timed out. An
   * address holds at most half of the budget (429 + {@code Retry-After} past it); another address's
   * body is still read and answered meanwhile.
   */
  @Test
  void shouldKeepHalfOfTheBodyBudgetForOtherAddresses() throws Exception {
    start("Z8_BODY_BUDGET_MB", "1", "Z8_HOOK_BODY_TIMEOUT_MS", "5000");
    String echo = deployEcho();
    byte[] part = new byte[300_000];
    java.util.Arrays.fill(part, (byte) 'a');
    java.net.InetAddress hostile = java.net.InetAddress.getByName("127.0.0.2");
    List<Socket> stalled = new ArrayList<>();
    try {
      // one address sends 300 KB of each of four 900 KB bodies, then nothing
      for (int i = 0; i < 4; i++) {
        stalled.add(stallBody(hostile, "/hook/" + echo + "/e", 900_000, part));
      }
      int tooMany = 0;
      for (Socket socket : stalled) {
        String head = answerWithinASecond(socket); // none: held, its bytes are in the budget
        if (head != null) {
          assertTrue(head.startsWith("HTTP/1.1 429"), head);
          assertTrue(head.toLowerCase(java.util.Locale.ROOT).contains("retry-after: 1"), head);
          tooMany++;
        }
      }
      assertTrue(tooMany > 0, "one address held more than half of the budget");
      assertTrue(tooMany < stalled.size(), "the address got no body in at all");
      long held = dev.z8run.api.http.BodyBudget.server().usedBy(hostile);
      assertTrue(held > 0 && held <= 1 << 19, "the address holds " + held + " bytes");

      // another address's body, sent while those are held, is read and answered
      HttpClient other =
          HttpClient.newBuilder().localAddress(java.net.InetAddress.getByName("127.0.0.3")).build();
      String body = "b".repeat(100_000);
      HttpResponse<String> answered =
          other.send(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create(
                          "http://127.0.0.1:" + server.port() + "/hook/" + echo + "/e"))
                  .header("Content-Type", "text/plain")
                  .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(200, answered.statusCode(), answered.body());
      assertTrue(answered.body().contains(body), "the other address's body, echoed intact");
      assertHealthy();
    } finally {
      for (Socket socket : stalled) {
        socket.close();
      }
    }
    awaitBodyBudgetGivenBack();
    assertEquals(0, dev.z8run.api.http.BodyBudget.server().usedBy(hostile));
  }

  /**
   * Bodies read in full and then held by a flow that answers slowly (a delay; a model's answer) are
   * in the heap until the answer: a thousand 1 MB bodies to such a flow, each read at once, ended
   * the server with {@code OutOfMemoryError}. A hook's body stays in the server's body budget until
   * its request ends, so bodies past it are refused while the flow holds the others.
   */
  @Test
  void shouldCountBodiesAFlowHoldsInTheBudgetUntilItAnswers() throws Exception {
    start("Z8_BODY_BUDGET_MB", "1");
    String slow =
        deploy(
            mallory,
            """
        {"id":"slow","nodes":[
          {"id":"in","type":"http-in","config":{"method":"POST","path":"/s"}},
          {"id":"d","type":"delay","config":{"timeout":2,"timeoutUnits":"seconds"}},
          {"id":"out","type":"http-out","config":{}}],
         "wires":[{"from":"in","to":"d"},{"from":"d","to":"out"}]}
        """);
    String body = "{\"payload\":\"" + "x".repeat(300_000) + "\"}";
    List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      sent.add(
          client.sendAsync(
              java.net.http.HttpRequest.newBuilder(
                      java.net.URI.create(
                          "http://127.0.0.1:" + server.port() + "/hook/" + slow + "/s"))
                  .header("Content-Type", "application/json")
                  .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString()));
      Thread.sleep(150); // one after the other: each read in full before the next starts
    }
    int answered = 0;
    int refused = 0;
    for (var future : sent) {
      HttpResponse<String> response = future.get(30, java.util.concurrent.TimeUnit.SECONDS);
      if (response.statusCode() == 200) {
        assertTrue(response.body().contains("x".repeat(300_000)), "the body, delayed, intact");
        answered++;
      } else {
        // one address sends them all: past its half of the budget first (429), else past it (503)
        assertTrue(
            response.statusCode() == 429 || response.statusCode() == 503,
            response.statusCode() + " " + response.body());
        assertEquals("1", response.headers().firstValue("Retry-After").orElse(null));
        refused++;
      }
    }
    assertTrue(answered > 0, "no body was answered");
    assertTrue(refused > 0, "eight 300 KB bodies held at once passed a 1 MiB budget");
    assertHealthy();
    awaitBodyBudgetGivenBack();
  }

  /**
   * A JSON body takes several times its size once parsed and while its request uses it: sixteen
   * concurrent 8 MB flow creates by one signed-in user, each body read within the budget, filled
   * the heap and ended the server. A parsed body holds {@code PARSED_FACTOR} times its size in the
   * budget until its request ends; past it, 503 + {@code Retry-After}.
   */
  @Test
  void shouldCountAParsedBodyInTheBudgetUntilItsRequestEnds() throws Exception {
    start("Z8_BODY_BUDGET_MB", "4");
    String nodes = "[{\"id\":\"n\",\"type\":\"inject\",\"config\":{\"topic\":\"%s\"}}]";
    String small =
        "{\"name\":\"s\",\"nodes\":" + nodes.formatted("x".repeat(500_000)) + ",\"wires\":[]}";
    String large =
        "{\"name\":\"l\",\"nodes\":" + nodes.formatted("x".repeat(1_500_000)) + ",\"wires\":[]}";

    HttpResponse<String> created = call("POST", "/api/v1/flows", small, mallory);
    assertEquals(201, created.statusCode(), created.body());
    // what the parsed body held came back when its request ended
    awaitBodyBudgetGivenBack();

    HttpResponse<String> refused = call("POST", "/api/v1/flows", large, mallory);
    assertEquals(503, refused.statusCode(), refused.body());
    assertEquals("1", refused.headers().firstValue("Retry-After").orElse(null));
    awaitBodyBudgetGivenBack();
    assertHealthy();
  }

  @Test
  void shouldNotLetOneClientHoldEveryConnection() throws Exception {
    start("Z8_MAX_CONNECTIONS", "64", "Z8_MAX_CONNECTIONS_PER_CLIENT", "16");
    String echo =
        deploy(
            admin,
            """
            {"id":"other-clients","nodes":[
              {"id":"in","type":"http-in","config":{"method":"GET","path":"/e"}},
              {"id":"out","type":"http-out","config":{}}],
             "wires":[{"from":"in","to":"out"}]}
            """);
    // one client (127.0.0.1) opens 100 connections, each stopping inside its request's headers
    List<Socket> idle = new ArrayList<>();
    try {
      for (int i = 0; i < 100; i++) {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setSoTimeout(10_000);
        socket
            .getOutputStream()
            .write(
                ("GET /hook/" + echo + "/e HTTP/1.1\r\nHost: x\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        idle.add(socket);
      }
      // another client (127.0.0.2) is served all the same
      try (HttpClient other =
          HttpClient.newBuilder()
              .localAddress(InetAddress.getByName("127.0.0.2"))
              .connectTimeout(AttackServer.TIMEOUT)
              .build()) {
        for (int i = 0; i < 20; i++) {
          HttpResponse<String> answered =
              other.send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + server.port() + "/hook/" + echo + "/e"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
          assertEquals(200, answered.statusCode(), answered.body());
        }
      }
      // the connections past the client's 16 were answered 503 and closed
      String last =
          new String(idle.get(99).getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertTrue(last.startsWith("HTTP/1.1 503"), last);
      assertTrue(last.contains("Z8_MAX_CONNECTIONS_PER_CLIENT"), last);
    } finally {
      for (Socket socket : idle) {
        socket.close();
      }
    }
    assertHealthy();
  }

  // 6. Bodies are read that should be refused

  @Test
  void shouldRefuseBodiesWithoutReadingThemAndCloseTheConnection() throws Exception {
    start();
    record Case(String what, String head, String status) {}
    List<Case> cases =
        List.of(
            new Case(
                "401 without a token",
                "POST /api/v1/flows HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000000\r\n\r\n",
                "401"),
            new Case(
                "413 by Content-Length",
                "POST /api/v1/flows HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                    + mallory
                    + "\r\nContent-Type: application/json\r\nContent-Length: 2000000000\r\n\r\n",
                "413"),
            new Case(
                "404 for no route",
                "POST /nowhere HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000000\r\n\r\n",
                "404"));
    for (Case c : cases) {
      try (Socket socket = new Socket("127.0.0.1", server.port())) {
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        out.write(c.head().getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String head = readHead(socket.getInputStream());
        assertTrue(head.startsWith("HTTP/1.1 " + c.status()), c.what() + ": " + head);
        assertTrue(head.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), head);
        // whatever the client goes on sending, the server no longer reads: the socket ends
        long sent = 0;
        byte[] block = new byte[64 * 1024];
        try {
          while (sent < 256L << 20) {
            out.write(block);
            sent += block.length;
          }
        } catch (IOException closed) {
          // expected
        }
        assertTrue(sent < 256L << 20, c.what() + ": the server drained " + sent + " bytes");
      }
    }
    assertHealthy();
  }

  @Test
  void shouldLetAClientThatSendsItsWholeRefusedBodyReadThe413() throws Exception {
    start();
    // a plain client: no Expect: 100-continue, the whole 9 MiB body written, then the answer read;
    // without a lingering close the server's close with unread bytes resets the connection and
    // the client loses the 413 waiting in its receive buffer
    byte[] body = new byte[9 << 20];
    java.util.Arrays.fill(body, (byte) ' ');
    String head =
        "POST /api/v1/flows HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
            + mallory
            + "\r\nContent-Type: application/json\r\nContent-Length: "
            + body.length
            + "\r\n\r\n";
    for (int i = 0; i < 20; i++) {
      try (Socket socket = new Socket("127.0.0.1", server.port())) {
        socket.setSoTimeout(10_000);
        OutputStream out = socket.getOutputStream();
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        String answer = readHead(socket.getInputStream());
        assertTrue(answer.startsWith("HTTP/1.1 413"), "attempt " + i + ": " + answer);
      }
    }
    assertHealthy();
  }

  // 7. The Function sandbox's limits miss the built-ins

  @Test
  void shouldEndRunawayBuiltInsAsTheFunctionNodesError() throws Exception {
    start();
    String attack =
        "if (msg.payload === 'graph') { var o = {leaf: 'x'};"
            + " for (var i = 0; i < 25; i++) { o = {a: o, b: o}; } msg.payload = JSON.stringify(o); }"
            + " else { msg.payload = 'x'.repeat(1 << 30); } return msg;";
    String builtinsId =
        deploy(
            mallory,
            hookFlow("builtins", "function", JsonCodec.writeString(Map.of("func", attack))));
    deploy(
        admin,
        """
        {"id":"neighbour","nodes":[
          {"id":"in","type":"http-in","config":{"method":"GET","path":"/n"}},
          {"id":"out","type":"http-out","config":{}}],
         "wires":[{"from":"in","to":"out"}]}
        """);
    for (String which : List.of("graph", "repeat")) {
      long startNs = System.nanoTime();
      HttpResponse<String> attacked = hook(builtinsId, which);
      assertEquals(504, attacked.statusCode(), "no answer: the node failed");
      assertTrue(System.nanoTime() - startNs < 10_000_000_000L, which + " ended in time");
      assertEquals(200, call("GET", "/hook/neighbour/n", null, null).statusCode());
    }
    Poll.eventually("both stopped as errors of the node")
        .until(
            () -> executions(mallory, builtinsId).toString(),
            text ->
                text.contains("repeat would make 1073741824 characters")
                    && (text.contains("JSON.stringify would make")
                        || text.contains("stopped after")));
    assertHealthy();
  }

  // 8. Secrets reach the disk in plaintext after all

  @Test
  void shouldMaskVaultValuesInExecutionSamples() throws Exception {
    start();
    String secret = "sk-live-0123456789abcdef";
    assertEquals(
        201,
        call("POST", "/api/v1/vault", "{\"key\":\"api\",\"value\":\"" + secret + "\"}", mallory)
            .statusCode());
    String leak =
        deploy(
            mallory,
            """
        {"id":"leak","nodes":[
          {"id":"in","type":"http-in","config":{"method":"GET","path":"/l"}},
          {"id":"t","type":"template","config":{"syntax":"plain","template":"vault:api"}},
          {"id":"d","type":"debug","config":{}},
          {"id":"out","type":"http-out","config":{}}],
         "wires":[{"from":"in","to":"t"},{"from":"t","to":"d"},{"from":"t","to":"out"}]}
        """);
    HttpResponse<String> answered = call("GET", "/hook/" + leak + "/l", null, null);
    assertEquals(200, answered.statusCode());
    String records =
        Poll.eventually("the execution recorded")
            .until(
                () -> executions(mallory, leak).toString(),
                text -> text.contains("input_sample") && text.contains("[vault value]"));
    assertFalse(records.contains(secret), records);
    attack.stopServer();
    for (Path file : Files.walk(dataDir).filter(Files::isRegularFile).toList()) {
      String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
      assertFalse(bytes.contains(secret), file + " holds the secret in plaintext");
    }
    server =
        attack.startWith(
            Map.of("Z8_DATA_DIR", dataDir.toString(), "Z8_JWT_SECRET", AttackServer.SECRET));
    assertHealthy();
  }

  // 9. Public-only egress lets some IPv6 forms through

  @Test
  void shouldRefuseLoopbackInEveryIpv6Form() throws Exception {
    start();
    for (String host : List.of("[::127.0.0.1]", "[64:ff9b::7f00:1]", "[::ffff:0:7f00:1]")) {
      String id = "v6-" + Math.abs(host.hashCode());
      String flow =
          deploy(
              mallory,
              """
          {"id":"%s","nodes":[
            {"id":"in","type":"http-in","config":{"method":"GET","path":"/go"}},
            {"id":"x","type":"http-request","config":{"url":"http://%s:%d/api/v1/health"}},
            {"id":"out","type":"http-out","config":{}}],
           "wires":[{"from":"in","to":"x"},{"from":"x","to":"out"}]}
          """
                  .formatted(id, host, server.port()));
      fire("GET", "/hook/" + flow + "/go");
      Poll.eventually(host + " refused")
          .until(
              () -> executions(mallory, flow).toString(),
              text -> text.contains("is not allowed by the outbound policy"));
    }
    assertHealthy();
  }

  @Test
  void shouldConnectOnlyToTheAddressThePolicyChecked() throws Exception {
    // the loopback service an attacker wants to reach, listening on 127.0.0.1 only
    HttpServer victim =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    AtomicInteger reached = new AtomicInteger();
    victim.createContext(
        "/",
        exchange -> {
          reached.incrementAndGet();
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    victim.start();
    // 127.0.0.2 stands for a public address (tests send nothing off this machine): the policy
    // allows it and not 127.0.0.1; the attacker's name answers 127.0.0.2 first, 127.0.0.1 after
    start("Z8_HTTP_ALLOW", "127.0.0.2");
    InetAddressResolver previous = PinningResolver.delegate();
    AtomicInteger lookups = new AtomicInteger();
    InetAddressResolver rebinding =
        new InetAddressResolver() {
          @Override
          public Stream<InetAddress> lookupByName(String host, LookupPolicy policy)
              throws UnknownHostException {
            if (!host.equals("rebind.test")) {
              return previous.lookupByName(host, policy);
            }
            byte last = (byte) (lookups.getAndIncrement() == 0 ? 2 : 1);
            return Stream.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, last}));
          }

          @Override
          public String lookupByAddress(byte[] address) throws UnknownHostException {
            return previous.lookupByAddress(address);
          }
        };
    AutoCloseable rebound = PinningResolver.answerWith(rebinding);
    try {
      String flow =
          deploy(
              mallory,
              """
              {"id":"rebind","nodes":[
                {"id":"in","type":"http-in","config":{"method":"GET","path":"/go"}},
                {"id":"x","type":"http-request","config":{"url":"http://rebind.test:%d/secret"}},
                {"id":"out","type":"http-out","config":{}}],
               "wires":[{"from":"in","to":"x"},{"from":"x","to":"out"}]}
              """
                  .formatted(victim.getAddress().getPort()));
      call("GET", "/hook/" + flow + "/go", null, null);
      String records =
          Poll.eventually("the call failed on the checked address")
              .until(() -> executions(mallory, flow).toString(), text -> text.contains("error="));
      assertTrue(lookups.get() >= 1, "the attacker's name was looked up");
      assertEquals(
          "127.0.0.1",
          InetAddress.getByName("rebind.test").getHostAddress(),
          "outside a call the name now answers loopback: " + records);
    } finally {
      rebound.close();
      victim.stop(0);
    }
    assertEquals(0, reached.get(), "no request reached the loopback service");
    assertHealthy();
  }

  // 10. Plugin files escape their root

  @Test
  void shouldKeepPluginFilesInsideTheirRoot() throws Exception {
    Path root = Files.createDirectories(scratch.resolve("root"));
    Path outside = Files.createDirectories(scratch.resolve("outside"));
    start("Z8_PLUGIN_FILES_ROOT", root.toString());
    Path files = Files.createDirectories(root.resolve("files"));
    Files.createSymbolicLink(files.resolve("dangling"), outside.resolve("planted"));
    Files.createSymbolicLink(files.resolve("escape"), outside);
    Files.createSymbolicLink(files.resolve("zero"), Path.of("/dev/zero"));
    String manifest = TestPlugins.manifest("files", "[capabilities]", "files = \"files\"");
    HttpResponse<String> installed =
        call("POST", "/api/v1/plugins", upload(manifest, TestPlugins.wasm("file")), admin);
    assertEquals(201, installed.statusCode(), installed.body());
    assertEquals(files.toString(), ((Map<?, ?>) json(installed).get("granted")).get("files"));
    String filesId = deploy(mallory, hookFlow("files", "files", "{}"));

    for (String path : List.of("dangling", "escape/new/x", "zero", "../../outside/y")) {
      fire("GET", hookPath(filesId, path));
    }
    Poll.eventually("four refusals")
        .until(
            () -> executions(mallory, filesId).toString(),
            text -> text.split("refused: outside the file root", -1).length > 4);
    try (var listed = Files.list(outside)) {
      assertEquals(List.of(), listed.toList(), "nothing was written outside the root");
    }
    HttpResponse<String> inside = hook(filesId, "notes/today.txt");
    assertEquals(200, inside.statusCode(), inside.body());
    assertTrue(Files.exists(files.resolve("notes/today.txt")));
    assertHealthy();
  }

  // 11. Smaller findings

  @Test
  void shouldGiveOneAnswerToEveryAuthenticationFailure() throws Exception {
    start();
    String forged =
        Tokens.withSecret("another-secret-that-is-long-enough-32b")
            .issue(new UserPrincipal("x", "x"));
    List<String> headers =
        List.of("", "Basic YWxpY2U6cHc=", "Bearer", "Bearer garbage", "Bearer " + forged);
    for (String header : headers) {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/v1/flows"));
      if (!header.isEmpty()) {
        request.header("Authorization", header);
      }
      HttpResponse<String> refused =
          client.send(request.build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(401, refused.statusCode(), header);
      assertEquals(Authenticator.UNAUTHORIZED, errorMessage(refused), header);
    }
    // a deleted user's token: the same answer
    String id = (String) json(call("GET", "/auth/me", null, mallory)).get("id");
    assertEquals(200, call("DELETE", "/api/v1/users/" + id, null, admin).statusCode());
    HttpResponse<String> gone = call("GET", "/auth/me", null, mallory);
    assertEquals(401, gone.statusCode());
    assertEquals(Authenticator.UNAUTHORIZED, errorMessage(gone));
    assertHealthy();
  }

  @Test
  void shouldTellAUserNothingAboutAnotherUsersFlowIds() throws Exception {
    start();
    // an admin's chosen id is kept, and so is its /hook URL
    String orders =
        deploy(
            admin,
            """
            {"id":"orders","nodes":[
              {"id":"in","type":"http-in","config":{"method":"GET","path":"/o"}},
              {"id":"out","type":"http-out","config":{}}],
             "wires":[{"from":"in","to":"out"}]}
            """);
    assertEquals("orders", orders);
    String never = "never-" + java.util.UUID.randomUUID();

    // create: a taken id and a free one get the same answer, a flow under an id the server made
    for (String named : List.of(orders, never)) {
      HttpResponse<String> created =
          call("POST", "/api/v1/flows", "{\"id\":\"" + named + "\",\"name\":\"m\"}", mallory);
      assertEquals(201, created.statusCode(), created.body());
      Map<String, Object> answer = json(created);
      assertNotEquals(named, answer.get("id"));
      assertTrue(
          ((String) answer.get("id"))
              .matches("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"),
          created.body());
      assertEquals(
          List.of("id", "name", "description", "status", "revision", "created_at"),
          List.copyOf(answer.keySet()));
    }

    // every other route answers the same for another user's flow and for no flow at all
    String[][] routes = {
      {"GET", "", null},
      {"PUT", "", "{\"name\":\"mine now\"}"},
      {"PUT", "", "{\"id\":\"ID\",\"name\":\"x\",\"nodes\":[]}"},
      {"POST", "/start", null},
      {"POST", "/stop", null},
      {"GET", "/export", null},
      {"GET", "/revisions", null},
      {"GET", "/revisions/1", null},
      {"POST", "/rollback/1", null},
      {"GET", "/executions", null},
      {"DELETE", "", null},
    };
    for (String[] route : routes) {
      List<String> answers = new ArrayList<>();
      for (String id : List.of(orders, never)) {
        String body = route[2] == null ? null : route[2].replace("ID", id);
        HttpResponse<String> answered =
            call(route[0], "/api/v1/flows/" + id + route[1], body, mallory);
        answers.add(answered.statusCode() + " " + answered.body().replace(id, "ID"));
      }
      assertEquals(answers.get(1), answers.get(0), route[0] + " " + route[1]);
      assertTrue(answers.get(0).startsWith("404 "), answers.get(0));
    }
    assertFalse(
        call("GET", "/api/v1/flows", null, mallory).body().contains(orders), "not in the list");

    // the owner's flow is untouched and its hook still answers
    Map<String, Object> kept = json(call("GET", "/api/v1/flows/" + orders, null, admin));
    assertEquals(1L, kept.get("revision"));
    assertEquals(2, ((List<?>) kept.get("nodes")).size());
    assertEquals(200, call("GET", "/hook/" + orders + "/o", null, null).statusCode());
    assertHealthy();
  }

  // 11h. Another user's global context and link nodes

  /** A function answering on {@code path}: http-in GET -> function {@code js} -> http-out. */
  private static String answering(String path, String js) {
    return """
          {"id":"%s-in","type":"http-in","config":{"method":"GET","path":"/%s"}},
          {"id":"%s-fn","type":"function","config":{"func":%s}},
          {"id":"%s-out","type":"http-out","config":{}},
        """
        .formatted(path, path, path, JsonCodec.writeString(js), path);
  }

  private static String answeringWires(String... paths) {
    StringBuilder wires = new StringBuilder();
    for (String path : paths) {
      wires.append(
          """
          {"from":"%s-in","to":"%s-fn"},{"from":"%s-fn","to":"%s-out"},
          """
              .formatted(path, path, path, path));
    }
    return wires.toString();
  }

  private Object answer(String flowId, String path) throws Exception {
    HttpResponse<String> answered = call("GET", "/hook/" + flowId + "/" + path, null, null);
    assertEquals(200, answered.statusCode(), path + ": " + answered.body());
    boolean text = answered.headers().firstValue("Content-Type").orElse("").startsWith("text/");
    if (answered.body().isEmpty()) {
      return null; // a null payload
    }
    return text ? answered.body() : JsonCodec.parse(answered.body()); // a string payload is text
  }

  @Test
  void shouldKeepGlobalContextAndLinksWithinTheirOwner() throws Exception {
    start("Z8_HOOK_TIMEOUT_MS", "1500");
    // alice: a secret in global context, a link-in that records what reaches it, a subroutine
    // (link-in -> function -> link-out in return mode) and calls of her own into both
    String alice =
        deploy(
            admin,
            """
            {"id":"alice-flow","nodes":[
            """
                + answering(
                    "set", "global.set('secret', 'alice-data'); msg.payload = 'set'; return msg;")
                + answering(
                    "get",
                    "msg.payload = {secret: global.get('secret') || null, hit: global.get('hit') || null}; return msg;")
                + """
              {"id":"alice-in","type":"link-in","name":"entry"},
              {"id":"record","type":"function","config":{"func":"global.set('hit', msg.payload.from); return null;"}},
              {"id":"alice-sub","type":"link-in","name":"sub"},
              {"id":"reveal","type":"function","config":{"func":"msg.payload = global.get('secret') || null; return msg;"}},
              {"id":"back","type":"link-out","config":{"mode":"return"}},
              {"id":"self-in","type":"http-in","config":{"method":"GET","path":"/self"}},
              {"id":"self-call","type":"link-call","config":{"links":["alice-sub"],"timeout":1}},
              {"id":"self-out","type":"http-out","config":{}}],
             "wires":[
            """
                + answeringWires("set", "get")
                + """
              {"from":"alice-in","to":"record"},
              {"from":"alice-sub","to":"reveal"},{"from":"reveal","to":"back"},
              {"from":"self-in","to":"self-call"},{"from":"self-call","to":"self-out"}]}
            """);
    assertEquals("set", answer(alice, "set"));
    assertEquals("alice-data", answer(alice, "self"), "a user's own link call still works");

    // mallory: reads and overwrites global context, links to alice's link-in, calls her subroutine
    // by id and by name, and plants link-ins with the ids of alice's
    String mallory =
        deploy(
            this.mallory,
            """
            {"id":"m","nodes":[
            """
                + answering(
                    "spy",
                    "var seen = global.get('secret') || null; global.set('secret', 'mallory'); msg.payload = seen; return msg;")
                + answering(
                    "byname",
                    "try { var r = await node.linkcall('sub', msg, {timeout: 500}); msg.payload = r.payload; } catch (e) { msg.payload = 'refused'; } return msg;")
                + answering("stolen", "msg.payload = global.get('stolen') || null; return msg;")
                + """
              {"id":"push-in","type":"http-in","config":{"method":"GET","path":"/push"}},
              {"id":"push","type":"function","config":{"func":"msg.payload = {from: 'mallory'}; return msg;"}},
              {"id":"to-alice","type":"link-out","config":{"links":["alice-in"]}},
              {"id":"call-in","type":"http-in","config":{"method":"GET","path":"/call"}},
              {"id":"call","type":"link-call","config":{"links":["alice-sub"],"timeout":0.5}},
              {"id":"call-out","type":"http-out","config":{}},
              {"id":"alice-in","type":"link-in"},
              {"id":"alice-sub","type":"link-in"},
              {"id":"steal","type":"function","config":{"func":"global.set('stolen', msg.payload); return null;"}}],
             "wires":[
            """
                + answeringWires("spy", "byname", "stolen")
                + """
              {"from":"push-in","to":"push"},{"from":"push","to":"to-alice"},
              {"from":"call-in","to":"call"},{"from":"call","to":"call-out"},
              {"from":"alice-in","to":"steal"},{"from":"alice-sub","to":"steal"}]}
            """);

    assertNull(answer(mallory, "spy"), "mallory reads nothing of alice's global context");
    call("GET", "/hook/" + mallory + "/push", null, null);
    assertEquals("refused", answer(mallory, "byname"));
    HttpResponse<String> called = call("GET", "/hook/" + mallory + "/call", null, null);
    assertFalse(called.body().contains("alice-data"), called.body());

    // alice's data and links are hers: untouched, unreached, and her own calls stay in her flow
    assertEquals("alice-data", answer(alice, "self"));
    assertEquals(Map.of("secret", "alice-data"), withoutNulls(answer(alice, "get")));
    // (mallory's own links reach her own link-ins of those ids; alice's /self never does)
    Object stolen = answer(mallory, "stolen");
    assertFalse(
        String.valueOf(stolen).contains("/self"), "alice's call reached mallory: " + stolen);
    assertHealthy();
  }

  private static Map<?, ?> withoutNulls(Object answer) {
    Map<Object, Object> kept = new java.util.LinkedHashMap<>((Map<?, ?>) answer);
    kept.values().removeIf(java.util.Objects::isNull);
    return kept;
  }

  @Test
  void shouldKeepOtherUsersFlowIdsOutOfMetricsAndRefuseUnusableIds() throws Exception {
    start();
    deploy(
        admin,
        """
        {"id":"secret-hook-name","nodes":[
          {"id":"in","type":"http-in","config":{"method":"GET","path":"/s"}},
          {"id":"out","type":"http-out","config":{}}],
         "wires":[{"from":"in","to":"out"}]}
        """);
    String anonymous = call("GET", "/metrics", null, null).body();
    String user = call("GET", "/metrics", null, mallory).body();
    String byAdmin = call("GET", "/metrics", null, admin).body();
    assertFalse(anonymous.contains("secret-hook-name"), anonymous);
    assertFalse(user.contains("secret-hook-name"), user);
    assertTrue(byAdmin.contains("secret-hook-name"), byAdmin);
    assertTrue(user.contains("z8_jvm_memory_used_bytes"), "server-wide families stay");

    for (String id : List.of("a/b", "../../etc", "..", "%2e%2e", "a b")) {
      HttpResponse<String> refused =
          call(
              "POST",
              "/api/v1/flows",
              JsonCodec.writeString(Map.of("id", id, "name", "n")),
              mallory);
      assertEquals(400, refused.statusCode(), id + ": " + refused.body());
    }
    assertHealthy();
  }

  @Test
  void shouldAnswerMalformedRequestsInTheErrorShape() throws Exception {
    start();
    List<String> requests =
        List.of(
            "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n",
            "GET /api/v1/%zz HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /api/v1/health HTTP/1.1\r\n\r\n",
            "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(70_000) + "\r\n\r\n");
    for (String request : requests) {
      try (Socket socket = new Socket("127.0.0.1", server.port())) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        // the whole request sent: the server's lingering close sees the end of the client's side
        // at once instead of reading for what else it might send (2 s)
        socket.shutdownOutput();
        InputStream in = socket.getInputStream();
        String head = readHead(in);
        String what = request.substring(0, Math.min(60, request.length()));
        assertTrue(head.startsWith("HTTP/1.1 4"), what + ": " + head);
        assertTrue(head.toLowerCase(java.util.Locale.ROOT).contains("application/json"), head);
        String body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        Map<?, ?> error = (Map<?, ?>) ((Map<?, ?>) JsonCodec.parse(body)).get("error");
        assertEquals(Long.parseLong(head.substring(9, 12)), error.get("code"), body);
        assertNotEquals("", error.get("message"));
      }
    }
    assertHealthy();
  }

  @Test
  void shouldNotLetTheLastAdminBeDemotedOrDeleted() throws Exception {
    start();
    String aliceId = (String) json(call("GET", "/auth/me", null, admin)).get("id");
    assertEquals(403, call("GET", "/api/v1/users", null, mallory).statusCode());
    assertEquals(
        403,
        call("PUT", "/api/v1/users/" + aliceId, "{\"roles\":[\"user\"]}", mallory).statusCode());
    HttpResponse<String> demote =
        call("PUT", "/api/v1/users/" + aliceId, "{\"roles\":[\"user\"]}", admin);
    assertEquals(409, demote.statusCode(), demote.body());
    assertEquals(409, call("DELETE", "/api/v1/users/" + aliceId, null, admin).statusCode());
    Map<String, Object> users = json(call("GET", "/api/v1/users", null, admin));
    assertEquals(2L, users.get("total"));
    AtomicInteger admins = new AtomicInteger();
    ((List<?>) users.get("users"))
        .forEach(
            u ->
                admins.addAndGet(
                    ((List<?>) ((Map<?, ?>) u).get("roles")).contains("admin") ? 1 : 0));
    assertEquals(1, admins.get());
    assertHealthy();
  }

  // 11g. A deleted user's token kept working until it expired

  @Test
  void shouldRefuseTheTokenOfADeletedUserAtOnce() throws Exception {
    start();
    String eveToken = register("eve-the-leaver");
    String eveId = (String) json(call("GET", "/auth/me", null, eveToken)).get("id");
    HttpResponse<String> created =
        call("POST", "/api/v1/flows", "{\"name\":\"eve's\",\"nodes\":[]}", eveToken);
    assertEquals(201, created.statusCode(), created.body());
    assertEquals(200, call("GET", "/api/v1/flows", null, eveToken).statusCode());

    HttpResponse<String> deleted = call("DELETE", "/api/v1/users/" + eveId, null, admin);
    assertEquals(200, deleted.statusCode(), deleted.body());

    for (String path : List.of("/api/v1/flows", "/auth/me", "/api/v1/vault")) {
      HttpResponse<String> refused = call("GET", path, null, eveToken);
      assertEquals(401, refused.statusCode(), path + ": " + refused.body());
      assertEquals(Authenticator.UNAUTHORIZED, errorMessage(refused));
      assertEquals("Bearer", refused.headers().firstValue("WWW-Authenticate").orElse(null));
    }
    HttpResponse<String> write =
        call("POST", "/api/v1/flows", "{\"name\":\"after\",\"nodes\":[]}", eveToken);
    assertEquals(401, write.statusCode(), write.body());
    // everyone else's tokens still work
    assertEquals(200, call("GET", "/api/v1/flows", null, mallory).statusCode());
    assertEquals(200, call("GET", "/auth/me", null, admin).statusCode());
    assertHealthy();
  }
}
