package dev.z8run.nodes.routing;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.json;
import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.Wire;
import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.support.LinkTargets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code link-in}, {@code link-out} and {@code link-call} within and across deployed flows. */
class LinkNodesTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  @Test
  void shouldCarryMessagesToLinkInNodesOfOtherFlows() {
    harness.engine.deploy(chain("b", node("li", "link-in"), node("outB", "capture")));
    harness.engine.deploy(chain("c", node("li2", "link-in"), node("outC", "capture")));
    harness.engine.deploy(
        chain(
            "a",
            node("in", "source", "{\"binaryBase64\":\"AQID\"}"),
            node("lo", "link-out", "{\"links\":[\"li\",\"li2\"]}")));

    harness.inject("a", "in", "{\"payload\":\"over\"}");

    FlowHarness.Captured atB = harness.awaitCaptured("outB", 1).get(0);
    assertEquals(json("{\"payload\":\"over\"}"), atB.parsed());
    assertEquals(
        List.of((byte) 1, (byte) 2, (byte) 3),
        List.of(atB.binary()[0], atB.binary()[1], atB.binary()[2]));
    assertEquals(json("{\"payload\":\"over\"}"), harness.awaitCaptured("outC", 1).get(0).parsed());
  }

  @Test
  void shouldResolveALinkOnceAndAgainOnlyWhenALinkInFlowDeploysOrStops() {
    LinkTargets targets = new LinkTargets(null);
    harness.engine.registerService(LinkTargets.class, targets);
    harness.engine.deploy(chain("b", node("li", "link-in"), node("outB", "capture")));
    harness.engine.deploy(
        chain("a", node("in", "source"), node("lo", "link-out", "{\"links\":[\"li\"]}")));

    for (int i = 0; i < 50; i++) {
      harness.inject("a", "in", "{\"payload\":" + i + "}");
    }
    harness.awaitCaptured("outB", 50);
    assertEquals(1, targets.resolutions(), "resolved once for 50 messages");

    harness.engine.stop("b", 5_000);
    harness.inject("a", "in", "{\"payload\":\"lost\"}");
    FlowHarness.await("a warning", () -> !harness.warnings("lo").isEmpty());
    harness.engine.deploy(chain("b", node("li", "link-in"), node("outB", "capture")));
    harness.inject("a", "in", "{\"payload\":\"back\"}");
    FlowHarness.await(
        "the message reached the redeployed link-in",
        () ->
            harness.captured("outB").stream()
                .anyMatch(c -> json("{\"payload\":\"back\"}").equals(c.parsed())));
  }

  @Test
  void shouldWarnAndDropWhenTheTargetIsNotDeployed() {
    harness.engine.deploy(
        chain("a", node("in", "source"), node("lo", "link-out", "{\"links\":[\"nowhere\"]}")));

    harness.inject("a", "in", "{\"payload\":1}");

    FlowHarness.await("a warning", () -> !harness.warnings("lo").isEmpty());
    assertTrue(
        harness.warnings("lo").get(0).contains("nowhere"), harness.warnings("lo").toString());
    FlowHarness.await("the execution ended", () -> harness.engine.metrics("a").completed() == 1);
  }

  @Test
  void shouldCallALinkInAndSendOnWhatItsFlowReturns() {
    harness.engine.deploy(
        chain(
            "service",
            node("entry", "link-in"),
            node(
                "set",
                "change",
                "{\"rules\":[{\"t\":\"set\",\"p\":\"answer\",\"pt\":\"msg\",\"to\":\"42\",\"tot\":\"num\"}]}"),
            node("back", "link-out", "{\"mode\":\"return\"}")));
    harness.engine.deploy(
        chain(
            "caller",
            node("in", "source"),
            node("call", "link-call", "{\"links\":[\"entry\"],\"timeout\":\"5\"}"),
            node("out", "capture")));

    harness.inject("caller", "in", "{\"payload\":\"q\"}");

    assertEquals(
        json("{\"payload\":\"q\",\"answer\":42}"), harness.awaitCaptured("out", 1).get(0).parsed());
    FlowHarness.await(
        "the calling execution ended", () -> harness.engine.metrics("caller").live() == 0);
  }

  @Test
  void shouldFailTheCallingMessageWhenNoReturnComesInTime() {
    harness.engine.deploy(chain("service", node("entry", "link-in"), node("sink", "capture")));
    harness.engine.deploy(
        new Flow(
            "caller",
            "caller",
            "",
            List.of(
                node("in", "source"),
                node("call", "link-call", "{\"links\":[\"entry\"],\"timeout\":0.1}"),
                node("c", "catch", "{\"scope\":[\"call\"]}"),
                node("errors", "capture")),
            List.of(new Wire("in", 0, "call", 0), new Wire("c", 0, "errors", 0))));

    harness.inject("caller", "in", "{\"payload\":\"q\"}");

    Map<?, ?> caught = (Map<?, ?>) harness.awaitCaptured("errors", 1).get(0).parsed();
    assertEquals("q", caught.get("payload"));
    assertTrue(
        String.valueOf(((Map<?, ?>) caught.get("error")).get("message")).contains("no return"));
  }

  @Test
  void shouldFailACallToALinkThatIsNotDeployedAtOnce() {
    harness.engine.deploy(
        new Flow(
            "caller",
            "caller",
            "",
            List.of(
                node("in", "source"),
                node("call", "link-call", "{\"links\":[\"gone\"],\"timeout\":60}"),
                node("c", "catch"),
                node("errors", "capture")),
            List.of(new Wire("in", 0, "call", 0), new Wire("c", 0, "errors", 0))));

    harness.inject("caller", "in", "{\"payload\":\"q\"}");

    Map<?, ?> caught = (Map<?, ?>) harness.awaitCaptured("errors", 1).get(0).parsed();
    assertTrue(
        String.valueOf(((Map<?, ?>) caught.get("error")).get("message"))
            .contains("target link-in node 'gone' not found"));
    FlowHarness.await(
        "the call's execution ended", () -> harness.engine.metrics("caller").live() == 0);
  }

  @Test
  void shouldCallTheLinkInThatMsgTargetNamesWhenDynamic() {
    harness.engine.deploy(
        chain(
            "service",
            new dev.z8run.core.flow.FlowNode(
                "entry", "link-in", "subroutine-1", 0, 0, false, Map.of()),
            node(
                "set",
                "change",
                "{\"rules\":[{\"t\":\"set\",\"p\":\"answer\",\"pt\":\"msg\",\"to\":\"42\",\"tot\":\"num\"}]}"),
            node("back", "link-out", "{\"mode\":\"return\"}")));
    harness.engine.deploy(
        chain(
            "caller",
            node("in", "source"),
            node("call", "link-call", "{\"linkType\":\"dynamic\",\"timeout\":\"5\"}"),
            node("out", "capture")));

    harness.inject("caller", "in", "{\"payload\":1,\"target\":\"subroutine-1\"}");
    harness.inject("caller", "in", "{\"payload\":2,\"target\":\"entry\"}");
    harness.inject("caller", "in", "{\"payload\":3,\"target\":\"nothing-by-that-name\"}");

    List<FlowHarness.Captured> out = harness.awaitCaptured("out", 2);
    for (FlowHarness.Captured returned : out) {
      assertEquals(42L, ((Map<?, ?>) returned.parsed()).get("answer"), "by name and by id");
    }
    assertEquals(
        "target link-in node 'nothing-by-that-name' not found",
        harness.awaitErrors("call", 1).get(0));
  }
}
