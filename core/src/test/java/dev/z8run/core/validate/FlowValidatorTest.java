package dev.z8run.core.validate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.NodeTypeRegistry;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.core.registry.PortType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FlowValidatorTest {
  private final NodeTypeRegistry registry =
      new NodeTypeRegistry()
          .register(
              type("inject")
                  .inputs()
                  .field(ConfigField.optional("payload", FieldType.STRING, "", "what to send"))
                  .build())
          .register(
              type("delay")
                  .field(
                      ConfigField.required("timeoutMs", FieldType.INTEGER, "how long")
                          .between(0, 60_000))
                  .field(ConfigField.choice("unit", "ms", List.of("ms", "s", "m"), "time unit"))
                  .build())
          .register(type("debug").outputs().build())
          .register(type("filter").outputs(PortSpec.any("pass"), PortSpec.any("reject")).build())
          .register(
              type("switch")
                  .outputs(PortSpec.any("default"))
                  .outputCount(
                      config -> ((List<?>) config.getOrDefault("rules", List.of())).size() + 1)
                  .build())
          .register(type("count").outputs(new PortSpec("count", PortType.NUMBER)).build())
          .register(
              type("text")
                  .inputs(new PortSpec("text", PortType.STRING))
                  .outputs(new PortSpec("text", PortType.STRING))
                  .build());
  private final FlowValidator validator = new FlowValidator(registry);

  // ---- a valid flow

  @Test
  void shouldReturnNoProblemsForAValidFlow() {
    Flow flow =
        flow(
            List.of(
                node("a", "inject"),
                node("b", "delay", Map.of("timeoutMs", 500, "unit", "s", "extra", "allowed")),
                node("c", "filter"),
                node("d", "debug"),
                node("e", "count"),
                node("f", "text")),
            List.of(
                new Wire("a", 0, "b", 0),
                new Wire("b", 0, "c", 0),
                new Wire("c", 0, "d", 0),
                new Wire("c", 1, "d", 0),
                new Wire("c", 1, "f", 0),
                new Wire("e", 0, "d", 0)));

    assertEquals(List.of(), validator.validate(flow));
    validator.requireValid(flow);
  }

  // ---- ids and types

  @Test
  void shouldReportAFlowWithoutAnId() {
    Flow flow = new Flow(" ", "x", "", List.of(), List.of());

    assertEquals(
        List.of(
            new Problem(null, "id", Problem.MISSING_FLOW_ID, "the flow has no id; give it one")),
        validator.validate(flow));
  }

  @Test
  void shouldReportANodeWithoutAnIdByItsPosition() {
    Flow flow = flow(List.of(node("a", "debug"), named("", "debug", "Log")), List.of());

    assertEquals(
        List.of(
            new Problem(
                null,
                "id",
                Problem.MISSING_NODE_ID,
                "the node at position 2 (type 'debug', name 'Log') has no id;"
                    + " give every node a unique id")),
        validator.validate(flow));
  }

  @Test
  void shouldReportDuplicateNodeIdOnceForAllNodesSharingIt() {
    Flow flow =
        flow(List.of(node("n1", "debug"), node("n1", "debug"), node("n1", "inject")), List.of());

    assertEquals(
        List.of(
            new Problem(
                "n1",
                "id",
                Problem.DUPLICATE_NODE_ID,
                "three nodes have the id 'n1'; node ids must be unique in a flow")),
        validator.validate(flow));
  }

  @Test
  void shouldReportANodeWithoutAType() {
    Flow flow = flow(List.of(named("a", "", "Thing")), List.of());

    assertEquals(
        List.of(
            new Problem(
                "a",
                "type",
                Problem.MISSING_NODE_TYPE,
                "node 'a' (Thing) has no type; choose a node type from the palette")),
        validator.validate(flow));
  }

  @Test
  void shouldReportUnknownNodeTypeSuggestingCloseNames() {
    Flow flow = flow(List.of(node("a", "dealy")), List.of());

    assertEquals(
        List.of(
            new Problem(
                "a",
                "type",
                Problem.UNKNOWN_NODE_TYPE,
                "node 'a' has type 'dealy', which is not installed; did you mean 'delay'?")),
        validator.validate(flow));
  }

  @Test
  void shouldReportUnknownNodeTypeListingInstalledTypes() {
    Flow flow = flow(List.of(node("a", "mqtt-broker")), List.of());

    assertEquals(
        "node 'a' has type 'mqtt-broker', which is not installed; installed types are 'count',"
            + " 'debug', 'delay', 'filter', 'inject', 'switch', 'text'",
        only(validator.validate(flow), Problem.UNKNOWN_NODE_TYPE).message());
  }

  // ---- wires

  @Test
  void shouldReportWireFromANodeNotInTheFlow() {
    Flow flow = flow(List.of(node("b", "debug")), List.of(new Wire("ghost", 0, "b", 0)));

    assertEquals(
        List.of(
            new Problem(
                "b",
                null,
                Problem.WIRE_UNKNOWN_SOURCE,
                "the wire from node 'ghost' output 0 to node 'b' input 0 starts at a node that is"
                    + " not in the flow; remove the wire or add the node")),
        validator.validate(flow));
  }

  @Test
  void shouldReportWireToANodeNotInTheFlow() {
    Flow flow = flow(List.of(named("a", "inject", "Tick")), List.of(new Wire("a", 0, "ghost", 0)));

    assertEquals(
        List.of(
            new Problem(
                "a",
                null,
                Problem.WIRE_UNKNOWN_TARGET,
                "the wire from node 'a' (Tick) output 0 to node 'ghost' input 0 ends at a node that"
                    + " is not in the flow; remove the wire or add the node")),
        validator.validate(flow));
  }

  @Test
  void shouldReportOutputPortBeyondTheTypesPortsSayingHowManyItHas() {
    Flow flow =
        flow(List.of(node("f", "filter"), node("d", "debug")), List.of(new Wire("f", 2, "d", 0)));

    assertEquals(
        List.of(
            new Problem(
                "f",
                null,
                Problem.WIRE_UNKNOWN_OUTPUT_PORT,
                "the wire from node 'f' output 2 to node 'd' input 0 starts at an output port that"
                    + " does not exist: node type 'filter' has 2 output ports: 0 'pass', 1 'reject';"
                    + " connect one of those")),
        validator.validate(flow));
  }

  @Test
  void shouldCountDynamicOutputPortsFromTheNodesConfig() {
    Flow flow =
        flow(
            List.of(node("s", "switch", Map.of("rules", List.of("a", "b"))), node("d", "debug")),
            List.of(new Wire("s", 2, "d", 0), new Wire("s", 3, "d", 0)));

    Problem problem = only(validator.validate(flow), Problem.WIRE_UNKNOWN_OUTPUT_PORT);
    assertTrue(
        problem
            .message()
            .contains(
                "with this config, node type 'switch' has 3 output ports: 0 'default', 1 'output1',"
                    + " 2 'output2'"),
        problem.message());
  }

  @Test
  void shouldReportInputPortBeyondTheTypesPorts() {
    Flow flow =
        flow(List.of(node("a", "inject"), node("d", "debug")), List.of(new Wire("a", 0, "d", 1)));

    assertEquals(
        List.of(
            new Problem(
                "d",
                null,
                Problem.WIRE_UNKNOWN_INPUT_PORT,
                "the wire from node 'a' output 0 to node 'd' input 1 ends at an input port that does"
                    + " not exist: node type 'debug' has 1 input port: 0 'input'; connect one of"
                    + " those")),
        validator.validate(flow));
  }

  @Test
  void shouldReportWireIntoANodeWithoutInputs() {
    Flow flow =
        flow(List.of(node("a", "inject"), node("b", "inject")), List.of(new Wire("a", 0, "b", 0)));

    assertTrue(
        only(validator.validate(flow), Problem.WIRE_UNKNOWN_INPUT_PORT)
            .message()
            .endsWith("node type 'inject' has no input ports; it cannot receive wires"));
  }

  @Test
  void shouldReportWireJoiningIncompatiblePortTypes() {
    Flow flow =
        flow(
            List.of(node("c", "count"), named("t", "text", "Upper")),
            List.of(new Wire("c", 0, "t", 0)));

    assertEquals(
        List.of(
            new Problem(
                "c",
                null,
                Problem.WIRE_PORT_TYPE_MISMATCH,
                "the wire from node 'c' output 0 to node 't' (Upper) input 0 joins output 'count'"
                    + " of type number to input 'text' of type string; a number port cannot feed a"
                    + " string port, so wire it to an input of type number or any, or convert the"
                    + " value in between")),
        validator.validate(flow));
  }

  @Test
  void shouldReportTheSameWireListedTwice() {
    Flow flow =
        flow(
            List.of(node("a", "inject"), node("d", "debug")),
            List.of(new Wire("a", 0, "d", 0), new Wire("a", 0, "d", 0)));

    assertEquals(
        List.of(
            new Problem(
                "a",
                null,
                Problem.DUPLICATE_WIRE,
                "the wire from node 'a' output 0 to node 'd' input 0 is listed more than once;"
                    + " remove the copy")),
        validator.validate(flow));
  }

  // ---- cycles

  @Test
  void shouldAcceptLoopsAsNodeRedDoes() {
    Flow flow =
        flow(
            List.of(
                node("in", "inject"),
                node("a", "filter"),
                node("b", "filter"),
                node("c", "filter")),
            List.of(
                new Wire("in", 0, "a", 0),
                new Wire("a", 0, "b", 0),
                new Wire("b", 1, "c", 0),
                new Wire("c", 0, "a", 0),
                new Wire("c", 1, "c", 0)));

    assertEquals(List.of(), validator.validate(flow));
  }

  @Test
  void shouldHandleAVeryLongChainAndAVeryLongLoop() {
    int n = 20_000;
    List<FlowNode> nodes = new ArrayList<>();
    List<Wire> wires = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      nodes.add(node("n" + i, "filter"));
      if (i > 0) {
        wires.add(new Wire("n" + (i - 1), 0, "n" + i, 0));
      }
    }
    assertEquals(List.of(), validator.validate(flow(nodes, wires)));

    wires.add(new Wire("n" + (n - 1), 0, "n0", 0));
    assertEquals(List.of(), validator.validate(flow(nodes, wires)));
  }

  // ---- config

  @Test
  void shouldReportRequiredConfigFieldThatIsMissingOrNull() {
    Map<String, Object> nullTimeout = new HashMap<>();
    nullTimeout.put("timeoutMs", null);
    Flow flow =
        flow(
            List.of(
                named("d1", "delay", "Wait"),
                new FlowNode("d2", "delay", "", 0, 0, false, nullTimeout)),
            List.of());

    assertEquals(
        List.of(
            new Problem(
                "d1",
                "timeoutMs",
                Problem.CONFIG_MISSING,
                "node 'd1' (Wait): required field 'timeoutMs' is missing; set it to an integer"),
            new Problem(
                "d2",
                "timeoutMs",
                Problem.CONFIG_MISSING,
                "node 'd2': required field 'timeoutMs' is null; set it to an integer")),
        validator.validate(flow));
  }

  @Test
  void shouldReportConfigFieldOfTheWrongType() {
    FlowNode node = new FlowNode("n3", "delay", "Delay", 0, 0, false, Map.of("timeoutMs", "abc"));

    assertEquals(
        List.of(
            new Problem(
                "n3",
                "timeoutMs",
                Problem.CONFIG_WRONG_TYPE,
                "node 'n3' (Delay): field 'timeoutMs' must be an integer, got string \"abc\"")),
        validator.validate(flow(List.of(node), List.of())));
  }

  @Test
  void shouldReportEnumValueNotAmongTheOptionsListingThem() {
    Flow flow = flow(List.of(node("d", "delay", Map.of("timeoutMs", 1, "unit", "h"))), List.of());

    assertEquals(
        List.of(
            new Problem(
                "d",
                "unit",
                Problem.CONFIG_BAD_OPTION,
                "node 'd': field 'unit' must be one of 'ms', 's', 'm', got \"h\"")),
        validator.validate(flow));
  }

  @Test
  void shouldReportNumbersOutsideTheFieldsBoundsAsTheSchemaDeclaresThem() {
    Flow tooLong = flow(List.of(node("d", "delay", Map.of("timeoutMs", 60_001L))), List.of());
    Flow negative = flow(List.of(node("d", "delay", Map.of("timeoutMs", "-1"))), List.of());
    Flow edge = flow(List.of(node("d", "delay", Map.of("timeoutMs", 60_000L))), List.of());

    assertEquals(
        List.of(
            new Problem(
                "d",
                "timeoutMs",
                Problem.CONFIG_WRONG_TYPE,
                "node 'd': field 'timeoutMs' must be an integer, got string \"-1\"")),
        validator.validate(negative));
    assertEquals(
        List.of(
            new Problem(
                "d",
                "timeoutMs",
                Problem.CONFIG_OUT_OF_RANGE,
                "node 'd': field 'timeoutMs' must be 0 to 60000, got 60001")),
        validator.validate(tooLong));
    assertEquals(List.of(), validator.validate(edge));
  }

  @Test
  void shouldCheckTheBoundsOfANumberWrittenAsAString() {
    NodeTypeRegistry registry =
        new NodeTypeRegistry()
            .register(
                NodeType.builder("join")
                    .field(ConfigField.optional("count", FieldType.ANY, "", "messages").atLeast(0))
                    .factory(context -> (msg, out) -> {})
                    .build());
    FlowValidator anyValidator = new FlowValidator(registry);

    assertEquals(
        "node 'j': field 'count' must be 0 or more, got \"-2\"",
        only(
                anyValidator.validate(
                    flow(List.of(node("j", "join", Map.of("count", "-2"))), List.of())),
                Problem.CONFIG_OUT_OF_RANGE)
            .message());
    assertEquals(
        List.of(),
        anyValidator.validate(flow(List.of(node("j", "join", Map.of("count", ""))), List.of())));
  }

  @Test
  void shouldReportATypeWhoseOneOfFieldsAreAllMissing() {
    NodeTypeRegistry registry =
        new NodeTypeRegistry()
            .register(
                type("fn")
                    .field(ConfigField.optional("func", FieldType.CODE, null, "body"))
                    .field(ConfigField.optional("code", FieldType.CODE, null, "body"))
                    .requireOneOf("func", "code")
                    .build());
    FlowValidator oneOfValidator = new FlowValidator(registry);
    Map<String, Object> nullFunc = new HashMap<>();
    nullFunc.put("func", null);

    assertEquals(
        List.of(
            new Problem(
                "f",
                "func",
                Problem.CONFIG_MISSING,
                "node 'f': needs one of the fields 'func', 'code'; none is set")),
        oneOfValidator.validate(flow(List.of(node("f", "fn", nullFunc)), List.of())));
    assertEquals(
        List.of(),
        oneOfValidator.validate(
            flow(List.of(node("f", "fn", Map.of("code", "return msg;"))), List.of())));
  }

  @Test
  void shouldReportEnumValueThatIsNotAString() {
    Flow flow = flow(List.of(node("d", "delay", Map.of("timeoutMs", 1, "unit", 5L))), List.of());

    assertEquals(
        "node 'd': field 'unit' must be one of 'ms', 's', 'm', got number 5",
        only(validator.validate(flow), Problem.CONFIG_WRONG_TYPE).message());
  }

  static Stream<Arguments> fieldValues() {
    return Stream.of(
        Arguments.of(FieldType.STRING, "x", 1L),
        Arguments.of(FieldType.CODE, "return msg;", Map.of()),
        Arguments.of(FieldType.SECRET, "vault:key", true),
        Arguments.of(FieldType.NUMBER, 1.5, "1.5"),
        Arguments.of(FieldType.NUMBER, new BigInteger("123456789012345678901234567890"), true),
        Arguments.of(FieldType.INTEGER, 7L, 7.5),
        Arguments.of(FieldType.INTEGER, 7.0, new BigDecimal("7.25")),
        Arguments.of(FieldType.INTEGER, new BigDecimal("7.000"), Double.NaN),
        Arguments.of(FieldType.INTEGER, new BigInteger("99999999999999999999"), "7"),
        Arguments.of(FieldType.BOOLEAN, false, "false"),
        Arguments.of(FieldType.OBJECT, Map.of("a", 1L), List.of()),
        Arguments.of(FieldType.ARRAY, List.of(1L), Map.of()),
        Arguments.of(FieldType.ANY, List.of(), null));
  }

  @ParameterizedTest(name = "{0}: accepts {1}, rejects {2}")
  @MethodSource("fieldValues")
  void shouldCheckEveryFieldTypeBySemantics(FieldType type, Object good, Object bad) {
    NodeTypeRegistry types =
        new NodeTypeRegistry()
            .register(type("t").field(ConfigField.optional("f", type, null, "")).build());
    FlowValidator typed = new FlowValidator(types);
    Map<String, Object> goodConfig = new HashMap<>();
    goodConfig.put("f", good);
    Map<String, Object> badConfig = new HashMap<>();
    badConfig.put("f", bad);

    assertEquals(List.of(), typed.validate(flow(List.of(node("a", "t", goodConfig)), List.of())));
    List<Problem> problems = typed.validate(flow(List.of(node("a", "t", badConfig)), List.of()));
    if (bad == null) {
      assertEquals(List.of(), problems, "null counts as absent for an optional field");
    } else {
      assertEquals(Problem.CONFIG_WRONG_TYPE, problems.get(0).code(), problems.toString());
    }
  }

  @Test
  void shouldReportOutputCountThatCannotBeComputedFromConfig() {
    Flow flow = flow(List.of(node("s", "switch", Map.of("rules", "not a list"))), List.of());

    Problem problem = only(validator.validate(flow), Problem.CONFIG_INVALID);
    assertTrue(
        problem
            .message()
            .startsWith("node 's': its output ports cannot be worked out from its config"),
        problem.message());
  }

  // ---- disabled nodes

  @Test
  void shouldCheckDisabledNodesForIdButNotTypeConfigOrWires() {
    Flow flow =
        flow(
            List.of(
                node("a", "inject"),
                disabled(node("d", "delay", Map.of("timeoutMs", "later"))),
                disabled(node("x", "nope")),
                disabled(node("", "debug"))),
            List.of(new Wire("a", 0, "d", 7), new Wire("d", 9, "a", 0)));

    List<String> codes = validator.validate(flow).stream().map(Problem::code).toList();

    // a disabled node of a type this server lacks is kept (an import keeps what it cannot run)
    assertEquals(List.of(Problem.MISSING_NODE_ID), codes);
  }

  // ---- everything at once

  @Test
  void shouldReturnEveryProblemAtOnce() {
    Flow flow =
        new Flow(
            "",
            "broken",
            "",
            List.of(
                node("a", "inject"),
                node("", "debug"),
                named("e", "", ""),
                named("g", "delay", ""),
                node("a", "debug"),
                node("b", "dealy"),
                node("c", "delay", Map.of("timeoutMs", 1.5, "unit", "weeks")),
                node("d", "count"),
                node("t", "text"),
                node("f", "filter")),
            List.of(
                new Wire("ghost", 0, "c", 0),
                new Wire("c", 0, "phantom", 0),
                new Wire("c", 4, "t", 0),
                new Wire("d", 0, "t", 0),
                new Wire("d", 0, "t", 0),
                new Wire("c", 0, "a", 3),
                new Wire("f", 0, "f", 0)));

    List<String> codes = validator.validate(flow).stream().map(Problem::code).toList();

    assertEquals(
        List.of(
            Problem.MISSING_FLOW_ID,
            Problem.DUPLICATE_NODE_ID,
            Problem.MISSING_NODE_ID,
            Problem.MISSING_NODE_TYPE,
            Problem.CONFIG_MISSING,
            Problem.UNKNOWN_NODE_TYPE,
            Problem.CONFIG_WRONG_TYPE,
            Problem.CONFIG_BAD_OPTION,
            Problem.WIRE_UNKNOWN_SOURCE,
            Problem.WIRE_UNKNOWN_TARGET,
            Problem.WIRE_UNKNOWN_OUTPUT_PORT,
            Problem.WIRE_PORT_TYPE_MISMATCH,
            Problem.DUPLICATE_WIRE,
            Problem.WIRE_UNKNOWN_INPUT_PORT),
        codes);
  }

  @Test
  void shouldThrowValidationExceptionCarryingEveryProblem() {
    Flow flow = flow(List.of(node("a", "nope"), node("b", "nope")), List.of());

    FlowValidator.ValidationException e =
        assertThrows(FlowValidator.ValidationException.class, () -> validator.requireValid(flow));

    assertEquals(validator.validate(flow), e.problems());
    assertEquals(
        e.problems().get(0).message() + "\n" + e.problems().get(1).message(), e.getMessage());
  }

  // ---- helpers

  private static NodeType.Builder type(String name) {
    return NodeType.builder(name).factory(ctx -> (msg, out) -> {});
  }

  private static Flow flow(List<FlowNode> nodes, List<Wire> wires) {
    return new Flow("f1", "test", "", nodes, wires);
  }

  private static FlowNode node(String id, String type) {
    return node(id, type, Map.of());
  }

  private static FlowNode node(String id, String type, Map<String, Object> config) {
    Map<String, Object> withDefaults = new HashMap<>(config);
    if (type.equals("delay")) {
      withDefaults.putIfAbsent("timeoutMs", 10L);
    }
    return new FlowNode(id, type, "", 0, 0, false, withDefaults);
  }

  private static FlowNode named(String id, String type, String name) {
    return new FlowNode(id, type, name, 0, 0, false, Map.of());
  }

  private static FlowNode disabled(FlowNode node) {
    return new FlowNode(node.id(), node.type(), node.name(), 0, 0, true, node.config());
  }

  private static Problem only(List<Problem> problems, String code) {
    List<Problem> matching = problems.stream().filter(p -> p.code().equals(code)).toList();
    assertEquals(1, matching.size(), problems.toString());
    return matching.get(0);
  }

  @Test
  void shouldReportScopeIdsThatAreNotNodesOfTheFlow() {
    Flow flow =
        flow(
            List.of(
                node("a", "debug"), node("c", "catch", Map.of("scope", List.of("a", "ghost", 7)))),
            List.of());

    assertEquals(
        List.of(
            new Problem(
                "c",
                "scope",
                Problem.CONFIG_UNKNOWN_NODE,
                "node 'c': scope names node 'ghost', which is not in flow 'f1'"),
            new Problem(
                "c",
                "scope",
                Problem.CONFIG_UNKNOWN_NODE,
                "node 'c': scope names a non-string id 7, which is not in flow 'f1'")),
        new FlowValidator(
                registry.register(
                    type("catch")
                        .inputs()
                        .field(ConfigField.optional("scope", FieldType.ARRAY, null, "watched"))
                        .nodeRefs("scope")
                        .build()))
            .validate(flow));
  }
}
