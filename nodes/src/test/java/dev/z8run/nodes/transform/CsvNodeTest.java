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
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code csv} node, source "in" -> csv "c" -> capture "out"; the cases and expected values are
 * Node-RED's own ({@code test/nodes/core/parsers/70-CSV_spec.js}).
 */
class CsvNodeTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private void deploy(String config) {
    harness.engine.deploy(
        chain("f", node("in", "source"), node("c", "csv", config), node("out", "capture")));
  }

  private void send(Object payload) {
    harness.inject("f", "in", JsonCodec.writeString(Map.of("payload", payload)));
  }

  private Map<?, ?> message(int index) {
    return (Map<?, ?>) harness.awaitCaptured("out", index + 1).get(index).parsed();
  }

  private List<Object> payloads(int count) {
    List<Object> payloads = new ArrayList<>();
    harness
        .awaitCaptured("out", count)
        .forEach(m -> payloads.add(((Map<?, ?>) m.parsed()).get("payload")));
    return payloads;
  }

  @Test
  void shouldConvertASimpleCsvStringToAnObjectWithParts() {
    deploy("{\"temp\":\"a,b,c,d\"}");

    send("1,2,3,4\n");

    Map<?, ?> msg = message(0);
    assertEquals(json("{\"a\":1,\"b\":2,\"c\":3,\"d\":4}"), msg.get("payload"));
    assertEquals("a,b,c,d", msg.get("columns"));
    Map<?, ?> parts = (Map<?, ?>) msg.get("parts");
    assertEquals(0L, parts.get("index"));
    assertEquals(1L, parts.get("count"));
  }

  @Test
  void shouldCreateColumnNamesWhenNoTemplateIsGiven() {
    deploy("{\"sep\":\"|\"}");

    send("1|2|3|4\n");

    assertEquals(json("{\"col1\":1,\"col2\":2,\"col3\":3,\"col4\":4}"), payloads(1).get(0));
  }

  @Test
  void shouldLeaveNumbersStartingWithZeroPlusOrEAsStrings() {
    deploy("{\"temp\":\"a,b,c,d,e,f,g\"}");

    send("123,0123,+123,e123,E123,-123\n");

    assertEquals(
        json("{\"a\":123,\"b\":\"0123\",\"c\":\"+123\",\"d\":\"e123\",\"e\":\"E123\",\"f\":-123}"),
        payloads(1).get(0));
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS) // Node-RED's pattern: about 40 minutes of a worker
  void shouldDecideALongCellOfDigitsInOnePass() {
    deploy("{\"temp\":\"a,b\"}");
    String digits = "1".repeat(10_000);

    send(digits + "x," + digits.substring(0, 300) + "\n");

    Map<?, ?> row = (Map<?, ?>) payloads(1).get(0);
    assertEquals(digits + "x", row.get("a"));
    assertEquals(
        Double.parseDouble(digits.substring(0, 300)), ((Number) row.get("b")).doubleValue());
  }

  /**
   * The pattern's language is Node-RED's: the same answer for every short string of its alphabet.
   */
  @Test
  void shouldReadAsNumbersExactlyWhatNodeRedsPatternReadsAsNumbers() {
    Pattern nodeRed =
        Pattern.compile("^-?(?!E)(?!0\\d)\\d*\\.?\\d*(E-?\\+?)?\\d+$", Pattern.CASE_INSENSITIVE);
    String alphabet = "0123456789.eE-+x";
    Random random = new Random(16);
    int numbers = 0;
    for (int i = 0; i < 200_000; i++) {
      StringBuilder cell = new StringBuilder();
      for (int k = 1 + random.nextInt(8); k > 0; k--) {
        cell.append(alphabet.charAt(random.nextInt(alphabet.length())));
      }
      boolean expected = nodeRed.matcher(cell).matches();
      assertEquals(expected, CsvNode.NUMBER.matcher(cell).matches(), cell.toString());
      numbers += expected ? 1 : 0;
    }
    assertTrue(numbers > 10_000, "cells that read as numbers: " + numbers);
  }

  @Test
  void shouldUnquoteValuesAndDropBlankStrings() {
    deploy("{\"temp\":\"a,b,c,d,e,f,g,h\"}");

    send("\"1\",\"-2\",\"+3\",\"04\",\"\",\"-05\",\"ab\"\"cd\",\"with,a,comma\"\n");

    assertEquals(
        json(
            "{\"a\":1,\"b\":-2,\"c\":\"+3\",\"d\":\"04\",\"f\":\"-05\",\"g\":\"ab\\\"cd\","
                + "\"h\":\"with,a,comma\"}"),
        payloads(1).get(0));
  }

  @Test
  void shouldKeepMissingValuesAsNullWhenAsked() {
    deploy("{\"temp\":\"a,b,c,d,e,f,g\",\"include_null_values\":true}");

    send("\"1\",,\"+3\",,\"-05\",\"ab\"\"cd\",\"with,a,comma\"\n");

    assertEquals(
        json(
            "{\"a\":1,\"b\":null,\"c\":\"+3\",\"d\":null,\"e\":\"-05\",\"f\":\"ab\\\"cd\","
                + "\"g\":\"with,a,comma\"}"),
        payloads(1).get(0));
  }

  @Test
  void shouldSkipLinesAndUseTheFirstLineAsTheTemplate() {
    deploy("{\"skip\":2,\"hdrin\":true}");

    send("x\ny\nw,x,y,z\n9,0,A,B\n");

    assertEquals(json("{\"w\":9,\"x\":0,\"y\":\"A\",\"z\":\"B\"}"), payloads(1).get(0));
  }

  @Test
  void shouldSendAllLinesAsOneArray() {
    deploy("{\"temp\":\"a,b\",\"multi\":\"mult\"}");

    send("1,2\n3,4\n");

    assertEquals(json("[{\"a\":1,\"b\":2},{\"a\":3,\"b\":4}]"), payloads(1).get(0));
  }

  @Test
  void shouldConvertObjectsToCsvQuotingAsNodeRedDoes() {
    deploy("{\"temp\":\"a,b,c,d\"}");

    send(
        json(
            "{\"d\":{\"sub\":\"object\"},\"b\":\"text,with,commas\",\"c\":\"This \\\"is\\\" a banana\",\"a\":{}}"));

    assertEquals(
        "{},\"text,with,commas\",\"This \"\"is\"\" a banana\",\"{\"\"sub\"\":\"\"object\"\"}\"\n",
        payloads(1).get(0));
  }

  @Test
  void shouldWriteTheHeaderOnceUntilReset() {
    deploy("{\"temp\":\"a,b\",\"hdrout\":\"once\"}");

    send(json("{\"a\":1,\"b\":2}"));
    send(json("[{\"a\":3,\"b\":4},[5,6]]"));
    harness.inject("f", "in", "{\"payload\":{\"a\":7},\"reset\":true}");

    assertEquals(List.of("a,b\n1,2\n", "3,4\n5,6\n", "a,b\n7,\n"), payloads(3));
  }

  @Test
  void shouldUseTheFirstObjectsKeysWithoutATemplate() {
    deploy("{\"hdrout\":\"all\"}");

    send(json("[{\"a\\\"a\":\"A1\",\"b'b\":\"B1\"},{\"a\\\"a\":\"A2\",\"b'b\":\"B2\"}]"));

    assertEquals("a\"a,b'b\nA1,B1\nA2,B2\n", payloads(1).get(0));
  }
}
