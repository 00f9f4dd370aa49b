package dev.z8run.nodes.data;

import static dev.z8run.nodes.FlowHarness.node;
import static dev.z8run.nodes.data.MqttFixture.body;
import static dev.z8run.nodes.data.MqttFixture.json;
import static dev.z8run.nodes.data.MqttFixture.publish;
import static dev.z8run.nodes.data.MqttFixture.sleep;
import static dev.z8run.nodes.data.MqttFixture.subscribe;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.Wire;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.FlowHarness;
import dev.z8run.testkit.PrivateMosquitto;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The MQTT nodes in deployed flows against the real Mosquitto of {@code bin/services}, and a
 * private Mosquitto for what needs a broker restart, TLS or passwords.
 */
class MqttNodesIT {
  private final MqttFixture mqtt = new MqttFixture("h15", "127.0.0.0/8,::1");
  private final FlowHarness harness = mqtt.harness;
  private final String prefix = mqtt.prefix;

  @AfterEach
  void tearDown() throws Exception {
    mqtt.close();
  }

  /** mqtt-in "in" -> capture "got". */
  private void deployIn(String flowId, String config) {
    harness.engine.deploy(
        new Flow(
            flowId,
            flowId,
            "",
            List.of(node("in", "mqtt-in", config), node("got", "capture")),
            List.of(new Wire("in", 0, "got", 0))));
  }

  /** source "src" -> mqtt-out "out". */
  private void deployOut(String flowId, String config) {
    harness.engine.deploy(
        FlowHarness.chain(flowId, node("src", "source"), node("out", "mqtt-out", config)));
  }

  private void awaitSubscribed(String nodeId) {
    FlowHarness.await(
        "subscription of " + nodeId,
        () -> harness.statuses(nodeId).stream().anyMatch(s -> s.startsWith("subscribed")));
    // the SUBACK is asynchronous: wait until the subscription delivers a probe message
  }

  private void awaitDelivering(Mqtt5BlockingClient client, String topic, String nodeId) {
    FlowHarness.await(
        "first message at " + nodeId,
        () -> {
          if (!harness.captured(nodeId).isEmpty()) {
            return true;
          }
          publish(client, topic, "\"probe\"", 0, false);
          sleep(20);
          return !harness.captured(nodeId).isEmpty();
        });
  }

  @Test
  void shouldReceiveWithWildcardsAndSetTopicQosRetainAsNodeRedDoes() throws Exception {
    deployIn("in", json(mqtt.connection(), "topic", prefix + "/+/temp/#", "qos", 2));
    Mqtt5BlockingClient client = mqtt.client();
    awaitSubscribed("in");
    awaitDelivering(client, prefix + "/probe/temp", "got");
    publish(client, prefix + "/room1/temp/c", "{\"c\":21.5}", 1, false);
    publish(client, prefix + "/room2/temp", "hello", 2, false);
    publish(client, prefix + "/room2/humidity", "ignored", 0, false);
    publish(client, prefix + "/room3/temp", "42", 0, false);
    FlowHarness.await("3 messages past the probes", () -> withoutProbes().size() >= 3);
    List<Map<String, Object>> got = withoutProbes();
    Map<String, Object> first = got.get(0);
    assertEquals(prefix + "/room1/temp/c", first.get("topic"));
    assertEquals(Map.of("c", 21.5), first.get("payload"));
    assertEquals(1L, ((Number) first.get("qos")).longValue());
    assertEquals(false, first.get("retain"));
    assertEquals("hello", got.get(1).get("payload"));
    assertEquals(2L, ((Number) got.get(1).get("qos")).longValue());
    assertEquals(42L, ((Number) got.get(2).get("payload")).longValue());
    Thread.sleep(200);
    assertEquals(3, withoutProbes().size(), "humidity is not under the filter");
  }

  private List<Map<String, Object>> withoutProbes() {
    List<Map<String, Object>> got = new ArrayList<>();
    for (FlowHarness.Captured captured : harness.captured("got")) {
      if (!String.valueOf(body(captured).get("topic")).endsWith("/probe/temp")) {
        got.add(body(captured));
      }
    }
    return got;
  }

  @Test
  void shouldDeliverRetainedMessagesAndRawBytes() throws Exception {
    Mqtt5BlockingClient client = mqtt.client();
    String topic = prefix + "/retained";
    publish(client, topic, "kept", 1, true);
    mqtt.closeAfter(() -> publish(client, topic, "", 1, true));
    deployIn("retained", json(mqtt.connection(), "topic", topic, "qos", 1, "datatype", "buffer"));
    FlowHarness.Captured got = harness.awaitCaptured("got", 1).get(0);
    assertEquals(true, body(got).get("retain"));
    assertArrayEquals("kept".getBytes(StandardCharsets.UTF_8), got.binary());
  }

  /**
   * Node-RED's datatypes, as its mqtt in node decodes (measured against Node-RED 4.1.15 on the same
   * broker): the legacy "auto" gives text as a string, never parsed; "auto-detect" parses JSON;
   * bytes that are not UTF-8 stay a Buffer (the binary payload) under both. And a null payload is
   * published as an empty message, as Node-RED's mqtt out does.
   */
  @Test
  void shouldDecodeAsNodeRedsAutoAndAutoDetectAndPublishNullAsEmpty() throws Exception {
    Mqtt5BlockingClient client = mqtt.client();
    String topic = prefix + "/types";
    harness.engine.deploy(
        new Flow(
            "types",
            "types",
            "",
            List.of(
                node(
                    "auto", "mqtt-in", json(mqtt.connection(), "topic", topic, "datatype", "auto")),
                node("detect", "mqtt-in", json(mqtt.connection(), "topic", topic)),
                node("gotAuto", "capture"),
                node("gotDetect", "capture")),
            List.of(new Wire("auto", 0, "gotAuto", 0), new Wire("detect", 0, "gotDetect", 0))));
    awaitSubscribed("auto");
    awaitSubscribed("detect");
    deployOut("out", json(mqtt.connection()));
    harness.inject("out", "src", "{\"topic\":\"" + topic + "\",\"payload\":null}");
    publish(client, topic, "{\"c\":1}", 1, false);
    client.publish(
        Mqtt5Publish.builder()
            .topic(topic)
            .qos(MqttQos.AT_LEAST_ONCE)
            .payload(new byte[] {(byte) 0xC3, (byte) 0x28})
            .build());
    // two clients publish: the messages may come in either order
    assertEquals(
        java.util.Set.of("", "{\"c\":1}", "binary c328"),
        decoded(harness.awaitCaptured("gotAuto", 3)));
    assertEquals(
        java.util.Set.of("", "{c=1}", "binary c328"),
        decoded(harness.awaitCaptured("gotDetect", 3)));
  }

  private java.util.Set<String> decoded(List<FlowHarness.Captured> captured) {
    java.util.Set<String> payloads = new java.util.HashSet<>();
    for (FlowHarness.Captured got : captured) {
      payloads.add(
          got.binary() != null && got.binary().length > 0
              ? "binary " + java.util.HexFormat.of().formatHex(got.binary())
              : String.valueOf(body(got).get("payload")));
    }
    return payloads;
  }

  @Test
  void shouldPublishWithQosAndRetainFromTheMessage() throws Exception {
    Mqtt5BlockingClient client = mqtt.client();
    String topic = prefix + "/out";
    BlockingQueue<Mqtt5Publish> received = subscribe(client, topic + "/#", 2);
    deployOut("out", json(mqtt.connection(), "protocolVersion", "5"));
    harness.inject("out", "src", "{\"topic\":\"" + topic + "/a\",\"payload\":{\"x\":1},\"qos\":2}");
    harness.inject(
        "out",
        "src",
        "{\"topic\":\"" + topic + "/b\",\"payload\":\"text\",\"qos\":1,\"retain\":true}");
    mqtt.closeAfter(() -> publish(client, topic + "/b", "", 1, true));
    // QoS 2 and QoS 1 flows may overtake each other: match them by topic
    Map<String, Mqtt5Publish> byTopic = new LinkedHashMap<>();
    for (int i = 0; i < 2; i++) {
      Mqtt5Publish next = received.poll(10, TimeUnit.SECONDS);
      assertTrue(next != null, "2 messages expected, got " + byTopic.keySet());
      byTopic.put(next.getTopic().toString(), next);
    }
    Mqtt5Publish a = byTopic.get(topic + "/a");
    Mqtt5Publish b = byTopic.get(topic + "/b");
    assertEquals("{\"x\":1}", new String(a.getPayloadAsBytes(), StandardCharsets.UTF_8));
    assertEquals(MqttQos.EXACTLY_ONCE, a.getQos());
    assertEquals("text", new String(b.getPayloadAsBytes(), StandardCharsets.UTF_8));
    assertEquals(MqttQos.AT_LEAST_ONCE, b.getQos());
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldReceiveMqtt5PropertiesUnderNodeRedNames() throws Exception {
    deployIn(
        "v5in",
        json(mqtt.connection(), "topic", prefix + "/v5/#", "qos", 1, "protocolVersion", "5"));
    Mqtt5BlockingClient client = mqtt.client();
    awaitSubscribed("in");
    awaitDelivering(client, prefix + "/v5/probe", "got");
    client.publish(
        Mqtt5Publish.builder()
            .topic(prefix + "/v5/request")
            .qos(MqttQos.AT_LEAST_ONCE)
            .payload("{\"n\":42}".getBytes(StandardCharsets.UTF_8))
            .responseTopic(prefix + "/v5/reply")
            .correlationData(new byte[] {1, 2, (byte) 255})
            .contentType("application/json")
            .messageExpiryInterval(120)
            .payloadFormatIndicator(
                com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator.UTF_8)
            .userProperties(
                com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties.builder()
                    .add("site", "plant-1")
                    .add("line", "a")
                    .add("line", "b")
                    .build())
            .build());
    // content types Node-RED knows decide the payload: text stays text, octet-stream stays bytes
    client.publish(
        Mqtt5Publish.builder()
            .topic(prefix + "/v5/text")
            .payload("42".getBytes(StandardCharsets.UTF_8))
            .contentType("text/plain")
            .build());
    client.publish(
        Mqtt5Publish.builder()
            .topic(prefix + "/v5/bytes")
            .payload("{}".getBytes(StandardCharsets.UTF_8))
            .contentType("application/octet-stream")
            .build());
    // declared JSON that is not: reported, not sent on
    client.publish(
        Mqtt5Publish.builder()
            .topic(prefix + "/v5/broken")
            .payload("{oops".getBytes(StandardCharsets.UTF_8))
            .contentType("application/json")
            .build());
    publish(client, prefix + "/v5/plain", "7", 0, false);
    FlowHarness.await(
        "the plain message after the others",
        () ->
            harness.captured("got").stream()
                .anyMatch(c -> String.valueOf(body(c).get("topic")).endsWith("/v5/plain")));
    Map<String, Map<String, Object>> byTopic = new LinkedHashMap<>();
    Map<String, byte[]> binaries = new LinkedHashMap<>();
    for (FlowHarness.Captured captured : harness.captured("got")) {
      String topic = String.valueOf(body(captured).get("topic"));
      byTopic.put(topic.substring(topic.lastIndexOf('/') + 1), body(captured));
      binaries.put(topic.substring(topic.lastIndexOf('/') + 1), captured.binary());
    }
    Map<String, Object> request = byTopic.get("request");
    assertEquals(Map.of("n", 42L), request.get("payload"));
    assertEquals(prefix + "/v5/reply", request.get("responseTopic"));
    assertEquals(
        Map.of("type", "Buffer", "data", List.of(1L, 2L, 255L)), request.get("correlationData"));
    assertEquals("application/json", request.get("contentType"));
    long expiry = ((Number) request.get("messageExpiryInterval")).longValue();
    assertTrue(expiry > 0 && expiry <= 120, "the broker passes on what is left: " + expiry);
    assertEquals(true, request.get("payloadFormatIndicator"));
    assertEquals(
        Map.of("site", "plant-1", "line", List.of("a", "b")), request.get("userProperties"));
    assertEquals("42", byTopic.get("text").get("payload"), "text/plain stays a string");
    assertEquals("text/plain", byTopic.get("text").get("contentType"));
    assertArrayEquals("{}".getBytes(StandardCharsets.UTF_8), binaries.get("bytes"));
    assertEquals(null, byTopic.get("bytes").get("payload"));
    assertTrue(!byTopic.containsKey("broken"), "declared JSON that is not is not sent on");
    // the report travels as an engine event, apart from the messages: wait for it
    FlowHarness.await(
        "declared JSON that is not reported",
        () -> harness.errors("in").stream().anyMatch(e -> e.contains("/v5/broken")));
    Map<String, Object> plain = byTopic.get("plain");
    assertEquals(7L, ((Number) plain.get("payload")).longValue());
    for (String absent :
        List.of(
            "responseTopic",
            "correlationData",
            "contentType",
            "messageExpiryInterval",
            "payloadFormatIndicator",
            "userProperties")) {
      assertTrue(!plain.containsKey(absent), absent + " is absent when not sent");
    }
  }

  @Test
  void shouldPublishMqtt5PropertiesFromTheMessageAndTheConfig() throws Exception {
    Mqtt5BlockingClient client = mqtt.client();
    String topic = prefix + "/v5out";
    BlockingQueue<Mqtt5Publish> received = subscribe(client, topic + "/#", 1);
    deployOut(
        "v5out",
        json(
            mqtt.connection(),
            "protocolVersion",
            "5",
            "qos",
            1,
            "contentType",
            "text/plain",
            "userProperties",
            "{\"site\":\"plant-1\",\"n\":5}"));
    harness.inject(
        "v5out",
        "src",
        JsonCodec.writeString(
            Map.of(
                "topic",
                topic + "/a",
                "payload",
                "hello",
                "responseTopic",
                topic + "/reply-to",
                "correlationData",
                "req-7",
                "messageExpiryInterval",
                60,
                "payloadFormatIndicator",
                true,
                "contentType",
                "overridden/by-config",
                "userProperties",
                Map.of("ignored", "the config's win"))));
    Mqtt5Publish a = received.poll(10, TimeUnit.SECONDS);
    assertTrue(a != null, "the first message arrives");
    assertEquals(topic + "/a", a.getTopic().toString());
    assertEquals(topic + "/reply-to", a.getResponseTopic().orElseThrow().toString());
    assertArrayEquals(
        "req-7".getBytes(StandardCharsets.UTF_8), bytes(a.getCorrelationData().orElseThrow()));
    assertEquals("text/plain", a.getContentType().orElseThrow().toString());
    long expiry = a.getMessageExpiryInterval().orElseThrow();
    assertTrue(expiry > 0 && expiry <= 60, "expiry " + expiry);
    assertEquals(
        com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator.UTF_8,
        a.getPayloadFormatIndicator().orElseThrow());
    assertEquals(
        List.of("site=plant-1", "n=5"),
        a.getUserProperties().asList().stream()
            .map(p -> p.getName() + "=" + p.getValue())
            .toList());
    // a reply: no topic, so it goes to msg.responseTopic, with the correlation data as mqtt-in
    // hands it on (a Buffer's JSON), and no response topic of its own
    harness.inject(
        "v5out",
        "src",
        "{\"payload\":\"answer\",\"responseTopic\":\""
            + topic
            + "/reply\",\"correlationData\":{\"type\":\"Buffer\",\"data\":[1,2,255]}}");
    Mqtt5Publish reply = received.poll(10, TimeUnit.SECONDS);
    assertTrue(reply != null, "the reply arrives");
    assertEquals(topic + "/reply", reply.getTopic().toString());
    assertTrue(reply.getResponseTopic().isEmpty(), "the response topic is not sent on");
    assertArrayEquals(
        new byte[] {1, 2, (byte) 255}, bytes(reply.getCorrelationData().orElseThrow()));
    assertEquals("answer", new String(reply.getPayloadAsBytes(), StandardCharsets.UTF_8));
  }

  private static byte[] bytes(java.nio.ByteBuffer buffer) {
    byte[] bytes = new byte[buffer.remaining()];
    buffer.duplicate().get(bytes);
    return bytes;
  }

  @Test
  void shouldShareOneClientAmongFiftyFlowsAndCloseItWithTheLast() throws Exception {
    String config =
        json(
            mqtt.connection("clientId", "h15-shared-" + UUID.randomUUID()),
            "topic",
            prefix + "/shared");
    for (int i = 0; i < 50; i++) {
      deployOut("share-" + i, config);
    }
    assertEquals(1, mqtt.live.size());
    Mqtt5BlockingClient client = mqtt.client();
    var received = new java.util.concurrent.LinkedBlockingQueue<Mqtt5Publish>();
    client
        .toAsync()
        .subscribeWith()
        .topicFilter(prefix + "/shared")
        .callback(received::add)
        .send()
        .get(5, TimeUnit.SECONDS);
    for (int i = 0; i < 50; i++) {
      harness.inject("share-" + i, "src", "{\"payload\":" + i + "}");
    }
    Set<String> payloads = new HashSet<>();
    while (payloads.size() < 50) {
      Mqtt5Publish next = received.poll(10, TimeUnit.SECONDS);
      assertTrue(next != null, "only " + payloads.size() + " of 50 arrived");
      payloads.add(new String(next.getPayloadAsBytes(), StandardCharsets.UTF_8));
    }
    for (int i = 0; i < 50; i++) {
      harness.engine.stop("share-" + i, 5_000);
    }
    assertEquals(0, mqtt.live.size());
  }

  @Test
  void shouldAnswerZ8runMqttPublishAndSubscribe() throws Exception {
    String topic = prefix + "/z8";
    harness.engine.deploy(
        new Flow(
            "z8",
            "z8",
            "",
            List.of(
                node("src", "source"),
                node(
                    "pub",
                    "mqtt",
                    json(mqtt.connection(), "action", "publish", "topic", topic, "qos", 1)),
                node(
                    "sub",
                    "mqtt",
                    json(
                        mqtt.connection(),
                        "action",
                        "subscribe",
                        "topic",
                        topic,
                        "qos",
                        1,
                        "timeout",
                        200)),
                node("s", "source"),
                node("published", "capture"),
                node("message", "capture"),
                node("error", "capture")),
            List.of(
                new Wire("src", 0, "pub", 0),
                new Wire("pub", 0, "published", 0),
                new Wire("s", 0, "sub", 0),
                new Wire("sub", 0, "message", 0),
                new Wire("sub", 1, "error", 0))));
    harness.inject("z8", "s", "{}");
    assertTrue(
        body(harness.awaitCaptured("error", 1).get(0))
            .get("payload")
            .toString()
            .contains("timeout"));
    FlowHarness.await(
        "a message through the subscription",
        () -> {
          harness.inject("z8", "src", "{\"payload\":\"ping\"}");
          harness.inject("z8", "s", "{}");
          try {
            Thread.sleep(250);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return !harness.captured("message").isEmpty();
        });
    Map<?, ?> message = (Map<?, ?>) body(harness.captured("message").get(0)).get("payload");
    assertEquals("ping", message.get("payload"));
    Map<?, ?> published = (Map<?, ?>) body(harness.captured("published").get(0)).get("payload");
    assertEquals(4L, ((Number) published.get("payload_size")).longValue());
  }

  @Test
  void shouldLoseNoQos1MessageWhenTheBrokerRestartsMidStream() throws Exception {
    PrivateMosquitto broker = PrivateMosquitto.start();
    mqtt.closeAfter(broker);
    String topic = prefix + "/restart";
    deployIn(
        "sub",
        json(
            mqtt.connectionTo(
                broker.port(), "clientId", "h15-sub-" + UUID.randomUUID(), "cleanSession", false),
            "topic",
            topic,
            "qos",
            1));
    deployOut(
        "pub",
        json(
            mqtt.connectionTo(broker.port(), "clientId", "h15-pub-" + UUID.randomUUID()),
            "topic",
            topic,
            "qos",
            1));
    awaitSubscribed("in");
    Thread.sleep(300);
    int total = 2_000;
    for (int i = 0; i < total; i++) {
      harness.inject("pub", "src", "{\"payload\":" + i + "}");
      if (i == total / 2) {
        broker.restart();
      }
    }
    FlowHarness.await(
        "all " + total + " distinct messages", () -> distinctPayloads("got").size() == total);
  }

  private Set<Long> distinctPayloads(String nodeId) {
    Set<Long> seen = new HashSet<>();
    for (FlowHarness.Captured captured : harness.captured(nodeId)) {
      Object payload = body(captured).get("payload");
      if (payload instanceof Number number) {
        seen.add(number.longValue());
      }
    }
    return seen;
  }

  @Test
  void shouldCountWhatOverflowsTheBufferWhileDisconnected() throws Exception {
    PrivateMosquitto broker = PrivateMosquitto.start();
    mqtt.closeAfter(broker);
    deployOut(
        "overflow",
        json(mqtt.connectionTo(broker.port(), "bufferSize", 10), "topic", prefix + "/o", "qos", 1));
    FlowHarness.await("connected", () -> mqtt.live.describe("").size() == 1);
    broker.stop();
    Thread.sleep(500);
    for (int i = 0; i < 50; i++) {
      harness.inject("overflow", "src", "{\"payload\":" + i + "}");
    }
    FlowHarness.await(
        "overflow reported",
        () ->
            harness.statuses("out").stream()
                .anyMatch(s -> s.contains("dropped while disconnected")));
  }

  @Test
  void shouldReceiveThroughTlsWithUserAndPassword() throws Exception {
    java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("h15-tls");
    run(
        dir,
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "1",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        "key.pem",
        "-out",
        "cert.pem");
    run(dir, "mosquitto_passwd", "-b", "-c", "passwd", "h15user", "s3cret");
    PrivateMosquitto broker =
        PrivateMosquitto.start(
            List.of(
                "allow_anonymous false",
                "password_file " + dir.resolve("passwd"),
                "certfile " + dir.resolve("cert.pem"),
                "keyfile " + dir.resolve("key.pem")));
    mqtt.closeAfter(broker);
    Map<String, Object> tls =
        mqtt.connectionTo(
            broker.port(),
            "useTls",
            true,
            "username",
            "h15user",
            "password",
            "s3cret",
            "caFile",
            dir.resolve("cert.pem").toString());
    String topic = prefix + "/tls";
    deployIn("tls-in", json(tls, "topic", topic, "qos", 1));
    deployOut("tls-out", json(tls, "topic", topic, "qos", 1));
    assertEquals(1, mqtt.live.size(), "one session for both nodes");
    awaitSubscribed("in");
    FlowHarness.await(
        "a message through TLS",
        () -> {
          harness.inject("tls-out", "src", "{\"payload\":\"secret hello\"}");
          try {
            Thread.sleep(100);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return !harness.captured("got").isEmpty();
        });
    assertEquals("secret hello", body(harness.captured("got").get(0)).get("payload"));
  }

  private static void run(java.nio.file.Path dir, String... command) throws Exception {
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readAllBytes();
    assertEquals(0, process.waitFor(), String.join(" ", command) + ": " + new String(output));
  }

  @Test
  void shouldAcknowledgeOnlyWhatTheFlowTookAndLoseNothingUnderBackPressure() throws Exception {
    java.util.concurrent.atomic.AtomicLong slow = new java.util.concurrent.atomic.AtomicLong();
    harness
        .engine
        .registry()
        .register(
            dev.z8run.core.registry.NodeType.builder("slow-sink")
                .outputs()
                .factory(
                    context ->
                        (msg, out) -> {
                          slow.incrementAndGet();
                          java.util.concurrent.locks.LockSupport.parkNanos(300_000);
                        })
                .build());
    // a broker of its own: the shared one queues at most 1,000 messages for a slow subscriber
    // and drops the rest (max_queued_messages), which is the broker's choice, not the node's
    PrivateMosquitto broker = PrivateMosquitto.start();
    mqtt.closeAfter(broker);
    String topic = prefix + "/slow";
    harness.engine.deploy(
        FlowHarness.chain(
            "slow",
            node("in", "mqtt-in", json(mqtt.connectionTo(broker.port()), "topic", topic, "qos", 1)),
            node("sink", "slow-sink")));
    Mqtt5BlockingClient client = mqtt.client(broker.port());
    awaitSubscribed("in");
    Thread.sleep(300);
    int total = 5_000;
    for (int i = 0; i < total; i++) {
      client
          .toAsync()
          .publish(
              Mqtt5Publish.builder()
                  .topic(topic)
                  .qos(MqttQos.AT_LEAST_ONCE)
                  .payload(String.valueOf(i).getBytes(StandardCharsets.UTF_8))
                  .build());
    }
    dev.z8run.testkit.Poll.eventually(
            "all " + total + " at the slow sink", java.time.Duration.ofSeconds(60))
        .until(() -> slow.get() >= total);
    Thread.sleep(300);
    assertEquals(total, slow.get(), "each message once: acknowledged after the flow took it");
  }

  @Test
  void shouldShareASharedSubscriptionBetweenTwoClients() throws Exception {
    String topic = prefix + "/shared-sub";
    for (String member : List.of("a", "b")) {
      harness.engine.deploy(
          new Flow(
              "share-" + member,
              "share-" + member,
              "",
              List.of(
                  node(
                      "in-" + member,
                      "mqtt-in",
                      json(
                          mqtt.connection("clientId", "h15-" + member + "-" + UUID.randomUUID()),
                          "topic",
                          "$share/h15group/" + topic,
                          "qos",
                          1)),
                  node("got-" + member, "capture")),
              List.of(new Wire("in-" + member, 0, "got-" + member, 0))));
      awaitSubscribed("in-" + member);
    }
    // a member's status says subscribed when its SUBSCRIBE is queued, not when the broker has it:
    // publish in rounds until both members have had messages, then count every one exactly once
    Mqtt5BlockingClient client = mqtt.client();
    int published = 0;
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    while ((harness.captured("got-a").isEmpty() || harness.captured("got-b").isEmpty())
        && System.nanoTime() < deadline) {
      for (int i = 0; i < 50; i++) {
        publish(client, topic, String.valueOf(published++), 1, false);
      }
      Thread.sleep(100);
    }
    int sent = published;
    FlowHarness.await(
        sent + " messages between the members",
        () -> harness.captured("got-a").size() + harness.captured("got-b").size() >= sent);
    Thread.sleep(300);
    assertEquals(
        sent,
        harness.captured("got-a").size() + harness.captured("got-b").size(),
        "each message to exactly one member of the group");
    assertTrue(
        !harness.captured("got-a").isEmpty() && !harness.captured("got-b").isEmpty(),
        "both members had messages: a "
            + harness.captured("got-a").size()
            + ", b "
            + harness.captured("got-b").size());
  }

  /**
   * A TCP relay between the engine's client and the broker: {@link #cut} drops its connections
   * without an MQTT DISCONNECT, as a crashed process or a pulled cable would.
   */
  private static final class Relay implements AutoCloseable {
    private final java.net.ServerSocket server = new java.net.ServerSocket(0);
    private final List<java.net.Socket> sockets =
        java.util.Collections.synchronizedList(new ArrayList<>());

    Relay(int brokerPort) throws java.io.IOException {
      Thread.ofVirtual()
          .start(
              () -> {
                while (!server.isClosed()) {
                  try {
                    java.net.Socket in = server.accept();
                    java.net.Socket out = new java.net.Socket("127.0.0.1", brokerPort);
                    sockets.add(in);
                    sockets.add(out);
                    Thread.ofVirtual().start(() -> copy(in, out));
                    Thread.ofVirtual().start(() -> copy(out, in));
                  } catch (java.io.IOException closed) {
                    return;
                  }
                }
              });
    }

    int port() {
      return server.getLocalPort();
    }

    private static void copy(java.net.Socket from, java.net.Socket to) {
      try {
        from.getInputStream().transferTo(to.getOutputStream());
      } catch (java.io.IOException cut) {
        // the other side or cut() closed it
      }
      try {
        to.close();
      } catch (java.io.IOException ignored) {
        // already closed
      }
    }

    void cut() throws java.io.IOException {
      server.close();
      synchronized (sockets) {
        for (java.net.Socket socket : sockets) {
          socket.close();
        }
      }
    }

    @Override
    public void close() throws java.io.IOException {
      cut();
    }
  }

  @Test
  void shouldHaveTheBrokerSendTheLastWillWhenTheClientIsCutOff() throws Exception {
    String will = prefix + "/will";
    Mqtt5BlockingClient watcher = mqtt.client();
    var received = new java.util.concurrent.LinkedBlockingQueue<Mqtt5Publish>();
    watcher
        .toAsync()
        .subscribeWith()
        .topicFilter(will)
        .qos(MqttQos.AT_LEAST_ONCE)
        .callback(received::add)
        .send()
        .get(5, TimeUnit.SECONDS);
    Relay relay = new Relay(mqtt.port);
    mqtt.closeAfter(relay);
    deployOut(
        "will",
        json(
            mqtt.connectionTo(relay.port(), "clientId", "h15-will-" + UUID.randomUUID()),
            "topic",
            prefix + "/alive",
            "willTopic",
            will,
            "willPayload",
            "engine gone",
            "willQos",
            1));
    // connected: a message through the relay comes back
    var alive = new java.util.concurrent.LinkedBlockingQueue<Mqtt5Publish>();
    watcher
        .toAsync()
        .subscribeWith()
        .topicFilter(prefix + "/alive")
        .callback(alive::add)
        .send()
        .get(5, TimeUnit.SECONDS);
    FlowHarness.await(
        "a message through the relay",
        () -> {
          harness.inject("will", "src", "{\"payload\":\"up\"}");
          try {
            return alive.poll(100, TimeUnit.MILLISECONDS) != null;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
          }
        });
    assertEquals(null, received.poll(300, TimeUnit.MILLISECONDS), "no will while connected");
    relay.cut();
    Mqtt5Publish got = received.poll(15, TimeUnit.SECONDS);
    assertTrue(got != null, "the broker sends the will when the connection drops");
    assertEquals("engine gone", new String(got.getPayloadAsBytes(), StandardCharsets.UTF_8));
    assertEquals(MqttQos.AT_LEAST_ONCE, got.getQos());
  }
}
