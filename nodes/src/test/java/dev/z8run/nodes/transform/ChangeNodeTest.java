package dev.z8run.nodes.transform;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.json;
import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.event.EngineListener;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.node.InjectResult;
import dev.z8run.core.runtime.DeployException;
import dev.z8run.core.runtime.Engine;
import dev.z8run.core.runtime.StopResult;
import dev.z8run.core.validate.FlowValidator.ValidationException;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.FlowHarness.Captured;
import dev.z8run.nodes.NodeErrors;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code change} node inside a deployed flow: source "in" -> change -> capture "out". */
class ChangeNodeTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  /** One set rule as JSON text. */
  private static String set(String property, Object to, String valueType) {
    Map<String, Object> rule = new LinkedHashMap<>();
    rule.put("t", "set");
    rule.put("p", property);
    rule.put("pt", "msg");
    rule.put("to", to);
    rule.put("tot", valueType);
    return JsonCodec.writeString(rule);
  }

  private static String rules(String... rules) {
    return "{\"rules\":[" + String.join(",", rules) + "]}";
  }

  private static Flow changeFlow(String flowId, String changeConfig, String sourceConfig) {
    return chain(
        flowId,
        node("in", "source", sourceConfig),
        node("change", "change", changeConfig),
        node("out", "capture"));
  }

  /** Deploys in -> change -> out, injects each message and returns what reached "out". */
  private List<Captured> run(String changeConfig, String... messages) {
    harness.engine.deploy(changeFlow("f", changeConfig, "{}"));
    for (String message : messages) {
      harness.inject("f", "in", message);
    }
    List<Captured> received = harness.awaitCaptured("out", messages.length);
    assertEquals(messages.length, received.size());
    return received;
  }

  private Object runOne(String changeConfig, String message) {
    return run(changeConfig, message).get(0).parsed();
  }

  @Test
  void shouldAppendNewTopLevelFieldByPatchingBytesInPlace() {
    List<Captured> received = run(rules(set("hop", "3", "num")), "{\"payload\":{\"n\":1}}");

    assertEquals("{\"payload\":{\"n\":1},\"hop\":3}", received.get(0).json());
  }

  @Test
  void shouldReplaceExistingTopLevelFieldKeepingTheOthers() {
    Object out =
        runOne(
            rules(set("topic", "new", "str")),
            "{\"payload\":\"a\",\"topic\":\"old\",\"x\":[1,{\"topic\":\"inner\"}]}");

    assertEquals(
        json("{\"payload\":\"a\",\"topic\":\"new\",\"x\":[1,{\"topic\":\"inner\"}]}"), out);
  }

  @Test
  void shouldSetNestedPropertyCreatingMissingObjects() {
    List<Captured> received =
        run(
            rules(set("payload.user.address.city", "Oslo", "str")),
            "{\"payload\":{\"n\":1}}",
            "{\"topic\":\"t\"}",
            "{}",
            "{\"payload\":{\"user\":{\"name\":\"Ada\"}}}");

    assertEquals(
        json("{\"payload\":{\"n\":1,\"user\":{\"address\":{\"city\":\"Oslo\"}}}}"),
        received.get(0).parsed());
    assertEquals(
        json("{\"topic\":\"t\",\"payload\":{\"user\":{\"address\":{\"city\":\"Oslo\"}}}}"),
        received.get(1).parsed());
    assertEquals(
        json("{\"payload\":{\"user\":{\"address\":{\"city\":\"Oslo\"}}}}"),
        received.get(2).parsed());
    assertEquals(
        json("{\"payload\":{\"user\":{\"name\":\"Ada\",\"address\":{\"city\":\"Oslo\"}}}}"),
        received.get(3).parsed());
  }

  @Test
  void shouldReplaceExistingNestedPropertyKeepingItsSiblings() {
    Object out =
        runOne(
            rules(set("payload.user.city", "Oslo", "str")),
            "{\"payload\":{\"user\":{\"city\":\"Rome\",\"zip\":\"00100\"},\"n\":1}}");

    assertEquals(
        json("{\"payload\":{\"user\":{\"city\":\"Oslo\",\"zip\":\"00100\"},\"n\":1}}"), out);
  }

  /**
   * As Node-RED's setMessageProperty: nothing is set beneath a string, number, boolean or null (it
   * cannot hold a property), nor beneath an array (JavaScript sets a named property that no JSON
   * shows); what is in the way is kept. Both paths: patched in place, and parsed (a JSONata value).
   */
  @Test
  void shouldSetNothingBeneathAScalarOrArrayInTheWayAsNodeRed() {
    assertSetsNothingBeneathANonObject("num"); // patched in place
  }

  @Test
  void shouldSetNothingBeneathAScalarOrArrayInTheWayAsNodeRedWhenParsed() {
    assertSetsNothingBeneathANonObject("jsonata"); // the general path: parse, edit, write
  }

  private void assertSetsNothingBeneathANonObject(String type) {
    String[] kept = {
      "{\"payload\":5}",
      "{\"payload\":\"text\"}",
      "{\"payload\":[1,2]}",
      "{\"payload\":null}",
      "{\"payload\":{\"x\":true}}",
      "{\"payload\":{\"x\":[{\"y\":0}]}}"
    };
    String[] created = {"{\"payload\":{\"x\":{}}}", "{}"};
    List<String> messages = new ArrayList<>(List.of(kept));
    messages.addAll(List.of(created));
    List<Captured> received =
        run(rules(set("payload.x.y", "1", type)), messages.toArray(String[]::new));
    for (int i = 0; i < kept.length; i++) {
      assertEquals(json(kept[i]), received.get(i).parsed(), type + ": " + kept[i]);
    }
    for (int i = 0; i < created.length; i++) {
      assertEquals(
          json("{\"payload\":{\"x\":{\"y\":1}}}"),
          received.get(kept.length + i).parsed(),
          type + ": " + created[i]);
    }
  }

  @Test
  void shouldApplySeveralRulesInOrderEachSeeingTheResultOfThePrevious() {
    Object out =
        runOne(
            rules(
                set("payload", "{\"a\":1}", "json"),
                set("payload.b", "2", "num"),
                set("topic", "first", "str"),
                set("topic", "second", "str"),
                set("payload.a.c", "true", "bool")),
            "{\"payload\":\"x\"}");

    // payload.a is 1 by then: nothing can be set beneath it (Node-RED's setMessageProperty)
    assertEquals(json("{\"payload\":{\"a\":1,\"b\":2},\"topic\":\"second\"}"), out);
  }

  @Test
  void shouldPatchMessagesWithBlanksAndKeyLookalikesInsideStrings() {
    List<Captured> received =
        run(
            rules(set("payload.hop", "1", "num")),
            "{ \"text\" : \"{\\\"payload\\\":{\\\"hop\\\":0}}\" , \"payload\" : { } }",
            "{\n  \"payload\": {\n    \"hop\": 0\n  }\n}");

    assertEquals(
        json("{\"text\":\"{\\\"payload\\\":{\\\"hop\\\":0}}\",\"payload\":{\"hop\":1}}"),
        received.get(0).parsed());
    assertEquals(json("{\"payload\":{\"hop\":1}}"), received.get(1).parsed());
  }

  @Test
  void shouldSetPropertiesOfMessagesLargerThanTheScratchBuffers() {
    String big = "x".repeat(20_000);
    Object out =
        runOne(
            rules(set("a", "1", "num"), set("b", "2", "num"), set("payload.c", "3", "num")),
            "{\"payload\":{\"big\":\"" + big + "\"}}");

    assertEquals(Map.of("payload", Map.of("big", big, "c", 3L), "a", 1L, "b", 2L), out);
  }

  @Test
  void shouldSetStringEscapingQuotesBackslashesControlCharactersAndUnicode() {
    String text = "say \"hi\" \\ tab\t line\n caf\u00e9 \u2713 \ud83d\ude00 </script>";
    List<Captured> received = run(rules(set("payload", text, "str")), "{\"payload\":0}");

    assertEquals(Map.of("payload", text), received.get(0).parsed());
    assertTrue(received.get(0).json().contains("say \\\"hi\\\" \\\\ tab\\t line\\n"));
  }

  @Test
  void shouldFindPropertyNamesThatNeedEscapingOrAreNotAscii() {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("say \"q\"", 1);
    payload.put("caf\u00e9", 2);
    String message = JsonCodec.writeString(Map.of("payload", payload));

    Object out =
        runOne(
            rules(set("payload.say \"q\"", "9", "num"), set("payload.caf\u00e9", "10", "num")),
            message);

    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("say \"q\"", 9L);
    expected.put("caf\u00e9", 10L);
    assertEquals(Map.of("payload", expected), out);
  }

  @Test
  void shouldSetNumbersFromTextOrConfiguredNumbers() {
    Object out =
        runOne(
            "{\"rules\":["
                + set("a", "1.5", "num")
                + ","
                + set("b", "-3", "num")
                + ","
                + set("c", " 7 ", "num")
                + ",{\"t\":\"set\",\"p\":\"d\",\"pt\":\"msg\",\"to\":42,\"tot\":\"num\"}"
                + ",{\"t\":\"set\",\"p\":\"e\",\"pt\":\"msg\",\"to\":0.25,\"tot\":\"num\"}]}",
            "{}");

    Map<?, ?> message = assertInstanceOf(Map.class, out);
    assertEquals(1.5, message.get("a"));
    assertEquals(-3L, message.get("b"));
    assertEquals(7L, message.get("c"));
    assertEquals(42L, message.get("d"));
    assertEquals(0.25, message.get("e"));
  }

  @Test
  void shouldSetBooleansFromTextOrConfiguredBooleans() {
    Object out =
        runOne(
            "{\"rules\":["
                + set("yes", "true", "bool")
                + ","
                + set("no", "false", "bool")
                + ",{\"t\":\"set\",\"p\":\"flag\",\"to\":true,\"tot\":\"bool\"}]}",
            "{\"no\":true}");

    assertEquals(json("{\"no\":false,\"yes\":true,\"flag\":true}"), out);
  }

  @Test
  void shouldSetJsonObjectsAndArraysFromTextOrConfiguredValues() {
    Object out =
        runOne(
            "{\"rules\":["
                + set("payload.object", "{\"a\":[1,{\"b\":null}],\"s\":\"x\"}", "json")
                + ","
                + set("payload.array", " [1, \"x\", null, true] ", "json")
                + ",{\"t\":\"set\",\"p\":\"payload.given\",\"to\":{\"k\":[\"v\"]},\"tot\":\"json\"}"
                + "]}",
            "{\"payload\":{}}");

    assertEquals(
        json(
            "{\"payload\":{\"object\":{\"a\":[1,{\"b\":null}],\"s\":\"x\"},"
                + "\"array\":[1,\"x\",null,true],\"given\":{\"k\":[\"v\"]}}}"),
        out);
  }

  @Test
  void shouldSetDateAsTheCurrentTimeInMilliseconds() {
    harness.engine.deploy(changeFlow("f", rules(set("payload.at", "", "date")), "{}"));
    long before = System.currentTimeMillis();
    harness.inject("f", "in", "{\"payload\":{}}");
    Captured received = harness.awaitCaptured("out", 1).get(0);
    long after = System.currentTimeMillis();

    Object at = ((Map<?, ?>) ((Map<?, ?>) received.parsed()).get("payload")).get("at");
    long ms = assertInstanceOf(Long.class, at);
    assertTrue(before <= ms && ms <= after, before + " <= " + ms + " <= " + after);
  }

  @Test
  void shouldTreatAbsentValueTypeAsStringAndAbsentTargetAsMsg() {
    Object out = runOne("{\"rules\":[{\"t\":\"set\",\"p\":\"topic\",\"to\":\"5\"}]}", "{}");

    assertEquals(Map.of("topic", "5"), out);
  }

  @Test
  void shouldKeepBinaryPayloadBytesWithOneRuleAndWithSeveral() {
    byte[] binary = {0, (byte) 0xFF, '{', '"', '}', '\n', (byte) 0x80, 42};
    String source = "{\"binaryBase64\":\"" + Base64.getEncoder().encodeToString(binary) + "\"}";
    harness.engine.deploy(
        chain(
            "one",
            node("in", "source", source),
            node("change", "change", rules(set("hop", "1", "num"))),
            node("one", "capture")));
    harness.engine.deploy(
        chain(
            "several",
            node("in", "source", source),
            node("change", "change", rules(set("hop", "1", "num"), set("topic", "t", "str"))),
            node("several", "capture")));

    harness.inject("one", "in", "{\"payload\":\"p\"}");
    harness.inject("several", "in", "{\"payload\":\"p\"}");
    Captured one = harness.awaitCaptured("one", 1).get(0);
    Captured several = harness.awaitCaptured("several", 1).get(0);

    assertEquals("{\"payload\":\"p\",\"hop\":1}", one.json());
    assertArrayEquals(binary, one.binary());
    assertEquals("{\"payload\":\"p\",\"hop\":1,\"topic\":\"t\"}", several.json());
    assertArrayEquals(binary, several.binary());
  }

  @Test
  void shouldCountHopsThroughChainOfTenChangeNodesLeavingPayloadIntact() {
    List<FlowNode> nodes = new ArrayList<>();
    nodes.add(node("in", "source"));
    for (int i = 1; i <= 10; i++) {
      nodes.add(node("c" + i, "change", rules(set("hop", Integer.toString(i), "num"))));
    }
    nodes.add(node("out", "capture"));
    harness.engine.deploy(chain("chain", nodes.toArray(FlowNode[]::new)));
    int count = 200;
    for (int i = 0; i < count; i++) {
      harness.inject("chain", "in", "{\"payload\":{\"seq\":" + i + ",\"text\":\"x\\\"y\"}}");
    }

    List<Captured> received = harness.awaitCaptured("out", count);
    for (int i = 0; i < count; i++) {
      assertEquals(
          "{\"payload\":{\"seq\":" + i + ",\"text\":\"x\\\"y\"},\"hop\":10}",
          received.get(i).json());
    }
    FlowHarness.await(
        "executions complete", () -> harness.engine.metrics("chain").completed() == count);
    assertEquals(count, harness.engine.metrics("chain").node("c10").messagesOut());
  }

  /**
   * A chain whose hops run fused on one worker edits the record in place (shorter, same length,
   * longer values, a member added): the binary payload after the JSON moves with it intact.
   */
  @Test
  void shouldKeepBinaryPayloadThroughChainEditingInPlace() {
    byte[] binary = new byte[300];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) (i * 7);
    }
    String source = "{\"binaryBase64\":\"" + Base64.getEncoder().encodeToString(binary) + "\"}";
    String[] values = {"1", "2", "333", "4", "55555", "6", "\"seven\"", "8", "10", "1"};
    List<FlowNode> nodes = new ArrayList<>();
    nodes.add(node("in", "source", source));
    for (int i = 1; i <= values.length; i++) {
      String type = values[i - 1].startsWith("\"") ? "str" : "num";
      String value = type.equals("str") ? "seven" : values[i - 1];
      nodes.add(node("c" + i, "change", rules(set(i % 2 == 0 ? "hop" : "payload.n", value, type))));
    }
    nodes.add(node("out", "capture"));
    harness.engine.deploy(chain("chain", nodes.toArray(FlowNode[]::new)));
    int count = 50;
    for (int i = 0; i < count; i++) {
      harness.inject("chain", "in", "{\"payload\":{\"n\":" + i + ",\"s\":\"x\"},\"topic\":\"t\"}");
    }

    List<Captured> received = harness.awaitCaptured("out", count);
    for (int i = 0; i < count; i++) {
      assertEquals(
          "{\"payload\":{\"n\":10,\"s\":\"x\"},\"topic\":\"t\",\"hop\":1}", received.get(i).json());
      assertArrayEquals(binary, received.get(i).binary());
    }
  }

  /**
   * A same-length set whose output cannot be edited in place (two wires out) writes a copy of the
   * input's body, binary payload and field index included, into each target: both receive the new
   * value, and a later node still finds the fields through the copied index.
   */
  @Test
  void shouldCopyBodyWithSameLengthValueWhenOutputIsNotEditedInPlace() {
    byte[] binary = new byte[100];
    for (int i = 0; i < binary.length; i++) {
      binary[i] = (byte) (i * 3);
    }
    String source = "{\"binaryBase64\":\"" + Base64.getEncoder().encodeToString(binary) + "\"}";
    harness.engine.deploy(
        new Flow(
            "fan",
            "fan",
            "",
            List.of(
                node("in", "source", source),
                node("c1", "change", rules(set("hop", "1", "num"))),
                node("c2", "change", rules(set("hop", "2", "num"))),
                node("c3", "change", rules(set("hop", "3", "num"))),
                node("c4", "change", rules(set("topic", "t", "str"))),
                node("out", "capture"),
                node("other", "capture")),
            List.of(
                new Wire("in", 0, "c1", 0),
                new Wire("c1", 0, "c2", 0),
                new Wire("c2", 0, "c3", 0),
                new Wire("c2", 0, "other", 0),
                new Wire("c3", 0, "c4", 0),
                new Wire("c4", 0, "out", 0))));
    int count = 30;
    for (int i = 0; i < count; i++) {
      harness.inject("fan", "in", "{\"payload\":{\"n\":" + i + "},\"topic\":\"x\"}");
    }

    List<Captured> out = harness.awaitCaptured("out", count);
    List<Captured> other = harness.awaitCaptured("other", count);
    for (int i = 0; i < count; i++) {
      assertEquals("{\"payload\":{\"n\":" + i + "},\"topic\":\"t\",\"hop\":3}", out.get(i).json());
      assertEquals(
          "{\"payload\":{\"n\":" + i + "},\"topic\":\"x\",\"hop\":2}", other.get(i).json());
      assertArrayEquals(binary, out.get(i).binary());
      assertArrayEquals(binary, other.get(i).binary());
    }
  }

  /**
   * The cut of a long chain fed from a thread of its own (scenario a2's shape: the head runs on the
   * feeding thread, the tail on a worker, the hop between them a same-length set copied into the
   * tail's inbox): every message arrives with its hops in order while a listener is added, a traced
   * message goes through (its hops are not edited in place), and the flow is stopped under load;
   * each accepted execution reached the sink or was counted abandoned.
   */
  @Test
  void shouldCarryHopsAcrossTheCutOfAChainFedFromAThreadWhileTracedAndStopped() throws Exception {
    List<FlowNode> nodes = new ArrayList<>();
    nodes.add(node("in", "inject"));
    for (int i = 1; i <= 10; i++) {
      nodes.add(node("c" + i, "change", rules(set("hop", Integer.toString(i), "num"))));
    }
    nodes.add(node("out", "capture"));
    harness.engine.deploy(chain("cut", nodes.toArray(FlowNode[]::new)));
    assertTrue(
        harness.engine.plan("cut").nodes().stream()
            .anyMatch(planned -> planned.node().id().equals("in") && planned.callerHead()),
        "the planner cut the chain for its feeding thread");
    AtomicLong accepted = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread feeder =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    Engine.Trigger trigger = harness.engine.trigger("cut", "in");
                    UnsafeBuffer json = new UnsafeBuffer(new byte[64]);
                    while (true) {
                      byte[] body =
                          ("{\"payload\":{\"n\":" + accepted.get() + "}}")
                              .getBytes(StandardCharsets.UTF_8);
                      json.putBytes(0, body);
                      InjectResult result = trigger.tryInject(json, 0, body.length);
                      if (result == InjectResult.ACCEPTED) {
                        accepted.incrementAndGet();
                      } else if (result != InjectResult.BACK_PRESSURED) {
                        return;
                      }
                    }
                  } catch (Throwable e) {
                    failure.set(e);
                  }
                });
    harness.awaitCaptured("out", 500);
    AtomicLong completedHops = new AtomicLong();
    harness.engine.addListener(
        new EngineListener() {
          @Override
          public void onNodeCompleted(
              String flowId, long executionId, String nodeId, long durationNs) {
            completedHops.incrementAndGet();
          }
        });
    harness.engine.injectTraced(
        "cut", "in", "{\"payload\":{\"n\":-1}}".getBytes(StandardCharsets.UTF_8));
    FlowHarness.await("the traced message's hops", () -> completedHops.get() >= 12);
    harness.awaitCaptured("out", 2_000);

    StopResult stopped = harness.engine.stop("cut", 5_000);
    feeder.join(10_000);

    assertEquals(null, failure.get());
    assertTrue(stopped.drained(), "in-flight executions finished");
    List<Captured> received = harness.captured("out");
    long expected = 0;
    boolean tracedSeen = false;
    for (Captured captured : received) {
      if (captured.json().equals("{\"payload\":{\"n\":-1},\"hop\":10}")) {
        tracedSeen = true;
        continue;
      }
      assertEquals("{\"payload\":{\"n\":" + expected++ + "},\"hop\":10}", captured.json());
    }
    assertTrue(tracedSeen, "the traced message reached the sink");
    assertEquals(accepted.get() + 1, received.size() + stopped.abandonedExecutions());
  }

  /** A completion observer of a chain's change node receives its input unchanged. */
  @Test
  void shouldGiveCompletionObserverTheInputUnchanged() {
    harness.engine.deploy(
        new Flow(
            "obs",
            "obs",
            "",
            List.of(
                node("in", "source"),
                node("c1", "change", rules(set("hop", "1", "num"))),
                node("c2", "change", rules(set("hop", "2", "num"))),
                node("c3", "change", rules(set("hop", "3", "num"))),
                node("done", "complete", "{\"scope\":[\"c2\"]}"),
                node("out", "capture"),
                node("seen", "capture")),
            List.of(
                new Wire("in", 0, "c1", 0),
                new Wire("c1", 0, "c2", 0),
                new Wire("c2", 0, "c3", 0),
                new Wire("c3", 0, "out", 0),
                new Wire("done", 0, "seen", 0))));

    for (int i = 0; i < 20; i++) {
      harness.inject("obs", "in", "{\"payload\":" + i + "}");
    }

    List<Captured> out = harness.awaitCaptured("out", 20);
    List<Captured> seen = harness.awaitCaptured("seen", 20);
    for (int i = 0; i < 20; i++) {
      assertEquals("{\"payload\":" + i + ",\"hop\":3}", out.get(i).json());
      assertEquals(
          "{\"payload\":"
              + i
              + ",\"hop\":1,\"complete\":{\"source\":{\"id\":\"c2\",\"type\":\"change\",\"name\":\"\"}}}",
          seen.get(i).json());
    }
  }

  @Test
  void shouldPassMessageThatIsNotAnObjectOnUnchangedWithWarning() {
    List<Captured> received = run(rules(set("hop", "1", "num")), "[1,2,3]");

    assertEquals("[1,2,3]", received.get(0).json());
    FlowHarness.await("a warning", () -> !harness.warnings("change").isEmpty());
    assertEquals(
        List.of("message body is not a JSON object; passed on unchanged"),
        harness.warnings("change"));
  }

  private static String rule(String json) {
    return json;
  }

  @Test
  void shouldDeleteAndMovePropertiesIncludingNestedAndIndexedOnes() {
    Object out =
        runOne(
            rules(
                rule("{\"t\":\"delete\",\"p\":\"payload.secret\",\"pt\":\"msg\"}"),
                rule(
                    "{\"t\":\"move\",\"p\":\"payload.items[0]\",\"pt\":\"msg\","
                        + "\"to\":\"first\",\"tot\":\"msg\"}"),
                rule("{\"t\":\"move\",\"p\":\"missing\",\"to\":\"nowhere\",\"tot\":\"msg\"}"),
                rule("{\"t\":\"delete\",\"p\":\"topic\"}")),
            "{\"payload\":{\"secret\":\"s\",\"items\":[{\"a\":1},{\"b\":2}]},\"topic\":\"t\"}");

    assertEquals(json("{\"payload\":{\"items\":[{\"b\":2}]},\"first\":{\"a\":1}}"), out);
  }

  @Test
  void shouldSearchAndReplaceStringsLiterallyOrByRegexWithGroups() {
    Object out =
        runOne(
            rules(
                rule(
                    "{\"t\":\"change\",\"p\":\"payload.text\",\"from\":\"a.b\",\"fromt\":\"str\","
                        + "\"to\":\"$1\",\"tot\":\"str\"}"),
                rule(
                    "{\"t\":\"change\",\"p\":\"payload.date\",\"from\":\"(\\\\d+)-(\\\\d+)\","
                        + "\"fromt\":\"re\",\"to\":\"$2/$1 [$&] $$\",\"tot\":\"str\"}"),
                rule(
                    "{\"t\":\"change\",\"p\":\"payload.state\",\"from\":\"on\",\"fromt\":\"str\","
                        + "\"to\":\"true\",\"tot\":\"bool\"}"),
                rule(
                    "{\"t\":\"change\",\"p\":\"payload.code\",\"from\":\"5\",\"fromt\":\"num\","
                        + "\"to\":\"five\",\"tot\":\"str\"}"),
                rule(
                    "{\"t\":\"change\",\"p\":\"payload.flag\",\"from\":\"false\","
                        + "\"fromt\":\"bool\",\"to\":\"0\",\"tot\":\"num\"}")),
            "{\"payload\":{\"text\":\"a.b axb a.b\",\"date\":\"12-31\",\"state\":\"on\","
                + "\"code\":5.0,\"flag\":false}}");

    assertEquals(
        json(
            "{\"payload\":{\"text\":\"$1 axb $1\",\"date\":\"31/12 [12-31] $\",\"state\":true,"
                + "\"code\":\"five\",\"flag\":0}}"),
        out);
  }

  @Test
  void shouldSetValuesFromOtherPropertiesJsonataAndTheDateAsIso() {
    Object out =
        runOne(
            rules(
                rule("{\"t\":\"set\",\"p\":\"copy\",\"to\":\"payload.user\",\"tot\":\"msg\"}"),
                rule("{\"t\":\"set\",\"p\":\"copy.name\",\"to\":\"changed\",\"tot\":\"str\"}"),
                rule(
                    "{\"t\":\"set\",\"p\":\"total\",\"to\":\"$sum(payload.items.price)"
                        + " * 2\",\"tot\":\"jsonata\"}"),
                rule(
                    "{\"t\":\"set\",\"p\":\"payload.items[2]\",\"to\":\"{\\\"price\\\":0}\","
                        + "\"tot\":\"json\"}"),
                rule("{\"t\":\"set\",\"p\":\"at\",\"to\":\"\",\"tot\":\"date\",\"dft\":\"iso\"}")),
            "{\"payload\":{\"user\":{\"name\":\"Ada\"},\"items\":[{\"price\":1.5},{\"price\":2}]}}");

    Map<?, ?> message = (Map<?, ?>) out;
    assertEquals(Map.of("name", "Ada"), ((Map<?, ?>) message.get("payload")).get("user"));
    assertEquals(Map.of("name", "changed"), message.get("copy"));
    assertEquals(7L, message.get("total"));
    assertEquals(
        json("[{\"price\":1.5},{\"price\":2},{\"price\":0}]"),
        ((Map<?, ?>) message.get("payload")).get("items"));
    assertTrue(
        String.valueOf(message.get("at")).matches("\\d{4}-\\d\\d-\\d\\dT.*Z"), out.toString());
  }

  @Test
  void shouldKeepBinaryPayloadOnTheEditingPath() {
    byte[] binary = {9, 8, 7};
    String source = "{\"binaryBase64\":\"" + Base64.getEncoder().encodeToString(binary) + "\"}";
    harness.engine.deploy(
        changeFlow("f", rules(rule("{\"t\":\"delete\",\"p\":\"topic\"}")), source));
    harness.inject("f", "in", "{\"payload\":null,\"topic\":\"t\"}");

    Captured received = harness.awaitCaptured("out", 1).get(0);
    assertEquals("{\"payload\":null}", received.json());
    assertArrayEquals(binary, received.binary());
  }

  @Test
  void shouldReportJsonataFailureAsAnErrorOfTheNode() {
    NodeErrors errors = NodeErrors.of(harness);
    harness.engine.deploy(
        changeFlow("f", rules(set("payload", "$error(\"boom\")", "jsonata")), "{}"));
    harness.inject("f", "in", "{\"payload\":1}");

    String error = errors.await("change", 1).get(0);
    assertTrue(error.contains("JSONata expression '$error(\"boom\")' failed: boom"), error);
    assertEquals(List.of(), harness.captured("out"));
  }

  private DeployException refused(String changeConfig) {
    DeployException refused =
        assertThrows(
            DeployException.class,
            () -> harness.engine.deploy(changeFlow("f", changeConfig, "{}")));
    assertEquals("change", refused.nodeId());
    assertFalse(harness.engine.isRunning("f"));
    return refused;
  }

  @Test
  void shouldRefuseUnknownRuleKindNamingTheRuleKindField() {
    assertEquals(
        "node 'change' (change): rules[0].t: unknown rule kind 'swap' (supported: set, change,"
            + " delete, move)",
        refused("{\"rules\":[{\"t\":\"swap\",\"p\":\"payload\",\"pt\":\"msg\"}]}").getMessage());
  }

  @Test
  void shouldNameTheIndexOfTheRuleAtFault() {
    assertEquals(
        "node 'change' (change): rules[1].t: unknown rule kind 'copy' (supported: set, change,"
            + " delete, move)",
        refused(
                rules(
                    set("a", "1", "num"),
                    "{\"t\":\"copy\",\"p\":\"a\",\"pt\":\"msg\",\"to\":\"b\",\"tot\":\"msg\"}"))
            .getMessage());
  }

  @Test
  void shouldRefuseTargetOtherThanMsgFlowOrGlobal() {
    assertEquals(
        "node 'change' (change): rules[0].pt: 'session' is not msg, flow or global",
        refused("{\"rules\":[{\"t\":\"set\",\"p\":\"count\",\"pt\":\"session\",\"to\":\"1\"}]}")
            .getMessage());
  }

  @Test
  void shouldRefuseRuleWithoutPropertyPath() {
    assertEquals(
        "node 'change' (change): rules[0].p: a property path such as payload.x is required",
        refused("{\"rules\":[{\"t\":\"set\",\"pt\":\"msg\",\"to\":\"1\",\"tot\":\"num\"}]}")
            .getMessage());
  }

  @Test
  void shouldRefusePathWithEmptySegment() {
    assertEquals(
        "node 'change' (change): rules[0].p: 'payload..x' has an empty segment",
        refused(rules(set("payload..x", "1", "num"))).getMessage());
  }

  @Test
  void shouldRefuseMalformedBracketPath() {
    assertEquals(
        "node 'change' (change): rules[0].p: 'payload[\"a b\"' has an unclosed '['",
        refused(rules(set("payload[\"a b\"", "1", "num"))).getMessage());
  }

  @Test
  void shouldRefuseNumberValueThatIsNotANumber() {
    assertEquals(
        "node 'change' (change): rules[0].to: 'abc' is not a number",
        refused(rules(set("payload", "abc", "num"))).getMessage());
  }

  @Test
  void shouldRefuseBooleanValueOtherThanTrueOrFalse() {
    assertEquals(
        "node 'change' (change): rules[0].to: expected true or false, got 'yes'",
        refused(rules(set("payload", "yes", "bool"))).getMessage());
  }

  @Test
  void shouldRefuseMalformedJsonValue() {
    String message = refused(rules(set("payload", "{bad", "json"))).getMessage();

    assertTrue(
        message.startsWith("node 'change' (change): rules[0].to: malformed JSON at line 1"),
        message);
  }

  @Test
  void shouldRefuseUnsupportedValueTypeNamingTheValueTypeField() {
    assertEquals(
        "node 'change' (change): rules[0].tot: value type 'bin' is not supported (supported: str,"
            + " num, bool, json, date, msg, flow, global, env, jsonata)",
        refused(rules(set("payload", "[1]", "bin"))).getMessage());
  }

  @Test
  void shouldRefuseReadingServerSettingsFromTheEnvironment() {
    assertEquals(
        "node 'change' (change): rules[0].to: 'Z8_JWT_SECRET' is a server setting; Z8_* variables"
            + " cannot be read by flows",
        refused(rules(set("payload", "Z8_JWT_SECRET", "env"))).getMessage());
  }

  @Test
  void shouldRefuseInvalidRegexAndJsonataNamingTheField() {
    assertEquals(
        "node 'change' (change): rules[0].from: invalid regular expression: Unclosed group",
        refused(
                "{\"rules\":[{\"t\":\"change\",\"p\":\"payload\",\"from\":\"(a\",\"fromt\":\"re\","
                    + "\"to\":\"b\",\"tot\":\"str\"}]}")
            .getMessage());
    assertTrue(
        refused(rules(set("payload", "payload +", "jsonata")))
            .getMessage()
            .startsWith("node 'change' (change): rules[0].to: invalid JSONata expression: "));
  }

  @Test
  void shouldRefuseRuleThatIsNotAnObject() {
    assertEquals(
        "node 'change' (change): rules[0]: expected an object, got string \"set\"",
        refused("{\"rules\":[\"set\"]}").getMessage());
  }

  @Test
  void shouldRefuseEmptyRuleList() {
    assertEquals(
        "node 'change' (change): rules: at least one rule is required",
        refused("{\"rules\":[]}").getMessage());
  }

  @Test
  void shouldFailValidationWhenRulesAreMissingOrNotAnArray() {
    ValidationException missing =
        assertThrows(
            ValidationException.class, () -> harness.engine.deploy(changeFlow("f", "{}", "{}")));
    ValidationException notArray =
        assertThrows(
            ValidationException.class,
            () -> harness.engine.deploy(changeFlow("f", "{\"rules\":\"set payload\"}", "{}")));

    assertEquals(
        "node 'change': required field 'rules' is missing; set it to an array",
        missing.getMessage());
    assertEquals(
        "node 'change': field 'rules' must be an array, got string \"set payload\"",
        notArray.getMessage());
    assertFalse(harness.engine.isRunning("f"));
  }
}
