package dev.z8run.core.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SubflowsTest {
  /**
   * A flow with one subflow "scale" (input -> change -> output 1; the input also straight to output
   * 2) used twice, with different env, and a nested use inside a second subflow.
   */
  private static final String FLOW =
      """
      {"id":"f","name":"subflows",
       "subflows":[
        {"id":"scale","name":"Scale","inputs":1,
         "in":[{"node":"set","port":0}],
         "out":[[{"node":"set","port":0}],[{"node":"scale","port":0}]],
         "env":[{"name":"FACTOR","type":"num","value":"2"},{"name":"LABEL","type":"str","value":"x"}],
         "nodes":[{"id":"set","type":"change","config":{"rules":[
            {"t":"set","p":"topic","pt":"msg","to":"FACTOR","tot":"env"},
            {"t":"set","p":"label","pt":"msg","to":"${LABEL}-${UNKNOWN}","tot":"str"}]}},
           {"id":"fn","type":"function","config":{"func":"return msg;"}}],
         "wires":[]},
        {"id":"outer","name":"Outer","inputs":1,
         "in":[{"node":"inner","port":0}],
         "out":[[{"node":"inner","port":0}]],
         "env":[{"name":"LABEL","type":"str","value":"outer"}],
         "nodes":[{"id":"inner","type":"subflow:scale","config":{}}],
         "wires":[]}],
       "nodes":[
        {"id":"in","type":"inject"},
        {"id":"a","type":"subflow:scale","config":{"env":[{"name":"FACTOR","type":"num","value":"10"}]}},
        {"id":"b","type":"subflow:outer"},
        {"id":"off","type":"subflow:scale","disabled":true},
        {"id":"out","type":"debug"}],
       "wires":[
        {"from":"in","to":"a"},{"from":"a","fromPort":0,"to":"out"},{"from":"a","fromPort":1,"to":"out"},
        {"from":"in","to":"b"},{"from":"b","to":"out"},{"from":"in","to":"off"},{"from":"off","to":"out"}]}
      """;

  private static final Set<String> FUNCTION = Set.of("function");

  @Test
  void shouldKeepAFlowWithoutInstancesAsItIs() {
    Flow flow = FlowCodec.read("{\"id\":\"f\",\"nodes\":[{\"id\":\"a\",\"type\":\"inject\"}]}");
    assertSame(flow, Subflows.expand(flow, FUNCTION::contains));
  }

  @Test
  void shouldReadAndWriteSubflowsUnchanged() {
    Flow flow = FlowCodec.read(FLOW);
    assertEquals(2, flow.subflows().size());
    Subflow scale = flow.subflow("scale");
    assertEquals(1, scale.inputs());
    assertEquals(List.of(new Subflow.PortLink("set", 0)), scale.in());
    assertEquals(new Subflow.PortLink("scale", 0), scale.out().get(1).get(0));
    assertEquals(flow, FlowCodec.read(FlowCodec.write(flow)));
  }

  @Test
  void shouldReplaceEveryInstanceByItsNodesBetweenJunctions() {
    Flow expanded = Subflows.expand(FlowCodec.read(FLOW), FUNCTION::contains);
    Set<String> ids = new HashSet<>();
    for (FlowNode node : expanded.nodes()) {
      assertTrue(ids.add(node.id()), "unique id " + node.id());
      assertTrue(!node.type().startsWith("subflow:"), node.id());
    }
    assertTrue(ids.containsAll(List.of("a/#in", "a/#out0", "a/#out1", "a/set", "a/fn")));
    assertTrue(ids.containsAll(List.of("b/#in", "b/#out0", "b/inner/#in", "b/inner/set")));
    assertTrue(ids.stream().noneMatch(id -> id.startsWith("off")), "disabled instance dropped");
    List<Wire> wires = expanded.wires();
    assertTrue(wires.contains(new Wire("in", 0, "a/#in", 0)));
    assertTrue(wires.contains(new Wire("a/#in", 0, "a/set", 0)));
    assertTrue(wires.contains(new Wire("a/set", 0, "a/#out0", 0)));
    assertTrue(wires.contains(new Wire("a/#in", 0, "a/#out1", 0)), "input straight to output 2");
    assertTrue(wires.contains(new Wire("a/#out1", 0, "out", 0)));
    assertTrue(wires.contains(new Wire("b/#in", 0, "b/inner/#in", 0)));
    assertTrue(wires.contains(new Wire("b/inner/#out0", 0, "b/#out0", 0)));
    assertTrue(
        wires.stream().noneMatch(w -> w.fromNode().equals("off") || w.toNode().equals("off")));
  }

  @Test
  void shouldGiveEachInstanceItsOwnEnv() {
    Flow expanded = Subflows.expand(FlowCodec.read(FLOW), FUNCTION::contains);
    Map<String, Object> a = rule(expanded, "a/set", 0);
    assertEquals("10", a.get("to"), "the instance's FACTOR over the default");
    assertEquals("num", a.get("tot"));
    assertEquals("x-${UNKNOWN}", rule(expanded, "a/set", 1).get("to"), "unknown left alone");
    Map<String, Object> nested = rule(expanded, "b/inner/set", 0);
    assertEquals("2", nested.get("to"), "the inner subflow's own default");
    assertEquals(
        "x-${UNKNOWN}",
        rule(expanded, "b/inner/set", 1).get("to"),
        "the inner subflow's default hides the outer LABEL");
    Map<?, ?> env = (Map<?, ?>) node(expanded, "a/fn").config().get("env");
    assertEquals(10L, env.get("FACTOR"));
    assertEquals("x", env.get("LABEL"));
    assertTrue(!node(expanded, "a/set").config().containsKey("env"), "only types that take env");
  }

  @Test
  void shouldRefuseMissingRecursiveAndBrokenSubflows() {
    Flow missing =
        FlowCodec.read("{\"id\":\"f\",\"nodes\":[{\"id\":\"x\",\"type\":\"subflow:nope\"}]}");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Subflows.expand(missing, t -> false));
    assertEquals(
        "node 'x' is an instance of subflow 'nope', which this flow does not hold", e.getMessage());

    Flow loop =
        FlowCodec.read(
            """
            {"id":"f","nodes":[{"id":"x","type":"subflow:s"}],
             "subflows":[{"id":"s","nodes":[{"id":"y","type":"subflow:s"}]}]}
            """);
    e = assertThrows(IllegalArgumentException.class, () -> Subflows.expand(loop, t -> false));
    assertEquals("node 'x/y': subflow 's' contains itself (s > s)", e.getMessage());

    Flow broken =
        FlowCodec.read(
            """
            {"id":"f","nodes":[{"id":"x","type":"subflow:s"}],
             "subflows":[{"id":"s","in":[{"node":"ghost"}],"nodes":[]}]}
            """);
    e = assertThrows(IllegalArgumentException.class, () -> Subflows.expand(broken, t -> false));
    assertEquals("subflow 's' input links to node 'ghost', which it lacks", e.getMessage());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> rule(Flow flow, String id, int index) {
    return ((List<Map<String, Object>>) node(flow, id).config().get("rules")).get(index);
  }

  private static FlowNode node(Flow flow, String id) {
    return flow.nodes().stream().filter(n -> n.id().equals(id)).findFirst().orElseThrow();
  }
}
