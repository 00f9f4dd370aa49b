package dev.z8run.api.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.api.Main;
import dev.z8run.api.TestSettings;
import dev.z8run.api.Z8Server;
import dev.z8run.api.auth.Tokens;
import dev.z8run.api.auth.UserPrincipal;
import dev.z8run.api.http.BodyBudget;
import dev.z8run.testkit.Poll;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * A message being received on {@code /ws/engine} takes its bytes from the server's body budget.
 * Isolated: the budget is the JVM's one ({@link BodyBudget#server()}), which every server start
 * sets; another class starting a server meanwhile would give this socket its default budget.
 */
@Isolated
class EngineSocketBodyBudgetTest {
  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";

  @TempDir Path dataDir;

  /**
   * A signed-in user's socket that sends most of a 16 MiB message in fragments and then nothing
   * held it on the heap, and an address may hold 1,024 connections: a few users' sockets filled the
   * heap. The message buffer is taken from the server's body budget for the connection's address;
   * past the address's half of it the connection is closed with 1013 (try again later), and its
   * bytes come back.
   */
  @Test
  void shouldTakeAMessageBeingReceivedFromTheBodyBudget() throws Exception {
    try (Z8Server server =
        Main.start(
            TestSettings.ephemeral(
                Map.of(
                    "Z8_DATA_DIR",
                    dataDir.toString(),
                    "Z8_JWT_SECRET",
                    SECRET,
                    "Z8_BODY_BUDGET_MB",
                    "16")))) {
      String token = Tokens.withSecret(SECRET).issue(new UserPrincipal("u1", "alice"));
      DocClient bystander = DocClient.connect(server.port());
      bystander.handshake(token);
      InetAddress loopback = InetAddress.getByName("127.0.0.1");
      BodyBudget budget = BodyBudget.server();
      DocClient hoarder = DocClient.connect(server.port());
      hoarder.handshake(token);
      byte[] fragment = new byte[1 << 20];
      for (int i = 0; i < 15 && !hoarder.isClosed(); i++) {
        try {
          hoarder.sendPart(fragment); // 15 MiB of a message, never its last fragment
        } catch (CompletionException closedUnderUs) {
          break;
        }
        assertTrue(
            budget.usedBy(loopback) <= budget.limit() / 2,
            "the address holds " + budget.usedBy(loopback) + " bytes");
      }
      String closed = hoarder.awaitClose(5_000);
      assertTrue(closed.startsWith("1013 "), closed);
      Poll.eventually("the message's bytes back in the budget")
          .until(budget::used, used -> used == 0);
      hoarder.close();
      // the well-behaved client saw nothing of it
      assertEquals(DocClient.PONG, bystander.request(DocClient.PING, "").type());
      bystander.close();
    }
  }
}
