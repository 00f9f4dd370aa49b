package dev.z8run.core.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.flow.FlowCodec.FlowFormatException;
import dev.z8run.io.json.JsonCodec;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FlowCodecTest {
  /** A canonical document: every field present, in the order {@link FlowCodec#write} uses. */
  private static final String CANONICAL =
      """
      {"id":"f1","name":"My flow","description":"greets people",
       "nodes":[
        {"id":"n1","type":"inject","name":"","x":100.0,"y":80.0,"disabled":false,
         "config":{"payload":"{}","every":{"value":5,"unit":"s"}}},
        {"id":"n2","type":"function","name":"Grüße 👋","x":-12.5,"y":1.0E10,"disabled":true,
         "config":{"code":"return msg;\\n","rules":[{"t":"eq","v":[1,2.5,null,true]},[]],
                   "big":123456789012345678901234567890,"huge":1E+400,"tiny":-9223372036854775808,
                   "nothing":null,"text":"line\\u2028\\"quoted\\" \\\\ tab\\t ☃"}},
        {"id":"n3","type":"debug","name":"out","x":0.0,"y":0.0,"disabled":false,"config":{}}],
       "wires":[{"from":"n1","fromPort":0,"to":"n2","toPort":0},
                {"from":"n2","fromPort":3,"to":"n3","toPort":1}]}
      """;

  @Test
  void shouldReadEveryFieldOfTheFormat() {
    Flow flow = FlowCodec.read(CANONICAL);

    assertEquals("f1", flow.id());
    assertEquals("My flow", flow.name());
    assertEquals("greets people", flow.description());
    assertEquals(3, flow.nodes().size());
    FlowNode n2 = flow.nodes().get(1);
    assertEquals("function", n2.type());
    assertEquals("Grüße 👋", n2.name());
    assertEquals(-12.5, n2.x());
    assertEquals(1.0e10, n2.y());
    assertTrue(n2.disabled());
    assertEquals(new BigInteger("123456789012345678901234567890"), n2.config().get("big"));
    assertEquals(new BigDecimal("1E+400"), n2.config().get("huge"));
    assertEquals(Long.MIN_VALUE, n2.config().get("tiny"));
    assertTrue(n2.config().containsKey("nothing"));
    assertEquals(
        List.of(Map.of("t", "eq", "v", Arrays.asList(1L, 2.5, null, true)), List.of()),
        n2.config().get("rules"));
    assertEquals(List.of(new Wire("n1", 0, "n2", 0), new Wire("n2", 3, "n3", 1)), flow.wires());
  }

  @Test
  void shouldRoundTripToAnEqualFlow() {
    Flow flow = FlowCodec.read(CANONICAL);

    assertEquals(flow, FlowCodec.read(FlowCodec.write(flow)));
    assertEquals(flow, FlowCodec.fromMap(FlowCodec.toMap(flow)));
  }

  @Test
  void shouldWriteACanonicalDocumentBackWithTheSameMeaningAndOrder() {
    byte[] written = FlowCodec.write(FlowCodec.read(CANONICAL));

    assertEquals(JsonCodec.parse(CANONICAL), JsonCodec.parse(written));
    assertEquals(
        JsonCodec.writeString(JsonCodec.parse(CANONICAL)),
        new String(written, StandardCharsets.UTF_8));
  }

  @Test
  void shouldFillDefaultsForOptionalFields() {
    Flow flow =
        FlowCodec.read(
            """
            {"id":"f","nodes":[{"id":"a","type":"t"},{"id":"b","type":"t","name":null,"config":null}],
             "wires":[{"from":"a","to":"b"}]}""");

    assertEquals(
        new Flow(
            "f",
            "",
            "",
            List.of(
                new FlowNode("a", "t", "", 0, 0, false, Map.of()),
                new FlowNode("b", "t", "", 0, 0, false, Map.of())),
            List.of(new Wire("a", 0, "b", 0))),
        flow);
  }

  @Test
  void shouldReadAFlowWithoutNodesOrWires() {
    assertEquals(
        new Flow("f", "", "", List.of(), List.of()), FlowCodec.read("{\"id\":\"f\"}".getBytes()));
  }

  @Test
  void shouldKeepGroupsConfigNodesAndZ8runEditorState() {
    String document =
        """
        {"id":"f","name":"","description":"","nodes":[{"id":"a","type":"t","name":"","x":0.0,\
        "y":0.0,"disabled":false,"config":{}}],"wires":[],\
        "groups":[{"id":"g","name":"G","nodes":["a"],"style":{"stroke":"#999","label":true}}],\
        "config_nodes":[{"id":"c","type":"mqtt-broker","name":"b","config":{"broker":"h"}}],\
        "canvas_nodes":[{"id":"a","type":"z8node","data":{"icon":"Code","status":"idle"}}],\
        "canvas_edges":[],"viewport":{"x":1,"y":2,"zoom":0.5}}""";
    Flow flow = FlowCodec.read(document);
    assertEquals(
        new FlowGroup("g", "G", List.of("a"), Map.of("stroke", "#999", "label", true)),
        flow.groups().get(0));
    assertEquals("mqtt-broker", flow.configNodes().get(0).type());
    assertEquals(1, flow.canvas().nodes().size());
    assertEquals(0.5, ((Number) flow.viewport().get("zoom")).doubleValue());
    assertEquals(document, new String(FlowCodec.write(flow), StandardCharsets.UTF_8));
    assertEquals(
        FlowCodec.TOP_LEVEL_FIELDS.subList(0, 11).size(), FlowCodec.TOP_LEVEL_FIELDS.size());
    FlowFormatException bad =
        assertThrows(
            FlowFormatException.class,
            () -> FlowCodec.read("{\"id\":\"f\",\"groups\":[{\"id\":\"g\",\"nodes\":[1]}]}"));
    assertEquals("groups[0].nodes[0]: expected a string, got number 1", bad.getMessage());
  }

  @Test
  void shouldIgnoreUnknownFieldsAndNotWriteThemBack() {
    Flow flow =
        FlowCodec.read(
            """
            {"id":"f","colour":{"zoom":2},"nodes":[{"id":"a","type":"t","color":"red"}],
             "wires":[{"from":"a","to":"a","label":"loop"}]}""");

    Map<String, Object> written = FlowCodec.toMap(flow);
    assertEquals(List.of("id", "name", "description", "nodes", "wires"), keys(written));
    Map<?, ?> node = (Map<?, ?>) ((List<?>) written.get("nodes")).get(0);
    assertEquals(List.of("id", "type", "name", "x", "y", "disabled", "config"), keys(node));
  }

  @Test
  void shouldRejectAFlowWithoutAnId() {
    FlowFormatException e =
        assertThrows(FlowFormatException.class, () -> FlowCodec.read("{\"name\":\"x\"}"));

    assertEquals("id: required", e.getMessage());
    assertEquals("id", e.path());
  }

  @Test
  void shouldRejectADocumentThatIsNotAnObject() {
    FlowFormatException e = assertThrows(FlowFormatException.class, () -> FlowCodec.read("[1]"));

    assertEquals("a flow document must be a JSON object, got array", e.getMessage());
  }

  @Test
  void shouldRejectMalformedJsonKeepingTheParsersMessage() {
    FlowFormatException e =
        assertThrows(FlowFormatException.class, () -> FlowCodec.read("{\"id\": }"));

    assertInstanceOf(JsonCodec.JsonException.class, e.getCause());
    assertTrue(e.getMessage().startsWith("malformed JSON at line 1, column 8"), e.getMessage());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"id\":1} | id: expected a string, got number 1",
        "{\"id\":\"f\",\"name\":[]} | name: expected a string, got array",
        "{\"id\":\"f\",\"description\":{}} | description: expected a string, got object",
        "{\"id\":\"f\",\"nodes\":{}} | nodes: expected an array, got object",
        "{\"id\":\"f\",\"wires\":\"none\"} | wires: expected an array, got string \"none\"",
        "{\"id\":\"f\",\"nodes\":[7]} | nodes[0]: expected an object, got number 7",
        "{\"id\":\"f\",\"nodes\":[{\"type\":\"t\"}]} | nodes[0].id: required",
        "{\"id\":\"f\",\"nodes\":[{\"id\":\"a\"}]} | nodes[0].type: required",
        "{\"id\":\"f\",\"nodes\":[{\"id\":\"a\",\"type\":true}]}"
            + " | nodes[0].type: expected a string, got boolean true",
        "{\"id\":\"f\",\"nodes\":[{\"id\":\"a\",\"type\":\"t\"},{\"id\":\"b\",\"type\":\"t\"},"
            + "{\"id\":\"c\",\"type\":\"t\",\"x\":\"abc\"}]}"
            + " | nodes[2].x: expected a number, got string \"abc\"",
        "{\"id\":\"f\",\"nodes\":[{\"id\":\"a\",\"type\":\"t\",\"y\":1e400}]}"
            + " | nodes[0].y: expected a finite number, got number 1E+400",
        "{\"id\":\"f\",\"nodes\":[{\"id\":\"a\",\"type\":\"t\",\"disabled\":\"no\"}]}"
            + " | nodes[0].disabled: expected a boolean, got string \"no\"",
        "{\"id\":\"f\",\"nodes\":[{\"id\":\"a\",\"type\":\"t\",\"config\":[]}]}"
            + " | nodes[0].config: expected an object, got array",
        "{\"id\":\"f\",\"wires\":[[]]} | wires[0]: expected an object, got array",
        "{\"id\":\"f\",\"wires\":[{\"to\":\"b\"}]} | wires[0].from: required",
        "{\"id\":\"f\",\"wires\":[{\"from\":\"a\"}]} | wires[0].to: required",
        "{\"id\":\"f\",\"wires\":[{\"from\":\"a\",\"to\":\"b\",\"fromPort\":-1}]}"
            + " | wires[0].fromPort: expected a non-negative integer, got number -1",
        "{\"id\":\"f\",\"wires\":[{\"from\":\"a\",\"to\":\"b\",\"toPort\":1.5}]}"
            + " | wires[0].toPort: expected a non-negative integer, got number 1.5",
        "{\"id\":\"f\",\"wires\":[{\"from\":\"a\",\"to\":\"b\",\"toPort\":\"0\"}]}"
            + " | wires[0].toPort: expected a non-negative integer, got string \"0\"",
        "{\"id\":\"f\",\"wires\":[{\"from\":\"a\",\"to\":\"b\",\"toPort\":4294967296}]}"
            + " | wires[0].toPort: expected a non-negative integer, got number 4294967296",
      })
  void shouldRejectWrongTypesNamingTheExactPlace(String json, String message) {
    FlowFormatException e = assertThrows(FlowFormatException.class, () -> FlowCodec.read(json));

    assertEquals(message, e.getMessage());
  }

  @Test
  void shouldAcceptIntegralPortNumbersWrittenAsFloats() {
    Flow flow =
        FlowCodec.read("{\"id\":\"f\",\"wires\":[{\"from\":\"a\",\"to\":\"b\",\"toPort\":2.0}]}");

    assertEquals(2, flow.wires().get(0).toPort());
  }

  @Test
  void shouldRejectNonStringKeysInAMapGivenByCode() {
    Map<Object, Object> config = new LinkedHashMap<>();
    config.put(1, "one");
    Map<String, Object> node = new LinkedHashMap<>(Map.of("id", "a", "type", "t"));
    node.put("config", config);
    Map<String, Object> flow = new LinkedHashMap<>(Map.of("id", "f"));
    flow.put("nodes", List.of(node));

    FlowFormatException e = assertThrows(FlowFormatException.class, () -> FlowCodec.fromMap(flow));

    assertEquals("nodes[0].config: object keys must be strings, got 1", e.getMessage());
  }

  private static List<Object> keys(Map<?, ?> map) {
    return List.copyOf(map.keySet());
  }
}
