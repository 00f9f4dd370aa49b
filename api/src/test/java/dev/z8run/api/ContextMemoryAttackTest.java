package dev.z8run.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.testkit.Poll;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Queue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile user of a shared server keeps growing values in a Function's context stores: each
 * request pushes a 1 MB string into an array in {@code flow} (or {@code global}) context. Without a
 * bound the store grows until the heap is gone (session 14 saw another user's hook time out while
 * it grew). The values of the {@code flow}, {@code global} and a node's {@code context} stores
 * count in the owner's share of the heap budget for held messages ({@code Z8_HELD_BUDGET_MB}): past
 * it {@code set} throws an Error the script may catch, uncaught it is the node's error; the stored
 * values stay, other users' flows go on. Through the real HTTP API. docs/security.md, attack 4d.
 */
class ContextMemoryAttackTest {
  /** Pushes a string of 1 MiB characters into {@code store}'s array "big" on each request. */
  private static String growFlow(String path, String store, boolean caught) {
    String grow =
        "const list = "
            + store
            + ".get('big') || []; list.push('x'.repeat(1048576));"
            + " "
            + store
            + ".set('big', list); msg.payload = list.length + ' stored';";
    String func =
        caught
            ? "try { "
                + grow
                + " } catch (e) { msg.statusCode = 507; msg.payload = e.message; }"
                + " return msg;"
            : grow + " return msg;";
    return """
        {"nodes":[
          {"id":"in","type":"http-in","config":{"method":"GET","path":"/%s"}},
          {"id":"fn","type":"function","config":{"func":"%s"}},
          {"id":"out","type":"http-out","config":{}}],
         "wires":[{"from":"in","to":"fn"},{"from":"fn","to":"out"}]}
        """
        .formatted(path, func);
  }

  @TempDir Path dataDir;

  private Z8Server server;
  private final AttackServer attack = new AttackServer();

  @AfterEach
  void stop() {
    attack.close();
  }

  @Test
  void shouldRefuseContextValuesPastTheOwnersShareAndLetOthersStore() throws Exception {
    // an 8 MiB budget: each user who is not an admin may hold 4 MiB, about three such strings
    server = attack.start(dataDir, "Z8_HELD_BUDGET_MB", "8");
    String mallory = attack.register("mallory");
    String bob = attack.register("bob");
    Queue<String> errors = attack.nodeErrors();

    // mallory's flow store grows by 1 MiB a request until the set is refused; caught, it answers
    String hoarder = attack.deploy(mallory, growFlow("fill", "flow", true));
    HttpResponse<String> last = null;
    int stored = 0;
    for (int i = 0; i < 10; i++) {
      last = attack.getHook(hoarder, "fill");
      if (last.statusCode() != 200) {
        break;
      }
      stored++;
      assertEquals(stored + " stored", last.body());
    }
    assertEquals(507, last.statusCode(), last.body());
    assertTrue(last.body().startsWith("flow.set('big'): storing this value"), last.body());
    assertTrue(
        last.body().contains("past its share of the heap for held messages and context values"),
        last.body());
    assertTrue(last.body().contains("of 4.0 MiB held by its nodes"), last.body());
    assertTrue(stored >= 2 && stored < 4, "stored " + stored);
    HttpResponse<String> again = attack.getHook(hoarder, "fill");
    assertEquals(507, again.statusCode(), "what was stored stays, and has no more room");

    // her global store is in the same account: an uncaught refusal is the node's error
    String global = attack.deploy(mallory, growFlow("global", "global", false));
    attack
        .client()
        .sendAsync(
            TestRequests.json(
                    "GET",
                    "http://127.0.0.1:" + server.port() + "/hook/" + global + "/global",
                    null,
                    null)
                .timeout(AttackServer.TIMEOUT)
                .build(),
            HttpResponse.BodyHandlers.discarding());
    Poll.eventually("the global set is the node's error").until(() -> !errors.isEmpty());
    assertTrue(errors.peek().startsWith("fn: Error: global.set('big'): storing"), errors.peek());
    assertTrue(server.engine().isRunning(global), "mallory's flow keeps running");

    // bob stores as much in his own stores: his hook answers
    String bobs = attack.deploy(bob, growFlow("mine", "flow", true));
    for (int i = 1; i <= 2; i++) {
      HttpResponse<String> mine = attack.getHook(bobs, "mine");
      assertEquals(200, mine.statusCode(), mine.body());
      assertEquals(i + " stored", mine.body());
    }
    String bobsGlobal = attack.deploy(bob, growFlow("g", "global", true));
    HttpResponse<String> mine = attack.getHook(bobsGlobal, "g");
    assertEquals(200, mine.statusCode(), mine.body());

    // a stopped flow gives its flow store back: mallory's next flow has room
    HttpResponse<String> stopped =
        attack.call("POST", "/api/v1/flows/" + hoarder + "/stop", null, mallory);
    assertEquals(200, stopped.statusCode(), stopped.body());
    String next = attack.deploy(mallory, growFlow("next", "flow", true));
    HttpResponse<String> room = attack.getHook(next, "next");
    assertEquals(200, room.statusCode(), room.body());
    assertEquals("1 stored", room.body());
    HttpResponse<String> health = attack.call("GET", "/api/v1/health", null, null);
    assertEquals(200, health.statusCode(), health.body());
  }
}
