package dev.z8run.nodes.transform;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.json;
import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.FlowHarness;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code xml} and {@code html} nodes; cases from Node-RED's {@code 70-XML_spec.js} and {@code
 * 70-HTML_spec.js} (with its test page, {@code test/resources/70-HTML-test-file.html}).
 */
class XmlAndHtmlNodeTest {
  private static final String PAGE =
      """
      <!DOCTYPE html>
      <html>
      <body>
      <h1>This is a test page for node 70-HTML</h1>
      <p>There's nothing to read here.</p>
      <ol id="colours">
          <li>Blue</li>
          <li>Red</li>
      </ol>
      <ul id="fruits">
          <li>Apple</li>
          <li>Pear</li>
      </ul>
      <ul id="vegetables">
          <li>Potato</li>
          <li>Parsnip</li>
      </ul>
      <span>
          <img src="foo.png">
      </span>
      </body>
      </html>
      """;

  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private List<Map<?, ?>> run(String type, String config, Map<String, Object> message, int count) {
    harness.engine.deploy(
        chain("f", node("in", "source"), node("n", type, config), node("out", "capture")));
    harness.inject("f", "in", JsonCodec.writeString(message));
    List<Map<?, ?>> out = new ArrayList<>();
    harness.awaitCaptured("out", count).forEach(m -> out.add((Map<?, ?>) m.parsed()));
    return out;
  }

  @Test
  void shouldConvertXmlToAnObjectInXml2jsShape() {
    String xml =
        "  <employees><firstName>John</firstName><lastName>Smith</lastName></employees>\r\n  ";

    Object payload =
        run("xml", "{}", Map.of("payload", xml, "topic", "bar"), 1).get(0).get("payload");

    assertEquals(
        json("{\"employees\":{\"firstName\":[\"John\"],\"lastName\":[\"Smith\"]}}"), payload);
  }

  @Test
  void shouldKeepAttributesAndTextUnderTheConfiguredKeys() {
    String xml = "<a x=\"1\">hi<b/><b>2</b></a>";

    Object payload =
        run("xml", "{\"attr\":\"@\",\"chr\":\"#\"}", Map.of("payload", xml), 1)
            .get(0)
            .get("payload");

    assertEquals(json("{\"a\":{\"@\":{\"x\":\"1\"},\"b\":[\"\",\"2\"],\"#\":\"hi\"}}"), payload);
  }

  @Test
  void shouldApplyExplicitArrayFromMsgOptions() {
    String xml = "<a><b>1</b><b>2</b><c>3</c></a>";

    Object payload =
        run("xml", "{}", Map.of("payload", xml, "options", Map.of("explicitArray", false)), 1)
            .get(0)
            .get("payload");

    assertEquals(json("{\"a\":{\"b\":[\"1\",\"2\"],\"c\":\"3\"}}"), payload);
  }

  @Test
  void shouldConvertAnObjectToXml() {
    Object obj = json("{\"employees\":{\"firstName\":[\"John\"],\"lastName\":[\"Smith\"]}}");

    String xml = (String) run("xml", "{}", Map.of("payload", obj), 1).get(0).get("payload");

    assertEquals(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
            + "<employees><firstName>John</firstName><lastName>Smith</lastName></employees>",
        xml);
  }

  @Test
  void shouldWriteHeadlessPrettyXmlWithOptions() {
    Object obj = json("{\"employees\":{\"firstName\":[\"John\"],\"lastName\":[\"Smith\"]}}");

    String xml =
        (String)
            run(
                    "xml",
                    "{\"property\":\"foo\"}",
                    Map.of("foo", obj, "options", Map.of("headless", true)),
                    1)
                .get(0)
                .get("foo");

    assertEquals(
        "<employees>\n  <firstName>John</firstName>\n  <lastName>Smith</lastName>\n</employees>",
        xml);
  }

  @Test
  void shouldRefuseTextThatIsNotXml() {
    harness.engine.deploy(
        chain("f", node("in", "source"), node("x", "xml"), node("out", "capture")));
    harness.inject("f", "in", "{\"payload\":\"<not valid>\"}");

    assertTrue(harness.awaitErrors("x", 1).get(0).contains("not XML"));
  }

  @Test
  void shouldSelectByMsgSelectAndReturnText() {
    Map<?, ?> out =
        run("html", "{\"ret\":\"text\"}", Map.of("payload", PAGE, "select", "p", "topic", "bar"), 1)
            .get(0);

    assertEquals(List.of("There's nothing to read here."), out.get("payload"));
    assertEquals("bar", out.get("topic"));
  }

  @Test
  void shouldReturnInnerHtmlAsXmlFixingUnclosedTags() {
    Object payload =
        run("html", "{\"tag\":\"span\"}", Map.of("payload", PAGE), 1).get(0).get("payload");

    assertEquals(List.of("<img src=\"foo.png\"/>"), payload);
  }

  @Test
  void shouldReturnTheAttributesOfEachElement() {
    assertEquals(
        json("[{\"src\":\"foo.png\"}]"),
        run("html", "{\"tag\":\"span img\",\"ret\":\"attr\"}", Map.of("payload", PAGE), 1)
            .get(0)
            .get("payload"));
  }

  @Test
  void shouldSendOneMessagePerElementAsASequence() {
    List<Map<?, ?>> out =
        run(
            "html",
            "{\"tag\":\"ul\",\"as\":\"multi\"}",
            Map.of("payload", PAGE, "topic", "bar"),
            2);

    assertTrue(((String) out.get(0).get("payload")).contains("<li>Apple</li>"));
    assertTrue(((String) out.get(1).get("payload")).contains("<li>Parsnip</li>"));
    Map<?, ?> parts = (Map<?, ?>) out.get(1).get("parts");
    assertEquals(
        List.of(1L, 2L, "string", ""),
        List.of(parts.get("index"), parts.get("count"), parts.get("type"), parts.get("ch")));
  }
}
