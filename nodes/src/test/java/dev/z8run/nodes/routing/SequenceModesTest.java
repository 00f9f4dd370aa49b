package dev.z8run.nodes.routing;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.json;
import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.z8run.nodes.FlowHarness;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Join's reduce and accumulate modes and switch's sequence repair; cases from Node-RED's {@code
 * 17-split_spec.js} and {@code 10-switch_spec.js}.
 */
class SequenceModesTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
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
              + ",\"type\":\"array\"}}");
    }
  }

  private Object payload(String node, int index) {
    return ((Map<?, ?>) harness.awaitCaptured(node, index + 1).get(index).parsed()).get("payload");
  }

  @Test
  void shouldReduceASequenceToItsAverage() {
    harness.engine.deploy(
        chain(
            "f",
            node("in", "source"),
            node(
                "j",
                "join",
                "{\"mode\":\"reduce\",\"reduceExp\":\"$A+payload\",\"reduceInit\":\"0\","
                    + "\"reduceInitType\":\"num\",\"reduceFixup\":\"$A/$N\"}"),
            node("out", "capture")));

    sequence("s", 1, 2, 3, 4);

    assertEquals(2.5, ((Number) payload("out", 0)).doubleValue());
  }

  @Test
  void shouldReduceFromTheRightWithIndexes() {
    harness.engine.deploy(
        chain(
            "f",
            node("in", "source"),
            node(
                "j",
                "join",
                "{\"mode\":\"reduce\",\"reduceExp\":\"$append($A,[{\\\"v\\\":payload,\\\"i\\\":$I}])\","
                    + "\"reduceInit\":\"[]\",\"reduceInitType\":\"json\",\"reduceRight\":true}"),
            node("out", "capture")));

    sequence("s", "\"a\"", "\"b\"");

    assertEquals(json("[{\"v\":\"b\",\"i\":1},{\"v\":\"a\",\"i\":0}]"), payload("out", 0));
  }

  @Test
  void shouldAccumulateAndSendAgainWithEachLaterMessage() {
    harness.engine.deploy(
        chain(
            "f",
            node("in", "source"),
            node(
                "j",
                "join",
                "{\"mode\":\"custom\",\"build\":\"merged\",\"count\":\"2\",\"accumulate\":true}"),
            node("out", "capture")));

    harness.inject("f", "in", "{\"payload\":{\"a\":1}}");
    harness.inject("f", "in", "{\"payload\":{\"b\":2}}");
    harness.inject("f", "in", "{\"payload\":{\"a\":3}}");

    assertEquals(json("{\"a\":1,\"b\":2}"), payload("out", 0));
    assertEquals(json("{\"a\":3,\"b\":2}"), payload("out", 1));
  }

  @Test
  void shouldRecreateASequencePerOutput() {
    harness.engine.deploy(
        FlowHarness.switchFlow(
            "switch",
            "{\"property\":\"payload\",\"rules\":[{\"t\":\"gt\",\"v\":\"0\",\"vt\":\"num\"},"
                + "{\"t\":\"else\"}],\"repair\":true}",
            2,
            "{}"));

    sequence("s", 3, -2, -1, 1);

    List<Map<?, ?>> positive = new ArrayList<>();
    harness.awaitCaptured("o0", 2).forEach(m -> positive.add((Map<?, ?>) m.parsed()));
    List<Map<?, ?>> negative = new ArrayList<>();
    harness.awaitCaptured("o1", 2).forEach(m -> negative.add((Map<?, ?>) m.parsed()));
    assertEquals(
        List.of(3L, 1L), List.of(positive.get(0).get("payload"), positive.get(1).get("payload")));
    assertEquals(
        List.of(-2L, -1L), List.of(negative.get(0).get("payload"), negative.get(1).get("payload")));
    Map<?, ?> first = (Map<?, ?>) positive.get(0).get("parts");
    Map<?, ?> second = (Map<?, ?>) positive.get(1).get("parts");
    assertEquals(
        List.of(0L, 2L, 1L, 2L),
        List.of(first.get("index"), first.get("count"), second.get("index"), second.get("count")));
    assertEquals(first.get("id"), second.get("id"));
    assertNotEquals(first.get("id"), ((Map<?, ?>) negative.get(0).get("parts")).get("id"));
  }
}
