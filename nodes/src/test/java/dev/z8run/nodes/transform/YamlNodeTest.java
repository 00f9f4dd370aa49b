package dev.z8run.nodes.transform;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.json;
import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.nodes.FlowHarness;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code yaml} node and template's YAML output; cases from Node-RED's {@code 70-YAML_spec.js}.
 */
class YamlNodeTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private Object payload(String type, String config, String message) {
    harness.engine.deploy(
        chain("f", node("in", "source"), node("y", type, config), node("out", "capture")));
    harness.inject("f", "in", message);
    return ((Map<?, ?>) harness.awaitCaptured("out", 1).get(0).parsed()).get("payload");
  }

  @Test
  void shouldConvertAValidYamlStringToAnObject() {
    assertEquals(
        json("{\"employees\":[{\"firstName\":\"John\",\"lastName\":\"Smith\"}]}"),
        payload(
            "yaml",
            "{}",
            "{\"payload\":\"employees:\\n  - firstName: John\\n    lastName: Smith\\n\"}"));
  }

  /** A YAML timestamp is a Date in js-yaml, which JSON writes as toISOString does. */
  @Test
  void shouldWriteATimestampAsJavaScriptsIsoText() {
    assertEquals(
        json("{\"f\":\"2020-01-01T00:00:00.000Z\",\"t\":\"2001-12-14T21:59:43.100Z\"}"),
        payload(
            "yaml", "{}", "{\"payload\":\"f: 2020-01-01\\nt: 2001-12-14t21:59:43.10-00:00\\n\"}"));
  }

  @Test
  void shouldConvertAnObjectToYamlAsJsYamlWritesIt() {
    assertEquals(
        "employees:\n  - firstName: John\n    lastName: Smith\n",
        payload(
            "yaml",
            "{}",
            "{\"payload\":{\"employees\":[{\"firstName\":\"John\",\"lastName\":\"Smith\"}]}}"));
  }

  @Test
  void shouldConvertANestedProperty() {
    Object payload =
        payload("yaml", "{\"property\":\"payload.foo\"}", "{\"payload\":{\"foo\":{\"a\":[1,2]}}}");

    assertEquals("a:\n  - 1\n  - 2\n", ((Map<?, ?>) payload).get("foo"));
  }

  @Test
  void shouldRaiseAnErrorForTextThatIsNotYaml() {
    harness.engine.deploy(
        chain("f", node("in", "source"), node("y", "yaml"), node("out", "capture")));
    harness.inject(
        "f", "in", "{\"payload\":\"employees:\\n-firstName: John\\n- lastName: Smith\\n\"}");

    assertTrue(harness.awaitErrors("y", 1).get(0).contains("not YAML"));
  }

  @Test
  void shouldParseTemplateOutputAsYaml() {
    assertEquals(
        json("{\"key\":\"message\",\"value\":\"Hello, World!\"}"),
        payload(
            "template",
            "{\"output\":\"yaml\",\"template\":\"key: {{topic}}\\nvalue: {{payload}}\"}",
            "{\"payload\":\"Hello, World!\",\"topic\":\"message\"}"));
  }
}
