package dev.z8run.nodes.data;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.support.LiveConnections;
import dev.z8run.nodes.support.OutboundPolicy;
import dev.z8run.testkit.TestServices;
import dev.z8run.testkit.TestServices.Service;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * What the MQTT integration tests share: the Mosquitto of {@code bin/services} (its port), a flow
 * harness whose engine has an outbound policy and the live connections, a topic prefix no other
 * test uses, connection configs, MQTT 5 test clients, and what to close after the test (the harness
 * first, then the rest in reverse order). One per test: make it in a field, {@link #close()} it in
 * {@code @AfterEach}.
 */
final class MqttFixture {
  final FlowHarness harness = new FlowHarness();
  final LiveConnections live = new LiveConnections();

  /** The shared broker's port, on 127.0.0.1. */
  final int port;

  /** {@code owner/} and eight random characters: the start of every topic of the test. */
  final String prefix;

  private final String owner;
  private final List<AutoCloseable> closeAfter = new ArrayList<>();

  /**
   * @param owner who writes the test (a helper's name): the start of topics and client ids
   * @param allowed the outbound policy of the engine ({@link OutboundPolicy#parse})
   */
  MqttFixture(String owner, String allowed) {
    this.owner = owner;
    port = URI.create(TestServices.require(Service.MQTT)).getPort();
    prefix = owner + "/" + UUID.randomUUID().toString().substring(0, 8);
    harness.engine.registerService(OutboundPolicy.class, OutboundPolicy.parse(allowed));
    harness.engine.registerService(LiveConnections.class, live);
  }

  /** Closed after the harness, the last one added first. */
  void closeAfter(AutoCloseable closeable) {
    closeAfter.add(closeable);
  }

  /** An MQTT node's config for the shared broker, with {@code extra} key-value pairs. */
  Map<String, Object> connection(Object... extra) {
    return connectionTo(port, extra);
  }

  /** An MQTT node's config for a broker on 127.0.0.1:{@code brokerPort}. */
  Map<String, Object> connectionTo(int brokerPort, Object... extra) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("broker", "127.0.0.1");
    config.put("port", brokerPort);
    return with(config, extra);
  }

  /** {@code base} with the key-value pairs {@code extra}, as JSON. */
  static String json(Map<String, Object> base, Object... extra) {
    return JsonCodec.writeString(with(new LinkedHashMap<>(base), extra));
  }

  private static Map<String, Object> with(Map<String, Object> config, Object... extra) {
    for (int i = 0; i < extra.length; i += 2) {
      config.put((String) extra[i], extra[i + 1]);
    }
    return config;
  }

  /** A connected MQTT 5 client of the shared broker, disconnected after the test. */
  Mqtt5BlockingClient client() {
    return client(port);
  }

  /** A connected MQTT 5 client of 127.0.0.1:{@code brokerPort}, disconnected after the test. */
  Mqtt5BlockingClient client(int brokerPort) {
    Mqtt5BlockingClient client =
        MqttClient.builder()
            .useMqttVersion5()
            .serverHost("127.0.0.1")
            .serverPort(brokerPort)
            .identifier(owner + "-test-" + UUID.randomUUID().toString().substring(0, 6))
            .buildBlocking();
    client.connect();
    closeAfter.add(client::disconnect);
    return client;
  }

  /** Publishes {@code payload} at QoS 1, not retained. */
  static void publish(Mqtt5BlockingClient client, String topic, String payload) {
    publish(client, topic, payload, 1, false);
  }

  static void publish(
      Mqtt5BlockingClient client, String topic, String payload, int qos, boolean retain) {
    client.publish(
        Mqtt5Publish.builder()
            .topic(topic)
            .qos(MqttQos.fromCode(qos))
            .retain(retain)
            .payload(payload.getBytes(StandardCharsets.UTF_8))
            .build());
  }

  /**
   * Subscribes {@code client} to {@code filter} at {@code qos} and waits for the broker's SUBACK.
   *
   * @return what the subscription receives, in order
   */
  static BlockingQueue<Mqtt5Publish> subscribe(Mqtt5BlockingClient client, String filter, int qos)
      throws Exception {
    BlockingQueue<Mqtt5Publish> received = new LinkedBlockingQueue<>();
    client
        .toAsync()
        .subscribeWith()
        .topicFilter(filter)
        .qos(MqttQos.fromCode(qos))
        .callback(received::add)
        .send()
        .get(5, TimeUnit.SECONDS);
    return received;
  }

  /** A captured message's body, parsed. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> body(FlowHarness.Captured captured) {
    return (Map<String, Object>) captured.parsed();
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** Closes the harness, then what {@link #closeAfter} and {@link #client} added, last first. */
  void close() throws Exception {
    harness.close();
    for (AutoCloseable closeable : closeAfter.reversed()) {
      closeable.close();
    }
  }
}
