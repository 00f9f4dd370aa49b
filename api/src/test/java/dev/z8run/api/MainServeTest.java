package dev.z8run.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * {@link Main#start} with real sockets: what {@code z8run serve} does once settings are read.
 * Isolated: the warm-up {@code serve} begins is the process's one, which any server start takes,
 * and other classes start servers.
 */
@Isolated
class MainServeTest {
  @TempDir Path dataDir;

  @Test
  void shouldListenOnAnEphemeralPortWhenPortIsZero() throws Exception {
    Z8Server server = Main.start(TestSettings.ephemeral(Map.of("Z8_DATA_DIR", dataDir.toString())));
    try (HttpClient client = HttpClient.newHttpClient()) {
      assertTrue(server.port() > 0, "bound port " + server.port());
      assertEquals(200, health(client, server).statusCode());
    } finally {
      server.close();
    }
  }

  @Test
  void shouldTakeTheWarmUpServeBeganBeforeItsSettings() throws Exception {
    // serve begins the warm-up before it reads the settings; the start takes it, once
    Z8Server.beginWarmUp();
    assertTrue(Z8Server.warmUpPending());
    Z8Server server = Main.start(TestSettings.ephemeral(Map.of("Z8_DATA_DIR", dataDir.toString())));
    try (HttpClient client = HttpClient.newHttpClient()) {
      assertFalse(Z8Server.warmUpPending());
      assertEquals(200, health(client, server).statusCode());
    } finally {
      server.close();
    }
  }

  private static HttpResponse<String> health(HttpClient client, Z8Server server) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/v1/health"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void shouldFailToStartWhenThePortIsTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      Settings settings =
          Settings.of(
              Map.of(
                  "Z8_PORT", Integer.toString(taken.getLocalPort()),
                  "Z8_DATA_DIR", dataDir.toString()));

      IllegalStateException e =
          assertThrows(IllegalStateException.class, () -> Main.start(settings));

      assertTrue(
          e.getMessage().startsWith("cannot listen on http://127.0.0.1:" + taken.getLocalPort()),
          e.getMessage());
    }
  }

  @Test
  void shouldRefuseToBindBeyondLoopbackWithoutAJwtSecret() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Main.start(
                    TestSettings.ephemeral(
                        Map.of("Z8_BIND", "0.0.0.0", "Z8_DATA_DIR", dataDir.toString()))));
    assertTrue(e.getMessage().contains("needs Z8_JWT_SECRET"), e.getMessage());
  }
}
