package dev.z8run.core.runtime;

import static dev.z8run.core.runtime.TestNodes.chain;
import static dev.z8run.core.runtime.TestNodes.node;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.node.InjectResult;
import dev.z8run.io.message.BodyBlocks;
import dev.z8run.io.message.MessageDescriptor;
import dev.z8run.testkit.Poll;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/** Bodies above {@link MessageDescriptor#BY_REFERENCE_BYTES} travel as block references. */
@ResourceLock(TestNodes.STATE)
class BodyByReferenceTest {
  private static final int FOUR_MIB = 4 * 1024 * 1024;

  private Engine engine;

  @BeforeEach
  void setUp() {
    TestNodes.RECEIVED.clear();
    engine = new Engine(EngineConfig.builder().workers(2).build(), TestNodes.registry());
  }

  @AfterEach
  void tearDown() {
    engine.close();
  }

  @Test
  void shouldCarryFourMibMessageThroughFiveNodesIntactAndReleaseItsBlock() {
    engine.deploy(chain("big", 5, "pass", "record"));
    byte[] body = body(FOUR_MIB, 'x');
    for (int i = 0; i < 3; i++) {
      assertEquals(InjectResult.ACCEPTED, engine.inject("big", "in", body));
    }
    Poll.eventually("three 4 MiB messages at the sink")
        .until(
            () -> TestNodes.RECEIVED.getOrDefault("out", new java.util.ArrayDeque<>()).size() == 3);
    for (String received : TestNodes.RECEIVED.get("out")) {
      assertEquals(new String(body, StandardCharsets.UTF_8), received);
    }
    BodyBlocks blocks = engine.bodyBlocks();
    Poll.eventually("every block released").until(() -> blocks.liveBlocks() == 0);
  }

  @Test
  void shouldShareOneBlockAcrossFanOutAndReleaseItOnceEveryCopyIsConsumed() {
    List<FlowNode> nodes = new ArrayList<>();
    List<Wire> wires = new ArrayList<>();
    nodes.add(node("in", "trigger"));
    for (int b = 1; b <= 4; b++) {
      nodes.add(node("b" + b, "pass"));
      nodes.add(node("out" + b, "record"));
      wires.add(new Wire("in", 0, "b" + b, 0));
      wires.add(new Wire("b" + b, 0, "out" + b, 0));
    }
    engine.deploy(new Flow("fan", "fan", "", nodes, wires));
    byte[] body = body(MessageDescriptor.BY_REFERENCE_BYTES * 4, 'y');
    assertEquals(InjectResult.ACCEPTED, engine.inject("fan", "in", body));
    Poll.eventually("four copies")
        .until(
            () ->
                TestNodes.RECEIVED.keySet().stream()
                        .filter(k -> k.startsWith("out"))
                        .mapToInt(k -> TestNodes.RECEIVED.get(k).size())
                        .sum()
                    == 4);
    TestNodes.RECEIVED.forEach(
        (id, queue) -> assertEquals(new String(body, StandardCharsets.UTF_8), queue.peek(), id));
    Poll.eventually("the shared block released").until(() -> engine.bodyBlocks().liveBlocks() == 0);
  }

  @Test
  void shouldReleaseTheBlocksOfMessagesAbandonedWhenTheFlowStops() {
    List<FlowNode> nodes = new ArrayList<>();
    nodes.add(node("in", "trigger"));
    nodes.add(node("slow", "slow", java.util.Map.of("spinNs", 50_000_000L)));
    nodes.add(node("out", "sink"));
    engine.deploy(
        new Flow(
            "stuck",
            "stuck",
            "",
            nodes,
            List.of(new Wire("in", 0, "slow", 0), new Wire("slow", 0, "out", 0))));
    byte[] body = body(1 << 20, 'z');
    for (int i = 0; i < 6; i++) {
      assertEquals(InjectResult.ACCEPTED, engine.inject("stuck", "in", body));
    }
    engine.stop("stuck", 0);
    Poll.eventually("abandoned blocks released").until(() -> engine.bodyBlocks().liveBlocks() == 0);
  }

  /** {"payload":"xxxx..."} of {@code length} bytes. */
  static byte[] body(int length, char fill) {
    byte[] body = new byte[length];
    java.util.Arrays.fill(body, (byte) fill);
    byte[] head = "{\"payload\":\"".getBytes(StandardCharsets.UTF_8);
    System.arraycopy(head, 0, body, 0, head.length);
    body[length - 2] = '"';
    body[length - 1] = '}';
    return body;
  }
}
