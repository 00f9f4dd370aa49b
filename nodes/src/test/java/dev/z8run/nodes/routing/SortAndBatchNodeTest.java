package dev.z8run.nodes.routing;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.json;
import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.nodes.FlowHarness;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code sort} and {@code batch} nodes, source "in" -> node "n" -> capture "out"; cases from
 * Node-RED's {@code 18-sort_spec.js} and {@code 19-batch_spec.js}.
 */
class SortAndBatchNodeTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private void deploy(String type, String config) {
    harness.engine.deploy(
        chain("f", node("in", "source"), node("n", type, config), node("out", "capture")));
  }

  private List<Map<?, ?>> messages(int count) {
    List<Map<?, ?>> messages = new ArrayList<>();
    harness.awaitCaptured("out", count).forEach(m -> messages.add((Map<?, ?>) m.parsed()));
    return messages;
  }

  private List<Object> payloads(int count) {
    List<Object> payloads = new ArrayList<>();
    messages(count).forEach(m -> payloads.add(m.get("payload")));
    return payloads;
  }

  private void sequence(String id, Object... payloads) {
    for (int i = 0; i < payloads.length; i++) {
      harness.inject(
          "f",
          "in",
          "{\"payload\":"
              + payloads[i]
              + ",\"parts\":{\"id\":\""
              + id
              + "\",\"index\":"
              + i
              + ",\"count\":"
              + payloads.length
              + "}}");
    }
  }

  @Test
  void shouldSortAnArrayPayloadAsJavaScriptComparesStrings() {
    deploy("sort", "{}");

    harness.inject("f", "in", "{\"payload\":[\"1024\",\"86\",\"256\",\"100\",\"9\"]}");

    assertEquals(json("[\"100\",\"1024\",\"256\",\"86\",\"9\"]"), payloads(1).get(0));
  }

  @Test
  void shouldSortAsNumbersDescending() {
    deploy("sort", "{\"as_num\":true,\"order\":\"descending\"}");

    harness.inject("f", "in", "{\"payload\":[\"1024\",\"86\",\"256\",\"100\",\"9\"]}");

    assertEquals(json("[\"1024\",\"256\",\"100\",\"86\",\"9\"]"), payloads(1).get(0));
  }

  @Test
  void shouldSortByAJsonataKeyKeepingEqualKeysInOrder() {
    deploy("sort", "{\"msgKeyType\":\"jsonata\",\"msgKey\":\"price\"}");

    harness.inject(
        "f",
        "in",
        "{\"payload\":[{\"n\":\"a\",\"price\":2},{\"n\":\"b\",\"price\":1},{\"n\":\"c\",\"price\":2}]}");

    assertEquals(
        json("[{\"n\":\"b\",\"price\":1},{\"n\":\"a\",\"price\":2},{\"n\":\"c\",\"price\":2}]"),
        payloads(1).get(0));
  }

  @Test
  void shouldSortAMessageSequenceAndRenumberItsParts() {
    deploy("sort", "{\"targetType\":\"seq\",\"seqKey\":\"payload\"}");

    sequence("s", 3, 1, 2);

    List<Map<?, ?>> out = messages(3);
    assertEquals(
        List.of(1L, 2L, 3L),
        List.of(out.get(0).get("payload"), out.get(1).get("payload"), out.get(2).get("payload")));
    for (int i = 0; i < 3; i++) {
      assertEquals((long) i, ((Map<?, ?>) out.get(i).get("parts")).get("index"));
    }
  }

  @Test
  void shouldBatchByCountWithOverlap() {
    deploy("batch", "{\"mode\":\"count\",\"count\":3,\"overlap\":1}");

    for (int i = 0; i < 7; i++) {
      harness.inject("f", "in", "{\"payload\":" + i + "}");
    }

    List<Map<?, ?>> out = messages(9);
    List<Object> values = new ArrayList<>();
    out.forEach(m -> values.add(m.get("payload")));
    assertEquals(List.of(0L, 1L, 2L, 2L, 3L, 4L, 4L, 5L, 6L), values);
    Map<?, ?> parts = (Map<?, ?>) out.get(4).get("parts");
    assertEquals(1L, parts.get("index"));
    assertEquals(3L, parts.get("count"));
  }

  @Test
  void shouldDropHeldMessagesOnReset() {
    deploy("batch", "{\"mode\":\"count\",\"count\":2}");

    harness.inject("f", "in", "{\"payload\":\"dropped\"}");
    harness.inject("f", "in", "{\"reset\":true}");
    harness.inject("f", "in", "{\"payload\":\"a\"}");
    harness.inject("f", "in", "{\"payload\":\"b\"}");

    assertEquals(List.of("a", "b"), payloads(2));
  }

  @Test
  void shouldConcatenateSequencesInTheOrderOfTopics() {
    deploy("batch", "{\"mode\":\"concat\",\"topics\":[{\"topic\":\"TB\"},{\"topic\":\"TA\"}]}");

    for (int i = 0; i < 2; i++) {
      harness.inject(
          "f",
          "in",
          "{\"topic\":\"TA\",\"payload\":\"a"
              + i
              + "\",\"parts\":{\"id\":\"A\",\"index\":"
              + i
              + ",\"count\":2}}");
    }
    harness.inject(
        "f",
        "in",
        "{\"topic\":\"TB\",\"payload\":\"b0\",\"parts\":{\"id\":\"B\",\"index\":0,\"count\":1}}");

    List<Map<?, ?>> out = messages(3);
    assertEquals(
        List.of("b0", "a0", "a1"),
        List.of(out.get(0).get("payload"), out.get(1).get("payload"), out.get(2).get("payload")));
    assertEquals(3L, ((Map<?, ?>) out.get(2).get("parts")).get("count"));
  }

  @Test
  void shouldSendWhatAnIntervalCollected() {
    deploy("batch", "{\"mode\":\"interval\",\"interval\":0.2}");

    harness.inject("f", "in", "{\"payload\":1}");
    harness.inject("f", "in", "{\"payload\":2}");

    List<Map<?, ?>> out = messages(2);
    assertEquals(List.of(1L, 2L), List.of(out.get(0).get("payload"), out.get(1).get("payload")));
    // both in one interval, or one in each when the interval ended between them
    Map<?, ?> last = (Map<?, ?>) out.get(1).get("parts");
    assertEquals(((Long) last.get("index")) + 1, last.get("count"));
  }

  @Test
  void shouldEndABatchEarlyWhenItsMessageEndsItsOwnSequenceWithHonourParts() {
    // 19-batch_spec.js "should create seq. with count and terminate early if parts honoured"
    deploy("batch", "{\"mode\":\"count\",\"count\":4,\"honourParts\":true}");
    for (int i = 0; i < 6; i++) {
      harness.inject(
          "f", "in", "{\"payload\":" + i + ",\"parts\":{\"count\":6,\"index\":" + i + "}}");
    }
    List<Map<?, ?>> out = messages(6);
    List<Object> counts = new ArrayList<>();
    out.forEach(m -> counts.add(((Map<?, ?>) m.get("parts")).get("count")));
    assertEquals(List.of(4L, 4L, 4L, 4L, 2L, 2L), counts, "[0..3], then [4, 5]");
    assertEquals(List.of(0L, 1L, 2L, 3L, 4L, 5L), out.stream().map(m -> m.get("payload")).toList());
  }

  @Test
  void shouldSendAnEmptySequenceForAnIntervalWithoutMessagesOnlyWhenAllowed() {
    // 19-batch_spec.js "should create seq. with interval & send empty seq" / "& not send"
    deploy("batch", "{\"mode\":\"interval\",\"interval\":0.1,\"allowEmptySequence\":true}");
    List<Map<?, ?>> out = messages(2);
    for (Map<?, ?> empty : out) {
      assertTrue(empty.containsKey("payload") && empty.get("payload") == null, empty.toString());
      Map<?, ?> parts = (Map<?, ?>) empty.get("parts");
      assertEquals(List.of(0L, 1L), List.of(parts.get("index"), parts.get("count")));
    }
    harness.close();
    harness = new FlowHarness();
    deploy("batch", "{\"mode\":\"interval\",\"interval\":0.1}");
    harness.inject("f", "in", "{\"payload\":\"only\"}");
    assertEquals(List.of("only"), payloads(1));
    FlowHarness.await(
        "two more intervals have passed", () -> harness.engine.metrics("f").completed() == 1);
    long intervalsLater = System.nanoTime() + 300_000_000L;
    FlowHarness.await("300 ms", () -> System.nanoTime() > intervalsLater);
    assertEquals(1, harness.captured("out").size(), "no empty sequence unless allowed");
  }
}
