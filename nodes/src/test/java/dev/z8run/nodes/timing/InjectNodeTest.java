package dev.z8run.nodes.timing;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.json;
import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.runtime.DeployException;
import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.FlowHarness.Captured;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code inject} node inside a deployed flow: inject "inj" -> capture "out". */
class InjectNodeTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private void deploy(String injectConfig) {
    harness.engine.deploy(chain("f", node("inj", "inject", injectConfig), node("out", "capture")));
  }

  @Test
  void shouldSendConfiguredPayloadAndTopicWhenFiredWithEmptyMessage() {
    deploy("{\"payload\":{\"a\":[1,2],\"b\":\"x\"},\"topic\":\"greeting\"}");

    harness.inject("f", "inj", "{}");

    Captured sent = harness.awaitCaptured("out", 1).get(0);
    assertEquals(
        json("{\"payload\":{\"a\":[1,2],\"b\":\"x\"},\"topic\":\"greeting\"}"), sent.parsed());
    // with its field index (the capture node checks that it describes the body)
    assertTrue(sent.indexed());
  }

  @Test
  void shouldSendConfiguredFalsyPayloadsRatherThanTheTime() {
    harness.engine.deploy(
        new Flow(
            "f",
            "f",
            "",
            List.of(
                node("zero", "inject", "{\"payload\":0}"),
                node("no", "inject", "{\"payload\":false}"),
                node("blank", "inject", "{\"payload\":\"\"}"),
                node("zeroOut", "capture"),
                node("noOut", "capture"),
                node("blankOut", "capture")),
            List.of(
                new Wire("zero", 0, "zeroOut", 0),
                new Wire("no", 0, "noOut", 0),
                new Wire("blank", 0, "blankOut", 0))));

    harness.inject("f", "zero", "{}");
    harness.inject("f", "no", "{}");
    harness.inject("f", "blank", "{}");

    assertEquals(
        json("{\"payload\":0,\"topic\":\"\"}"),
        harness.awaitCaptured("zeroOut", 1).get(0).parsed());
    assertEquals(
        json("{\"payload\":false,\"topic\":\"\"}"),
        harness.awaitCaptured("noOut", 1).get(0).parsed());
    assertEquals(
        json("{\"payload\":\"\",\"topic\":\"\"}"),
        harness.awaitCaptured("blankOut", 1).get(0).parsed());
  }

  @Test
  void shouldSendTimeInMillisecondsAndEmptyTopicWhenNoPayloadIsConfigured() {
    deploy("{}");
    long before = System.currentTimeMillis();

    harness.inject("f", "inj", "{}");
    Captured received = harness.awaitCaptured("out", 1).get(0);
    long after = System.currentTimeMillis();

    Map<?, ?> message = assertInstanceOf(Map.class, received.parsed());
    assertEquals("", message.get("topic"));
    long ms = assertInstanceOf(Long.class, message.get("payload"));
    assertTrue(before <= ms && ms <= after, before + " <= " + ms + " <= " + after);
  }

  @Test
  void shouldTreatEmptyObjectWithBlanksAsFiredWithoutMessage() {
    deploy("{\"payload\":\"hello\",\"topic\":\"t\"}");

    harness.inject("f", "inj", " {\n\t} ");

    assertEquals(
        json("{\"payload\":\"hello\",\"topic\":\"t\"}"),
        harness.awaitCaptured("out", 1).get(0).parsed());
  }

  @Test
  void shouldForwardNonEmptyInjectedMessageUnchanged() {
    deploy("{\"payload\":\"configured\",\"topic\":\"configured\"}");
    String message = "{\"payload\":\"custom\", \"x\":{\"y\":[1,2]},\"topic\":\"mine\"}";

    harness.inject("f", "inj", message);
    harness.inject("f", "inj", "{\"payload\":{}}");

    List<Captured> received = harness.awaitCaptured("out", 2);
    assertEquals(message, received.get(0).json());
    assertEquals("{\"payload\":{}}", received.get(1).json());
  }

  @Test
  void shouldInjectOnceAfterDeployWithNodeRedProps() {
    deploy(
        "{\"props\":[{\"p\":\"payload\"},{\"p\":\"topic\",\"vt\":\"str\"},"
            + "{\"p\":\"n\",\"v\":\"2.5\",\"vt\":\"num\"},{\"p\":\"ok\",\"v\":\"true\",\"vt\":\"bool\"},"
            + "{\"p\":\"obj\",\"v\":\"{\\\"a\\\":[1]}\",\"vt\":\"json\"},"
            + "{\"p\":\"deep.x\",\"v\":\"y\",\"vt\":\"str\"},{\"p\":\"deep.z\",\"v\":\"1\",\"vt\":\"num\"}],"
            + "\"payload\":\"\",\"payloadType\":\"date\",\"topic\":\"t\",\"once\":true,\"onceDelay\":\"0.05\"}");

    Map<?, ?> message =
        assertInstanceOf(Map.class, harness.awaitCaptured("out", 1).get(0).parsed());

    assertInstanceOf(Long.class, message.get("payload"));
    assertEquals("t", message.get("topic"));
    assertEquals(2.5, message.get("n"));
    assertEquals(true, message.get("ok"));
    assertEquals(json("{\"a\":[1]}"), message.get("obj"));
    // a property is a path, as Node-RED's setMessageProperty takes it
    assertEquals(json("{\"x\":\"y\",\"z\":1}"), message.get("deep"));
  }

  @Test
  void shouldRepeatEveryIntervalUntilStopped() {
    deploy("{\"payload\":\"7\",\"payloadType\":\"num\",\"repeat\":\"0.02\"}");

    List<Captured> received = harness.awaitCaptured("out", 3);

    for (Captured one : received.subList(0, 3)) {
      assertEquals(7L, ((Map<?, ?>) one.parsed()).get("payload"));
    }
    harness.engine.stop("f", 1_000);
    assertTrue(harness.engine.metrics("f") == null);
  }

  @Test
  void shouldRefuseUnsupportedPayloadTypesAndBadCrontabsNamingTheField() {
    DeployException flowType =
        assertThrows(
            DeployException.class, () -> deploy("{\"payload\":\"x\",\"payloadType\":\"bin\"}"));
    assertTrue(
        flowType.getMessage().contains("payloadType: value type 'bin'"), flowType.getMessage());

    DeployException secret =
        assertThrows(
            DeployException.class,
            () -> deploy("{\"payload\":\"Z8_JWT_SECRET\",\"payloadType\":\"env\"}"));
    assertTrue(
        secret.getMessage().contains("'Z8_JWT_SECRET' is a server setting"), secret.getMessage());

    DeployException cron =
        assertThrows(DeployException.class, () -> deploy("{\"crontab\":\"*/5 * * *\"}"));
    assertTrue(
        cron.getMessage().contains("crontab: cron '*/5 * * *' has 4 fields"), cron.getMessage());
  }
}
