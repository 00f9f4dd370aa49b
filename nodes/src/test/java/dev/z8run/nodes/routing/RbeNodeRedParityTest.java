package dev.z8run.nodes.routing;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.node;
import static dev.z8run.nodes.FlowHarness.q;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.z8run.nodes.FlowHarness;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code rbe} (filter) node answers as Node-RED's: each case is one of {@code
 * test/nodes/core/function/rbe_spec.js} (named in the comment), with the node's config as Node-RED
 * exports it (the importer keeps rbe's field names). Node-RED's spec checks the first outputs of
 * each case; here every message has been handled (its execution ended) before the whole output is
 * compared, so that a message passed where Node-RED drops it fails too. Flow: source "in" → rbe "r"
 * → capture "out".
 */
class RbeNodeRedParityTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  /** Sends every message, waits until all have been handled, returns what came out. */
  private List<Map<?, ?>> run(String config, String... messages) {
    harness.engine.deploy(
        chain("f", node("in", "source"), node("r", "rbe", q(config)), node("out", "capture")));
    for (String message : messages) {
      harness.inject("f", "in", q(message));
    }
    FlowHarness.await(
        "every message handled",
        () ->
            harness.engine.metrics("f").completed() + harness.engine.metrics("f").failed()
                >= messages.length);
    List<Map<?, ?>> out = new ArrayList<>();
    harness.captured("out").forEach(m -> out.add((Map<?, ?>) m.parsed()));
    return out;
  }

  private static List<Object> values(List<Map<?, ?>> messages, String key) {
    List<Object> values = new ArrayList<>();
    messages.forEach(m -> values.add(m.get(key)));
    return values;
  }

  private static Object parsed(String singleQuoted) {
    return FlowHarness.json(q(singleQuoted));
  }

  /** 'should only send output if payload changes - with multiple topics (rbe)' */
  @Test
  void shouldOnlySendOutputIfPayloadChangesWithMultipleTopics() {
    List<Map<?, ?>> out =
        run(
            "{'func':'rbe','gap':'0'}",
            "{'payload':'a'}",
            "{'payload':'a'}",
            "{'payload':'a'}",
            "{'payload':2}",
            "{'payload':2}",
            "{'payload':{'b':1,'c':2}}",
            "{'payload':{'c':2,'b':1}}",
            "{'payload':{'c':2,'b':1}}",
            "{'payload':true}",
            "{'payload':false}",
            "{'payload':false}",
            "{'payload':true}",
            "{'topic':'a','payload':1}",
            "{'topic':'b','payload':1}",
            "{'topic':'b','payload':1}",
            "{'topic':'a','payload':1}",
            "{'topic':'c','payload':1}");
    assertEquals(parsed("['a',2,{'b':1,'c':2},true,false,true,1,1,1]"), values(out, "payload"));
    assertEquals(List.of("a", "b", "c"), values(out, "topic").subList(6, 9));
  }

  /** 'should ignore multiple topics if told to (rbe)' */
  @Test
  void shouldIgnoreMultipleTopicsIfToldTo() {
    List<Map<?, ?>> out =
        run(
            "{'func':'rbe','gap':'0','septopics':false}",
            "{'topic':'a','payload':'a'}",
            "{'topic':'b','payload':'a'}",
            "{'topic':'c','payload':'a'}",
            "{'topic':'a','payload':2}",
            "{'topic':'b','payload':2}",
            "{'payload':{'b':1,'c':2}}",
            "{'payload':{'c':2,'b':1}}",
            "{'payload':{'c':2,'b':1}}",
            "{'topic':'a','payload':true}",
            "{'topic':'b','payload':false}",
            "{'topic':'c','payload':false}",
            "{'topic':'d','payload':true}",
            "{'topic':'a','payload':1}",
            "{'topic':'b','payload':1}",
            "{'topic':'c','payload':1}",
            "{'topic':'d','payload':1}",
            "{'topic':'a','payload':2}");
    assertEquals(parsed("['a',2,{'b':1,'c':2},true,false,true,1,2]"), values(out, "payload"));
    assertEquals("a", out.get(6).get("topic"));
    assertEquals("a", out.get(7).get("topic"));
  }

  /** 'should only send output if another chosen property changes - foo (rbe)' */
  @Test
  void shouldOnlySendOutputIfAnotherChosenPropertyChanges() {
    List<Map<?, ?>> out =
        run(
            "{'func':'rbe','gap':'0','property':'foo'}",
            "{'foo':'a'}",
            "{'payload':'a'}",
            "{'foo':'a'}",
            "{'payload':'a'}",
            "{'foo':'a'}",
            "{'foo':'b'}",
            "{'foo':{'b':1,'c':2}}",
            "{'foo':{'c':2,'b':1}}",
            "{'payload':{'c':2,'b':1}}");
    assertEquals(parsed("['a','b',{'b':1,'c':2}]"), values(out, "foo"));
  }

  /** 'should only send output if payload changes - ignoring first value (rbei)' */
  @Test
  void shouldOnlySendOutputIfPayloadChangesIgnoringTheFirstValue() {
    List<Map<?, ?>> out =
        run(
            "{'func':'rbei','gap':'0'}",
            "{'payload':'a','topic':'a'}",
            "{'payload':'a','topic':'b'}",
            "{'payload':'a','topic':'a'}",
            "{'payload':'b','topic':'a'}",
            "{'payload':'b','topic':'b'}",
            "{'payload':'c','topic':'a'}",
            "{'payload':'c','topic':'b'}");
    assertEquals(List.of("b", "b", "c", "c"), values(out, "payload"));
    assertEquals(List.of("a", "b", "a", "b"), values(out, "topic"));
  }

  /** 'should send output if queue is reset (rbe)' */
  @Test
  void shouldSendOutputIfQueueIsReset() {
    List<Map<?, ?>> out =
        run(
            "{'func':'rbe','gap':'0'}",
            "{'topic':'a','payload':'a'}",
            "{'topic':'a','payload':'a'}",
            "{'topic':'b','payload':'b'}",
            "{'reset':true}",
            "{'topic':'a','payload':'a'}",
            "{'topic':'b','payload':'b'}",
            "{'topic':'b','payload':'b'}",
            "{'topic':'b','reset':''}",
            "{'topic':'b','payload':'b'}",
            "{'topic':'a','payload':'a'}",
            "{'reset':''}",
            "{'topic':'b','payload':'b'}",
            "{'topic':'a','payload':'a'}",
            "{'topic':'c'}",
            "{'topic':'b','payload':'b'}",
            "{'topic':'a','payload':'a'}",
            "{'topic':'c','payload':'c'}");
    assertEquals(List.of("a", "b", "a", "b", "b", "b", "a", "c"), values(out, "payload"));
  }

  /** 'should only send output if x away from original value (deadbandEq)' */
  @Test
  void shouldOnlySendOutputIfXAwayFromTheOriginalValue() {
    List<Map<?, ?>> out =
        run(
            "{'func':'deadbandEq','gap':'10','inout':'out'}",
            "{'payload':0}",
            "{'payload':2}",
            "{'payload':4}",
            "{'payload':6}",
            "{'payload':8}",
            "{'payload':10}",
            "{'payload':15}",
            "{'payload':20}");
    assertEquals(List.of(0L, 10L, 20L), values(out, "payload"));
  }

  /** 'should only send output if more than x away from original value (deadband)' */
  @Test
  void shouldOnlySendOutputIfMoreThanXAwayFromTheOriginalValue() {
    List<Map<?, ?>> out =
        run(
            "{'func':'deadband','gap':'10'}",
            "{'payload':0}",
            "{'payload':2}",
            "{'payload':4}",
            "{'payload':'6 deg'}",
            "{'payload':8}",
            "{'payload':20}",
            "{'payload':15}",
            "{'payload':'5 deg'}");
    assertEquals(List.of(0L, 20L, "5 deg"), values(out, "payload"));
  }

  /** 'should only send output if more than x% away from original value (deadband)' */
  @Test
  void shouldOnlySendOutputIfMoreThanXPercentAwayFromTheOriginalValue() {
    List<Map<?, ?>> out =
        run(
            "{'func':'deadband','gap':'10%'}",
            "{'payload':100}",
            "{'payload':95}",
            "{'payload':105}",
            "{'payload':111}",
            "{'payload':120}",
            "{'payload':135}");
    assertEquals(List.of(100L, 111L, 135L), values(out, "payload"));
  }

  /** 'should warn if no number found in deadband mode' */
  @Test
  void shouldWarnIfNoNumberFoundInDeadbandMode() {
    List<Map<?, ?>> out = run("{'func':'deadband','gap':'10'}", "{'payload':'banana'}");
    assertEquals(List.of(), out);
    FlowHarness.await("a warning", () -> harness.warnings("r").size() == 1);
  }

  /** 'should not send output if x away or greater from original value (narrowbandEq)' */
  @Test
  void shouldNotSendOutputIfXAwayOrGreaterFromTheOriginalValue() {
    List<Map<?, ?>> out =
        run(
            "{'func':'narrowbandEq','gap':'10','inout':'out','start':'1'}",
            "{'payload':100}",
            "{'payload':0}",
            "{'payload':10}",
            "{'payload':5}",
            "{'payload':15}",
            "{'payload':10}",
            "{'payload':20}",
            "{'payload':25}");
    assertEquals(List.of(0L, 5L, 10L), values(out, "payload"));
  }

  /** 'should not send output if more than x away from original value (narrowband)' */
  @Test
  void shouldNotSendOutputIfMoreThanXAwayFromTheOriginalValue() {
    List<Map<?, ?>> out =
        run(
            "{'func':'narrowband','gap':'10'}",
            "{'payload':0}",
            "{'payload':20}",
            "{'payload':40}",
            "{'payload':'6 deg'}",
            "{'payload':18}",
            "{'payload':20}",
            "{'payload':50}",
            "{'payload':'5 deg'}");
    assertEquals(List.of(0L, "6 deg", "5 deg"), values(out, "payload"));
  }

  /** 'should send output if gap is 0 and input doesnt change (narrowband)' */
  @Test
  void shouldSendOutputIfGapIsZeroAndInputDoesNotChange() {
    List<Map<?, ?>> out =
        run(
            "{'func':'narrowband','gap':'0'}",
            "{'payload':1}",
            "{'payload':1}",
            "{'payload':1}",
            "{'payload':1}",
            "{'payload':0}",
            "{'payload':1}");
    assertEquals(List.of(1L, 1L, 1L, 1L, 1L), values(out, "payload"));
  }

  /** 'should not send output if more than x away from original value (narrowband in step mode)' */
  @Test
  void shouldNotSendOutputIfMoreThanXAwayInStepMode() {
    List<Map<?, ?>> out =
        run(
            "{'func':'narrowband','gap':'10','inout':'in','start':'500'}",
            "{'payload':50}",
            "{'payload':55}",
            "{'payload':200}",
            "{'payload':205}");
    assertEquals(List.of(55L, 205L), values(out, "payload"));
  }
}
