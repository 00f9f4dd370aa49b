package dev.z8run.nodes.observe;

import static dev.z8run.core.node.InjectResult.ACCEPTED;
import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.node;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.event.EngineListener;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.runtime.Engine;
import dev.z8run.core.validate.FlowValidator.ValidationException;
import dev.z8run.nodes.BuiltinNodes;
import dev.z8run.nodes.FlowHarness;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DebugNodeTest {
  private record Preview(String nodeId, String preview, long originalLength) {}

  private static Queue<Preview> listen(FlowHarness harness) {
    Queue<Preview> previews = new ConcurrentLinkedQueue<>();
    harness.engine.addListener(
        new EngineListener() {
          @Override
          public void onNodeDebug(
              String flowId, String nodeId, long executionId, String preview, long length) {
            previews.add(new Preview(nodeId, preview, length));
          }
        });
    return previews;
  }

  private static List<Preview> await(Queue<Preview> previews, int count) {
    FlowHarness.await("debug previews", () -> previews.size() >= count);
    return List.copyOf(previews);
  }

  @Test
  void shouldPassOnAThousandPreviewsPerSecondAndCountTheRest() {
    AtomicLong nowNs = new AtomicLong(1_000_000_000L);
    List<Preview> previews = new ArrayList<>();
    AtomicLong skipped = new AtomicLong();
    try (Engine engine =
        new Engine(
            EngineConfig.builder().workers(1).manualWorkers(nowNs::get).build(),
            BuiltinNodes.registry())) {
      engine.addListener(
          new EngineListener() {
            @Override
            public void onNodeDebug(
                String flowId, String nodeId, long executionId, String preview, long length) {
              previews.add(new Preview(nodeId, preview, length));
            }

            @Override
            public void onDebugSkipped(String flowId, String nodeId, long count) {
              skipped.addAndGet(count);
            }
          });
      engine.deploy(chain("d", node("in", "inject"), node("dbg", "debug")));
      int sent = 3000;
      for (int i = 0; i < sent; i++) {
        assertEquals(
            ACCEPTED, engine.inject("d", "in", ("{\"payload\":" + i + "}").getBytes(UTF_8)));
      }
      runUntilQuiet(engine);
      assertEquals(1000, previews.size(), "one window passes 1000");
      assertEquals(0, skipped.get(), "the count is reported when the next window opens");

      nowNs.addAndGet(1_000_000_000L);
      engine.inject("d", "in", "{\"payload\":\"last\"}".getBytes(UTF_8));
      runUntilQuiet(engine);

      assertEquals(1001, previews.size());
      assertEquals(sent - 1000, skipped.get(), "the rest were counted");
    }
  }

  /** Runs the manual engine's workers and delivers its events until nothing moves. */
  private static void runUntilQuiet(Engine engine) {
    while (engine.doWork() + engine.pollEvents() > 0) {
      // one more round: a hop can wake the next node
    }
  }

  @Test
  void shouldPreviewThePayloadByDefaultAndTheWholeMessageWhenAsked() {
    try (FlowHarness harness = new FlowHarness()) {
      Queue<Preview> previews = listen(harness);
      harness.engine.deploy(chain("d", node("in", "inject"), node("dbg", "debug")));
      harness.engine.deploy(
          chain("w", node("in", "inject"), node("all", "debug", "{\"complete\":true}")));
      harness.inject("d", "in", "{\"payload\":{\"a\":[1,2]},\"topic\":\"t\"}");
      harness.inject("w", "in", "{\"payload\":1,\"topic\":\"t\"}");
      List<Preview> seen = await(previews, 2);
      assertTrue(seen.contains(new Preview("dbg", "{\"a\":[1,2]}", 11)), seen.toString());
      assertTrue(
          seen.contains(new Preview("all", "{\"payload\":1,\"topic\":\"t\"}", 25)),
          seen.toString());
    }
  }

  @Test
  void shouldPreviewANestedPropertyAndSayUndefinedWhenItIsMissing() {
    try (FlowHarness harness = new FlowHarness()) {
      Queue<Preview> previews = listen(harness);
      harness.engine.deploy(
          chain(
              "d",
              node("in", "inject"),
              node("dbg", "debug", "{\"property\":\"payload.user.name\"}")));
      harness.inject("d", "in", "{\"payload\":{\"user\":{\"name\":\"ada\"}}}");
      harness.inject("d", "in", "{\"payload\":{\"user\":{}}}");
      List<Preview> seen = await(previews, 2);
      assertEquals("\"ada\"", seen.get(0).preview());
      assertEquals("undefined", seen.get(1).preview());
    }
  }

  @Test
  void shouldShowTheResultOfAJsonataExpression() {
    try (FlowHarness harness = new FlowHarness()) {
      Queue<Preview> previews = listen(harness);
      harness.engine.deploy(
          chain(
              "d",
              node("in", "inject"),
              node(
                  "dbg",
                  "debug",
                  "{\"expression\":\"\\\"[\\\" & topic & \\\"] \\\" & payload\"}")));
      harness.inject("d", "in", "{\"payload\":\"Hello\",\"topic\":\"Sample\"}");
      assertEquals("\"[Sample] Hello\"", await(previews, 1).get(0).preview());
    }
  }

  @Test
  void shouldCutLongPreviewsAndReportTheOriginalLength() {
    try (FlowHarness harness = new FlowHarness()) {
      Queue<Preview> previews = listen(harness);
      harness.engine.deploy(
          chain("d", node("in", "inject"), node("dbg", "debug", "{\"maxPreviewBytes\":8}")));
      String text = "x".repeat(100);
      harness.inject("d", "in", "{\"payload\":\"" + text + "\"}");
      Preview preview = await(previews, 1).get(0);
      assertEquals("\"xxxxxxx", preview.preview());
      assertEquals(102, preview.originalLength());
    }
  }

  @Test
  void shouldStayQuietWhenInactiveAndRefuseBadLimits() {
    try (FlowHarness harness = new FlowHarness()) {
      Queue<Preview> previews = listen(harness);
      harness.engine.deploy(
          new Flow(
              "d",
              "d",
              "",
              List.of(
                  node("in", "inject"),
                  node("off", "debug", "{\"active\":false}"),
                  node("on", "debug")),
              List.of(new Wire("in", 0, "off", 0), new Wire("in", 0, "on", 0))));
      harness.inject("d", "in", "{\"payload\":1}");
      harness.inject("d", "in", "{\"payload\":2}");
      List<Preview> seen = await(previews, 2);
      harness.engine.stop("d", 5_000);
      assertTrue(previews.stream().allMatch(p -> p.nodeId().equals("on")), previews.toString());
      assertEquals(2, seen.size());
      ValidationException refused =
          assertThrows(
              ValidationException.class,
              () ->
                  harness.engine.deploy(
                      chain(
                          "bad",
                          node("in", "inject"),
                          node("dbg", "debug", "{\"maxPreviewBytes\":0}"))));
      assertTrue(
          refused.getMessage().contains("field 'maxPreviewBytes' must be 1 to 4096, got 0"),
          refused.getMessage());
    }
  }
}
