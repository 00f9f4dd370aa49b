package dev.z8run.nodes.routing;

import static dev.z8run.nodes.FlowHarness.switchFlow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.z8run.core.runtime.DeployException;
import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.FlowHarness.Captured;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The {@code switch} node in a deployed flow: source -> switch -> one capture node per port. */
class SwitchNodeTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  /** Sends each message, then a marker to every port, and returns what each port received. */
  private List<List<String>> route(String config, int ports, String... messages) {
    harness.engine.deploy(switchFlow("switch", config, ports, "{}"));
    for (String message : messages) {
      harness.inject("f", "in", message);
    }
    FlowHarness.await(
        "executions complete", () -> harness.engine.metrics("f").completed() == messages.length);
    List<List<String>> received = new ArrayList<>();
    for (int i = 0; i < ports; i++) {
      received.add(harness.captured("o" + i).stream().map(Captured::json).toList());
    }
    return received;
  }

  @Test
  void shouldRouteByFirstMatchOrEveryMatchAndSendTheRestToTheDefaultPort() {
    String rules =
        "[{\"t\":\"lt\",\"v\":\"10\",\"vt\":\"num\"},{\"t\":\"btwn\",\"v\":\"5\",\"vt\":\"num\","
            + "\"v2\":\"20\",\"v2t\":\"num\"}]";
    List<List<String>> all =
        route(
            "{\"rules\":" + rules + "}",
            3,
            "{\"payload\":3}",
            "{\"payload\":7}",
            "{\"payload\":15}",
            "{\"payload\":99}",
            "{\"payload\":\"8\"}");

    assertEquals(List.of("{\"payload\":3}", "{\"payload\":7}", "{\"payload\":\"8\"}"), all.get(0));
    assertEquals(List.of("{\"payload\":7}", "{\"payload\":15}", "{\"payload\":\"8\"}"), all.get(1));
    assertEquals(List.of("{\"payload\":99}"), all.get(2));
  }

  @Test
  void shouldStopAtFirstMatchWhenCheckallIsFalse() {
    String rules =
        "[{\"t\":\"lt\",\"v\":\"10\",\"vt\":\"num\"},{\"t\":\"btwn\",\"v\":\"5\",\"vt\":\"num\","
            + "\"v2\":\"20\",\"v2t\":\"num\"}]";
    List<List<String>> first =
        route(
            "{\"checkall\":false,\"rules\":" + rules + "}",
            3,
            "{\"payload\":7}",
            "{\"payload\":15}");

    assertEquals(List.of("{\"payload\":7}"), first.get(0));
    assertEquals(List.of("{\"payload\":15}"), first.get(1));
    assertEquals(List.of(), first.get(2));
  }

  @Test
  void shouldCompareStringsNumbersAndBooleansAsNodeRedDoes() {
    String rules =
        "[{\"t\":\"eq\",\"v\":\"on\",\"vt\":\"str\"},"
            + "{\"t\":\"neq\",\"v\":\"on\",\"vt\":\"str\"},"
            + "{\"t\":\"eq\",\"v\":\"5\",\"vt\":\"num\"},"
            + "{\"t\":\"eq\",\"v\":\"true\",\"vt\":\"bool\"},"
            + "{\"t\":\"gte\",\"v\":\"b\",\"vt\":\"str\"}]";
    List<List<String>> out =
        route(
            "{\"property\":\"payload.state\",\"rules\":" + rules + "}",
            6,
            "{\"payload\":{\"state\":\"on\"}}",
            "{\"payload\":{\"state\":5}}",
            "{\"payload\":{\"state\":\"5.0\"}}",
            "{\"payload\":{\"state\":true}}",
            "{\"payload\":{\"other\":1}}");

    assertEquals(List.of("{\"payload\":{\"state\":\"on\"}}"), out.get(0));
    assertEquals(
        List.of(
            "{\"payload\":{\"state\":5}}",
            "{\"payload\":{\"state\":\"5.0\"}}",
            "{\"payload\":{\"state\":true}}",
            "{\"payload\":{\"other\":1}}"),
        out.get(1));
    assertEquals(
        List.of("{\"payload\":{\"state\":5}}", "{\"payload\":{\"state\":\"5.0\"}}"), out.get(2));
    assertEquals(List.of("{\"payload\":{\"state\":true}}"), out.get(3));
    assertEquals(List.of("{\"payload\":{\"state\":\"on\"}}"), out.get(4));
    assertEquals(List.of(), out.get(5));
  }

  @Test
  void shouldTestContainsRegexEmptinessTruthAndTypes() {
    String rules =
        "[{\"t\":\"cont\",\"v\":\"err\",\"vt\":\"str\"},"
            + "{\"t\":\"regex\",\"v\":\"^WARN\\\\b\",\"vt\":\"str\",\"case\":true},"
            + "{\"t\":\"empty\"},{\"t\":\"nempty\"},{\"t\":\"true\"},{\"t\":\"false\"},"
            + "{\"t\":\"null\"},{\"t\":\"nnull\"},"
            + "{\"t\":\"istype\",\"v\":\"array\",\"vt\":\"array\"},"
            + "{\"t\":\"istype\",\"v\":\"object\",\"vt\":\"object\"},"
            + "{\"t\":\"istype\",\"v\":\"number\",\"vt\":\"number\"},"
            + "{\"t\":\"istype\",\"v\":\"json\",\"vt\":\"json\"}]";
    String[] messages = {
      "{\"payload\":\"an error\"}",
      "{\"payload\":\"warn: caf\\u00e9 disk\"}",
      "{\"payload\":\"\"}",
      "{\"payload\":[]}",
      "{\"payload\":{\"a\":1}}",
      "{\"payload\":true}",
      "{\"payload\":false}",
      "{\"payload\":null}",
      "{\"topic\":\"no payload\"}",
      "{\"payload\":-2.5e1}",
      "{\"payload\":\"[1,2]\"}"
    };
    List<List<String>> out = route("{\"rules\":" + rules + "}", 13, messages);

    assertEquals(List.of(messages[0]), out.get(0), "cont");
    assertEquals(List.of(messages[1]), out.get(1), "regex, ignoring case, escaped text");
    assertEquals(List.of(messages[2], messages[3]), out.get(2), "empty");
    assertEquals(
        List.of(messages[0], messages[1], messages[4], messages[10]), out.get(3), "nempty");
    assertEquals(List.of(messages[5]), out.get(4), "true");
    assertEquals(List.of(messages[6]), out.get(5), "false");
    assertEquals(List.of(messages[7], messages[8]), out.get(6), "null or missing");
    assertEquals(11 - 2, out.get(7).size(), "nnull");
    assertEquals(List.of(messages[3]), out.get(8), "istype array");
    assertEquals(List.of(messages[4]), out.get(9), "istype object");
    assertEquals(List.of(messages[9]), out.get(10), "istype number");
    assertEquals(List.of(messages[10]), out.get(11), "istype json");
    assertEquals(List.of(), out.get(12));
  }

  @Test
  void shouldTestTypesAsNodeRedWritesThemBesideRulesOfTheGeneralPath() {
    // Node-RED writes an istype rule's type in v and vt alike; a hask rule beside it takes the
    // path that compiles every operand, where vt "number" is no value type
    String rules =
        "[{\"t\":\"hask\",\"v\":\"a\",\"vt\":\"str\"},"
            + "{\"t\":\"istype\",\"v\":\"number\",\"vt\":\"number\"},"
            + "{\"t\":\"istype\",\"v\":\"boolean\",\"vt\":\"boolean\"},"
            + "{\"t\":\"istype\",\"v\":\"array\",\"vt\":\"array\"},"
            + "{\"t\":\"istype\",\"v\":\"null\",\"vt\":\"null\"}]";
    String[] messages = {
      "{\"payload\":{\"a\":1}}",
      "{\"payload\":5}",
      "{\"payload\":true}",
      "{\"payload\":[1]}",
      "{\"payload\":null}"
    };
    List<List<String>> out = route("{\"rules\":" + rules + "}", 6, messages);

    for (int i = 0; i < messages.length; i++) {
      assertEquals(List.of(messages[i]), out.get(i), "rule " + i);
    }
  }

  @Test
  void shouldSendToOtherwiseRuleOnlyWhenNoEarlierRuleMatched() {
    String rules = "[{\"t\":\"eq\",\"v\":\"a\",\"vt\":\"str\"},{\"t\":\"else\"}]";
    List<List<String>> out =
        route("{\"property\":\"topic\",\"rules\":" + rules + "}", 3, "{\"topic\":\"a\"}", "{}");

    assertEquals(List.of("{\"topic\":\"a\"}"), out.get(0));
    assertEquals(List.of("{}"), out.get(1));
    assertEquals(List.of(), out.get(2));
  }

  @Test
  void shouldCompareWithAnotherMessageProperty() {
    String rules =
        "[{\"t\":\"gt\",\"v\":\"payload.limit\",\"vt\":\"msg\"},"
            + "{\"t\":\"eq\",\"v\":\"payload.limit\",\"vt\":\"msg\"},"
            + "{\"t\":\"btwn\",\"v\":\"0\",\"vt\":\"num\",\"v2\":\"payload.limit\",\"v2t\":\"msg\"},"
            + "{\"t\":\"eq\",\"v\":\"topic\",\"vt\":\"msg\"}]";
    String[] messages = {
      "{\"topic\":\"x\",\"payload\":{\"value\":12,\"limit\":10}}",
      "{\"topic\":\"x\",\"payload\":{\"value\":10.0,\"limit\":10}}",
      "{\"topic\":\"x\",\"payload\":{\"value\":4,\"limit\":10}}",
      "{\"topic\":\"x\",\"payload\":{\"value\":\"x\"}}"
    };
    List<List<String>> out =
        route("{\"property\":\"payload.value\",\"rules\":" + rules + "}", 5, messages);

    assertEquals(List.of(messages[0]), out.get(0), "gt msg");
    assertEquals(List.of(messages[1]), out.get(1), "eq msg, as numbers");
    assertEquals(List.of(messages[1], messages[2]), out.get(2), "between 0 and msg");
    assertEquals(List.of(messages[3]), out.get(3), "eq msg, as JSON");
    assertEquals(List.of(), out.get(4));
  }

  @Test
  void shouldReadArrayElementsAndForwardBinaryPayloadUnchanged() {
    byte[] binary = {1, 2, 3, (byte) 0xFF};
    harness.engine.deploy(
        switchFlow(
            "switch",
            "{\"property\":\"payload.items[1].n\",\"rules\":[{\"t\":\"gt\",\"v\":\"1\","
                + "\"vt\":\"num\"}]}",
            2,
            "{\"binaryBase64\":\"" + Base64.getEncoder().encodeToString(binary) + "\"}"));
    harness.inject("f", "in", "{\"payload\":{\"items\":[{\"n\":1},{\"n\":2}]}}");

    Captured out = harness.awaitCaptured("o0", 1).get(0);
    assertEquals("{\"payload\":{\"items\":[{\"n\":1},{\"n\":2}]}}", out.json());
    assertEquals(List.of((byte) 1, (byte) 2, (byte) 3, (byte) -1), bytes(out.binary()));
  }

  private static List<Byte> bytes(byte[] array) {
    List<Byte> list = new ArrayList<>();
    for (byte b : array) {
      list.add(b);
    }
    return list;
  }

  @Test
  void shouldRefuseUnknownTestsAndBadOperandsNamingTheRule() {
    assertEquals(
        "node 'sw' (switch): rules[1].t: unknown test 'has' (supported: eq, neq, lt, lte, gt,"
            + " gte, btwn, cont, regex, true, false, null, nnull, empty, nempty, istype, else)",
        refused("{\"rules\":[{\"t\":\"true\"},{\"t\":\"has\",\"v\":\"a\"}]}"));
    assertEquals(
        "node 'sw' (switch): rules[0].v: 'abc' is not a number",
        refused("{\"rules\":[{\"t\":\"eq\",\"v\":\"abc\",\"vt\":\"num\"}]}"));
    assertEquals(
        "node 'sw' (switch): rules[0].vt: value type 'bin' is not supported (supported: str, num,"
            + " bool, json, env, msg)",
        refused("{\"rules\":[{\"t\":\"eq\",\"v\":\"x\",\"vt\":\"bin\"}]}"));
    assertEquals(
        "node 'sw' (switch): rules[0].v: invalid regular expression: Unclosed group",
        refused("{\"rules\":[{\"t\":\"regex\",\"v\":\"(a\"}]}"));
    assertEquals(
        "node 'sw' (switch): property: 'payload..x' has an empty segment",
        refused("{\"property\":\"payload..x\",\"rules\":[{\"t\":\"true\"}]}"));
  }

  private String refused(String config) {
    return assertThrows(
            DeployException.class,
            () -> harness.engine.deploy(switchFlow("switch", config, 1, "{}")))
        .getMessage();
  }
}
