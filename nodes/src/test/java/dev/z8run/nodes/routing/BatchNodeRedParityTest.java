package dev.z8run.nodes.routing;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.node;
import static dev.z8run.nodes.FlowHarness.q;
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
 * The {@code batch} node answers as Node-RED's: the count and concat cases of {@code
 * test/nodes/core/sequence/19-batch_spec.js}, with the node's config as Node-RED exports it (the
 * importer keeps batch's field names), checked as its {@code check_data} does: each sequence's
 * payloads in order, each message with {@code parts.index}, {@code parts.count} and one {@code
 * parts.id} per sequence. The interval cases, paced by timers of 225 ms to 1.3 s, are left to
 * SortAndBatchNodeTest. Flow: source "in" → batch "b" → capture "out".
 */
class BatchNodeRedParityTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private void deploy(String config) {
    harness.engine.deploy(
        chain("f", node("in", "source"), node("b", "batch", q(config)), node("out", "capture")));
  }

  private void send(String... messages) {
    for (String message : messages) {
      harness.inject("f", "in", q(message));
    }
  }

  /** check_count's input: six messages {payload: i, parts: {count: 6, index: i}}. */
  private void sendSix() {
    for (int i = 0; i < 6; i++) {
      send("{'payload':" + i + ",'parts':{'count':6,'index':" + i + "}}");
    }
  }

  /** check_concat's input: {topic, payload, parts: {id: topic, index, count}}. */
  private void concatInput(String topic, int payload, int index, int count) {
    send(
        "{'topic':'"
            + topic
            + "','payload':"
            + payload
            + ",'parts':{'id':'"
            + topic
            + "','index':"
            + index
            + ",'count':"
            + count
            + "}}");
  }

  /** check_data: the sequences, in order, as Node-RED's spec expects them. */
  private void assertSequences(List<List<Object>> expected) {
    int total = expected.stream().mapToInt(List::size).sum();
    List<FlowHarness.Captured> out = harness.awaitCaptured("out", total);
    int at = 0;
    List<Object> ids = new ArrayList<>();
    for (List<Object> sequence : expected) {
      Object id = null;
      for (int i = 0; i < sequence.size(); i++) {
        Map<?, ?> message = (Map<?, ?>) out.get(at++).parsed();
        Map<?, ?> parts = (Map<?, ?>) message.get("parts");
        assertEquals(sequence.get(i), message.get("payload"), "payload of " + message);
        assertEquals((long) i, parts.get("index"), "index of " + message);
        assertEquals((long) sequence.size(), parts.get("count"), "count of " + message);
        id = i == 0 ? parts.get("id") : id;
        assertEquals(id, parts.get("id"), "one id per sequence: " + message);
      }
      assertTrue(!ids.contains(id), "a new id for each sequence");
      ids.add(id);
    }
  }

  private static List<Object> seq(long... payloads) {
    List<Object> sequence = new ArrayList<>();
    for (long payload : payloads) {
      sequence.add(payload);
    }
    return sequence;
  }

  private static final String COUNT =
      "{'mode':'count','count':%d,'overlap':%d,'interval':10,'allowEmptySequence':false,"
          + "'topics':[]%s}";

  /** 'should create seq. with count' */
  @Test
  void shouldCreateSequencesWithCount() {
    deploy(COUNT.formatted(2, 0, ""));
    sendSix();
    assertSequences(List.of(seq(0, 1), seq(2, 3), seq(4, 5)));
  }

  /** 'should create seq. with count (more sent than count)' */
  @Test
  void shouldCreateSequencesWithCountWhenMoreAreSent() {
    deploy(COUNT.formatted(4, 0, ""));
    sendSix();
    assertSequences(List.of(seq(0, 1, 2, 3)));
  }

  /** 'should create seq. with count and terminate early if parts honoured' */
  @Test
  void shouldCreateSequencesWithCountEndingEarlyWhenPartsAreHonoured() {
    deploy(COUNT.formatted(4, 0, ",'honourParts':true"));
    sendSix();
    assertSequences(List.of(seq(0, 1, 2, 3), seq(4, 5)));
  }

  /** 'should create seq. with count and overlap' */
  @Test
  void shouldCreateSequencesWithCountAndOverlap() {
    deploy(COUNT.formatted(3, 2, ""));
    sendSix();
    assertSequences(List.of(seq(0, 1, 2), seq(1, 2, 3), seq(2, 3, 4), seq(3, 4, 5)));
  }

  /** 'should handle reset' (mode: count): the reset message and what was held are dropped */
  @Test
  void shouldDropWhatIsHeldOnResetInCountMode() {
    deploy(
        "{'mode':'count','count':2,'overlap':0,'interval':0,'allowEmptySequence':false,"
            + "'topics':[]}");
    send(
        "{'payload':0}",
        "{'payload':1}",
        "{'payload':2}",
        "{'payload':3,'reset':true}",
        "{'payload':4}",
        "{'payload':5}");
    assertSequences(List.of(seq(0, 1), seq(4, 5)));
  }

  private static final String CONCAT =
      "{'mode':'concat','count':0,'overlap':0,'interval':1,'allowEmptySequence':false,"
          + "'topics':[%s]}";

  /** 'should concat two seq. (series)' */
  @Test
  void shouldConcatTwoSequencesInSeries() {
    deploy(CONCAT.formatted("{'topic':'TA'},{'topic':'TB'}"));
    concatInput("TB", 0, 0, 2);
    concatInput("TB", 1, 1, 2);
    concatInput("TA", 2, 0, 2);
    concatInput("TA", 3, 1, 2);
    assertSequences(List.of(seq(2, 3, 0, 1)));
  }

  /** 'should concat two seq. (mixed)' */
  @Test
  void shouldConcatTwoMixedSequences() {
    deploy(CONCAT.formatted("{'topic':'TA'},{'topic':'TB'}"));
    concatInput("TA", 2, 0, 2);
    concatInput("TB", 0, 0, 2);
    concatInput("TA", 3, 1, 2);
    concatInput("TB", 1, 1, 2);
    assertSequences(List.of(seq(2, 3, 0, 1)));
  }

  /** 'should concat three seq.' */
  @Test
  void shouldConcatThreeSequences() {
    deploy(CONCAT.formatted("{'topic':'TA'},{'topic':'TB'},{'topic':'TC'}"));
    concatInput("TC", 4, 0, 1);
    concatInput("TB", 0, 0, 2);
    concatInput("TB", 1, 1, 2);
    concatInput("TA", 2, 0, 2);
    concatInput("TA", 3, 1, 2);
    assertSequences(List.of(seq(2, 3, 0, 1, 4)));
  }

  /** 'should concat same seq.' */
  @Test
  void shouldConcatTheSameSequenceTwice() {
    deploy(CONCAT.formatted("{'topic':'TA'},{'topic':'TA'}"));
    concatInput("TA", 9, 0, 2);
    concatInput("TA", 8, 1, 2);
    assertSequences(List.of(seq(9, 8, 9, 8)));
  }

  /** 'should handle reset' (mode: concat) */
  @Test
  void shouldDropWhatIsHeldOnResetInConcatMode() {
    deploy(CONCAT.formatted("{'topic':'TA'},{'topic':'TB'}"));
    concatInput("TB", 0, 0, 2);
    concatInput("TA", 1, 0, 2);
    send("{'reset':true}");
    concatInput("TB", 0, 0, 2);
    concatInput("TB", 1, 1, 2);
    concatInput("TA", 2, 0, 2);
    concatInput("TA", 3, 1, 2);
    assertSequences(List.of(seq(2, 3, 0, 1)));
  }
}
