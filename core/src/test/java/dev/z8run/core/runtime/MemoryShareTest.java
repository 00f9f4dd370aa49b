package dev.z8run.core.runtime;

import static dev.z8run.core.runtime.TestNodes.chain;
import static dev.z8run.core.runtime.TestNodes.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.event.EngineListener;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.node.InjectResult;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.NodeTypeRegistry;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * The memory budget per owner: an owner holds at most its share of the budget (rings, tables and
 * the blocks of its bodies in flight), a body block past it is refused (an error on the sending
 * node, back-pressure at a trigger), and a stopped flow gives everything back.
 */
@ResourceLock(TestNodes.STATE)
class MemoryShareTest {
  private static final int MIB = 1024 * 1024;

  /** A body of 600 KiB: a block of the 1 MiB class. */
  private static final int BODY_BYTES = 600 * 1024;

  private Engine engine;
  private final Queue<String> errors = new ConcurrentLinkedQueue<>();

  @AfterEach
  void tearDown() {
    if (engine != null) {
      engine.close();
    }
  }

  /** The test registry and "grow": sends {@code copies} fresh 600 KiB bodies per input. */
  private static NodeTypeRegistry registry() {
    NodeTypeRegistry registry = TestNodes.registry();
    registry.register(
        NodeType.builder("grow")
            .factory(
                ctx -> {
                  int copies = (int) ctx.configLong("copies", 1);
                  byte[] json = body(BODY_BYTES);
                  UnsafeBuffer buffer = new UnsafeBuffer(json);
                  return (msg, out) -> {
                    for (int i = 0; i < copies; i++) {
                      out.send(0, buffer, 0, json.length);
                    }
                  };
                })
            .build());
    return registry;
  }

  private Engine start(long budgetBytes, int sharePercent) {
    engine =
        new Engine(
            EngineConfig.builder()
                .workers(1)
                .maxExecutionsPerFlow(1024)
                .memoryBudgetBytes(budgetBytes)
                .memorySharePercent(sharePercent)
                .manualWorkers(new CachedNanoClock())
                .build(),
            registry());
    engine.addListener(
        new EngineListener() {
          @Override
          public void onNodeError(String flowId, String nodeId, long executionId, String message) {
            errors.add(flowId + "/" + nodeId + ": " + message);
          }
        });
    return engine;
  }

  private static long bytesOf(Flow flow) {
    EngineConfig config = EngineConfig.builder().workers(1).maxExecutionsPerFlow(1024).build();
    return InboxSizing.flowReservedBytes(
        new dev.z8run.core.plan.Planner(registry()).plan(flow, 1, 0), config);
  }

  private static byte[] body(int bytes) {
    byte[] json = new byte[bytes];
    Arrays.fill(json, (byte) 'x');
    json[0] = '"';
    json[bytes - 1] = '"';
    return json;
  }

  private OwnerMemory owner(String owner) {
    return engine.memoryByOwner().stream()
        .filter(o -> owner.equals(o.owner()))
        .findFirst()
        .orElseThrow();
  }

  private void drain() {
    while (engine.doWork() > 0) {
      // until every inbox is empty
    }
    engine.pollEvents();
  }

  @Test
  void shouldLimitAnOwnerToItsShareAndLeaveTheRestToTheOthers() {
    long bytes = bytesOf(chain("x", 3, "pass", "sink"));
    start(4 * bytes, 50);

    engine.deploy(chain("m1", 3, "pass", "sink"), "mallory", false);
    engine.deploy(chain("m2", 3, "pass", "sink"), "mallory", false);
    MemoryBudgetException refused =
        assertThrows(
            MemoryBudgetException.class,
            () -> engine.deploy(chain("m3", 3, "pass", "sink"), "mallory", false));

    assertTrue(refused.shareExceeded());
    assertEquals("mallory", refused.owner());
    assertEquals(2 * bytes, refused.inUseBytes());
    assertEquals(2 * bytes, refused.limitBytes());
    assertTrue(
        refused.getMessage().contains("owner 'mallory' already holds")
            && refused.getMessage().contains("of its share of"),
        refused.getMessage());
    assertFalse(engine.isRunning("m3"));
    // the other half stays for everyone else
    engine.deploy(chain("a1", 3, "pass", "sink"), "alice", false);
    engine.deploy(chain("a2", 3, "pass", "sink"), "alice", false);
    assertEquals(2 * bytes, owner("alice").reservedBytes());
    assertEquals(2 * bytes, owner("mallory").reservedBytes());
    assertEquals(4 * bytes, engine.reservedBytes());
    // the budget still binds: now full, a third owner is refused on the budget, not a share
    MemoryBudgetException full =
        assertThrows(
            MemoryBudgetException.class,
            () -> engine.deploy(chain("b1", 3, "pass", "sink"), "bob", false));
    assertFalse(full.shareExceeded());
    assertFalse(full.getMessage().contains("mallory"), "no other owner is named");
    assertTrue(engine.isRunning("m1") && engine.isRunning("a2"), "nothing running was touched");
  }

  @Test
  void shouldLetAnExemptOwnerUseTheWholeBudget() {
    long bytes = bytesOf(chain("x", 3, "pass", "sink"));
    start(4 * bytes, 25);

    for (int i = 0; i < 4; i++) {
      engine.deploy(chain("admin" + i, 3, "pass", "sink"), "admin", true);
    }

    assertEquals(4 * bytes, owner("admin").reservedBytes());
    assertEquals(4 * bytes, owner("admin").limitBytes());
    assertTrue(owner("admin").exempt());
    assertEquals(bytes, engine.memoryShare());
  }

  @Test
  void shouldCountARedeployInPlaceOfTheOldVersionAndKeepItWhenTheNewOneIsRefused() {
    Flow small = chain("f", 3, "pass", "sink");
    Flow big = chain("f", 30, "pass", "sink");
    long smallBytes = bytesOf(small);
    start(2 * smallBytes, 50);

    engine.deploy(small, "carol", false);
    engine.deploy(small, "carol", false);
    assertEquals(smallBytes, owner("carol").reservedBytes());
    assertThrows(MemoryBudgetException.class, () -> engine.deploy(big, "carol", false));

    assertTrue(engine.isRunning("f"), "the running version keeps running");
    assertEquals(smallBytes, owner("carol").reservedBytes());
    assertEquals(smallBytes, engine.reservedBytes());
  }

  @Test
  void shouldBalanceReservationsOverManyDeployAndStopCycles() {
    long bytes = bytesOf(chain("x", 3, "pass", "sink"));
    // room for one copy: every deploy right after a stop must find the stopped flow's share back
    start(bytes + bytes / 2, 100);

    for (int i = 0; i < 200; i++) {
      engine.deploy(chain("f", 3, "pass", "sink"), "dave", false);
      assertEquals(InjectResult.ACCEPTED, engine.inject("f", "in", body(BODY_BYTES)));
      engine.stop("f", 0); // abandons the message: its block goes back too
    }

    assertEquals(0, owner("dave").reservedBytes());
    assertEquals(0, owner("dave").blockBytes());
    assertEquals(0, engine.reservedBytes());
    assertEquals(0, engine.bodyBlocks().liveBlocks());
  }

  @Test
  void shouldRefuseABodyPastTheShareAsAnErrorOnTheNodeThatSendsIt() {
    Flow flow =
        new Flow(
            "g",
            "g",
            "",
            List.of(
                node("in", "trigger"),
                node("grow", "grow", Map.of("copies", 20)),
                node("out", "sink")),
            List.of(new Wire("in", 0, "grow", 0), new Wire("grow", 0, "out", 0)));
    long bytes = bytesOf(flow);
    // the flow and four 1 MiB blocks fit in the share, the fifth does not
    start(2 * (bytes + 4 * MIB + MIB / 2), 50);
    engine.deploy(flow, "erin", false);

    assertEquals(InjectResult.ACCEPTED, engine.inject("g", "in", "{}".getBytes()));
    drain();

    assertEquals(1, engine.metrics("g").node("grow").errors());
    assertEquals(1, engine.metrics("g").failed());
    assertEquals(1, errors.size(), errors.toString());
    String error = errors.peek();
    assertTrue(
        error.startsWith("g/grow: ") && error.contains("past its share of off-heap memory"), error);
    assertEquals(0, owner("erin").blockBytes(), "every block sent before the refusal was consumed");
    assertEquals(0, engine.bodyBlocks().liveBlocks());
    assertEquals(bytes, owner("erin").reservedBytes());
    // the engine lives on: the next execution runs
    errors.clear();
    assertEquals(InjectResult.ACCEPTED, engine.inject("g", "in", "{}".getBytes()));
    drain();
    assertEquals(1, errors.size());
  }

  @Test
  void shouldBackPressureATriggerWhoseBodyFindsNoRoomAndAcceptItOnceTheBodiesAreConsumed() {
    Flow flow = chain("t", 2, "pass", "sink");
    long bytes = bytesOf(flow);
    // the flow and one 1 MiB block
    start(bytes + MIB + MIB / 2, 100);
    engine.deploy(flow, "frank", false);

    assertEquals(InjectResult.ACCEPTED, engine.inject("t", "in", body(BODY_BYTES)));
    assertEquals(InjectResult.NO_MEMORY, engine.inject("t", "in", body(BODY_BYTES)));
    assertEquals(1, engine.metrics("t").rejected());
    assertEquals(MIB, owner("frank").blockBytes());
    drain();

    assertEquals(0, owner("frank").blockBytes());
    assertEquals(InjectResult.ACCEPTED, engine.inject("t", "in", body(BODY_BYTES)));
    drain();
    assertEquals(2, engine.metrics("t").completed());
  }

  @Test
  void shouldReleaseTheBlocksOfAFailingNodesInputs() {
    Flow flow =
        new Flow(
            "e",
            "e",
            "",
            List.of(node("in", "trigger"), node("boom", "boom"), node("out", "sink")),
            List.of(new Wire("in", 0, "boom", 0), new Wire("boom", 0, "out", 0)));
    start(0, 50);
    engine.deploy(flow, "gina", false);
    byte[] failing = ("{\"fail\":true,\"pad\":\"" + "p".repeat(BODY_BYTES) + "\"}").getBytes();

    for (int i = 0; i < 10; i++) {
      assertEquals(InjectResult.ACCEPTED, engine.inject("e", "in", failing));
    }
    drain();

    assertEquals(10, engine.metrics("e").failed());
    assertEquals(0, owner("gina").blockBytes());
    assertEquals(0, engine.bodyBlocks().liveBlocks());
  }

  @Test
  void shouldCountFlowsDeployedWithoutAnOwnerInTheBudgetOnly() {
    long bytes = bytesOf(chain("x", 3, "pass", "sink"));
    start(2 * bytes, 10);

    engine.deploy(chain("n1", 3, "pass", "sink"));
    engine.deploy(chain("n2", 3, "pass", "sink"));

    OwnerMemory unowned =
        engine.memoryByOwner().stream().filter(o -> o.owner() == null).findFirst().orElseThrow();
    assertNull(unowned.owner());
    assertEquals(2 * bytes, unowned.reservedBytes());
    assertTrue(unowned.exempt());
  }
}
