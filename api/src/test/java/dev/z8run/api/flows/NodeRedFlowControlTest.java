package dev.z8run.api.flows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.event.EngineListener;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.runtime.Engine;
import dev.z8run.core.validate.FlowValidator;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.BuiltinNodes;
import dev.z8run.testkit.Poll;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * Imports a Node-RED export of flow-control nodes (two tabs joined by links, a link call, a delay,
 * a join, catch/status/complete) as the Node-RED editor writes it, and runs it.
 */
class NodeRedFlowControlTest {
  private static List<?> export() throws Exception {
    try (var in = NodeRedFlowControlTest.class.getResourceAsStream("node-red-flow-control.json")) {
      return (List<?>) JsonCodec.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private static FlowNode node(List<Flow> flows, String id) {
    for (Flow flow : flows) {
      for (FlowNode node : flow.nodes()) {
        if (node.id().equals(id)) {
          return node;
        }
      }
    }
    throw new AssertionError("no node " + id);
  }

  @Test
  void shouldMapNodeRedFieldsToOurNodeTypes() throws Exception {
    List<Flow> flows = NodeRedImport.convert(export()).flows();

    assertEquals("inject", node(flows, "inj1").type());
    assertEquals(true, node(flows, "inj1").config().get("once"));
    assertEquals("str", node(flows, "inj1").config().get("payloadType"));
    assertEquals("link-out", node(flows, "lo1").type());
    assertEquals(List.of("li1"), node(flows, "lo1").config().get("links"));
    assertEquals("link-call", node(flows, "call1").type());
    assertEquals("link-in", node(flows, "li1").type());
    assertEquals("delay", node(flows, "delay1").type());
    assertEquals("50", node(flows, "delay1").config().get("timeout"));
    assertEquals("join", node(flows, "join1").type());
    assertEquals(List.of("delay1"), node(flows, "done1").config().get("scope"));
    assertEquals("catch", node(flows, "catch1").type());
    assertEquals(Map.of(), node(flows, "catch1").config(), "scope null: every node");
    FlowValidator validator = new FlowValidator(BuiltinNodes.registry());
    for (Flow flow : flows) {
      assertEquals(List.of(), validator.validate(flow), flow.id());
    }
  }

  @Test
  void shouldReportModesWeDoNotHave() throws Exception {
    List<Object> export =
        List.of(
            Map.of("id", "t", "type", "tab", "label", "x"),
            Map.of("id", "q", "type", "delay", "z", "t", "pauseType", "later", "wires", List.of()),
            // a dynamic link call (msg.target) is imported now: it is not reported
            Map.of(
                "id",
                "d",
                "type",
                "link call",
                "z",
                "t",
                "linkType",
                "dynamic",
                "wires",
                List.of()));

    List<NodeRedImport.Unsupported> unsupported = NodeRedImport.convert(export).unsupported();

    assertEquals(
        List.of("q"), unsupported.stream().map(NodeRedImport.Unsupported::nodeId).toList());
  }

  @Test
  void shouldRunTheImportedFlowsAcrossTabs() throws Exception {
    List<Flow> flows = NodeRedImport.convert(export()).flows();
    Queue<String[]> debug = new ConcurrentLinkedQueue<>();
    try (Engine engine =
        new Engine(EngineConfig.builder().workers(2).build(), BuiltinNodes.registry())) {
      engine.addListener(
          new EngineListener() {
            @Override
            public void onNodeDebug(
                String flowId, String nodeId, long executionId, String preview, long length) {
              debug.add(new String[] {nodeId, preview});
            }
          });
      engine.deploy(flows.get(1));
      engine.deploy(flows.get(0));

      Object delayed = await(debug, "dbgDelay");
      assertEquals(Map.of("payload", "hello", "topic", "greeting", "n", 3L), delayed);
      Map<Object, Object> completed = new java.util.LinkedHashMap<>((Map<?, ?>) delayed);
      completed.put(
          "complete", Map.of("source", Map.of("id", "delay1", "type", "delay", "name", "delay")));
      assertEquals(
          completed, await(debug, "dbgDone"), "complete saw the delayed message, with its source");
      Map<?, ?> called = (Map<?, ?>) await(debug, "dbgCall");
      assertEquals(List.of("hello"), called.get("payload"), "the link call returned the join");
      assertTrue(debug.stream().noneMatch(event -> event[0].equals("dbgCatch")), "no errors");
    }
  }

  /** The first debug output of {@code nodeId}, once there is one (10 s at most). */
  private static Object await(Queue<String[]> debug, String nodeId) {
    String[] first =
        Poll.eventually("debug output from " + nodeId, Duration.ofSeconds(10))
            .until(
                () -> debug.stream().filter(event -> event[0].equals(nodeId)).findFirst(),
                Optional::isPresent)
            .orElseThrow();
    return JsonCodec.parse(first[1]);
  }
}
