package dev.z8run.nodes.data;

import static dev.z8run.nodes.FlowHarness.node;
import static dev.z8run.nodes.data.MqttFixture.json;
import static dev.z8run.nodes.data.MqttFixture.publish;
import static dev.z8run.nodes.data.MqttFixture.sleep;
import static dev.z8run.nodes.data.MqttFixture.subscribe;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.datatypes.Mqtt5UserProperties;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PayloadFormatIndicator;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.Wire;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.FlowHarness;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Node-RED's dynamic control of the MQTT nodes ({@code msg.action} connect, disconnect, subscribe,
 * unsubscribe, getSubscriptions; {@code msg.broker}) and the MQTT 5 subscription options, in
 * deployed flows against the real Mosquitto of {@code bin/services}.
 */
class MqttControlIT {
  // 127.0.0.1 only: 127.0.0.2 stands for a forbidden address
  private final MqttFixture mqtt = new MqttFixture("h15b", "127.0.0.1");
  private final FlowHarness harness = mqtt.harness;
  private final String prefix = mqtt.prefix;

  @AfterEach
  void tearDown() throws Exception {
    mqtt.close();
  }

  /** source "ctl" -> mqtt-in "in" -> capture "got". */
  private void deployControlled(String flowId, String inConfig) {
    harness.engine.deploy(
        new Flow(
            flowId,
            flowId,
            "",
            List.of(node("ctl", "source"), node("in", "mqtt-in", inConfig), node("got", "capture")),
            List.of(new Wire("ctl", 0, "in", 0), new Wire("in", 0, "got", 0))));
  }

  private List<Map<String, Object>> bodies(String nodeId) {
    return harness.captured(nodeId).stream().map(MqttFixture::body).toList();
  }

  private boolean received(String nodeId, String topic) {
    return bodies(nodeId).stream().anyMatch(b -> topic.equals(b.get("topic")));
  }

  /**
   * Publishes {@code topic} until capture {@code nodeId} has it (a subscription is asynchronous).
   */
  private void awaitDelivering(Mqtt5BlockingClient client, String topic, String nodeId) {
    try {
      FlowHarness.await(
          topic + " at " + nodeId,
          () -> {
            publish(client, topic, "\"probe\"");
            sleep(50);
            return received(nodeId, topic);
          });
    } catch (org.awaitility.core.ConditionTimeoutException late) {
      // what the mqtt-in node reported is what tells a slow broker from a lost subscription
      throw new AssertionError(
          late.getMessage()
              + "; mqtt-in statuses "
              + harness.statuses("in")
              + ", warnings "
              + harness.warnings("in")
              + ", errors "
              + harness.errors("in"),
          late);
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void shouldSubscribeUnsubscribeAndListSubscriptionsDynamically() throws Exception {
    deployControlled("dyn", json(mqtt.connection(), "inputs", 1));
    Mqtt5BlockingClient client = mqtt.client();
    harness.inject(
        "dyn",
        "ctl",
        JsonCodec.writeString(
            Map.of(
                "action",
                "subscribe",
                "topic",
                List.of(prefix + "/a", Map.of("topic", prefix + "/b/#", "qos", 1)))));
    awaitDelivering(client, prefix + "/a", "got");
    awaitDelivering(client, prefix + "/b/x", "got");
    Map<String, Object> fromB =
        bodies("got").stream()
            .filter(b -> (prefix + "/b/x").equals(b.get("topic")))
            .findFirst()
            .orElseThrow();
    assertEquals(1L, ((Number) fromB.get("qos")).longValue(), "subscribed with QoS 1");

    harness.inject("dyn", "ctl", "{\"action\":\"getSubscriptions\"}");
    FlowHarness.await(
        "the subscriptions listed",
        () -> bodies("got").stream().anyMatch(b -> "subscriptions".equals(b.get("topic"))));
    Map<String, Object> listed =
        bodies("got").stream()
            .filter(b -> "subscriptions".equals(b.get("topic")))
            .findFirst()
            .orElseThrow();
    assertEquals(
        List.of(
            Map.of("topic", prefix + "/a", "qos", 2L), Map.of("topic", prefix + "/b/#", "qos", 1L)),
        listed.get("payload"),
        "Node-RED's list: each subscription with the QoS it got");

    // unsubscribe one: /a stops, /b goes on
    harness.inject("dyn", "ctl", "{\"action\":\"unsubscribe\",\"topic\":\"" + prefix + "/a\"}");
    FlowHarness.await(
        "/a unsubscribed",
        () -> {
          publish(client, prefix + "/a", "\"after\"");
          publish(client, prefix + "/b/marker", "\"marker\"");
          sleep(50);
          List<Map<String, Object>> now = bodies("got");
          int marker = -1;
          for (int i = 0; i < now.size(); i++) {
            if ((prefix + "/b/marker").equals(now.get(i).get("topic"))) {
              marker = i;
            }
          }
          // the last marker came after the last message of /a: /a is no longer delivered
          int lastA = -1;
          for (int i = 0; i < now.size(); i++) {
            if ((prefix + "/a").equals(now.get(i).get("topic"))) {
              lastA = i;
            }
          }
          return marker > lastA + 1;
        });
    int seen = harness.captured("got").size();
    publish(client, prefix + "/a", "\"late\"");
    awaitDelivering(client, prefix + "/b/y", "got");
    assertTrue(
        bodies("got").subList(seen, harness.captured("got").size()).stream()
            .noneMatch(b -> (prefix + "/a").equals(b.get("topic"))),
        "no message of the unsubscribed filter");

    // unsubscribe true: all of them
    harness.inject("dyn", "ctl", "{\"action\":\"unsubscribe\",\"topic\":true}");
    harness.inject("dyn", "ctl", "{\"action\":\"getSubscriptions\"}");
    FlowHarness.await(
        "an empty list",
        () ->
            bodies("got").stream()
                .anyMatch(
                    b ->
                        "subscriptions".equals(b.get("topic"))
                            && ((List<Object>) b.get("payload")).isEmpty()));

    // what Node-RED refuses
    harness.inject("dyn", "ctl", "{\"action\":\"bogus\"}");
    harness.inject("dyn", "ctl", "{\"action\":\"subscribe\",\"topic\":\"a/#/b\"}");
    harness.inject("dyn", "ctl", "{\"action\":\"subscribe\",\"topic\":42}");
    List<String> errors = harness.awaitErrors("in", 3);
    assertTrue(errors.get(0).contains("Invalid action specified"), errors.toString());
    assertTrue(errors.get(1).contains("Invalid topic specified"), errors.toString());
    assertTrue(errors.get(2).contains("msg.topic is missing or invalid"), errors.toString());
  }

  @Test
  void shouldDisconnectAndConnectTheSharedConnectionForEveryUserOfIt() throws Exception {
    String clientId = "h15b-dc-" + UUID.randomUUID().toString().substring(0, 6);
    Map<String, Object> shared = mqtt.connection("clientId", clientId);
    String topic = prefix + "/dc";
    // one connection, two flows: the mqtt-out of one controls what the mqtt-in of the other hears
    harness.engine.deploy(
        new Flow(
            "dc-in",
            "dc-in",
            "",
            List.of(
                node("in", "mqtt-in", json(shared, "topic", topic + "/#", "qos", 1)),
                node("got", "capture")),
            List.of(new Wire("in", 0, "got", 0))));
    harness.engine.deploy(
        FlowHarness.chain("dc-out", node("src", "source"), node("out", "mqtt-out", json(shared))));
    assertEquals(1, mqtt.live.size(), "one client for both");
    Mqtt5BlockingClient client = mqtt.client();
    var heard = new LinkedBlockingQueue<String>();
    client
        .toAsync()
        .subscribeWith()
        .topicFilter(topic + "/out")
        .qos(MqttQos.AT_LEAST_ONCE)
        .callback(p -> heard.add(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)))
        .send()
        .get(5, TimeUnit.SECONDS);
    awaitDelivering(client, topic + "/probe", "got");

    harness.inject("dc-out", "src", "{\"action\":\"disconnect\"}");
    FlowHarness.await(
        "the disconnect done", () -> harness.statuses("out").contains("disconnected"));
    int before = harness.captured("got").size();
    publish(client, topic + "/while-down", "\"lost\"");
    // published while disconnected: waits in the buffer, goes out at the next connect
    harness.inject(
        "dc-out", "src", "{\"topic\":\"" + topic + "/out\",\"payload\":\"queued\",\"qos\":1}");
    assertEquals(null, heard.poll(500, TimeUnit.MILLISECONDS), "nothing leaves while down");

    // a control message is not published (Node-RED's)
    harness.inject("dc-out", "src", "{\"action\":\"connect\",\"topic\":\"" + topic + "/out\"}");
    assertEquals("queued", heard.poll(20, TimeUnit.SECONDS), "the buffer goes out on connect");
    awaitDelivering(client, topic + "/back", "got");
    assertTrue(
        bodies("got").subList(before, harness.captured("got").size()).stream()
            .noneMatch(b -> (topic + "/while-down").equals(b.get("topic"))),
        "the clean session missed what came while the shared connection was down");
    assertEquals(null, heard.poll(300, TimeUnit.MILLISECONDS), "the control message stayed");

    // connected: connect again is a no-op; with a broker but no force it is refused
    harness.inject("dc-out", "src", "{\"action\":\"connect\"}");
    harness.inject(
        "dc-out", "src", "{\"action\":\"connect\",\"broker\":{\"port\":" + mqtt.port + "}}");
    List<String> errors = harness.awaitErrors("out", 1);
    assertTrue(
        errors.get(0).contains("Disconnect from broker before connecting"), errors.toString());
    assertEquals(1, errors.size(), "the plain connect was no error: " + errors);
  }

  @Test
  void shouldConnectToTheBrokerOfTheMessageWithForce() throws Exception {
    int nothing;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      nothing = free.getLocalPort(); // closed again: nothing listens there
    }
    String topic = prefix + "/override";
    deployControlled(
        "override", json(mqtt.connection("port", nothing), "topic", topic, "protocolVersion", "5"));
    Mqtt5BlockingClient client = mqtt.client();
    publish(client, topic, "\"unheard\"");
    sleep(300);
    assertTrue(harness.captured("got").isEmpty(), "no broker on the configured port");
    harness.inject(
        "override",
        "ctl",
        "{\"action\":\"connect\",\"broker\":{\"broker\":\"127.0.0.1\",\"port\":"
            + mqtt.port
            + ",\"force\":true}}");
    awaitDelivering(client, topic, "got");
    FlowHarness.await(
        "the status names the new broker",
        () -> harness.statuses("in").stream().anyMatch(s -> s.contains(":" + mqtt.port)));
  }

  @Test
  void shouldWaitForAConnectActionWithAutoConnectOff() throws Exception {
    String topic = prefix + "/manual";
    deployControlled(
        "manual", json(mqtt.connection("autoConnect", false), "topic", topic, "qos", 1));
    Mqtt5BlockingClient client = mqtt.client();
    publish(client, topic, "\"unheard\"");
    sleep(500);
    assertTrue(harness.captured("got").isEmpty(), "not connected before the connect action");
    harness.inject("manual", "ctl", "{\"action\":\"connect\"}");
    awaitDelivering(client, topic, "got");
  }

  @Test
  void shouldGiveEveryNodeOfAFilterEachMessageOnOneConnection() throws Exception {
    String topic = prefix + "/fan";
    String config =
        json(
            mqtt.connection("clientId", "h15b-fan-" + UUID.randomUUID()),
            "topic",
            topic + "/#",
            "qos",
            1);
    harness.engine.deploy(
        new Flow(
            "fan",
            "fan",
            "",
            List.of(
                node("a", "mqtt-in", config),
                node("b", "mqtt-in", config),
                node("gotA", "capture"),
                node("gotB", "capture")),
            List.of(new Wire("a", 0, "gotA", 0), new Wire("b", 0, "gotB", 0))));
    assertEquals(1, mqtt.live.size(), "one client");
    Mqtt5BlockingClient client = mqtt.client();
    awaitDelivering(client, topic + "/probe", "gotA");
    awaitDelivering(client, topic + "/probe", "gotB");
    publish(client, topic + "/x", "\"both\"");
    FlowHarness.await(
        "the message at both nodes",
        () -> received("gotA", topic + "/x") && received("gotB", topic + "/x"));
    // one leaves: the other keeps the broker's subscription
    harness.engine.deploy(
        new Flow(
            "fan",
            "fan",
            "",
            List.of(node("b", "mqtt-in", config), node("gotB", "capture")),
            List.of(new Wire("b", 0, "gotB", 0))));
    // (a redeploy may close the connection and open it again: publish until b hears)
    awaitDelivering(client, topic + "/y", "gotB");
    int before = harness.captured("gotA").size();
    awaitDelivering(client, topic + "/z", "gotB");
    assertEquals(before, harness.captured("gotA").size(), "a stopped hearing");
  }

  @Test
  void shouldRefuseABrokerFromAMessageThatTheOutboundPolicyForbids() throws Exception {
    AtomicInteger reached = new AtomicInteger();
    ServerSocket victim = new ServerSocket();
    victim.bind(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 2}), 0));
    mqtt.closeAfter(victim);
    Thread.ofVirtual()
        .start(
            () -> {
              while (!victim.isClosed()) {
                try {
                  victim.accept().close();
                  reached.incrementAndGet();
                } catch (java.io.IOException closed) {
                  return;
                }
              }
            });
    String topic = prefix + "/policy";
    deployControlled("policy", json(mqtt.connection(), "topic", topic));
    Mqtt5BlockingClient client = mqtt.client();
    awaitDelivering(client, topic, "got");
    harness.inject(
        "policy",
        "ctl",
        "{\"action\":\"connect\",\"broker\":{\"broker\":\"127.0.0.2\",\"port\":"
            + victim.getLocalPort()
            + ",\"force\":true}}");
    harness.inject(
        "policy",
        "ctl",
        "{\"action\":\"connect\",\"broker\":{\"url\":\"mqtt://127.0.0.2:"
            + victim.getLocalPort()
            + "\",\"force\":true}}");
    harness.inject(
        "policy",
        "ctl",
        "{\"action\":\"connect\",\"broker\":{\"caFile\":\"/etc/passwd\",\"force\":true}}");
    List<String> errors = harness.awaitErrors("in", 3);
    assertTrue(errors.get(0).contains("not allowed by the outbound policy"), errors.toString());
    assertTrue(errors.get(1).contains("not allowed by the outbound policy"), errors.toString());
    assertTrue(errors.get(2).contains("caFile"), errors.toString());
    // the refused connects changed nothing: still connected where the deploy checked
    int before = harness.captured("got").size();
    awaitDelivering(client, topic, "got");
    assertTrue(harness.captured("got").size() > before);
    sleep(200);
    assertEquals(0, reached.get(), "nothing reached the forbidden address");
  }

  @Test
  void shouldHonourNoLocalRetainHandlingAndRetainAsPublishedOnMqtt5() throws Exception {
    String topic = prefix + "/v5opts";
    Mqtt5BlockingClient client = mqtt.client();
    publish(client, topic + "/kept", "\"retained\"", 1, true);
    mqtt.closeAfter(() -> publish(client, topic + "/kept", "", 1, true)); // clear it
    String one = "h15b-nl-" + UUID.randomUUID().toString().substring(0, 6);
    Map<String, Object> v5 = mqtt.connection("protocolVersion", "5", "clientId", one);
    // no local, retain handling 2 (no retained message at subscribe), on the same connection as
    // an mqtt-out: what the flow publishes does not come back to it
    harness.engine.deploy(
        new Flow(
            "nl",
            "nl",
            "",
            List.of(
                node("src", "source"),
                node("out", "mqtt-out", json(v5, "topic", topic + "/local")),
                node("in", "mqtt-in", json(v5, "topic", topic + "/#", "nl", true, "rh", 2)),
                node("got", "capture")),
            List.of(new Wire("src", 0, "out", 0), new Wire("in", 0, "got", 0))));
    // retain handling 0 and retain as published, on a connection of its own
    Map<String, Object> other =
        mqtt.connection(
            "protocolVersion",
            "5",
            "clientId",
            "h15b-rap-" + UUID.randomUUID().toString().substring(0, 6));
    harness.engine.deploy(
        new Flow(
            "rap",
            "rap",
            "",
            List.of(
                node("in2", "mqtt-in", json(other, "topic", topic + "/#", "rap", true)),
                node("got2", "capture")),
            List.of(new Wire("in2", 0, "got2", 0))));
    awaitDelivering(client, topic + "/probe", "got");
    awaitDelivering(client, topic + "/probe", "got2");
    assertTrue(received("got2", topic + "/kept"), "rh 0: the retained message at subscribe");
    assertTrue(!received("got", topic + "/kept"), "rh 2: no retained message at subscribe");

    harness.inject("nl", "src", "{\"payload\":\"mine\"}");
    publish(client, topic + "/live", "\"live\"", 1, true);
    mqtt.closeAfter(() -> publish(client, topic + "/live", "", 1, true));
    FlowHarness.await(
        "the live messages",
        // got2 hears "live" on a connection of its own, not necessarily before got does
        () ->
            received("got", topic + "/live")
                && received("got2", topic + "/local")
                && received("got2", topic + "/live"));
    assertTrue(!received("got", topic + "/local"), "no local: the flow's own publish stays away");
    Map<String, Object> rap =
        bodies("got2").stream()
            .filter(b -> (topic + "/live").equals(b.get("topic")))
            .findFirst()
            .orElseThrow();
    assertEquals(true, rap.get("retain"), "retain as published keeps the flag");
    Map<String, Object> plain =
        bodies("got").stream()
            .filter(b -> (topic + "/live").equals(b.get("topic")))
            .findFirst()
            .orElseThrow();
    assertEquals(false, plain.get("retain"), "without it the broker clears the flag");

    // a dynamic subscription's MQTT 5 defaults, as Node-RED lists them
    deployControlled("dyn5", json(mqtt.connection("protocolVersion", "5"), "inputs", 1));
    harness.inject(
        "dyn5",
        "ctl",
        "{\"action\":\"subscribe\",\"topic\":{\"topic\":\"" + topic + "/d\",\"nl\":\"true\"}}");
    harness.inject("dyn5", "ctl", "{\"action\":\"getSubscriptions\"}");
    FlowHarness.await(
        "the subscriptions listed",
        () -> bodies("got").stream().anyMatch(b -> "subscriptions".equals(b.get("topic"))));
    Object listed =
        bodies("got").stream()
            .filter(b -> "subscriptions".equals(b.get("topic")))
            .findFirst()
            .orElseThrow()
            .get("payload");
    assertEquals(
        List.of(Map.of("topic", topic + "/d", "qos", 2L, "rh", 0L, "rap", true, "nl", true)),
        listed);
  }

  @Test
  void shouldRoundTripMqtt5PropertiesThroughInAndOut() throws Exception {
    String topic = prefix + "/rt";
    Map<String, Object> v5 = mqtt.connection("protocolVersion", "5");
    harness.engine.deploy(
        new Flow(
            "rt",
            "rt",
            "",
            List.of(
                node("in", "mqtt-in", json(v5, "topic", topic + "/in", "qos", 1)),
                node("out", "mqtt-out", json(v5, "topic", topic + "/out", "qos", 1)),
                node("got", "capture")),
            List.of(new Wire("in", 0, "out", 0), new Wire("in", 0, "got", 0))));
    Mqtt5BlockingClient client = mqtt.client();
    BlockingQueue<Mqtt5Publish> received = subscribe(client, topic + "/out", 1);
    awaitDelivering(client, topic + "/in", "got");
    received.clear();
    FlowHarness.await(
        "the probe's echo drained",
        () -> {
          sleep(100);
          return received.poll() == null;
        });
    client.publish(
        Mqtt5Publish.builder()
            .topic(topic + "/in")
            .qos(MqttQos.AT_LEAST_ONCE)
            .payload("{\"n\":1}".getBytes(StandardCharsets.UTF_8))
            .responseTopic(topic + "/reply")
            .correlationData(new byte[] {7, 0, (byte) 200})
            .contentType("application/json")
            .messageExpiryInterval(300)
            .payloadFormatIndicator(Mqtt5PayloadFormatIndicator.UTF_8)
            .userProperties(Mqtt5UserProperties.builder().add("site", "plant-9").build())
            .build());
    Mqtt5Publish echoed = received.poll(10, TimeUnit.SECONDS);
    assertTrue(echoed != null, "the message went through the flow");
    assertEquals(topic + "/out", echoed.getTopic().toString());
    assertEquals("{\"n\":1}", new String(echoed.getPayloadAsBytes(), StandardCharsets.UTF_8));
    assertEquals(topic + "/reply", echoed.getResponseTopic().orElseThrow().toString());
    java.nio.ByteBuffer data = echoed.getCorrelationData().orElseThrow();
    byte[] correlation = new byte[data.remaining()];
    data.duplicate().get(correlation);
    assertArrayEquals(new byte[] {7, 0, (byte) 200}, correlation);
    assertEquals("application/json", echoed.getContentType().orElseThrow().toString());
    long expiry = echoed.getMessageExpiryInterval().orElseThrow();
    assertTrue(expiry > 0 && expiry <= 300, "expiry " + expiry);
    assertEquals(
        Mqtt5PayloadFormatIndicator.UTF_8, echoed.getPayloadFormatIndicator().orElseThrow());
    assertEquals(
        List.of("site=plant-9"),
        echoed.getUserProperties().asList().stream()
            .map(p -> p.getName() + "=" + p.getValue())
            .toList());
  }

  @Test
  void shouldPublishWithATopicAliasAsNodeRedDoes() throws Exception {
    String topic = prefix + "/alias";
    harness.engine.deploy(
        FlowHarness.chain(
            "alias",
            node("src", "source"),
            node("out", "mqtt-out", json(mqtt.connection("protocolVersion", "5")))));
    Mqtt5BlockingClient client = mqtt.client();
    var received = new LinkedBlockingQueue<String>();
    client
        .toAsync()
        .subscribeWith()
        .topicFilter(topic + "/#")
        .callback(
            p ->
                received.add(
                    p.getTopic() + "=" + new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8)))
        .send()
        .get(5, TimeUnit.SECONDS);
    // the same alias for one topic three times, then an alias past the broker's maximum
    // (ignored, as Node-RED ignores it): every message arrives under its full topic
    for (int i = 0; i < 3; i++) {
      harness.inject(
          "alias", "src", "{\"topic\":\"" + topic + "/a\",\"topicAlias\":1,\"payload\":" + i + "}");
    }
    harness.inject(
        "alias", "src", "{\"topic\":\"" + topic + "/b\",\"topicAlias\":65000,\"payload\":9}");
    List<String> got = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String next = received.poll(10, TimeUnit.SECONDS);
      assertTrue(next != null, "message " + i + " arrived: " + got);
      got.add(next);
    }
    assertEquals(List.of(topic + "/a=0", topic + "/a=1", topic + "/a=2", topic + "/b=9"), got);
    assertTrue(harness.errors("out").isEmpty(), harness.errors("out").toString());
  }
}
