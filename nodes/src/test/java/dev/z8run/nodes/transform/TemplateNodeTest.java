package dev.z8run.nodes.transform;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.json;
import static dev.z8run.nodes.FlowHarness.node;
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

/** The {@code template} node in a deployed flow: source -> template -> capture. */
class TemplateNodeTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private static String config(String template, String output, String field) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("template", template);
    config.put("output", output);
    config.put("field", field);
    return JsonCodec.writeString(config);
  }

  private List<Captured> run(String config, String... messages) {
    harness.engine.deploy(
        chain("f", node("in", "source"), node("t", "template", config), node("out", "capture")));
    for (String message : messages) {
      harness.inject("f", "in", message);
    }
    return harness.awaitCaptured("out", messages.length);
  }

  @Test
  void shouldRenderMustacheFromMessageFieldsEscapingHtml() {
    List<Captured> out =
        run(
            config(
                "Hi {{payload.name}} <{{{payload.name}}}> ({{topic}}):"
                    + "{{#payload.items}} {{n}}{{/payload.items}}{{^payload.none}} none{{/payload.none}}"
                    + " {{payload.items.1.n}} {{payload.user}}",
                "str",
                "payload"),
            "{\"topic\":\"t\",\"payload\":{\"name\":\"A&B\",\"items\":[{\"n\":1},{\"n\":2.5}],"
                + "\"user\":{\"id\":7}}}");

    assertEquals(
        Map.of("topic", "t", "payload", "Hi A&amp;B <A&B> (t): 1 2.5 none 2.5 {&quot;id&quot;:7}"),
        out.get(0).parsed());
  }

  @Test
  void shouldParseJsonOutputEscapingStringsForJson() {
    List<Captured> out =
        run(
            config(
                "{\"greeting\":\"hello {{payload.name}}\",\"n\":{{payload.n}},\"tags\":{{{payload.tags}}}}",
                "json",
                "result"),
            "{\"payload\":{\"name\":\"say \\\"hi\\\"\\n\",\"n\":3,\"tags\":[\"a\"]}}");

    assertEquals(
        json("{\"greeting\":\"hello say \\\"hi\\\"\\n\",\"n\":3,\"tags\":[\"a\"]}"),
        ((Map<?, ?>) out.get(0).parsed()).get("result"));
  }

  /** Node-RED's mustache reads JavaScript's length of an array or a string. */
  @Test
  void shouldReadTheLengthOfAnArrayOrAString() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put(
        "template",
        "{{payload.l.length}} {{payload.s.length}} {{payload.o.length}} {{payload.l.99999999999}}");
    List<Captured> out =
        run(
            JsonCodec.writeString(config),
            "{\"payload\":{\"l\":[1,2,3],\"s\":\"héllo\",\"o\":{\"length\":7}}}");

    assertEquals("{\"payload\":\"3 5 7 \"}", out.get(0).json());
  }

  @Test
  void shouldSetPlainTextAsItIs() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("template", "{{payload}} stays");
    config.put("syntax", "plain");
    List<Captured> out = run(JsonCodec.writeString(config), "{\"payload\":1}");

    assertEquals("{\"payload\":\"{{payload}} stays\"}", out.get(0).json());
  }

  @Test
  void shouldReportTextThatIsNotJsonAsAnErrorOfTheNode() {
    NodeErrors errors = NodeErrors.of(harness);
    harness.engine.deploy(
        chain(
            "f",
            node("in", "source"),
            node("t", "template", config("{\"a\":{{payload}}}", "json", "payload")),
            node("out", "capture")));
    harness.inject("f", "in", "{\"payload\":\"not a number\"}");

    String error = errors.await("t", 1).get(0);
    assertTrue(error.contains("output is json but the text is not JSON"), error);
  }

  @Test
  void shouldRefusePartialsAndBrokenTemplates() {
    assertTrue(
        refused(config("{{> /etc/passwd}}", "str", "payload"))
            .startsWith("node 't' (template): template: partials are not supported"));
    assertTrue(
        refused(config("{{#open}}never closed", "str", "payload"))
            .startsWith("node 't' (template): template: "));
  }

  private String refused(String config) {
    return assertThrows(
            DeployException.class,
            () ->
                harness.engine.deploy(
                    chain(
                        "f",
                        node("in", "source"),
                        node("t", "template", config),
                        node("out", "capture"))))
        .getMessage();
  }
}
