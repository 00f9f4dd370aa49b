package dev.z8run.nodes.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.z8run.core.runtime.DeployException;
import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.FlowHarness.Captured;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code filter} node in a deployed flow: source -> filter -> pass "o0", reject "o1". */
class FilterNodeTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private List<List<String>> run(String config, int wiredPorts, String... messages) {
    harness.engine.deploy(FlowHarness.switchFlow("filter", config, wiredPorts, "{}"));
    for (String message : messages) {
      harness.inject("f", "in", message);
    }
    FlowHarness.await(
        "executions complete", () -> harness.engine.metrics("f").completed() == messages.length);
    return List.of(
        harness.captured("o0").stream().map(Captured::json).toList(),
        harness.captured("o1").stream().map(Captured::json).toList());
  }

  @Test
  void shouldPassMessagesWhereAllTestsHoldAndRejectTheRest() {
    String config =
        "{\"rules\":[{\"t\":\"gte\",\"p\":\"payload.age\",\"v\":\"18\",\"vt\":\"num\"},"
            + "{\"t\":\"eq\",\"p\":\"topic\",\"v\":\"users\",\"vt\":\"str\"}]}";
    List<List<String>> out =
        run(
            config,
            2,
            "{\"topic\":\"users\",\"payload\":{\"age\":30}}",
            "{\"topic\":\"users\",\"payload\":{\"age\":12}}",
            "{\"topic\":\"other\",\"payload\":{\"age\":40}}");

    assertEquals(List.of("{\"topic\":\"users\",\"payload\":{\"age\":30}}"), out.get(0));
    assertEquals(
        List.of(
            "{\"topic\":\"users\",\"payload\":{\"age\":12}}",
            "{\"topic\":\"other\",\"payload\":{\"age\":40}}"),
        out.get(1));
  }

  @Test
  void shouldPassWhenAnyTestHoldsInAnyMode() {
    String config =
        "{\"match\":\"any\",\"rules\":[{\"t\":\"regex\",\"v\":\"^err\"},"
            + "{\"t\":\"istype\",\"v\":\"number\"}]}";
    List<List<String>> out =
        run(config, 2, "{\"payload\":\"error\"}", "{\"payload\":5}", "{\"payload\":\"ok\"}");

    assertEquals(List.of("{\"payload\":\"error\"}", "{\"payload\":5}"), out.get(0));
    assertEquals(List.of("{\"payload\":\"ok\"}"), out.get(1));
  }

  @Test
  void shouldDropRejectedMessagesWhenRejectIsNotWired() {
    List<List<String>> out =
        run(
            "{\"rules\":[{\"t\":\"nempty\"}]}",
            1,
            "{\"payload\":\"\"}",
            "{\"payload\":\"x\"}",
            "{}");

    assertEquals(List.of("{\"payload\":\"x\"}"), out.get(0));
    assertEquals(List.of(), out.get(1));
  }

  @Test
  void shouldRefuseOtherwiseRuleAndBadPath() {
    assertEquals(
        "node 'sw' (filter): rules[0].t: 'else' has no meaning in a filter",
        refused("{\"rules\":[{\"t\":\"else\"}]}"));
    assertEquals(
        "node 'sw' (filter): rules[0].p: 'a[x]': [x] is neither an index nor a quoted key",
        refused("{\"rules\":[{\"t\":\"true\",\"p\":\"a[x]\"}]}"));
    assertEquals(
        "node 'sw' (filter): rules: at least one rule is required", refused("{\"rules\":[]}"));
  }

  private String refused(String config) {
    return assertThrows(
            DeployException.class,
            () -> harness.engine.deploy(FlowHarness.switchFlow("filter", config, 1, "{}")))
        .getMessage();
  }
}
