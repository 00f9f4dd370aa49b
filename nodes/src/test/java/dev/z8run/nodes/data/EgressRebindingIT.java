package dev.z8run.nodes.data;

import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.runtime.DeployException;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.support.LiveConnections;
import dev.z8run.nodes.support.PinningResolver;
import dev.z8run.testkit.Poll;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * DNS rebinding against the data nodes' live clients: a name that resolves to an allowed address
 * when the policy checks it at deploy, and to a forbidden one on every later lookup, must not carry
 * the pool's or the MQTT session's (re)connections to the forbidden address.
 *
 * <p>The services run on {@code 127.0.0.1}, so the policy here allows {@code 127.0.0.1} only:
 * {@code 127.0.0.2} stands for the forbidden address (a loopback service in production). A relay on
 * {@code 127.0.0.1:P} forwards to the real PostgreSQL or Mosquitto and can cut its connections (a
 * server restart, as the client sees it); a victim listens on {@code 127.0.0.2:P} and counts who
 * reaches it. Needs the JVM's DNS cache off ({@code -Dsun.net.inetaddr.ttl=0}, nodes/pom.xml).
 */
class EgressRebindingIT {
  private final MqttFixture mqtt = new MqttFixture("h12b", "127.0.0.1");
  private final FlowHarness harness = mqtt.harness;
  private final LiveConnections live = mqtt.live;
  private final String name = "h12b-" + UUID.randomUUID().toString().substring(0, 8) + ".test";
  private final AtomicInteger lookups = new AtomicInteger();
  private AutoCloseable rebound;
  private Relay relay;
  private Victim victim;

  @BeforeEach
  void setUp() {
    assertTrue(PinningResolver.install(), "the JVM resolves names through PinningResolver");
    InetAddressResolver previous = PinningResolver.delegate();
    rebound =
        PinningResolver.answerWith(
            new InetAddressResolver() {
              @Override
              public Stream<InetAddress> lookupByName(String host, LookupPolicy policy)
                  throws UnknownHostException {
                if (!host.equals(name)) {
                  return previous.lookupByName(host, policy);
                }
                byte last = (byte) (lookups.getAndIncrement() == 0 ? 1 : 2);
                return Stream.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, last}));
              }

              @Override
              public String lookupByAddress(byte[] address) throws UnknownHostException {
                return previous.lookupByAddress(address);
              }
            });
  }

  @AfterEach
  void tearDown() throws Exception {
    mqtt.close();
    rebound.close();
    if (relay != null) {
      relay.close();
    }
    if (victim != null) {
      victim.close();
    }
  }

  private void listen(int targetPort) throws IOException {
    relay = new Relay(targetPort);
    victim = new Victim(relay.port());
  }

  /** After the clients closed: the name was rebound all along, only the pin hid it. */
  private void assertRebound() throws UnknownHostException {
    assertTrue(lookups.get() >= 1, "the name was looked up");
    assertEquals(
        "127.0.0.2",
        InetAddress.getByName(name).getHostAddress(),
        "with no live client left, the name answers the forbidden address");
  }

  @Test
  void shouldKeepThePoolOnTheCheckedAddressAcrossReconnects() throws Exception {
    URI postgres = URI.create(Databases.postgresUrl().substring("jdbc:".length()));
    listen(postgres.getPort());
    Map<String, Object> fields = Databases.fields("postgres", Databases.postgresUrl());
    fields.put("host", name);
    fields.put("port", relay.port());
    fields.put("poolSize", 2);
    Flow flow =
        new Flow(
            "rebind-db",
            "rebind-db",
            "",
            List.of(
                node("in", "source"),
                node(
                    "db", "database", Databases.config(fields, Map.of("query", "SELECT 1 AS one"))),
                node("ok", "capture"),
                node("err", "capture")),
            List.of(
                new Wire("in", 0, "db", 0),
                new Wire("db", 0, "ok", 0),
                new Wire("db", 1, "err", 0)));
    harness.engine.deploy(flow);
    harness.inject("rebind-db", "in", "{}");
    harness.awaitCaptured("ok", 1);
    int before = relay.accepted.get();
    relay.cut(); // the server "restarts": every pooled connection is gone
    FlowHarness.await(
        "a query on a new connection",
        () -> {
          harness.inject("rebind-db", "in", "{}");
          MqttFixture.sleep(200);
          return relay.accepted.get() > before && harness.captured("ok").size() >= 2;
        });
    assertEquals(0, victim.accepted.get(), "nothing reached the forbidden address");
    harness.engine.stop("rebind-db", 5_000);
    assertEquals(0, live.size());
    assertRebound();
    // the pin ended with the pool: a redeploy checks the name's new answer, and refuses it
    DeployException refused =
        assertThrows(DeployException.class, () -> harness.engine.deploy(flow));
    assertTrue(
        refused.getMessage().contains("not allowed by the outbound policy"), refused.getMessage());
    assertEquals(0, victim.accepted.get(), "nothing reached the forbidden address");
  }

  @Test
  void shouldKeepMqtt311OnTheCheckedAddressAcrossReconnects() throws Exception {
    mqtt(4);
  }

  @Test
  void shouldKeepMqtt5OnTheCheckedAddressAcrossReconnects() throws Exception {
    mqtt(5);
  }

  private void mqtt(int protocolVersion) throws Exception {
    listen(mqtt.port);
    String topic = mqtt.prefix + "/rebind";
    Map<String, Object> config =
        mqtt.connectionTo(
            relay.port(),
            "broker",
            name,
            "protocolVersion",
            String.valueOf(protocolVersion),
            "topic",
            topic,
            "qos",
            0);
    String flowId = "rebind-mqtt" + protocolVersion;
    harness.engine.deploy(
        new Flow(
            flowId,
            flowId,
            "",
            List.of(node("in", "mqtt-in", JsonCodec.writeString(config)), node("got", "capture")),
            List.of(new Wire("in", 0, "got", 0))));
    Mqtt5BlockingClient client = mqtt.client();
    awaitDelivery(client, topic, 1);
    int before = relay.accepted.get();
    relay.cut(); // the broker "restarts": the session reconnects and subscribes again
    FlowHarness.await("a reconnection", () -> relay.accepted.get() > before);
    awaitDelivery(client, topic, harness.captured("got").size() + 1);
    assertEquals(0, victim.accepted.get(), "nothing reached the forbidden address");
    harness.engine.stop(flowId, 5_000);
    assertEquals(0, live.size());
    assertRebound();
  }

  @Test
  void shouldKeepABrokerNamedByAConnectMessageOnTheCheckedAddress() throws Exception {
    listen(mqtt.port);
    String topic = mqtt.prefix + "/rebind-msg";
    Map<String, Object> config = mqtt.connectionTo(relay.port(), "topic", topic, "qos", 0);
    harness.engine.deploy(
        new Flow(
            "rebind-msg",
            "rebind-msg",
            "",
            List.of(
                node("src", "source"),
                node("in", "mqtt-in", JsonCodec.writeString(config)),
                node("got", "capture")),
            List.of(new Wire("src", 0, "in", 0), new Wire("in", 0, "got", 0))));
    Mqtt5BlockingClient client = mqtt.client();
    awaitDelivery(client, topic, 1);
    int before = relay.accepted.get();
    // a message names the broker by the rebinding name: checked (127.0.0.1) and pinned
    harness.inject(
        "rebind-msg",
        "src",
        "{\"action\":\"connect\",\"broker\":{\"broker\":\""
            + name
            + "\",\"port\":"
            + relay.port()
            + ",\"force\":true}}");
    FlowHarness.await("the connection the message asked for", () -> relay.accepted.get() > before);
    awaitDelivery(client, topic, harness.captured("got").size() + 1);
    int beforeCut = relay.accepted.get();
    relay.cut(); // reconnects resolve the name again: the pin answers the checked address
    FlowHarness.await("a reconnection", () -> relay.accepted.get() > beforeCut);
    awaitDelivery(client, topic, harness.captured("got").size() + 1);
    assertTrue(harness.errors("in").isEmpty(), harness.errors("in").toString());
    assertEquals(0, victim.accepted.get(), "nothing reached the forbidden address");
    harness.engine.stop("rebind-msg", 5_000);
    assertEquals(0, live.size());
    assertRebound();
  }

  private void awaitDelivery(Mqtt5BlockingClient client, String topic, int count) {
    // the session connects and subscribes on its own thread after the deploy, and again after a
    // cut with its reconnect backoff: on a loaded machine that has taken more than 10 s (CI once)
    Poll.eventually(
            count
                + " messages through the relay (relay connections "
                + relay.accepted.get()
                + ", forbidden address "
                + victim.accepted.get()
                + ")",
            java.time.Duration.ofSeconds(45))
        .until(
            () -> {
              MqttFixture.publish(client, topic, "\"probe\"", 0, false);
              MqttFixture.sleep(50);
              return harness.captured("got").size() >= count;
            });
    assertEquals(0, victim.accepted.get(), "nothing reached the forbidden address");
  }

  /** Listens on 127.0.0.1 (any free port) and forwards each connection to 127.0.0.1:target. */
  private static final class Relay implements AutoCloseable {
    final AtomicInteger accepted = new AtomicInteger();
    private final ServerSocket server = new ServerSocket();
    private final List<Socket> open = new CopyOnWriteArrayList<>();

    Relay(int target) throws IOException {
      server.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0));
      Thread.ofVirtual()
          .start(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket in = server.accept();
                    accepted.incrementAndGet();
                    Socket out = new Socket(InetAddress.getLoopbackAddress(), target);
                    open.add(in);
                    open.add(out);
                    pump(in, out);
                    pump(out, in);
                  } catch (IOException closed) {
                    // the relay is closing, or the target refused: that connection is gone
                  }
                }
              });
    }

    int port() {
      return server.getLocalPort();
    }

    private void pump(Socket from, Socket to) {
      Thread.ofVirtual()
          .start(
              () -> {
                try (InputStream input = from.getInputStream();
                    OutputStream output = to.getOutputStream()) {
                  input.transferTo(output);
                } catch (IOException cut) {
                  // cut() or the other side closed
                } finally {
                  closeQuietly(from);
                  closeQuietly(to);
                }
              });
    }

    void cut() {
      for (Socket socket : open) {
        closeQuietly(socket);
      }
      open.clear();
    }

    @Override
    public void close() throws IOException {
      server.close();
      cut();
    }
  }

  /** Listens on 127.0.0.2:port, the forbidden address, and counts who connects. */
  private static final class Victim implements AutoCloseable {
    final AtomicInteger accepted = new AtomicInteger();
    private final ServerSocket server = new ServerSocket();

    Victim(int port) throws IOException {
      server.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 2}), port));
      Thread.ofVirtual()
          .start(
              () -> {
                while (!server.isClosed()) {
                  try {
                    Socket reached = server.accept();
                    accepted.incrementAndGet();
                    closeQuietly(reached);
                  } catch (IOException closed) {
                    // closing
                  }
                }
              });
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // already closed
    }
  }
}
