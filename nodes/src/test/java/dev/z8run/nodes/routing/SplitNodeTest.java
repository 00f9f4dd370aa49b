package dev.z8run.nodes.routing;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.json;
import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.validate.FlowValidator.ValidationException;
import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.FlowHarness.Captured;
import dev.z8run.nodes.NodeErrors;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code split} node in a deployed flow: source -> split -> capture. */
class SplitNodeTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private List<Map<?, ?>> split(String config, String message, int expected) {
    harness.engine.deploy(
        chain("f", node("in", "source"), node("s", "split", config), node("out", "capture")));
    harness.inject("f", "in", message);
    List<Captured> received = harness.awaitCaptured("out", expected);
    FlowHarness.await("execution complete", () -> harness.engine.metrics("f").completed() == 1);
    assertEquals(expected, harness.captured("out").size());
    List<Map<?, ?>> parsed = new ArrayList<>();
    for (Captured captured : received) {
      parsed.add((Map<?, ?>) captured.parsed());
    }
    return parsed;
  }

  private static Map<?, ?> parts(Map<?, ?> message) {
    return (Map<?, ?>) message.get("parts");
  }

  @Test
  void shouldSendOneMessagePerArrayElementWithNodeRedParts() {
    List<Map<?, ?>> out = split("{}", "{\"payload\":[1,{\"a\":[2,3]},\"x,y\"],\"topic\":\"t\"}", 3);

    assertEquals(List.of(1L, Map.of("a", List.of(2L, 3L)), "x,y"), payloads(out));
    Object id = parts(out.get(0)).get("id");
    for (int i = 0; i < 3; i++) {
      assertEquals("t", out.get(i).get("topic"));
      assertEquals(
          Map.of("id", id, "index", (long) i, "count", 3L, "type", "array", "len", 1L),
          parts(out.get(i)));
    }
    assertTrue(id instanceof String s && !s.isEmpty());
  }

  private static List<Object> payloads(List<Map<?, ?>> messages) {
    List<Object> payloads = new ArrayList<>();
    for (Map<?, ?> message : messages) {
      payloads.add(message.get("payload"));
    }
    return payloads;
  }

  @Test
  void shouldChunkArraysAndNestTheInputsOwnParts() {
    List<Map<?, ?>> out =
        split(
            "{\"arrayChunk\":2}",
            "{\"payload\":[1,2,3,4,5],\"parts\":{\"id\":\"outer\",\"index\":0,\"count\":1,"
                + "\"type\":\"array\",\"len\":1}}",
            3);

    assertEquals(List.of(List.of(1L, 2L), List.of(3L, 4L), List.of(5L)), payloads(out));
    assertEquals(
        json("{\"id\":\"outer\",\"index\":0,\"count\":1,\"type\":\"array\",\"len\":1}"),
        parts(out.get(2)).get("parts"));
    assertEquals(2L, parts(out.get(2)).get("index"));
    assertEquals(2L, parts(out.get(2)).get("len"));
  }

  @Test
  void shouldSendOneMessagePerObjectMemberWithItsKey() {
    List<Map<?, ?>> out =
        split(
            "{\"keyProperty\":\"topic\"}",
            "{\"payload\":{\"a\":1,\"caf\\u00e9\":{\"b\":[true]},\"c\":\"s\"}}",
            3);

    assertEquals(List.of(1L, Map.of("b", List.of(true)), "s"), payloads(out));
    assertEquals("a", parts(out.get(0)).get("key"));
    assertEquals("caf\u00e9", parts(out.get(1)).get("key"));
    assertEquals("caf\u00e9", out.get(1).get("topic"));
    assertEquals("object", parts(out.get(2)).get("type"));
    assertEquals(3L, parts(out.get(2)).get("count"));
  }

  @Test
  void shouldSplitStringsByDelimiterOrIntoFixedLengthPieces() {
    List<Map<?, ?>> lines = split("{}", "{\"payload\":\"one\\ntwo \\\"q\\\"\\n\"}", 3);
    assertEquals(List.of("one", "two \"q\"", ""), payloads(lines));
    assertEquals(
        Map.of(
            "id",
            parts(lines.get(0)).get("id"),
            "index",
            0L,
            "count",
            3L,
            "type",
            "string",
            "ch",
            "\n"),
        parts(lines.get(0)));

    harness.engine.deploy(
        chain(
            "g",
            node("in", "source"),
            node("s", "split", "{\"chunkLength\":3}"),
            node("pieces", "capture")));
    harness.inject("g", "in", "{\"payload\":\"abcdefgh\"}");
    List<Captured> pieces = harness.awaitCaptured("pieces", 3);
    List<Object> texts = new ArrayList<>();
    for (Captured piece : pieces) {
      texts.add(((Map<?, ?>) piece.parsed()).get("payload"));
    }
    assertEquals(List.of("abc", "def", "gh"), texts);
    Map<?, ?> last = parts((Map<?, ?>) pieces.get(2).parsed());
    assertEquals("", last.get("ch"));
    assertEquals(3L, last.get("len"));
  }

  @Test
  void shouldPassOtherValuesOnUnchangedKeepingBinaryPayload() {
    byte[] binary = {4, 5, 6};
    harness.engine.deploy(
        chain(
            "f",
            node(
                "in",
                "source",
                "{\"binaryBase64\":\"" + Base64.getEncoder().encodeToString(binary) + "\"}"),
            node("s", "split"),
            node("out", "capture")));
    harness.inject("f", "in", "{\"payload\":42}");
    harness.inject("f", "in", "{\"payload\":[7]}");

    List<Captured> out = harness.awaitCaptured("out", 2);
    assertEquals("{\"payload\":42}", out.get(0).json());
    assertArrayEquals(binary, out.get(0).binary());
    assertEquals(7L, ((Map<?, ?>) out.get(1).parsed()).get("payload"));
    assertArrayEquals(binary, out.get(1).binary());
  }

  @Test
  void shouldDeliverEveryPartOfALargeArrayInOrderThroughBackPressure() {
    int count = 5_000;
    // each part carries the 400-byte topic: 5000 parts overflow the 1 MiB inbox into the
    // pending queue
    StringBuilder array = new StringBuilder("{\"topic\":\"" + "t".repeat(400) + "\",\"payload\":[");
    for (int i = 0; i < count; i++) {
      array.append(i == 0 ? "" : ",").append("{\"n\":").append(i).append('}');
    }
    array.append("]}");
    harness.engine.deploy(
        chain("f", node("in", "source"), node("s", "split"), node("out", "capture")));
    harness.inject("f", "in", array.toString());

    List<Captured> out = harness.awaitCaptured("out", count);
    for (int i = 0; i < count; i++) {
      Map<?, ?> message = (Map<?, ?>) out.get(i).parsed();
      assertEquals((long) i, ((Map<?, ?>) message.get("payload")).get("n"));
      assertEquals((long) i, parts(message).get("index"));
    }
    FlowHarness.await("execution complete", () -> harness.engine.metrics("f").completed() == 1);
  }

  @Test
  void shouldFailWithoutSendingAnythingAboveMaxParts() {
    NodeErrors errors = NodeErrors.of(harness);
    harness.engine.deploy(
        chain(
            "f",
            node("in", "source"),
            node("s", "split", "{\"maxParts\":3,\"delimiter\":\",\"}"),
            node("out", "capture")));
    harness.inject("f", "in", "{\"payload\":[1,2,3,4]}");
    harness.inject("f", "in", "{\"payload\":\"a,b,c,d\",\"x\":1}");

    List<String> messages = errors.await("s", 2);
    assertTrue(
        messages
            .get(0)
            .endsWith(
                "msg.payload would give 4 messages (array elements), more than" + " maxParts=3"),
        messages.get(0));
    assertTrue(
        messages
            .get(1)
            .endsWith("msg.payload would give 4 messages (string pieces), more than maxParts=3"),
        messages.get(1));
    assertEquals(List.of(), harness.captured("out"));
  }

  @Test
  void shouldRefuseBadLimits() {
    ValidationException refused =
        assertThrows(
            ValidationException.class,
            () ->
                harness.engine.deploy(
                    chain(
                        "f",
                        node("in", "source"),
                        node("s", "split", "{\"maxParts\":0}"),
                        node("out", "capture"))));
    assertEquals("node 's': field 'maxParts' must be 1 to 1000000, got 0", refused.getMessage());
  }
}
