package dev.z8run.nodes.network;

import static dev.z8run.nodes.FlowHarness.json;
import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.plan.Planner;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.core.runtime.DeployException;
import dev.z8run.nodes.FlowHarness;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The webhook node inside a deployed flow: each verdict to its own port, unchanged. */
class WebhookNodeTest {
  private static final String CONFIG = "{\"path\":\"/github\",\"secret\":\"s3cret\"}";

  /** hook -> payload (0) to "accepted", rejected (1) to "rejected", filtered (2) to "filtered". */
  private static Flow sorter(String configJson) {
    return new Flow(
        "hooks",
        "hooks",
        "",
        List.of(
            node("hook", "webhook", configJson),
            node("accepted", "capture"),
            node("rejected", "capture"),
            node("filtered", "capture")),
        List.of(
            new Wire("hook", 0, "accepted", 0),
            new Wire("hook", 1, "rejected", 0),
            new Wire("hook", 2, "filtered", 0)));
  }

  private static String delivery(String verdict, String event) {
    return "{\"payload\":{\"req\":{\"body\":{\"n\":1}}},\"req\":{\"body\":{\"n\":1}},"
        + "\"webhook\":{\"verdict\":\""
        + verdict
        + "\",\"event\":\""
        + event
        + "\",\"signature\":\"valid\",\"delivery\":null}}";
  }

  @Test
  void shouldSendEachVerdictToItsOwnPortUnchanged() {
    try (FlowHarness harness = new FlowHarness()) {
      harness.engine.deploy(sorter(CONFIG));
      harness.inject("hooks", "hook", delivery("accepted", "push"));
      harness.inject("hooks", "hook", delivery("rejected", "push"));
      harness.inject("hooks", "hook", delivery("filtered", "issues"));
      harness.inject("hooks", "hook", delivery("accepted", "ping"));

      List<FlowHarness.Captured> accepted = harness.awaitCaptured("accepted", 2);
      assertEquals(json(delivery("accepted", "push")), accepted.get(0).parsed());
      assertEquals(json(delivery("accepted", "ping")), accepted.get(1).parsed());
      assertEquals(
          json(delivery("rejected", "push")), harness.awaitCaptured("rejected", 1).get(0).parsed());
      assertEquals(
          json(delivery("filtered", "issues")),
          harness.awaitCaptured("filtered", 1).get(0).parsed());
      assertEquals(2, harness.captured("accepted").size());
      assertEquals(1, harness.captured("rejected").size());
    }
  }

  @Test
  void shouldFindTheVerdictWhereverTheServerPutIt() {
    try (FlowHarness harness = new FlowHarness()) {
      harness.engine.deploy(sorter(CONFIG));
      String first =
          "{\"webhook\":{\"delivery\":\"d-1\",\"verdict\" : \"rejected\"},\"payload\":{}}";
      harness.inject("hooks", "hook", first);

      assertEquals(json(first), harness.awaitCaptured("rejected", 1).get(0).parsed());
    }
  }

  @Test
  void shouldDropAndWarnAboutAMessageWithoutAVerdict() {
    try (FlowHarness harness = new FlowHarness()) {
      harness.engine.deploy(sorter(CONFIG));
      harness.inject("hooks", "hook", "{\"payload\":1}");
      harness.inject("hooks", "hook", "{\"webhook\":{\"verdict\":\"accepted!\"}}");
      harness.inject("hooks", "hook", "{\"verdict\":\"accepted\"}");
      harness.inject("hooks", "hook", delivery("accepted", "push"));

      harness.awaitCaptured("accepted", 1);
      FlowHarness.await("three warnings", () -> harness.warnings("hook").size() == 3);
      assertTrue(harness.warnings("hook").get(0).contains("no webhook.verdict"));
      assertEquals(1, harness.captured("accepted").size());
      assertEquals(List.of(), harness.captured("rejected"));
      assertEquals(List.of(), harness.captured("filtered"));
    }
  }

  @Test
  void shouldDeclareTheZ8runPortsAndDefaults() {
    assertEquals(
        List.of("payload", "rejected", "filtered"),
        WebhookNode.TYPE.outputs().stream().map(PortSpec::name).toList());
    assertEquals(List.of(), WebhookNode.TYPE.inputs());
    Map<String, Object> defaults = Planner.withDefaults(WebhookNode.TYPE, Map.of("path", "/x"));
    assertEquals("POST", defaults.get("method"));
    assertEquals("X-Hub-Signature-256", defaults.get("signatureHeader"));
    assertEquals("X-GitHub-Event", defaults.get("eventHeader"));
    assertEquals(List.of(), defaults.get("events"));
    assertEquals(HttpInNode.METHODS, WebhookNode.TYPE.field("method").options());
  }

  @Test
  void shouldRefuseASecretThatIsStillAVaultReference() {
    try (FlowHarness harness = new FlowHarness()) {
      DeployException refused =
          assertThrows(
              DeployException.class,
              () -> harness.engine.deploy(sorter("{\"path\":\"/g\",\"secret\":\"vault:gh\"}")));
      assertTrue(
          refused.getMessage().contains("secret: vault reference 'vault:gh' was not resolved"),
          refused.getMessage());
    }
  }

  @Test
  void shouldRefuseEventsThatAreNotNames() {
    try (FlowHarness harness = new FlowHarness()) {
      DeployException refused =
          assertThrows(
              DeployException.class,
              () -> harness.engine.deploy(sorter("{\"path\":\"/g\",\"events\":[\"push\",7]}")));
      assertTrue(
          refused.getMessage().contains("events[1] must be a non-empty event name, got 7"),
          refused.getMessage());
      DeployException blank =
          assertThrows(
              DeployException.class,
              () -> harness.engine.deploy(sorter("{\"path\":\"/g\",\"eventHeader\":\" \"}")));
      assertTrue(blank.getMessage().contains("eventHeader must name a header"), blank.getMessage());
    }
  }
}
