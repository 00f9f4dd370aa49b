package dev.z8run.nodes;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.json;
import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.runtime.DeployException;
import dev.z8run.core.validate.FlowValidator.ValidationException;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.FlowHarness.Captured;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  @Test
  void shouldReplaceScalarOrArrayInTheWayWithObject() {
    String[] messages = {
      "{\"payload\":5}",
      "{\"payload\":\"text\"}",
      "{\"payload\":[1,2]}",
      "{\"payload\":null}",
      "{\"payload\":{\"x\":true}}"
    };
    List<Captured> received = run(rules(set("payload.x.y", "1", "num")), messages);

    for (int i = 0; i < messages.length; i++) {
      assertEquals(json("{\"payload\":{\"x\":{\"y\":1}}}"), received.get(i).parsed(), messages[i]);
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

    assertEquals(json("{\"payload\":{\"a\":{\"c\":true},\"b\":2},\"topic\":\"second\"}"), out);
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

  @Test
  void shouldPassMessageThatIsNotAnObjectOnUnchangedWithWarning() {
    List<Captured> received = run(rules(set("hop", "1", "num")), "[1,2,3]");

    assertEquals("[1,2,3]", received.get(0).json());
    FlowHarness.await("a warning", () -> !harness.warnings("change").isEmpty());
    assertEquals(
        List.of("message body is not a JSON object; passed on unchanged"),
        harness.warnings("change"));
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
  void shouldRefuseUnsupportedRuleKindNamingTheRuleKindField() {
    assertEquals(
        "node 'change' (change): rules[0].t: rule kind 'delete' is not supported yet"
            + " (supported: set)",
        refused("{\"rules\":[{\"t\":\"delete\",\"p\":\"payload\",\"pt\":\"msg\"}]}").getMessage());
  }

  @Test
  void shouldNameTheIndexOfTheRuleAtFault() {
    assertEquals(
        "node 'change' (change): rules[1].t: rule kind 'move' is not supported yet"
            + " (supported: set)",
        refused(
                rules(
                    set("a", "1", "num"),
                    "{\"t\":\"move\",\"p\":\"a\",\"pt\":\"msg\",\"to\":\"b\",\"tot\":\"msg\"}"))
            .getMessage());
  }

  @Test
  void shouldRefuseTargetOtherThanMsg() {
    assertEquals(
        "node 'change' (change): rules[0].pt: only msg properties can be set, got 'flow'",
        refused("{\"rules\":[{\"t\":\"set\",\"p\":\"count\",\"pt\":\"flow\",\"to\":\"1\"}]}")
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
  void shouldRefuseBracketPathsWhichAreNotSupportedYet() {
    assertEquals(
        "node 'change' (change): rules[0].p: 'payload[\"a b\"]' uses brackets, which are not"
            + " supported yet; use a dotted path such as payload.x",
        refused(rules(set("payload[\"a b\"]", "1", "num"))).getMessage());
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
        "node 'change' (change): rules[0].tot: value type 'msg' is not supported yet"
            + " (supported: str, num, bool, json, date)",
        refused(rules(set("payload", "topic", "msg"))).getMessage());
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
