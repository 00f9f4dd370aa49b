package dev.z8run.nodes.transform;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.flow.FlowNode;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.FlowHarness;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code template} node answers as Node-RED's: each case is one of {@code
 * test/nodes/core/function/80-template_spec.js} (named in the comment), with the node's config as
 * Node-RED exports it (the importer keeps template's field names). Where the spec sets flow or
 * global context beforehand, a change node in front of the template sets it (and one behind it
 * reads what the template wrote there). Flow: source "in" → [change] → template "t" → [change] →
 * capture "out".
 */
class TemplateNodeRedParityTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  /** A template node with Node-RED's fields. */
  private static FlowNode template(String field, String fieldType, String text) {
    Map<String, Object> config = new LinkedHashMap<>();
    if (field != null) {
      config.put("field", field);
    }
    if (fieldType != null) {
      config.put("fieldType", fieldType);
    }
    config.put("template", text);
    return node("t", "template", JsonCodec.writeString(config));
  }

  /** A change node setting context {@code scope}.{@code key} to the string {@code value}. */
  private static FlowNode setContext(String id, String scope, String... keysAndValues) {
    List<Object> rules = new ArrayList<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      rules.add(
          Map.of(
              "t",
              "set",
              "p",
              keysAndValues[i],
              "pt",
              scope,
              "to",
              keysAndValues[i + 1],
              "tot",
              "str"));
    }
    return node(id, "change", JsonCodec.writeString(Map.of("rules", rules)));
  }

  /** A change node copying context {@code scope}.{@code key} to msg.{@code key}. */
  private static FlowNode readContext(String scope, String key) {
    return node(
        "read",
        "change",
        JsonCodec.writeString(
            Map.of(
                "rules",
                List.of(Map.of("t", "set", "p", "ctx", "pt", "msg", "to", key, "tot", scope)))));
  }

  private List<Map<?, ?>> run(List<FlowNode> middle, int expected, String... messages) {
    List<FlowNode> nodes = new ArrayList<>();
    nodes.add(node("in", "source"));
    nodes.addAll(middle);
    nodes.add(node("out", "capture"));
    harness.engine.deploy(chain("f", nodes.toArray(FlowNode[]::new)));
    for (String message : messages) {
      harness.inject("f", "in", message);
    }
    List<Map<?, ?>> out = new ArrayList<>();
    harness.awaitCaptured("out", expected).forEach(m -> out.add((Map<?, ?>) m.parsed()));
    return out;
  }

  private List<Map<?, ?>> run(FlowNode template, String... messages) {
    return run(List.of(template), messages.length, messages);
  }

  private static final String FOO_BAR = "{\"payload\":\"foo\",\"topic\":\"bar\"}";

  /** 'should modify payload using node-configured template' */
  @Test
  void shouldModifyPayloadUsingTheNodeConfiguredTemplate() {
    String ignored = "this should be ignored as the node has its own template {{payload}}";
    Map<?, ?> out =
        run(
                template("payload", null, "payload={{payload}}"),
                "{\"payload\":\"foo\",\"topic\":\"bar\",\"template\":\"" + ignored + "\"}")
            .get(0);
    assertEquals(Map.of("payload", "payload=foo", "topic", "bar", "template", ignored), out);
  }

  /** 'should modify the configured property using msg.template' */
  @Test
  void shouldModifyTheConfiguredPropertyUsingMsgTemplate() {
    Map<?, ?> out =
        run(
                template("randomProperty", null, ""),
                "{\"payload\":\"foo\",\"topic\":\"bar\",\"template\":\"payload={{payload}}\"}")
            .get(0);
    assertEquals("foo", out.get("payload"));
    assertEquals("payload={{payload}}", out.get("template"));
    assertEquals("payload=foo", out.get("randomProperty"));
  }

  /** 'should modify payload from msg.template' (and 'should be able to overwrite msg.template') */
  @Test
  void shouldModifyPayloadFromMsgTemplate() {
    List<Map<?, ?>> out =
        run(
            template("payload", null, ""),
            "{\"payload\":\"foo\",\"topic\":\"bar\",\"template\":\"topic={{topic}}\"}",
            "{\"payload\":\"foo\",\"topic\":\"another bar\",\"template\":\"topic={{topic}}\"}",
            "{\"payload\":\"foo\",\"topic\":\"bar\",\"template\":\"payload={{payload}}\"}");
    assertEquals("topic=bar", out.get(0).get("payload"));
    assertEquals("topic={{topic}}", out.get(0).get("template"));
    assertEquals("topic=another bar", out.get(1).get("payload"));
    assertEquals("payload=foo", out.get(2).get("payload"));
  }

  /**
   * 'should modify payload from env variable' (the harness's PATH for TEST: its Z8_ settings read
   * as empty by design)
   */
  @Test
  void shouldModifyPayloadFromAnEnvVariable() {
    Map<?, ?> out = run(template("payload", null, "payload={{env.PATH}}"), FOO_BAR).get(0);
    assertEquals("payload=/usr/bin", out.get("payload"));
  }

  /** 'should modify payload from flow context' */
  @Test
  void shouldModifyPayloadFromFlowContext() {
    Map<?, ?> out =
        run(
                List.of(
                    setContext("set", "flow", "value", "foo"),
                    template("payload", null, "payload={{flow.value}}")),
                1,
                FOO_BAR)
            .get(0);
    assertEquals(Map.of("payload", "payload=foo", "topic", "bar"), out);
  }

  private static final String NESTED =
      "{{#flow.time}}time={{flow.time}}{{/flow.time}}{{^flow.time}}!time{{/flow.time}}"
          + "{{#flow.random}}random={{flow.random}}randomtime={{flow.randomtime}}{{/flow.random}}"
          + "{{^flow.random}}!random{{/flow.random}}";

  /** 'should handle nested context tags - property not set' */
  @Test
  void shouldHandleNestedContextTagsWhenThePropertyIsNotSet() {
    Map<?, ?> out = run(template("payload", null, NESTED), FOO_BAR).get(0);
    assertEquals("!time!random", out.get("payload"));
  }

  /** 'should handle nested context tags - property set' */
  @Test
  void shouldHandleNestedContextTagsWhenThePropertyIsSet() {
    Map<?, ?> out =
        run(
                List.of(
                    setContext("set", "flow", "time", "123", "random", "456", "randomtime", "789"),
                    template("payload", null, NESTED)),
                1,
                FOO_BAR)
            .get(0);
    assertEquals("time=123random=456randomtime=789", out.get("payload"));
  }

  /** 'should modify payload from global context' */
  @Test
  void shouldModifyPayloadFromGlobalContext() {
    Map<?, ?> out =
        run(
                List.of(
                    setContext("set", "global", "value", "foo"),
                    template("payload", null, "payload={{global.value}}")),
                1,
                FOO_BAR)
            .get(0);
    assertEquals("payload=foo", out.get("payload"));
  }

  /** 'should handle missing node context' (here: context without the keys) */
  @Test
  void shouldRenderMissingContextValuesAsNothing() {
    Map<?, ?> out =
        run(template("payload", null, "payload={{flow.value}},{{global.value}}"), FOO_BAR).get(0);
    assertEquals("payload=,", out.get("payload"));
  }

  /** 'should handle escape characters in Mustache format and JSON output mode' */
  @Test
  void shouldHandleEscapeCharactersInMustacheFormatAndJsonOutputMode() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("field", "payload");
    config.put("syntax", "mustache");
    config.put("template", "{\"data\":\"{{payload}}\"}");
    config.put("output", "json");
    Map<?, ?> out =
        run(
                node("t", "template", JsonCodec.writeString(config)),
                "{\"payload\":\"line\\t1\\nline\\\\2\\r\\nline\\b3\\f\"}")
            .get(0);
    assertEquals(Map.of("data", "line\t1\nline\\2\r\nline\b3\f"), out.get("payload"));
  }

  /** 'should modify payload in plain text mode' */
  @Test
  void shouldModifyPayloadInPlainTextMode() {
    Map<?, ?> out =
        run(
                node(
                    "t",
                    "template",
                    "{\"field\":\"payload\",\"syntax\":\"plain\",\"template\":\"payload={{payload}}\"}"),
                FOO_BAR)
            .get(0);
    assertEquals("payload={{payload}}", out.get("payload"));
  }

  /** 'should modify flow context': the message is intact, the result is in flow context */
  @Test
  void shouldModifyFlowContext() {
    Map<?, ?> out =
        run(
                List.of(
                    template("payload", "flow", "payload={{payload}}"),
                    readContext("flow", "payload")),
                1,
                FOO_BAR)
            .get(0);
    assertEquals(Map.of("payload", "foo", "topic", "bar", "ctx", "payload=foo"), out);
  }

  /** 'should modify global context' */
  @Test
  void shouldModifyGlobalContext() {
    Map<?, ?> out =
        run(
                List.of(
                    template("payload", "global", "payload={{payload}}"),
                    readContext("global", "payload")),
                1,
                FOO_BAR)
            .get(0);
    assertEquals(Map.of("payload", "foo", "topic", "bar", "ctx", "payload=foo"), out);
  }

  /** 'should handle if the field isn't set' */
  @Test
  void shouldHandleTheFieldNotBeingSet() {
    Map<?, ?> out = run(template(null, null, "payload={{payload}}"), FOO_BAR).get(0);
    assertEquals(Map.of("payload", "payload=foo", "topic", "bar"), out);
  }

  /** 'should handle deeper objects' */
  @Test
  void shouldHandleDeeperObjects() {
    Map<?, ?> out =
        run(
                template("topic.foo.bar", null, "payload={{payload.doh.rei.me}}"),
                "{\"payload\":{\"doh\":{\"rei\":{\"me\":\"foo\"}}}}")
            .get(0);
    assertEquals(Map.of("foo", Map.of("bar", "payload=foo")), out.get("topic"));
  }

  /** 'should handle block contexts objects' */
  @Test
  void shouldHandleBlockContextObjects() {
    Map<?, ?> out =
        run(
                template(null, null, "A{{#payload.A}}{{payload.A}}{{.}}{{/payload.A}}B"),
                "{\"payload\":{\"A\":\"abc\"}}")
            .get(0);
    assertEquals("AabcabcB", out.get("payload"));
  }

  /** 'should raise error if passed bad template': refused here at deploy, Node-RED on input */
  @Test
  void shouldRaiseAnErrorForABadTemplate() {
    Exception refused =
        org.junit.jupiter.api.Assertions.assertThrows(
            RuntimeException.class,
            () ->
                harness.engine.deploy(
                    chain(
                        "f",
                        node("in", "source"),
                        template("payload", null, "payload={{payload"),
                        node("out", "capture"))));
    assertTrue(String.valueOf(refused.getMessage()).contains("t"), refused.getMessage());
  }
}
