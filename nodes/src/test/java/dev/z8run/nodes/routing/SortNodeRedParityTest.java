package dev.z8run.nodes.routing;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The {@code sort} node answers as Node-RED's: the cases of {@code
 * test/nodes/core/sequence/18-sort_spec.js}, with the node's config as Node-RED exports it (the
 * importer keeps sort's field names): its {@code check_sort0} (an array in one message, {@code
 * targetType: msg}) and {@code check_sort1} (a sequence of messages with {@code msg.parts}, {@code
 * targetType: seq}, each sent with the index of its value in the sorted order). Flow: source "in" →
 * [change] → sort "s" → capture "out".
 */
class SortNodeRedParityTest {
  private static final String IN = "[\"200\",\"4\",\"30\",\"1000\"]";
  private static final String IN_KEYED = "[\"C200\",\"A4\",\"B30\",\"D1000\"]";

  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private void deploy(Map<String, Object> config, FlowNode... before) {
    List<FlowNode> nodes = new ArrayList<>();
    nodes.add(node("in", "source"));
    nodes.addAll(List.of(before));
    nodes.add(node("s", "sort", JsonCodec.writeString(config)));
    nodes.add(node("out", "capture"));
    harness.engine.deploy(chain("f", nodes.toArray(FlowNode[]::new)));
  }

  private static Map<String, Object> config(String order, boolean asNum) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("order", order);
    config.put("as_num", asNum);
    return config;
  }

  /** check_sort0: the array in msg[target] comes back sorted. */
  private Object sortInMessage(
      Map<String, Object> config, String target, String key, String keyType, String in) {
    config.put("target", target);
    config.put("targetType", "msg");
    config.put("msgKey", key);
    config.put("msgKeyType", keyType);
    deploy(config);
    harness.inject("f", "in", "{\"" + target + "\":" + in + "}");
    return ((Map<?, ?>) harness.awaitCaptured("out", 1).get(0).parsed()).get(target);
  }

  /**
   * check_sort1: a sequence with msg[prop] each; returns the values by the index each was sent
   * with, every message carrying the sequence's count.
   */
  private List<Object> sortSequence(
      Map<String, Object> config,
      String prop,
      String key,
      String keyType,
      String in,
      FlowNode... before) {
    config.put("targetType", "seq");
    config.put("seqKey", key);
    config.put("seqKeyType", keyType);
    deploy(config, before);
    List<?> values = (List<?>) JsonCodec.parse(in);
    for (int i = 0; i < values.size(); i++) {
      harness.inject(
          "f",
          "in",
          "{\"parts\":{\"id\":\"X\",\"index\":"
              + i
              + ",\"count\":"
              + values.size()
              + "},\""
              + prop
              + "\":"
              + JsonCodec.writeString(values.get(i))
              + "}");
    }
    Object[] sorted = new Object[values.size()];
    for (FlowHarness.Captured captured : harness.awaitCaptured("out", values.size())) {
      Map<?, ?> message = (Map<?, ?>) captured.parsed();
      Map<?, ?> parts = (Map<?, ?>) message.get("parts");
      assertEquals((long) values.size(), parts.get("count"));
      sorted[((Number) parts.get("index")).intValue()] = message.get(prop);
    }
    return List.of(sorted);
  }

  /**
   * 'should sort payload (elem, …)', 'should sort msg prop (elem, …)', 'should sort message
   * group/payload (…)', 'should sort message group/prop (…)' for each order and as_num.
   */
  @ParameterizedTest(name = "{0} as_num={1} {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          ascending  | false | payload elem  | ["1000","200","30","4"]
          ascending  | false | data elem     | ["1000","200","30","4"]
          ascending  | false | payload group | ["1000","200","30","4"]
          ascending  | false | data group    | ["1000","200","30","4"]
          descending | false | payload elem  | ["4","30","200","1000"]
          descending | false | data elem     | ["4","30","200","1000"]
          descending | false | payload group | ["4","30","200","1000"]
          descending | false | data group    | ["4","30","200","1000"]
          ascending  | true  | payload elem  | ["4","30","200","1000"]
          ascending  | true  | data elem     | ["4","30","200","1000"]
          ascending  | true  | payload group | ["4","30","200","1000"]
          ascending  | true  | data group    | ["4","30","200","1000"]
          descending | true  | payload elem  | ["1000","200","30","4"]
          descending | true  | data elem     | ["1000","200","30","4"]
          descending | true  | payload group | ["1000","200","30","4"]
          descending | true  | data group    | ["1000","200","30","4"]
          """)
  void shouldSortByElementOrMessageProperty(String order, boolean asNum, String what, String out) {
    String prop = what.split(" ")[0];
    Object sorted =
        what.endsWith("elem")
            ? sortInMessage(config(order, asNum), prop, "", "elem", IN)
            : sortSequence(config(order, asNum), prop, prop, "msg", IN);
    assertEquals(JsonCodec.parse(out), sorted);
  }

  /** 'should sort payload (exp, not number, ascending)' */
  @Test
  void shouldSortAnArrayByAnExpressionAscending() {
    assertEquals(
        JsonCodec.parse("[\"D1000\",\"C200\",\"B30\",\"A4\"]"),
        sortInMessage(config("ascending", false), "data", "$substring($,1)", "jsonata", IN_KEYED));
  }

  /** 'should sort message group (exp, not number, ascending)' */
  @Test
  void shouldSortAMessageGroupByAnExpressionAscending() {
    assertEquals(
        JsonCodec.parse("[\"D1000\",\"C200\",\"B30\",\"A4\"]"),
        sortSequence(
            config("ascending", false), "payload", "$substring(payload,1)", "jsonata", IN_KEYED));
  }

  /** 'should sort message group (exp, not number, descending)' (an array, despite its name) */
  @Test
  void shouldSortAnArrayByAnExpressionDescending() {
    assertEquals(
        JsonCodec.parse("[\"A4\",\"B30\",\"C200\",\"D1000\"]"),
        sortInMessage(config("descending", false), "data", "$substring($,1)", "jsonata", IN_KEYED));
  }

  /** 'should sort payload (exp, not number, descending)' (a message group, despite its name) */
  @Test
  void shouldSortAMessageGroupByAnExpressionDescending() {
    assertEquals(
        JsonCodec.parse("[\"A4\",\"B30\",\"C200\",\"D1000\"]"),
        sortSequence(
            config("descending", false), "payload", "$substring(payload,1)", "jsonata", IN_KEYED));
  }

  /** 'should sort payload of objects' */
  @Test
  void shouldSortAnArrayOfObjects() {
    assertEquals(
        JsonCodec.parse("[{\"val\":\"4\"},{\"val\":\"30\"},{\"val\":\"200\"},{\"val\":\"1000\"}]"),
        sortInMessage(
            config("ascending", true),
            "data",
            "val",
            "jsonata",
            "[{\"val\":\"200\"},{\"val\":\"4\"},{\"val\":\"30\"},{\"val\":\"1000\"}]"));
  }

  private static FlowNode setContext(String scope, String... keysAndValues) {
    StringBuilder rules = new StringBuilder("{\"rules\":[");
    for (int i = 0; i < keysAndValues.length; i += 2) {
      rules
          .append(i > 0 ? "," : "")
          .append("{\"t\":\"set\",\"p\":\"")
          .append(keysAndValues[i])
          .append("\",\"pt\":\"")
          .append(scope)
          .append("\",\"to\":\"")
          .append(keysAndValues[i + 1])
          .append("\",\"tot\":\"str\"}");
    }
    return node("set", "change", rules.append("]}").toString());
  }

  /** 'should sort payload by context (exp, not number, ascending)' */
  @Test
  void shouldSortAnArrayByFlowContext() {
    Map<String, Object> config = config("ascending", false);
    config.put("target", "data");
    config.put("targetType", "msg");
    config.put("msgKey", "$flowContext($)");
    config.put("msgKeyType", "jsonata");
    deploy(config, setContext("flow", "first", "3", "second", "1", "third", "2", "fourth", "4"));
    harness.inject("f", "in", "{\"data\":[\"first\",\"second\",\"third\",\"fourth\"]}");
    assertEquals(
        List.of("second", "third", "first", "fourth"),
        ((Map<?, ?>) harness.awaitCaptured("out", 1).get(0).parsed()).get("data"));
  }

  /** 'should sort message group by context (exp, not number, ascending)' */
  @Test
  void shouldSortAMessageGroupByGlobalContext() {
    assertEquals(
        List.of("second", "fourth", "third", "first"),
        sortSequence(
            config("ascending", false),
            "payload",
            "$globalContext(payload)",
            "jsonata",
            "[\"first\",\"second\",\"third\",\"fourth\"]",
            setContext("global", "first", "4", "second", "1", "third", "3", "fourth", "2")));
  }
}
