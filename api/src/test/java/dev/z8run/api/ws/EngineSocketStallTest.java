package dev.z8run.api.ws;

import static dev.z8run.api.ws.DocClient.*;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.api.Main;
import dev.z8run.api.TestSettings;
import dev.z8run.api.Z8Server;
import dev.z8run.api.auth.Tokens;
import dev.z8run.api.auth.UserPrincipal;
import dev.z8run.core.runtime.Engine;
import dev.z8run.core.runtime.NodeCounters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * A client that stops reading while a flow runs flat out: the engine keeps going, another client
 * keeps receiving events, and the server drops the stalled client after the slow-consumer limit.
 */
@Isolated // runs a flow flat out on every core and asserts progress on a deadline
class EngineSocketStallTest {
  private static final String SECRET = "a-test-secret-that-is-long-enough-for-hs256";

  @TempDir Path dataDir;

  @Test
  void shouldDropAStalledClientWithoutSlowingTheEngineOrOtherClients() throws Exception {
    StringBuilder nodes = new StringBuilder("{\"id\":\"in\",\"type\":\"junction\",\"config\":{}}");
    StringBuilder wires = new StringBuilder();
    nodes.append(",{\"id\":\"sink\",\"type\":\"counter\",\"config\":{}}");
    wires.append("{\"from\":\"in\",\"to\":\"sink\"}");
    for (int i = 0; i < 8; i++) {
      nodes.append(
          ",{\"id\":\"dbg"
              + i
              + "\",\"type\":\"debug\",\"config\":{\"complete\":true,"
              + "\"maxPreviewBytes\":4096}}");
      wires.append(",{\"from\":\"in\",\"to\":\"dbg" + i + "\"}");
    }
    String flow =
        "{\"id\":\"storm\",\"name\":\"Storm\",\"nodes\":[" + nodes + "],\"wires\":[" + wires + "]}";
    try (Z8Server server =
        Main.start(
            TestSettings.ephemeral(
                Map.of(
                    "Z8_DATA_DIR", dataDir.toString(),
                    "Z8_JWT_SECRET", SECRET,
                    "Z8_WS_SLOW_CONSUMER_MS", "1500",
                    "Z8_WS_DEBUG_RATE", "100000",
                    "Z8_WS_PREVIEW_BYTES", "4096")))) {
      String token = Tokens.withSecret(SECRET).issue(new UserPrincipal("u1", "alice"));
      DocClient stalled = DocClient.connect(server.port());
      DocClient watcher = DocClient.connect(server.port());
      stalled.handshake(token);
      watcher.handshake(token);
      assertEquals(OK, watcher.request(FLOW_CREATE, flow).type());
      assertEquals(OK, watcher.request(FLOW_START, "{\"flow_id\":\"storm\"}").type());
      assertEquals(OK, stalled.request(SUBSCRIBE, "{\"flow_id\":\"storm\"}").type());
      assertEquals(OK, watcher.request(SUBSCRIBE, "{\"flow_id\":\"storm\"}").type());
      stalled.stopReading();

      Engine engine = server.engine();
      Engine.CounterReader sunk = engine.counter("storm", "sink", NodeCounters.MESSAGES_IN);
      AtomicBoolean running = new AtomicBoolean(true);
      Thread driver =
          Thread.ofPlatform()
              .name("storm-driver")
              .start(
                  () -> {
                    byte[] body =
                        ("{\"payload\":\"" + "x".repeat(4000) + "\"}")
                            .getBytes(StandardCharsets.UTF_8);
                    UnsafeBuffer json = new UnsafeBuffer(body);
                    Engine.Trigger trigger = engine.trigger("storm", "in");
                    while (running.get()) {
                      if (trigger.tryInject(json, 0, body.length)
                          != dev.z8run.core.node.InjectResult.ACCEPTED) {
                        LockSupport.parkNanos(20_000); // leave the cores to the engine
                      }
                    }
                  });
      try {
        long[] before = {sunk.get()};
        long[] windowStart = {System.nanoTime()};
        await("the stalled client dropped")
            .atMost(Duration.ofSeconds(60))
            .pollInterval(Duration.ofMillis(100))
            .until(
                () -> {
                  if (System.nanoTime() - windowStart[0] > 5_000_000_000L) {
                    // progress over 5 s windows: a shared machine may pause any thread a moment
                    assertTrue(
                        sunk.get() > before[0],
                        "the engine keeps moving messages while a client stalls");
                    before[0] = sunk.get();
                    windowStart[0] = System.nanoTime();
                  }
                  return server.sockets().openConnections() <= 1;
                });
        assertEquals(1, server.sockets().openConnections(), "the stalled client was dropped");

        watcher.clearEvents();
        Frame sample = watcher.awaitEvent(f -> f.type() == DEBUG_SAMPLE, 30_000);
        assertNotNull(sample, "the other client still receives debug samples");
        assertEquals("storm", debugSample(sample).flowId());
        long after = sunk.get();
        await("the flow still runs")
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(10))
            .until(() -> sunk.get() > after);
        assertEquals(PONG, watcher.request(PING, "").type());
      } finally {
        running.set(false);
        driver.join();
        stalled.close();
        watcher.close();
      }
    }
  }
}
