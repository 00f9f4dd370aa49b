package dev.z8run.nodes.function;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.node.ContextMeters;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.support.FlowOwners;
import dev.z8run.nodes.support.HeldMemory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What a function node's script keeps in its own variables between messages (a global array, a Map
 * in a global, a closure a timer keeps) counts in its owner's share of the engine's {@link
 * HeldMemory}, measured when the worker has allocated enough since the last measurement ({@link
 * RetainedHeap}). Past the share the call is the node's error, its message dropped, and the script
 * with its state let go: the node refuses every later message until its flow is deployed again.
 * Another owner's function goes on. A 16 MiB budget, 8 MiB for each owner; on a real engine, flow
 * "m" is mallory's, flow "b" bob's, each source "&lt;flow&gt;in" -&gt; function "&lt;flow&gt;fn"
 * -&gt; capture "&lt;flow&gt;out".
 */
class FunctionRetainedMemoryTest {
  private static final long BUDGET = 16L << 20;

  /** Keeps a string of 1 Mi characters more in a global array on every message. */
  private static final String GLOBAL_ARRAY =
      "globalThis.keep = globalThis.keep || []; keep.push('x'.repeat(1 << 20));"
          + " return {payload: keep.length};";

  private FlowHarness harness;
  private final HeldMemory memory = new HeldMemory(BUDGET, 50, owner -> false);

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
    FlowOwners owners = flowId -> flowId.startsWith("m") ? "mallory" : "bob";
    harness.engine.registerService(HeldMemory.class, memory);
    harness.engine.registerService(FlowOwners.class, owners);
    harness.engine.registerService(ContextMeters.class, memory.flowMeters(owners));
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private void deploy(String flowId, String func, String initialize) {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("func", func);
    if (initialize != null) {
      config.put("initialize", initialize);
    }
    harness.engine.deploy(
        chain(
            flowId,
            node(flowId + "in", "source"),
            node(flowId + "fn", "function", JsonCodec.writeString(config)),
            node(flowId + "out", "capture")));
  }

  /** Sends messages to flow {@code flowId} one by one until its function fails; how many passed. */
  private int sendUntilRefused(String flowId, int most) {
    for (int i = 0; i < most; i++) {
      harness.inject(flowId, flowId + "in", "{\"payload\":" + i + "}");
      int sent = i;
      FlowHarness.await(
          "message " + i + " handled",
          () ->
              harness.captured(flowId + "out").size() + harness.errors(flowId + "fn").size()
                  > sent);
      if (!harness.errors(flowId + "fn").isEmpty()) {
        return i;
      }
    }
    return most;
  }

  private static void assertRefusal(String error, String node) {
    assertTrue(
        error.startsWith("function '" + node + "': what its script keeps between messages ("),
        error);
    assertTrue(
        error.contains(
            "would take owner 'mallory' past its share of the heap for held messages and"
                + " context values: "),
        error);
    assertTrue(error.contains(" of 8.0 MiB held by its nodes"), error);
    assertTrue(
        error.endsWith(
            "message dropped, and the script's state with it: the node refuses every message"
                + " until its flow is deployed again"),
        error);
  }

  @Test
  void shouldRefuseAGlobalArrayPastTheOwnersShareWhileAnotherOwnersFunctionRuns() {
    deploy("m", GLOBAL_ARRAY, null);
    deploy("b", "return {payload: 'alive'};", null);

    int passed = sendUntilRefused("m", 40);

    assertTrue(passed >= 4 && passed <= 8, "passed " + passed);
    assertRefusal(harness.errors("mfn").get(0), "mfn");
    assertEquals(0, memory.heldBytes("mallory"), "the dropped script's bytes given back");
    harness.inject("m", "min", "{}");
    assertEquals(
        harness.errors("mfn").get(0),
        harness.awaitErrors("mfn", 2).get(1),
        "every later message is refused");
    harness.inject("b", "bin", "{}");
    assertEquals(
        Map.of("payload", "alive"), harness.awaitCaptured("bout", 1).get(0).parsed(), "bob's");
  }

  @Test
  void shouldRefuseAClosureThatAnIntervalKeepsGrowing() {
    deploy(
        "m",
        "return msg;",
        "var cache = []; setInterval(function () { cache.push('y'.repeat(1 << 20)); }, 1);");

    assertRefusal(harness.awaitErrors("mfn", 1).get(0), "mfn");

    FlowHarness.await("given back", () -> memory.heldBytes("mallory") == 0);
    harness.inject("m", "min", "{}");
    assertEquals(harness.errors("mfn").get(0), harness.awaitErrors("mfn", 2).get(1));
    assertEquals(List.of(), harness.captured("mout"));
  }

  @Test
  void shouldRefuseAMapInAGlobal() {
    deploy(
        "m",
        "globalThis.seen = globalThis.seen || new Map(); seen.set(msg.payload, 'z'.repeat(1 <<"
            + " 20)); return msg;",
        null);

    int passed = sendUntilRefused("m", 40);

    assertTrue(passed >= 4 && passed <= 8, "passed " + passed);
    assertRefusal(harness.errors("mfn").get(0), "mfn");
  }

  @Test
  void shouldCountWhatAScriptKeepsAndGiveItBackWhenItsFlowStops() {
    // 5 Mi characters of garbage a message: every call is measured
    deploy("m", "'g'.repeat(5 << 20).length; " + GLOBAL_ARRAY, null);

    for (int i = 0; i < 3; i++) {
      harness.inject("m", "min", "{}");
      harness.awaitCaptured("mout", i + 1);
    }

    long held = memory.heldBytes("mallory");
    assertTrue(held > 3L << 20 && held < (3L << 20) + 100_000, "held " + held);
    harness.engine.stop("m", 1_000);
    FlowHarness.await("given back at stop", () -> memory.heldBytes("mallory") == 0);
  }

  @Test
  void shouldNeverRefuseAScriptThatAllocatesMuchAndKeepsNothing() {
    deploy(
        "m",
        "var s = 'x'.repeat(3 << 20); var a = []; for (var i = 0; i < 10000; i++) a.push({i: i});"
            + " return {payload: s.length + a.length};",
        null);

    for (int i = 0; i < 40; i++) {
      harness.inject("m", "min", "{}");
      harness.awaitCaptured("mout", i + 1);
    }

    assertEquals(List.of(), harness.errors("mfn"));
    assertTrue(memory.heldBytes("mallory") < 10_000, "held " + memory.heldBytes("mallory"));
  }

  @Test
  void shouldRefuseAScriptThatKeepsMoreReferencesThanItsShareAllows() {
    // 8 MiB share (8,388,600 bytes): at most 524,287 references; an array of 200,000 nulls more
    // on every message is 0.8 MiB on the heap, far from the share, but 200,000 references more
    deploy(
        "m",
        "globalThis.refs = globalThis.refs || []; for (var i = 0; i < 200000; i++) refs.push(null);"
            + " return {payload: refs.length};",
        null);

    int passed = sendUntilRefused("m", 10);

    // the walk follows every slot of the array, its spare capacity too: 400,000 items may be more
    assertTrue(passed == 1 || passed == 2, "passed " + passed);
    String error = harness.errors("mfn").get(0);
    assertEquals(
        "function 'mfn': what its script keeps between messages passes 524287 references"
            + " (objects, properties and array items), the most a script may keep with its"
            + " owner's share of 8.0 MiB (one per 16 bytes); message dropped, and the script's"
            + " state with it: the node refuses every message until its flow is deployed again",
        error);
    assertEquals(0, memory.heldBytes("mallory"), "the dropped script's bytes given back");
  }

  @Test
  void shouldRefuseAStartCodeThatKeepsMoreThanTheShare() {
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("func", "return msg;");
    config.put(
        "initialize",
        "globalThis.big = []; for (var i = 0; i < 9; i++) big.push('s'.repeat(1 << 20));");
    var flow =
        chain(
            "m",
            node("min", "source"),
            node("mfn", "function", JsonCodec.writeString(config)),
            node("mout", "capture"));

    RuntimeException refused =
        org.junit.jupiter.api.Assertions.assertThrows(
            RuntimeException.class, () -> harness.engine.deploy(flow));

    assertTrue(
        refused.getMessage().contains("what its script keeps between messages"),
        refused.getMessage());
    assertEquals(0, memory.heldBytes("mallory"));
  }
}
