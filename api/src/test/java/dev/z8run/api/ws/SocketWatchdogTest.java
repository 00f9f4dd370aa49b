package dev.z8run.api.ws;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.api.Main;
import dev.z8run.api.TestSettings;
import dev.z8run.api.Z8Server;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watchdog sees every write to a client, not only event and reply messages: a client that stops
 * reading and keeps sending WebSocket pings blocks the server in a pong.
 */
class SocketWatchdogTest {
  @TempDir Path dataDir;

  @Test
  void shouldDropAClientThatPingsButStoppedReading() throws Exception {
    try (Z8Server server =
        Main.start(
            TestSettings.ephemeral(
                Map.of(
                    "Z8_DATA_DIR", dataDir.toString(),
                    "Z8_JWT_SECRET", "a-test-secret-that-is-long-enough-for-hs256",
                    "Z8_WS_SLOW_CONSUMER_MS", "500",
                    // neither deadline may end the connection first
                    "Z8_WS_AUTH_TIMEOUT_MS", "600000",
                    "Z8_WS_IDLE_TIMEOUT_MS", "600000")))) {
      Socket socket = new Socket();
      socket.setReceiveBufferSize(4096); // the server's pongs fill it at once
      AtomicBoolean pinging = new AtomicBoolean(true);
      Thread pinger = null;
      try {
        socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
        upgrade(socket);
        await("the connection open")
            .atMost(Duration.ofSeconds(10))
            .until(() -> server.sockets().openConnections() == 1);
        OutputStream out = socket.getOutputStream();
        pinger =
            Thread.ofPlatform()
                .name("pinger")
                .start(
                    () -> {
                      byte[] ping = ping();
                      try {
                        while (pinging.get()) {
                          out.write(ping); // blocks once the server no longer reads
                        }
                      } catch (IOException dropped) {
                        // the server closed the connection (or the test did)
                      }
                    });
        // a pong blocked 500 ms is dropped at the next watch (250 ms); 10 s is a loaded
        // machine's margin, the connection's own deadlines are ten minutes away
        await("the client that stopped reading dropped")
            .atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(50))
            .until(() -> server.sockets().openConnections() == 0);
      } finally {
        pinging.set(false);
        socket.close();
        if (pinger != null) {
          pinger.join();
        }
      }
    }
  }

  @Test
  void shouldStopTheServerWhileAClientStalls() throws Exception {
    Z8Server server =
        Main.start(
            TestSettings.ephemeral(
                Map.of(
                    "Z8_DATA_DIR", dataDir.toString(),
                    "Z8_JWT_SECRET", "a-test-secret-that-is-long-enough-for-hs256",
                    // the watchdog would drop the client only in ten minutes
                    "Z8_WS_SLOW_CONSUMER_MS", "600000",
                    "Z8_WS_AUTH_TIMEOUT_MS", "600000",
                    "Z8_WS_IDLE_TIMEOUT_MS", "600000")));
    Socket socket = new Socket();
    socket.setReceiveBufferSize(4096);
    AtomicBoolean pinging = new AtomicBoolean(true);
    AtomicLong pings = new AtomicLong();
    Thread pinger = null;
    Thread stopper = null;
    try {
      socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
      upgrade(socket);
      OutputStream out = socket.getOutputStream();
      pinger =
          Thread.ofPlatform()
              .name("pinger")
              .start(
                  () -> {
                    byte[] ping = ping();
                    try {
                      while (pinging.get()) {
                        out.write(ping);
                        pings.incrementAndGet();
                      }
                    } catch (IOException dropped) {
                      // the server closed the connection (or the test did)
                    }
                  });
      // the server no longer reads once it is blocked in a pong: the pings stop going out
      long[] last = {-1};
      await("the server blocked in a pong")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                long now = pings.get();
                boolean still = now == last[0];
                last[0] = now;
                return still;
              });
      stopper = Thread.ofPlatform().name("stopper").start(server::close);
      stopper.join(10_000);
      assertFalse(stopper.isAlive(), "the server stopped within 10 s while a client stalled");
    } finally {
      pinging.set(false);
      socket.close();
      if (pinger != null) {
        pinger.join();
      }
      if (stopper == null) {
        server.close();
      } else {
        stopper.join();
      }
    }
  }

  private static void upgrade(Socket socket) throws IOException {
    socket.setSoTimeout(10_000);
    socket
        .getOutputStream()
        .write(
            ("GET /ws/engine HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
    InputStream in = socket.getInputStream();
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.append((char) b);
    }
    assertTrue(head.toString().startsWith("HTTP/1.1 101"), head.toString());
  }

  /** A masked client ping (mask 0) with the largest control payload, 125 bytes. */
  private static byte[] ping() {
    byte[] frame = new byte[2 + 4 + 125];
    frame[0] = (byte) 0x89; // FIN + ping
    frame[1] = (byte) (0x80 | 125); // masked, 125 bytes
    return frame;
  }
}
