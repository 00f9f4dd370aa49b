package dev.z8run.nodes.routing;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.json;
import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.z8run.nodes.FlowHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code join} node inside a deployed flow: source "in" -> join "j" -> capture "out". */
class JoinNodeTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private void deploy(String joinConfig) {
    harness.engine.deploy(
        chain("f", node("in", "source"), node("j", "join", joinConfig), node("out", "capture")));
  }

  private static String part(Object payload, String parts) {
    return "{\"payload\":" + payload + ",\"topic\":\"t\",\"parts\":" + parts + "}";
  }

  @Test
  void shouldReassembleAnArrayFromSplitPartsInIndexOrder() {
    deploy("{}");

    harness.inject(
        "f", "in", part(2, "{\"id\":\"a\",\"index\":1,\"count\":3,\"type\":\"array\",\"len\":1}"));
    harness.inject(
        "f", "in", part(3, "{\"id\":\"a\",\"index\":2,\"count\":3,\"type\":\"array\",\"len\":1}"));
    harness.inject(
        "f", "in", part(1, "{\"id\":\"a\",\"index\":0,\"count\":3,\"type\":\"array\",\"len\":1}"));

    assertEquals(
        json("{\"payload\":[1,2,3],\"topic\":\"t\"}"),
        harness.awaitCaptured("out", 1).get(0).parsed());
  }

  @Test
  void shouldFlattenArrayChunksAndRestoreEnclosingParts() {
    deploy("{}");

    harness.inject(
        "f",
        "in",
        part(
            "[1,2]",
            "{\"id\":\"a\",\"index\":0,\"count\":2,\"type\":\"array\",\"len\":2,\"parts\":{\"id\":\"outer\",\"index\":4,\"count\":9,\"type\":\"array\"}}"));
    harness.inject(
        "f",
        "in",
        part(
            "[3]",
            "{\"id\":\"a\",\"index\":1,\"count\":2,\"type\":\"array\",\"len\":2,\"parts\":{\"id\":\"outer\",\"index\":4,\"count\":9,\"type\":\"array\"}}"));

    assertEquals(
        json(
            "{\"payload\":[1,2,3],\"topic\":\"t\",\"parts\":{\"id\":\"outer\",\"index\":4,\"count\":9,\"type\":\"array\"}}"),
        harness.awaitCaptured("out", 1).get(0).parsed());
  }

  @Test
  void shouldReassembleObjectsAndStrings() {
    deploy("{}");

    harness.inject(
        "f",
        "in",
        part("\"x\"", "{\"id\":\"o\",\"index\":0,\"count\":2,\"type\":\"object\",\"key\":\"a\"}"));
    harness.inject(
        "f",
        "in",
        part("\"y\"", "{\"id\":\"s\",\"index\":1,\"count\":2,\"type\":\"string\",\"ch\":\"-\"}"));
    harness.inject(
        "f",
        "in",
        part("2", "{\"id\":\"o\",\"index\":1,\"count\":2,\"type\":\"object\",\"key\":\"b\"}"));
    harness.inject(
        "f",
        "in",
        part("\"x\"", "{\"id\":\"s\",\"index\":0,\"count\":2,\"type\":\"string\",\"ch\":\"-\"}"));

    var out = harness.awaitCaptured("out", 2);
    assertEquals(json("{\"payload\":{\"a\":\"x\",\"b\":2},\"topic\":\"t\"}"), out.get(0).parsed());
    assertEquals(json("{\"payload\":\"x-y\",\"topic\":\"t\"}"), out.get(1).parsed());
  }

  @Test
  void shouldJoinByCountIntoAString() {
    deploy("{\"mode\":\"custom\",\"build\":\"string\",\"joiner\":\", \",\"count\":\"3\"}");

    for (String word : new String[] {"a", "b", "c", "d"}) {
      harness.inject("f", "in", "{\"payload\":\"" + word + "\"}");
    }

    assertEquals(
        json("{\"payload\":\"a, b, c\"}"), harness.awaitCaptured("out", 1).get(0).parsed());
  }

  /** Node-RED's "complete message object" (propertyType full): each message, not its payload. */
  @Test
  void shouldJoinCompleteMessagesWithPropertyTypeFull() {
    deploy("{\"mode\":\"custom\",\"build\":\"array\",\"propertyType\":\"full\",\"count\":\"2\"}");

    harness.inject("f", "in", "{\"payload\":1,\"topic\":\"a\",\"x\":true}");
    harness.inject("f", "in", "{\"payload\":{\"k\":2},\"topic\":\"b\"}");

    assertEquals(
        json(
            "{\"payload\":[{\"payload\":1,\"topic\":\"a\",\"x\":true},"
                + "{\"payload\":{\"k\":2},\"topic\":\"b\"}],\"topic\":\"b\"}"),
        harness.awaitCaptured("out", 1).get(0).parsed());
  }

  @Test
  void shouldBuildAnObjectKeyedByTopicUntilMsgComplete() {
    deploy("{\"mode\":\"custom\",\"build\":\"object\"}");

    harness.inject("f", "in", "{\"payload\":1,\"topic\":\"a\"}");
    harness.inject("f", "in", "{\"payload\":2,\"topic\":\"b\",\"complete\":true}");

    assertEquals(
        json("{\"payload\":{\"a\":1,\"b\":2},\"topic\":\"b\"}"),
        harness.awaitCaptured("out", 1).get(0).parsed());
  }

  @Test
  void shouldSendAPartialGroupAtTheTimeoutInTheFirstMessagesExecution() {
    deploy("{\"mode\":\"custom\",\"build\":\"merged\",\"count\":10,\"timeout\":0.2}");

    harness.inject("f", "in", "{\"payload\":{\"a\":1}}");
    harness.inject("f", "in", "{\"payload\":{\"b\":2}}");

    assertEquals(
        json("{\"payload\":{\"a\":1,\"b\":2}}"), harness.awaitCaptured("out", 1).get(0).parsed());
    FlowHarness.await("both executions ended", () -> harness.engine.metrics("f").completed() == 2);
  }
}
