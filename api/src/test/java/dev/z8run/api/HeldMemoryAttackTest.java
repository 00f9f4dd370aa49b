package dev.z8run.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.testkit.Poll;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Queue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile user of a shared server makes a node hold messages until the heap is full: a join
 * waiting for a count it never reaches, fed large messages. Before the heap budget for held
 * messages ({@code Z8_HELD_BUDGET_MB}) an inject every 5 ms into a Function making 1 MB strings
 * into such a join ended the real server with {@code OutOfMemoryError} (exit 3) within half a
 * minute. Through the real HTTP API. docs/security.md, attack 4d.
 */
class HeldMemoryAttackTest {
  /** A message of half a megabyte, as many as {@code n} from one request, into a join. */
  private static String joinFlow(String path, int messages, int count) {
    return """
        {"nodes":[
          {"id":"in","type":"http-in","config":{"method":"GET","path":"/%s"}},
          {"id":"fn","type":"function","config":{"func":
            "const big = 'x'.repeat(524288); const out = []; for (let i = 0; i < %d; i++) { out.push({payload: big}); } return [out];"}},
          {"id":"j","type":"join","config":{"mode":"custom","build":"array","count":%d}},
          {"id":"len","type":"function","config":{"func":
            "msg.payload = msg.payload.length + ' parts'; return msg;"}},
          {"id":"out","type":"http-out","config":{}}],
         "wires":[{"from":"in","to":"fn"},{"from":"fn","to":"j"},{"from":"j","to":"len"},
                  {"from":"len","to":"out"}]}
        """
        .formatted(path, messages, count);
  }

  @TempDir Path dataDir;

  private Z8Server server;
  private final AttackServer attack = new AttackServer();
  private final HttpClient client = attack.client();

  @AfterEach
  void stop() {
    attack.close();
  }

  @Test
  void shouldRefuseMessagesPastTheOwnersShareOfHeldHeapAsTheNodesErrorAndLetOthersJoin()
      throws Exception {
    // an 8 MiB budget: each user who is not an admin may hold 4 MiB, eight such messages
    server = attack.start(dataDir, "Z8_HELD_BUDGET_MB", "8");
    String mallory = attack.register("mallory");
    String bob = attack.register("bob");
    Queue<String> errors = attack.nodeErrors();
    // a join that never completes, fed 20 half-megabyte messages a request: 10 MB a request
    String hoarder = attack.deploy(mallory, joinFlow("fill", 20, 100_000));
    for (int i = 0; i < 3; i++) {
      client.sendAsync(
          TestRequests.json(
                  "GET",
                  "http://127.0.0.1:" + server.port() + "/hook/" + hoarder + "/fill",
                  null,
                  null)
              .timeout(AttackServer.TIMEOUT)
              .build(),
          HttpResponse.BodyHandlers.discarding());
    }

    Poll.eventually("the join refuses what passes mallory's share").until(() -> errors.size() >= 3);
    String refusal = errors.peek();
    assertTrue(refusal.startsWith("j: join: holding this message"), refusal);
    assertTrue(refusal.contains("past its share of the heap for held messages"), refusal);
    assertTrue(refusal.contains("of 4.0 MiB held by its nodes"), refusal);
    assertTrue(server.engine().isRunning(hoarder), "mallory's flow keeps running");

    // bob's join of two such messages still completes and answers
    String bobs = attack.deploy(bob, joinFlow("two", 2, 2));
    HttpResponse<String> joined = attack.getHook(bobs, "two");
    assertEquals(200, joined.statusCode(), joined.body());
    assertEquals("2 parts", joined.body());

    // a stopped flow gives its held messages back: mallory's next join has room
    HttpResponse<String> stopped =
        attack.call("POST", "/api/v1/flows/" + hoarder + "/stop", null, mallory);
    assertEquals(200, stopped.statusCode(), stopped.body());
    String again = attack.deploy(mallory, joinFlow("two", 2, 2));
    HttpResponse<String> mine = attack.getHook(again, "two");
    assertEquals(200, mine.statusCode(), mine.body());
    assertEquals("2 parts", mine.body());
    HttpResponse<String> health = attack.call("GET", "/api/v1/health", null, null);
    assertEquals(200, health.statusCode(), health.body());
  }
}
