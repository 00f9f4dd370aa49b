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
 * A hostile user of a shared server keeps what her Function makes in the script's own variables:
 * each call of her hook pushes a 1 MiB string into a global array ({@code globalThis.keep}), which
 * no context store meters and {@code memoryLimitMb} (one call's allocation) does not bound; the
 * heap filled until the server ended with {@code OutOfMemoryError}. What a script keeps between
 * calls is measured ({@code RetainedHeap}) and counted in its owner's share of {@code
 * Z8_HELD_BUDGET_MB}: past it the call is the node's error (her Catch node answers it with 507),
 * the script and its state are dropped and every later call is refused; another user's hook answers
 * 200 throughout. Through the real HTTP API. docs/security.md, attack 4h.
 */
class FunctionMemoryAttackTest {
  /** A hook whose Function runs {@code func}; a Catch node answers the node's error with 507. */
  private static String hook(String path, String func) {
    return """
        {"nodes":[
          {"id":"in","type":"http-in","config":{"method":"GET","path":"/%s"}},
          {"id":"fn","type":"function","config":{"func":"%s"}},
          {"id":"out","type":"http-out","config":{}},
          {"id":"caught","type":"catch","config":{}},
          {"id":"refused","type":"function","config":{"func":"msg.statusCode = 507;\
         msg.payload = msg.error.message; return msg;"}}],
         "wires":[{"from":"in","to":"fn"},{"from":"fn","to":"out"},
           {"from":"caught","to":"refused"},{"from":"refused","to":"out"}]}
        """
        .formatted(path, func);
  }

  private static final String HOARD =
      "globalThis.keep = globalThis.keep || []; keep.push('x'.repeat(1048576));"
          + " msg.payload = keep.length + ' kept'; return msg;";

  @TempDir Path dataDir;

  private Z8Server server;
  private final AttackServer attack = new AttackServer();

  @AfterEach
  void stop() {
    attack.close();
  }

  @Test
  void shouldRefuseWhatAScriptKeepsPastTheOwnersShareAndLetOthersAnswer() throws Exception {
    // a 16 MiB budget: each user who is not an admin may hold 8 MiB
    server = attack.start(dataDir, "Z8_HELD_BUDGET_MB", "16");
    String mallory = attack.register("mallory");
    String bob = attack.register("bob");
    Queue<String> errors = attack.nodeErrors();
    String hoarder = attack.deploy(mallory, hook("hoard", HOARD));
    String bobs = attack.deploy(bob, hook("work", "msg.payload = 'ok'; return msg;"));

    HttpResponse<String> last = null;
    int kept = 0;
    for (int i = 0; i < 40; i++) {
      last = attack.getHook(hoarder, "hoard");
      if (last.statusCode() != 200) {
        break;
      }
      kept++;
      assertEquals(kept + " kept", last.body());
      HttpResponse<String> others = attack.getHook(bobs, "work");
      assertEquals(200, others.statusCode(), others.body());
    }

    assertEquals(507, last.statusCode(), last.body());
    assertTrue(
        last.body().startsWith("function 'fn': what its script keeps between messages ("),
        last.body());
    assertTrue(
        last.body().contains("' past its share of the heap for held messages and context values"),
        last.body());
    assertTrue(last.body().contains("of 8.0 MiB held by its nodes"), last.body());
    assertTrue(kept >= 4 && kept <= 8, "kept " + kept);
    Poll.eventually("the refusal is the node's error").until(() -> !errors.isEmpty());
    assertTrue(errors.peek().startsWith("fn: function 'fn': what its script keeps"), errors.peek());
    HttpResponse<String> again = attack.getHook(hoarder, "hoard");
    assertEquals(507, again.statusCode(), again.body());
    assertTrue(again.body().endsWith("until its flow is deployed again"), again.body());
    assertEquals("ok", attack.getHook(bobs, "work").body());
    assertTrue(server.engine().isRunning(hoarder), "mallory's flow keeps running");

    // deployed again, her flow starts with nothing kept
    assertEquals(
        200, attack.call("POST", "/api/v1/flows/" + hoarder + "/stop", null, mallory).statusCode());
    assertEquals(200, attack.startFlow(mallory, hoarder).statusCode());
    assertEquals("1 kept", attack.getHook(hoarder, "hoard").body());
    HttpResponse<String> health = attack.call("GET", "/api/v1/health", null, null);
    assertEquals(200, health.statusCode(), health.body());
  }
}
