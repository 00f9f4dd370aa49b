package dev.z8run.nodes.routing;

import static dev.z8run.nodes.FlowHarness.switchFlow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.z8run.nodes.FlowHarness;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The switch node answers as Node-RED's {@code 10-switch.js} (JavaScript's {@code ==}, {@code <},
 * {@code a + ""}) for every rule against values of every JSON type, on both of its paths: the one
 * that reads message properties in place ({@link PropertyTest}) and the general one ({@link
 * SwitchRules}, taken for every rule when one of them is {@code hask}). The expected rows were
 * recorded from Node-RED 4.1.15 itself: a flow of one {@code http in} → switch (the rule and an
 * else) → {@code http response} per rule, POSTed {@code {"v": value}} for each value below, '1'
 * where the rule matched.
 */
class SwitchNodeRedParityTest {
  /** The values of {@code msg.payload.v}, in the order of each row's characters; null: no v. */
  private static final String[] VALUES = {
    "5",
    "\"5\"",
    "\"\"",
    "null",
    "true",
    "false",
    "[1]",
    "[]",
    "{}",
    "\"abc\"",
    null,
    "[1,2]",
    "\"0x10\"",
    "\" 7 \"",
    "0",
    "1",
    "\"1\"",
    "{\"a\":1}",
    "\"null\"",
    "\"object\""
  };

  /** Rule, then Node-RED's answers for {@link #VALUES}. */
  private static final String[][] NODE_RED = {
    {"{\"t\":\"eq\",\"v\":\"5\",\"vt\":\"num\"}", "11000000000000000000"},
    {"{\"t\":\"eq\",\"v\":\"5\",\"vt\":\"str\"}", "11000000000000000000"},
    {"{\"t\":\"eq\",\"v\":\"\",\"vt\":\"str\"}", "00100101000000100000"},
    {"{\"t\":\"eq\",\"v\":\"true\",\"vt\":\"bool\"}", "00001010000000011000"},
    {"{\"t\":\"neq\",\"v\":\"5\",\"vt\":\"num\"}", "00111111111111111111"},
    {"{\"t\":\"lt\",\"v\":\"10\",\"vt\":\"num\"}", "11111111000001111000"},
    {"{\"t\":\"lt\",\"v\":\"10\",\"vt\":\"str\"}", "10111111000111111000"},
    {"{\"t\":\"lte\",\"v\":\"0\",\"vt\":\"num\"}", "00110101000000100000"},
    {"{\"t\":\"gt\",\"v\":\"0\",\"vt\":\"num\"}", "11001010000011011000"},
    {"{\"t\":\"gte\",\"v\":\"1\",\"vt\":\"num\"}", "11001010000011011000"},
    {"{\"t\":\"gt\",\"v\":\"abc\",\"vt\":\"str\"}", "00000000000000000011"},
    {
      "{\"t\":\"btwn\",\"v\":\"3\",\"vt\":\"num\",\"v2\":\"7\",\"v2t\":\"num\"}",
      "11000000000001000000"
    },
    {
      "{\"t\":\"btwn\",\"v\":\"0\",\"vt\":\"num\",\"v2\":\"1\",\"v2t\":\"num\"}",
      "00111111000000111000"
    },
    {"{\"t\":\"cont\",\"v\":\"1\",\"vt\":\"str\"}", "00000010000110011000"},
    {"{\"t\":\"cont\",\"v\":\"nu\",\"vt\":\"str\"}", "00010000000000000010"},
    {"{\"t\":\"regex\",\"v\":\"^1\",\"vt\":\"str\",\"case\":false}", "00000010000100011000"},
    {"{\"t\":\"regex\",\"v\":\"object\",\"vt\":\"str\",\"case\":true}", "00000000100000000101"},
    {"{\"t\":\"true\"}", "00001000000000000000"},
    {"{\"t\":\"false\"}", "00000100000000000000"},
    {"{\"t\":\"null\"}", "00010000001000000000"},
    {"{\"t\":\"nnull\"}", "11101111110111111111"},
    {"{\"t\":\"empty\"}", "00100001100000000000"},
    {"{\"t\":\"nempty\"}", "01000010010111001111"},
    {"{\"t\":\"istype\",\"v\":\"number\",\"vt\":\"number\"}", "10000000000000110000"},
    {"{\"t\":\"istype\",\"v\":\"string\",\"vt\":\"string\"}", "01100000010011001011"},
    {"{\"t\":\"istype\",\"v\":\"object\",\"vt\":\"object\"}", "00000000100000000100"},
    {"{\"t\":\"istype\",\"v\":\"array\",\"vt\":\"array\"}", "00000011000100000000"},
    {"{\"t\":\"istype\",\"v\":\"null\",\"vt\":\"null\"}", "00010000000000000000"},
    {"{\"t\":\"istype\",\"v\":\"undefined\",\"vt\":\"undefined\"}", "00000000001000000000"},
    {"{\"t\":\"istype\",\"v\":\"boolean\",\"vt\":\"boolean\"}", "00001100000000000000"},
    {"{\"t\":\"hask\",\"v\":\"a\",\"vt\":\"str\"}", "00000000000000000100"},
  };

  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  @Test
  void shouldMatchAsNodeRedWhenReadingThePropertyInPlace() {
    // hask is a rule of the general path only: every other rule here reads payload.v in place
    assertAnswers(NODE_RED.length - 1, "\"property\":\"payload.v\"");
  }

  @Test
  void shouldMatchAsNodeRedOnTheGeneralPath() {
    // the hask rule takes the whole switch to the general path, which parses each message
    assertAnswers(NODE_RED.length, "\"property\":\"payload.v\"");
  }

  /** One switch, checkall, one port per rule: port i receives the values rule i matches. */
  private void assertAnswers(int rules, String property) {
    StringBuilder config = new StringBuilder("{" + property + ",\"checkall\":true,\"rules\":[");
    for (int r = 0; r < rules; r++) {
      config.append(r > 0 ? "," : "").append(NODE_RED[r][0]);
    }
    config.append("]}");
    harness.engine.deploy(switchFlow("switch", config.toString(), rules + 1, "{}"));
    for (int i = 0; i < VALUES.length; i++) {
      String payload = VALUES[i] == null ? "{}" : "{\"v\":" + VALUES[i] + "}";
      harness.inject("f", "in", "{\"payload\":" + payload + ",\"i\":" + i + "}");
    }
    FlowHarness.await(
        "executions complete", () -> harness.engine.metrics("f").completed() == VALUES.length);
    List<String> differences = new ArrayList<>();
    for (int r = 0; r < rules; r++) {
      char[] answers = "0".repeat(VALUES.length).toCharArray();
      for (FlowHarness.Captured captured : harness.captured("o" + r)) {
        Object index = ((java.util.Map<?, ?>) captured.parsed()).get("i");
        answers[((Number) index).intValue()] = '1';
      }
      String expected = NODE_RED[r][1];
      for (int i = 0; i < VALUES.length; i++) {
        if (answers[i] != expected.charAt(i)) {
          differences.add(
              NODE_RED[r][0]
                  + " v="
                  + (VALUES[i] == null ? "(missing)" : VALUES[i])
                  + ": Node-RED "
                  + (expected.charAt(i) == '1' ? "matches" : "does not match"));
        }
      }
    }
    assertEquals(List.of(), differences, differences.size() + " answers differ from Node-RED's");
  }
}
