package dev.z8run.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.z8run.testkit.TestServices.Service;
import io.nats.client.Connection;
import io.nats.client.JetStreamManagement;
import io.nats.client.Nats;
import io.nats.client.Options;
import java.nio.charset.StandardCharsets;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Every service the integration tests rely on answers in its own protocol: a query on each
 * database, a round trip through the MQTT broker, JetStream enabled on NATS. Under {@code CI=true}
 * a service that cannot be reached fails here, so a run can never pass by skipping what needs it.
 */
class ServicesIT {

  @Test
  void postgresqlAnswersAQuery() throws Exception {
    String url = TestServices.require(Service.POSTGRES);
    try (var connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT 40 + 2")) {
      assertTrue(rows.next());
      assertEquals(42, rows.getInt(1));
    }
  }

  @Test
  void mariadbAnswersAQuery() throws Exception {
    String url = TestServices.require(Service.MYSQL);
    try (var connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT 40 + 2")) {
      assertTrue(rows.next());
      assertEquals(42, rows.getInt(1));
    }
  }

  @Test
  void mosquittoDeliversAPublishedMessage() throws Exception {
    TestServices.require(Service.MQTT);
    String topic = "z8/testkit/" + UUID.randomUUID();
    Mqtt5BlockingClient client =
        MqttClient.builder()
            .useMqttVersion5()
            .identifier("z8-testkit-" + UUID.randomUUID())
            .serverHost(Service.MQTT.host())
            .serverPort(Service.MQTT.port())
            .buildBlocking();
    client.connect();
    try (Mqtt5BlockingClient.Mqtt5Publishes publishes =
        client.publishes(com.hivemq.client.mqtt.MqttGlobalPublishFilter.ALL)) {
      client.subscribeWith().topicFilter(topic).qos(MqttQos.AT_LEAST_ONCE).send();
      byte[] body = "ping".getBytes(StandardCharsets.UTF_8);
      client.publishWith().topic(topic).qos(MqttQos.AT_LEAST_ONCE).payload(body).send();
      Optional<Mqtt5Publish> received = publishes.receive(10, TimeUnit.SECONDS);
      assertTrue(received.isPresent(), "no message came back on " + topic);
      assertArrayEquals(body, received.get().getPayloadAsBytes());
    } finally {
      client.disconnect();
    }
  }

  @Test
  void natsHasJetStream() throws Exception {
    String url = TestServices.require(Service.NATS);
    Options options =
        new Options.Builder().server(url).connectionTimeout(Duration.ofSeconds(5)).build();
    Connection connection = Nats.connect(options);
    try {
      JetStreamManagement management = connection.jetStreamManagement();
      assertTrue(
          management.getAccountStatistics().getLimits().getMaxStreams() != 0,
          "JetStream answers but allows no stream");
    } finally {
      connection.close();
    }
  }
}
