package dev.z8run.nodes.function;

import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.Wire;
import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.FlowHarness.Captured;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** A function node in a loop, as Node-RED runs it: a counter that sends the message round. */
class FunctionLoopTest {
  @Test
  void shouldCountRoundALoopUntilTheLimitThenLeaveIt() {
    try (FlowHarness harness = new FlowHarness()) {
      String func =
          "msg.count = (msg.count || 0) + 1;\n"
              + "return msg.count < 1000 ? [null, msg] : [msg, null];";
      // src -> fn; fn output 2 -> junction -> fn (the loop); fn output 1 -> out
      harness.engine.deploy(
          new Flow(
              "loop",
              "loop",
              "",
              List.of(
                  node("src", "source"),
                  node("fn", "function", FunctionNodeTest.config(func, "outputs", 2)),
                  node("j", "junction"),
                  node("out", "capture")),
              List.of(
                  new Wire("src", 0, "fn", 0),
                  new Wire("fn", 1, "j", 0),
                  new Wire("j", 0, "fn", 0),
                  new Wire("fn", 0, "out", 0))));
      int messages = 10;
      for (int i = 0; i < messages; i++) {
        harness.inject("loop", "src", "{\"payload\":" + i + "}");
      }
      List<Captured> captured = harness.awaitCaptured("out", messages);
      Set<Object> seen = captured.stream().map(Captured::parsed).collect(Collectors.toSet());
      Set<Object> expected =
          IntStream.range(0, messages)
              .mapToObj(i -> (Object) Map.of("payload", (long) i, "count", 1000L))
              .collect(Collectors.toSet());
      assertEquals(expected, seen);
      FlowHarness.await(
          "every execution complete", () -> harness.engine.metrics("loop").live() == 0);
      assertEquals(messages, harness.engine.metrics("loop").completed());
      assertEquals(0, harness.engine.metrics("loop").failed());
      assertEquals(messages * 1000L, harness.engine.metrics("loop").node("fn").messagesIn());
      assertEquals(List.of(), harness.errors("fn"));
    }
  }
}
