package dev.z8run.nodes;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.runtime.DeployException;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.FlowHarness.Captured;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * z8run's node configs, each read with z8run's meaning. The configs and expected results are
 * z8run's own: the defaults of its editor ({@code frontend/src/lib/nodeDefinitions.ts}) and the
 * behaviour and tests of its engine's nodes ({@code crates/z8run-core/src/nodes/filter.rs}, {@code
 * switch.rs}, {@code function.rs}, {@code delay.rs}, {@code timer.rs}). z8run's messages are their
 * payload: its property paths are relative to {@code msg.payload} here.
 */
class Z8runNodeConfigsTest {
  private static final String ADULT =
      "{\"payload\":{\"req\":{\"body\":{\"age\":30,\"role\":\"admin\"}}}}";
  private static final String CHILD =
      "{\"payload\":{\"req\":{\"body\":{\"age\":12,\"role\":\"\"}}}}";
  private static final String NOBODY = "{\"payload\":{\"req\":{\"body\":{}}}}";

  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  /** source -> node -> o0..o(ports-1); the outputs' captured bodies per port. */
  private List<List<Object>> run(String type, String config, int ports, String... messages) {
    harness.engine.deploy(FlowHarness.switchFlow(type, config, ports, "{}"));
    for (String message : messages) {
      harness.inject("f", "in", message);
    }
    FlowHarness.await(
        "executions complete", () -> harness.engine.metrics("f").completed() == messages.length);
    List<List<Object>> out = new java.util.ArrayList<>();
    for (int port = 0; port < ports; port++) {
      out.add(harness.captured("o" + port).stream().map(Captured::parsed).toList());
    }
    return out;
  }

  private static Object age(Object message) {
    return ((Map<?, ?>)
            ((Map<?, ?>) ((Map<?, ?>) ((Map<?, ?>) message).get("payload")).get("req")).get("body"))
        .get("age");
  }

  @Test
  void shouldFilterOnZ8runsPropertyConditionAndValue() {
    // nodeDefinitions.ts: filter defaultConfig {property: "req.body.age", condition: "gte", value:
    // 18}
    List<List<Object>> out =
        run(
            "filter",
            "{\"property\":\"req.body.age\",\"condition\":\"gte\",\"value\":18}",
            2,
            ADULT,
            CHILD,
            NOBODY);
    assertEquals(List.of(30L), out.get(0).stream().map(Z8runNodeConfigsTest::age).toList());
    assertEquals(2, out.get(1).size(), "a missing age is not >= 18");
  }

  @Test
  void shouldFilterOnZ8runsExpressions() {
    // filter.rs tests: "req.body.age >= 18", "req.body.role == \"admin\"", "payload != null"
    assertEquals(
        1, run("filter", "{\"expression\":\"req.body.age >= 18\"}", 2, ADULT, CHILD).get(0).size());
    harness.close();
    harness = new FlowHarness();
    List<List<Object>> role =
        run("filter", "{\"expression\":\"req.body.role == \\\"admin\\\"\"}", 2, ADULT, CHILD);
    assertEquals(List.of(30L), role.get(0).stream().map(Z8runNodeConfigsTest::age).toList());
    harness.close();
    harness = new FlowHarness();
    List<List<Object>> notNull =
        run("filter", "{\"expression\":\"req.body.role != null\"}", 2, ADULT, CHILD, NOBODY);
    assertEquals(2, notNull.get(0).size(), "an empty string is not null");
    assertEquals(1, notNull.get(1).size());
  }

  @Test
  void shouldCompareAsZ8runDoes() {
    // switch.rs: "30" == 30, 30 == 30.0; contains in strings and arrays; regex; truthy
    String[][] cases = {
      {"eq", "\"30\"", "30", "true"},
      {"eq", "30.0", "30", "true"},
      {"neq", "31", "30", "true"},
      {"contains", "\"err\"", "\"an error\"", "true"},
      {"contains", "2", "[1,2,3]", "true"},
      {"regex", "\"^a.c$\"", "\"abc\"", "true"},
      {"regex", "\"^a.c$\"", "5", "false"},
      {"lt", "10", "\"5\"", "true"},
      {"lte", "10", "\"x\"", "false"},
      {"empty", "null", "null", "true"},
      {"empty", "null", "{}", "true"},
      {"notempty", "null", "0", "true"},
      {"truthy", "null", "\"yes\"", "true"},
      {"truthy", "null", "0", "false"},
      {"falsy", "null", "[]", "true"},
    };
    for (String[] c : cases) {
      harness.close();
      harness = new FlowHarness();
      List<List<Object>> out =
          run(
              "filter",
              "{\"property\":\"v\",\"condition\":\"" + c[0] + "\",\"value\":" + c[1] + "}",
              2,
              "{\"payload\":{\"v\":" + c[2] + "}}");
      assertEquals(
          Boolean.parseBoolean(c[3]) ? 1 : 0, out.get(0).size(), c[2] + " " + c[0] + " " + c[1]);
    }
  }

  @Test
  void shouldRefuseUnknownConditionsAndMixedFormsNamingTheField() {
    DeployException unknown =
        assertThrows(
            DeployException.class,
            () ->
                harness.engine.deploy(
                    FlowHarness.switchFlow(
                        "filter", "{\"property\":\"a\",\"condition\":\"bigger\"}", 2, "{}")));
    assertTrue(
        unknown.getMessage().contains("condition: unknown test string \"bigger\""),
        unknown.getMessage());
    DeployException noOperator =
        assertThrows(
            DeployException.class,
            () ->
                harness.engine.deploy(
                    FlowHarness.switchFlow("filter", "{\"expression\":\"age 18\"}", 2, "{}")));
    assertTrue(
        noOperator.getMessage().contains("expression: no operator"), noOperator.getMessage());
    DeployException both =
        assertThrows(
            DeployException.class,
            () ->
                harness.engine.deploy(
                    FlowHarness.switchFlow(
                        "filter",
                        "{\"condition\":\"empty\",\"rules\":[{\"t\":\"null\"}]}",
                        2,
                        "{}")));
    assertTrue(both.getMessage().contains("not both"), both.getMessage());
  }

  @Test
  void shouldSwitchOnZ8runsRulesFirstMatchWinsByDefault() {
    // nodeDefinitions.ts switch: rules {type, value, port}; switch.rs: check_all false by default
    String config =
        "{\"property\":\"req.body.action\",\"rules\":["
            + "{\"type\":\"eq\",\"value\":\"create\",\"port\":\"out1\"},"
            + "{\"type\":\"contains\",\"value\":\"crea\",\"port\":\"out2\"},"
            + "{\"type\":\"empty\",\"port\":\"out2\"},"
            + "{\"type\":\"truthy\",\"port\":\"out1\"}]}";
    List<List<Object>> out =
        run(
            "switch",
            config,
            5,
            "{\"payload\":{\"req\":{\"body\":{\"action\":\"create\"}}}}",
            "{\"payload\":{\"req\":{\"body\":{\"action\":\"recreate\"}}}}",
            "{\"payload\":{\"req\":{\"body\":{}}}}",
            "{\"payload\":{\"req\":{\"body\":{\"action\":\"delete\"}}}}",
            "{\"payload\":{\"req\":{\"body\":{\"action\":false}}}}");
    assertEquals(1, out.get(0).size(), "create: first rule only");
    assertEquals(1, out.get(1).size(), "recreate");
    assertEquals(1, out.get(2).size(), "empty matches a missing (null) value");
    assertEquals(1, out.get(3).size(), "delete is truthy");
    assertEquals(1, out.get(4).size(), "false goes to default");
  }

  @Test
  void shouldSwitchToEveryMatchWithZ8runsCheckAll() {
    String config =
        "{\"property\":\"n\",\"checkAll\":true,\"rules\":["
            + "{\"type\":\"gt\",\"value\":1},{\"type\":\"gt\",\"value\":5}]}";
    List<List<Object>> out = run("switch", config, 3, "{\"payload\":{\"n\":7}}");
    assertEquals(List.of(1, 1, 0), out.stream().map(List::size).toList());
  }

  @Test
  void shouldRefuseUnknownZ8runRuleTypesAndMixedRules() {
    DeployException unknown =
        assertThrows(
            DeployException.class,
            () ->
                harness.engine.deploy(
                    FlowHarness.switchFlow(
                        "switch", "{\"rules\":[{\"type\":\"bigger\",\"value\":1}]}", 2, "{}")));
    assertTrue(
        unknown.getMessage().contains("rules[0].type: unknown test string \"bigger\""),
        unknown.getMessage());
    DeployException mixed =
        assertThrows(
            DeployException.class,
            () ->
                harness.engine.deploy(
                    FlowHarness.switchFlow(
                        "switch",
                        "{\"rules\":[{\"type\":\"eq\",\"value\":1},{\"t\":\"eq\",\"v\":\"1\"}]}",
                        3,
                        "{}")));
    assertTrue(mixed.getMessage().contains("use one form"), mixed.getMessage());
  }

  @Test
  void shouldResolveZ8runsFunctionTemplateAgainstThePayload() {
    // function.rs tests: "Hello {req.body.name}", "{req.body.age}" stays a number
    String config =
        "{\"template\":{\"message\":\"Hello {req.body.name}\",\"age\":\"{req.body.age}\","
            + "\"missing\":\"{req.body.nope}\",\"n\":\"{req.body.age}0\",\"valid\":true}}";
    List<List<Object>> out =
        run(
            "function",
            config,
            1,
            "{\"topic\":\"t\",\"payload\":{\"req\":{\"body\":{\"name\":\"Pool\",\"age\":30}}}}");
    Map<?, ?> message = (Map<?, ?>) out.get(0).get(0);
    assertEquals("t", message.get("topic"), "other properties stay");
    assertEquals(
        Map.of("message", "Hello Pool", "age", 30L, "missing", "null", "n", 300L, "valid", true),
        message.get("payload"));
  }

  @Test
  void shouldRunZ8runsCodeAndSendItsOutputValue() {
    List<List<Object>> code =
        run(
            "function",
            "{\"code\":\"msg.payload = msg.payload * 2; return msg;\"}",
            1,
            "{\"payload\":21}");
    assertEquals(42L, ((Map<?, ?>) code.get(0).get(0)).get("payload"));
    harness.close();
    harness = new FlowHarness();
    List<List<Object>> constant =
        run("function", "{\"template\":\"{\\\"ok\\\":true}\"}", 1, "{\"payload\":1}");
    assertEquals(Map.of("ok", true), ((Map<?, ?>) constant.get(0).get(0)).get("payload"));
    harness.close();
    harness = new FlowHarness();
    List<List<Object>> value = run("function", "{\"outputValue\":[1,2]}", 1, "{\"payload\":1}");
    assertEquals(List.of(1L, 2L), ((Map<?, ?>) value.get(0).get(0)).get("payload"));
  }

  @Test
  void shouldDelayByZ8runsDelayMsAndItsEditorsDelayAndUnit() {
    for (String config : List.of("{\"delayMs\":300}", "{\"delay\":0.3,\"unit\":\"s\"}")) {
      harness.close();
      harness = new FlowHarness();
      harness.engine.deploy(FlowHarness.switchFlow("delay", config, 1, "{}"));
      long startNs = System.nanoTime();
      harness.inject("f", "in", "{\"payload\":1}");
      harness.awaitCaptured("o0", 1);
      long tookMs = (System.nanoTime() - startNs) / 1_000_000;
      assertTrue(tookMs >= 290, config + " waited " + tookMs + " ms, at least 300 expected");
    }
    DeployException unit =
        assertThrows(
            DeployException.class,
            () ->
                harness.engine.deploy(
                    FlowHarness.switchFlow("delay", "{\"delay\":1,\"unit\":\"weeks\"}", 1, "{}")));
    assertTrue(unit.getMessage().contains("unit: 'weeks' is not ms, s, m or h"), unit.getMessage());
  }

  @Test
  void shouldTickInMillisecondsWithZ8runsTickPayload() {
    // nodeDefinitions.ts timer defaultConfig {interval: 5000, unit: "ms"}; timer.rs payload
    long startNs = System.nanoTime();
    harness.engine.deploy(
        chain("t", node("timer", "timer", "{\"interval\":150}"), node("out", "capture")));
    List<Captured> ticks = harness.awaitCaptured("out", 2);
    long tookMs = (System.nanoTime() - startNs) / 1_000_000;
    assertTrue(tookMs >= 290, "two ticks of 150 ms took " + tookMs + " ms");
    Map<?, ?> first = (Map<?, ?>) ((Map<?, ?>) ticks.get(0).parsed()).get("payload");
    assertEquals(1L, first.get("tick"));
    assertEquals(150L, first.get("interval_ms"));
    Instant.parse((String) first.get("timestamp"));
    assertEquals(2L, ((Map<?, ?>) ((Map<?, ?>) ticks.get(1).parsed()).get("payload")).get("tick"));

    DeployException tooFast =
        assertThrows(
            DeployException.class,
            () -> harness.engine.deploy(chain("u", node("timer", "timer", "{\"interval\":5}"))));
    assertTrue(tooFast.getMessage().contains("below 100 ms"), tooFast.getMessage());
  }

  @Test
  void shouldKeepTheWholeZ8runTemplateWhenAValueIsAnObject() {
    List<List<Object>> out =
        run(
            "function",
            "{\"template\":\"{req.body}\"}",
            1,
            "{\"payload\":{\"req\":{\"body\":{\"a\":{\"b\":1}}}}}");
    assertEquals(
        JsonCodec.parse("{\"a\":{\"b\":1}}"), ((Map<?, ?>) out.get(0).get(0)).get("payload"));
  }
}
