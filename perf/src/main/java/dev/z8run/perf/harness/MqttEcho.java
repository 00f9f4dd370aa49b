package dev.z8run.perf.harness;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;

/**
 * Scenario e's ceiling: what {@code mqtt-in -> change -> mqtt-out} does with no engine, a bare
 * HiveMQ client on one connection that receives {@code <prefix>/in}, appends {@code "hop":"bare"}
 * to the JSON object and publishes it to {@code <prefix>/out} from the client's own thread. Runs
 * until killed; {@link MqttLoad} drives and measures it as it drives the engines.
 *
 * <p>{@code java -cp perf/target/z8run-perf.jar dev.z8run.perf.harness.MqttEcho host port qos
 * prefix}
 */
public final class MqttEcho {
  private MqttEcho() {}

  public static void main(String[] args) throws Exception {
    EchoSetup echo = EchoSetup.of(args, "bare");
    MqttQos qos = MqttQos.fromCode(echo.qos());
    String prefix = echo.prefix();
    Mqtt3AsyncClient client =
        MqttClient.builder()
            .useMqttVersion3()
            .identifier("z8bench-echo-" + UUID.randomUUID().toString().substring(0, 6))
            .serverHost(echo.host())
            .serverPort(echo.port())
            .buildAsync();
    client.connect().join();
    String out = prefix + "/out";
    if (args.length > 4 && args[4].equals("rx")) {
      // the reactive API: one back-pressured stream from the subscription into the publishes
      client
          .toRx()
          .publish(
              client
                  .toRx()
                  .subscribePublishesWith()
                  .topicFilter(prefix + "/in")
                  .qos(qos)
                  .applySubscribe()
                  .map(
                      publish ->
                          Mqtt3Publish.builder()
                              .topic(out)
                              .qos(qos)
                              .payload(echo.hop(publish.getPayloadAsBytes()))
                              .build()))
          .subscribe();
      System.out.println("echo ready (rx)");
      new CountDownLatch(1).await();
    }
    client
        .subscribeWith()
        .topicFilter(prefix + "/in")
        .qos(qos)
        .callback(
            publish -> {
              byte[] body = echo.hop(publish.getPayloadAsBytes());
              client.publish(Mqtt3Publish.builder().topic(out).qos(qos).payload(body).build());
            })
        .send()
        .join();
    System.out.println("echo ready");
    new CountDownLatch(1).await();
  }
}
