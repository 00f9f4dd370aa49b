package dev.z8run.nodes.transform;

import static dev.z8run.nodes.FlowHarness.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.runtime.DeployException;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.FlowHarness.Captured;
import dev.z8run.nodes.NodeErrors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code json} node in a deployed flow: source -> json -> output "o0", error "o1". */
class JsonNodeTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private static String config(String... keyValues) {
    Map<String, Object> config = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      config.put(keyValues[i], keyValues[i + 1]);
    }
    return JsonCodec.writeString(config);
  }

  /** Runs the messages; returns [what reached output, what reached error] as JSON texts. */
  private List<List<String>> run(String config, int wired, String... messages) {
    harness.engine.deploy(FlowHarness.switchFlow("json", config, wired, "{}"));
    for (String message : messages) {
      harness.inject("f", "in", message);
    }
    FlowHarness.await(
        "executions done",
        () ->
            harness.engine.metrics("f").completed() + harness.engine.metrics("f").failed()
                == messages.length);
    return List.of(
        harness.captured("o0").stream().map(Captured::json).toList(),
        harness.captured("o1").stream().map(Captured::json).toList());
  }

  @Test
  void shouldParseJsonStringsAndPassValuesThatAreNotStrings() {
    List<List<String>> out =
        run(
            config("action", "parse"),
            2,
            "{\"payload\":\"{\\\"a\\\": [1, 2.5, \\\"x\\\"]}\",\"topic\":\"t\"}",
            "{\"payload\":{\"already\":true}}");

    assertEquals(
        List.of(
            "{\"payload\":{\"a\":[1,2.5,\"x\"]},\"topic\":\"t\"}",
            "{\"payload\":{\"already\":true}}"),
        out.get(0));
  }

  @Test
  void shouldSendTextThatIsNotJsonToTheErrorPortWithTheReason() {
    List<List<String>> out = run(config("action", "parse"), 2, "{\"payload\":\"{oops\"}");

    assertEquals(List.of(), out.get(0));
    Map<?, ?> failed = (Map<?, ?>) json(out.get(1).get(0));
    assertEquals("{oops", failed.get("payload"));
    Map<?, ?> error = (Map<?, ?>) failed.get("error");
    assertTrue(
        ((String) error.get("message")).startsWith("msg.payload is not JSON: "), error.toString());
    assertEquals(Map.of("id", "sw", "type", "json"), error.get("source"));
  }

  @Test
  void shouldValidateAgainstMsgSchemaAsNodeRedDoes() {
    String schema = "{\"type\":\"object\",\"properties\":{\"price\":{\"type\":\"number\"}}}";
    List<List<String>> out =
        run(
            config(),
            2,
            "{\"payload\":\"{\\\"price\\\":100}\",\"schema\":" + schema + "}",
            "{\"payload\":\"{\\\"price\\\":\\\"100\\\"}\",\"schema\":" + schema + "}",
            "{\"payload\":{\"price\":1},\"schema\":" + schema + "}");

    assertEquals(
        List.of("{\"payload\":{\"price\":100}}", "{\"payload\":\"{\\\"price\\\":1}\"}"),
        out.get(0));
    Map<?, ?> failed = (Map<?, ?>) json(out.get(1).get(0));
    assertTrue(
        ((Map<?, ?>) failed.get("error")).get("message").toString().startsWith("Schema error: "));
    assertTrue(failed.get("schemaError").toString().contains("/price"), failed.toString());
  }

  @Test
  void shouldStringifyCompactOrPrettyAndToggleBothWays() {
    List<List<String>> compact =
        run(config("action", "stringify"), 1, "{\"payload\":{\"a\":[1,{}],\"b\":\"q\\\"\"}}");
    assertEquals(
        List.of("{\"payload\":\"{\\\"a\\\":[1,{}],\\\"b\\\":\\\"q\\\\\\\"\\\"}\"}"),
        compact.get(0));
  }

  @Test
  void shouldStringifyPretty() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("action", "toggle");
    config.put("pretty", true);
    List<List<String>> out =
        run(
            JsonCodec.writeString(config),
            1,
            "{\"payload\":{\"a\":[1,2],\"b\":{}}}",
            "{\"payload\":\"[1]\"}");

    assertEquals(
        Map.of("payload", "{\n  \"a\": [\n    1,\n    2\n  ],\n  \"b\": {}\n}"),
        json(out.get(0).get(0)));
    assertEquals("{\"payload\":[1]}", out.get(0).get(1));
  }

  @Test
  void shouldExtractByPathFromObjectsAndFromJsonText() {
    List<List<String>> out =
        run(
            config("action", "extract", "path", "users[1].name"),
            2,
            "{\"payload\":{\"users\":[{\"name\":\"a\"},{\"name\":\"b\"}]}}",
            "{\"payload\":\"{\\\"users\\\":[{},{\\\"name\\\":{\\\"first\\\":\\\"c\\\"}}]}\"}",
            "{\"payload\":{\"users\":[]}}");

    assertEquals(List.of("{\"payload\":\"b\"}", "{\"payload\":{\"first\":\"c\"}}"), out.get(0));
    Map<?, ?> error = (Map<?, ?>) ((Map<?, ?>) json(out.get(1).get(0))).get("error");
    assertEquals("path 'users[1].name' not found in msg.payload", error.get("message"));
  }

  @Test
  void shouldTransformWithJsonataAgainstTheWholeMessage() {
    List<List<String>> out =
        run(
            config(
                "action",
                "jsonata",
                "property",
                "summary",
                "expression",
                "{\"topic\": topic, \"total\": $sum(payload.items.(price * qty)),"
                    + " \"names\": payload.items[price > 1].name}"),
            2,
            "{\"topic\":\"order\",\"payload\":{\"items\":[{\"name\":\"a\",\"price\":1,\"qty\":2},"
                + "{\"name\":\"b\",\"price\":2.5,\"qty\":2},{\"name\":\"c\",\"price\":3,\"qty\":1}]}}");

    Map<?, ?> message = (Map<?, ?>) json(out.get(0).get(0));
    assertEquals(
        json("{\"topic\":\"order\",\"total\":10,\"names\":[\"b\",\"c\"]}"), message.get("summary"));
  }

  @Test
  void shouldStopARunawayJsonataExpressionAndReportItWhenErrorIsNotWired() {
    NodeErrors errors = NodeErrors.of(harness);
    List<List<String>> out =
        run(
            config("action", "jsonata", "expression", "$count([1..10000000].($string($)))"),
            1,
            "{\"payload\":1}");

    assertEquals(List.of(), out.get(0));
    String error = errors.await("sw", 1).get(0);
    assertTrue(error.contains("failed"), error);
  }

  @Test
  void shouldRefuseBadExpressionsAndMissingPaths() {
    assertTrue(
        refused(config("action", "jsonata", "expression", "payload.("))
            .startsWith("node 'sw' (json): expression: invalid JSONata expression: "));
    assertEquals(
        "node 'sw' (json): path: extract needs a path, such as user.name",
        refused(config("action", "extract")));
  }

  private String refused(String config) {
    return assertThrows(
            DeployException.class,
            () -> harness.engine.deploy(FlowHarness.switchFlow("json", config, 1, "{}")))
        .getMessage();
  }
}
