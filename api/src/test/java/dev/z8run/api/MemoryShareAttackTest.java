package dev.z8run.api;

import static dev.z8run.api.AttackServer.errorMessage;
import static dev.z8run.api.AttackServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.event.EngineListener;
import dev.z8run.testkit.Poll;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile user of a shared server tries to take the off-heap memory the others need: by deploying
 * many flows, by pushing large bodies through a flow, and by redeploying in a loop. Through the
 * real HTTP API, with a small budget ({@code Z8_MEMORY_BUDGET_MB}) and the default share ({@code
 * Z8_MEMORY_SHARE_PERCENT}, 50). docs/security.md, "Memory and requests".
 */
class MemoryShareAttackTest {
  /** A flow of a trigger and four more nodes: about 6 MiB reserved (a 4 MiB table, inboxes). */
  private static final String SMALL_FLOW =
      """
      {"nodes":[
        {"id":"in","type":"inject","config":{}},
        {"id":"a","type":"junction"},{"id":"b","type":"junction"},
        {"id":"c","type":"junction"},{"id":"d","type":"junction"}],
       "wires":[{"from":"in","to":"a"},{"from":"a","to":"b"},{"from":"b","to":"c"},
                {"from":"c","to":"d"}]}
      """;

  @TempDir Path dataDir;

  private Z8Server server;
  private final AttackServer attack = new AttackServer();
  private final HttpClient client = attack.client();
  private String admin;
  private String mallory;
  private String bob;

  private void start(String... extra) throws Exception {
    server = attack.start(dataDir, extra);
    admin = attack.admin();
    mallory = attack.register("mallory");
    bob = attack.register("bob");
  }

  @AfterEach
  void stop() {
    attack.close();
  }

  private HttpResponse<String> call(String method, String path, String body, String token)
      throws Exception {
    return attack.call(method, path, body, token);
  }

  private String userId(String token) throws Exception {
    HttpResponse<String> me = call("GET", "/auth/me", null, token);
    assertEquals(200, me.statusCode(), me.body());
    Map<?, ?> body = json(me);
    Object user = body.get("user");
    return (String) (user instanceof Map<?, ?> nested ? nested.get("id") : body.get("id"));
  }

  private void assertHealthy() throws Exception {
    HttpResponse<String> health = call("GET", "/api/v1/health", null, null);
    assertEquals(200, health.statusCode(), health.body());
  }

  @Test
  void shouldStopAHostileUserAtTheirShareAndLetAnotherUserDeploy() throws Exception {
    start("Z8_MEMORY_BUDGET_MB", "48");
    // mallory deploys flows until refused: a share of 24 MiB holds three or four of these
    List<String> running = new ArrayList<>();
    HttpResponse<String> refused = null;
    for (int i = 0; i < 10 && refused == null; i++) {
      String id = attack.create(mallory, SMALL_FLOW);
      HttpResponse<String> started = attack.startFlow(mallory, id);
      if (started.statusCode() == 200) {
        running.add(id);
      } else {
        refused = started;
      }
    }

    assertEquals(507, refused.statusCode(), refused.body());
    String message = errorMessage(refused);
    assertTrue(
        message.contains("owner '" + userId(mallory) + "' already holds")
            && message.contains("of its share of 24.0 MiB")
            && message.contains("Z8_MEMORY_SHARE_PERCENT"),
        message);
    assertTrue(refused.body().contains("MEMORY_SHARE"), refused.body());
    assertTrue(running.size() >= 3, running.toString());
    for (String id : running) {
      assertTrue(server.engine().isRunning(id), "mallory's running flows keep running");
    }
    // nothing stored is lost: the refused flow is stored, idle
    HttpResponse<String> list = call("GET", "/api/v1/flows", null, mallory);
    assertEquals(running.size() + 1, ((List<?>) json(list).get("flows")).size(), list.body());

    // bob still deploys (the other half), and so does the admin
    attack.deploy(bob, SMALL_FLOW);
    attack.deploy(admin, SMALL_FLOW);
    assertHealthy();
  }

  @Test
  void shouldShowEachUserOnlyTheirOwnMemoryInTheMetrics() throws Exception {
    start("Z8_MEMORY_BUDGET_MB", "48");
    String malloryId = userId(mallory);
    String bobId = userId(bob);
    attack.deploy(mallory, SMALL_FLOW);
    attack.deploy(bob, SMALL_FLOW);

    String asMallory = call("GET", "/metrics", null, mallory).body();
    String asAdmin = call("GET", "/metrics", null, admin).body();
    String anonymous = call("GET", "/metrics", null, null).body();

    assertTrue(
        asMallory.contains("z8_owner_memory_reserved_bytes{owner=\"" + malloryId + "\"}"),
        asMallory);
    assertTrue(
        asMallory.contains(
            "z8_owner_memory_limit_bytes{owner=\"" + malloryId + "\"} " + (24L << 20)),
        asMallory);
    assertFalse(asMallory.contains(bobId), "no other user's id");
    assertFalse(anonymous.contains(malloryId) || anonymous.contains(bobId), anonymous);
    assertTrue(anonymous.contains("z8_engine_memory_budget_bytes " + (48L << 20)), anonymous);
    assertTrue(asAdmin.contains(malloryId) && asAdmin.contains(bobId), asAdmin);
  }

  @Test
  void shouldTurnBodiesPastTheShareIntoANodeErrorAndLiveOn() throws Exception {
    start("Z8_MEMORY_BUDGET_MB", "48");
    Queue<String> errors = new ConcurrentLinkedQueue<>();
    server
        .engine()
        .addListener(
            new EngineListener() {
              @Override
              public void onNodeError(
                  String flowId, String nodeId, long executionId, String message) {
                errors.add(nodeId + ": " + message);
              }
            });
    // each request makes twenty 1 MiB bodies at once (2 MiB blocks): 40 MiB, past the 24 MiB share
    String flow =
        attack.deploy(
            mallory,
            """
            {"nodes":[
              {"id":"in","type":"http-in","config":{"method":"GET","path":"/big"}},
              {"id":"fn","type":"function","config":{"func":
                "const big = 'x'.repeat(1048576); const out = []; for (let i = 0; i < 20; i++) { out.push({payload: big}); } return [out];"}},
              {"id":"end","type":"junction"}],
             "wires":[{"from":"in","to":"fn"},{"from":"fn","to":"end"}]}
            """);

    for (int i = 0; i < 3; i++) {
      client.sendAsync(
          TestRequests.json(
                  "GET", "http://127.0.0.1:" + server.port() + "/hook/" + flow + "/big", null, null)
              .timeout(AttackServer.TIMEOUT)
              .build(),
          HttpResponse.BodyHandlers.discarding());
    }

    Poll.eventually("three refusals on the function node").until(() -> errors.size() >= 3);
    assertTrue(errors.peek().startsWith("fn: "), errors.peek());
    assertTrue(errors.peek().contains("past its share of off-heap memory"), errors.peek());
    Poll.eventually("every body block given back").until(() -> server.engine().blockBytes() == 0);
    // the server lives, and bob's deploy is not refused
    assertHealthy();
    attack.deploy(bob, SMALL_FLOW);
  }

  @Test
  void shouldAnswer503ToAHookBodyThatFindsNoRoomInTheShare() throws Exception {
    start("Z8_MEMORY_BUDGET_MB", "32", "Z8_HOOK_MAX_BODY_BYTES", "16000000");
    String echo =
        attack.deploy(
            mallory,
            """
            {"nodes":[
              {"id":"in","type":"http-in","config":{"method":"POST","path":"/e"}},
              {"id":"out","type":"http-out","config":{}}],
             "wires":[{"from":"in","to":"out"}]}
            """);
    // 10 MB as one JSON string: a 16 MiB block, past what is left of the 16 MiB share
    String big = "\"" + "y".repeat(10_000_000) + "\"";

    HttpResponse<String> refused = call("POST", "/hook/" + echo + "/e", big, null);

    assertEquals(503, refused.statusCode(), refused.body());
    assertTrue(
        refused.headers().firstValue("Retry-After").isPresent(), refused.headers().toString());
    assertTrue(
        errorMessage(refused).contains("has no memory for the request body"),
        "the answer says memory was the reason: " + refused.body());
    HttpResponse<String> small = call("POST", "/hook/" + echo + "/e", "{\"n\":1}", null);
    assertEquals(200, small.statusCode(), small.body());
    assertHealthy();
  }

  @Test
  void shouldRedeployRightAfterAStopWithABudgetThatHoldsOneCopy() throws Exception {
    // mallory's share, 8 MiB, holds one copy of the flow (about 6 MiB), not two
    start("Z8_MEMORY_BUDGET_MB", "16");
    String id = attack.create(mallory, SMALL_FLOW);

    for (int i = 0; i < 20; i++) {
      HttpResponse<String> started = attack.startFlow(mallory, id);
      assertEquals(200, started.statusCode(), "cycle " + i + ": " + started.body());
      HttpResponse<String> stopped = call("POST", "/api/v1/flows/" + id + "/stop", null, mallory);
      assertEquals(200, stopped.statusCode(), stopped.body());
    }

    assertEquals(0, server.engine().reservedBytes());
    assertHealthy();
  }
}
