package dev.z8run.nodes.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.nodes.support.ConnectionSettings;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The session on the lean 3.1.1 client against a fake broker that answers at once: the first
 * connection is reported however fast it comes, and what a flow run on the client's reader thread
 * queues (a publish, a disconnect action) is written, and a subscription taken while the connection
 * comes up is made.
 */
@Isolated // asserts that the DISCONNECT goes out within 400 ms of wall time
class MqttSessionTest {
  /** Accepts connections, answers CONNECT and SUBSCRIBE, records every packet's first byte. */
  private static final class FakeBroker implements AutoCloseable {
    final ServerSocket server;
    final LinkedBlockingQueue<byte[]> packets = new LinkedBlockingQueue<>();
    final AtomicReference<OutputStream> last = new AtomicReference<>();
    final Thread acceptor;

    FakeBroker() throws IOException {
      server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
      acceptor = Thread.ofPlatform().daemon().start(this::accept);
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          Thread.ofPlatform().daemon().start(() -> serve(s));
        } catch (IOException closed) {
          return;
        }
      }
    }

    private void serve(Socket s) {
      try (s) {
        DataInputStream in = new DataInputStream(s.getInputStream());
        OutputStream out = s.getOutputStream();
        while (true) {
          int header = in.read();
          if (header < 0) {
            return;
          }
          int length = 0;
          int shift = 0;
          int b;
          do {
            b = in.readUnsignedByte();
            length |= (b & 0x7F) << shift;
            shift += 7;
          } while ((b & 0x80) != 0);
          byte[] packet = new byte[length + 1];
          packet[0] = (byte) header;
          in.readFully(packet, 1, length);
          packets.add(packet);
          switch (header >> 4) {
            case 1 -> {
              synchronized (out) {
                out.write(new byte[] {0x20, 2, 0, 0}); // CONNACK, no session
                out.flush();
              }
              last.set(out);
            }
            case 8 -> {
              synchronized (out) {
                out.write(new byte[] {(byte) 0x90, 3, packet[1], packet[2], 0}); // SUBACK
                out.flush();
              }
            }
            case 12 -> {
              synchronized (out) {
                out.write(new byte[] {(byte) 0xD0, 0});
                out.flush();
              }
            }
            case 14 -> {
              return; // DISCONNECT
            }
            default -> {}
          }
        }
      } catch (IOException gone) {
        // the client went
      }
    }

    /** The next packet of type {@code type} (others skipped), or null after {@code ms}. */
    byte[] next(int type, long ms) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
      while (true) {
        long left = deadline - System.nanoTime();
        byte[] packet = packets.poll(Math.max(0, left), TimeUnit.NANOSECONDS);
        if (packet == null || ((packet[0] & 0xFF) >> 4) == type) {
          return packet;
        }
      }
    }

    void send(byte[] frame) throws IOException {
      OutputStream out = last.get();
      synchronized (out) {
        out.write(frame);
        out.flush();
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  private FakeBroker broker;

  @BeforeEach
  void setUp() throws IOException {
    broker = new FakeBroker();
  }

  @AfterEach
  void tearDown() throws IOException {
    broker.close();
  }

  private MqttSession open(String clientId) throws Exception {
    return MqttSession.open(
        new ConnectionSettings(
            "mqtt",
            "127.0.0.1",
            broker.server.getLocalPort(),
            clientId,
            "",
            "",
            false,
            Map.of("protocolVersion", 4)));
  }

  private static void await(String what, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, what + " within 5 s");
      Thread.sleep(2);
    }
  }

  @Test
  void shouldTellTheSessionOfAConnectionThatComesBeforeTheClientIsInPlace() throws Exception {
    // the fake broker answers CONNECT at once: the reader may report the connection before the
    // session's start returns; the session must count it (else it never publishes)
    for (int i = 0; i < 20; i++) {
      try (MqttSession session = open("fast-" + i)) {
        await("connected (round " + i + ")", session::isConnected);
        session.offer("t/" + i, "x".getBytes(StandardCharsets.UTF_8), 0, false);
        await("published (round " + i + ")", () -> session.published() == 1);
        session.disconnect();
        broker.packets.clear();
        // a connect action: the same again on a new client
        session.connect(null, null, false);
        await("connected again (round " + i + ")", session::isConnected);
        session.offer("t/" + i, "y".getBytes(StandardCharsets.UTF_8), 0, false);
        await("published again (round " + i + ")", () -> session.published() == 2);
      }
    }
  }

  @Test
  void shouldWriteWhatAFlowRunOnTheReaderQueuesAndTheDisconnectItAsksFor() throws Exception {
    try (MqttSession session = open("reader-flow")) {
      await("connected", session::isConnected);
      Object owner = new Object();
      session.subscribe(
          owner,
          "in/#",
          MqttSession.SubscribeOptions.qos(0),
          incoming -> {
            // as mqtt-in -> mqtt-out (publish, then a disconnect action) run on the reader thread
            session.offer("out/echo", incoming.payload(), 0, false);
            session.disconnect();
          });
      assertNotNull(broker.next(8, 5_000), "SUBSCRIBE");
      byte[] topic = "in/x".getBytes(StandardCharsets.UTF_8);
      byte[] publish = new byte[2 + 2 + topic.length + 1];
      publish[0] = 0x30;
      publish[1] = (byte) (publish.length - 2);
      publish[3] = (byte) topic.length;
      System.arraycopy(topic, 0, publish, 4, topic.length);
      publish[publish.length - 1] = 'p';
      broker.send(publish);
      byte[] echo = broker.next(3, 2_000);
      assertNotNull(echo, "the publish the flow queued on the reader goes out");
      assertEquals('p', echo[echo.length - 1]);
      long asked = System.nanoTime();
      assertNotNull(broker.next(14, 2_000), "the DISCONNECT (no last will) goes out");
      assertTrue(
          System.nanoTime() - asked < TimeUnit.MILLISECONDS.toNanos(400),
          "at once, not after the close's wait for a queue only the reader would write");
    }
  }

  @Test
  void shouldMakeEverySubscriptionTakenWhileTheConnectionComesUp() throws Exception {
    // an mqtt-in subscribes in onStart, just after its session started connecting: one taken
    // while the reader made the subscriptions again but before it counted as connected was made
    // nowhere (only at the next reconnect), and the node heard nothing though it said subscribed
    for (int round = 0; round < 20; round++) {
      try (MqttSession session = open("racing-" + round)) {
        Set<String> asked = new HashSet<>();
        int after = 0;
        for (int n = 0; after < 5; n++) {
          if (session.isConnected()) {
            after++;
          }
          String filter = "r" + round + "/" + n;
          session.subscribe(new Object(), filter, MqttSession.SubscribeOptions.qos(0), m -> {});
          asked.add(filter);
        }
        Set<String> made = new HashSet<>();
        await(
            "every subscription made (round " + round + ")",
            () -> {
              byte[] packet;
              while ((packet = broker.packets.poll()) != null) {
                if (((packet[0] & 0xFF) >> 4) == 8) {
                  made.addAll(filters(packet));
                }
              }
              return made.containsAll(asked);
            });
      }
      broker.packets.clear();
    }
  }

  /** The topic filters of a SUBSCRIBE packet (its first byte, then the packet id, then each). */
  private static Set<String> filters(byte[] subscribe) {
    Set<String> filters = new HashSet<>();
    int at = 3;
    while (at < subscribe.length) {
      int length = ((subscribe[at] & 0xFF) << 8) | (subscribe[at + 1] & 0xFF);
      filters.add(new String(subscribe, at + 2, length, StandardCharsets.UTF_8));
      at += 2 + length + 1; // and the QoS
    }
    return filters;
  }
}
