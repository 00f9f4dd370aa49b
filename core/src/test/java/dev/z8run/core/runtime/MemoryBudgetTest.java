package dev.z8run.core.runtime;

import static dev.z8run.core.runtime.TestNodes.chain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.flow.Flow;
import dev.z8run.io.message.LazyZeroedMemory;
import org.agrona.concurrent.CachedNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {
  private Engine engine;

  @AfterEach
  void tearDown() {
    if (engine != null) {
      engine.close();
    }
  }

  private Engine start(long budgetBytes) {
    EngineConfig config =
        EngineConfig.builder()
            .workers(1)
            .maxExecutionsPerFlow(1024)
            .memoryBudgetBytes(budgetBytes)
            .manualWorkers(new CachedNanoClock())
            .build();
    engine = new Engine(config, TestNodes.registry());
    return engine;
  }

  private static long bytesOf(Engine engine, Flow flow) {
    return InboxSizing.flowReservedBytes(
        new dev.z8run.core.plan.Planner(engine.registry()).plan(flow, 1, 0), engine.config());
  }

  @Test
  void shouldAccountTheDeployedFlowsAndRefuseOneBeyondTheBudget() {
    Flow small = chain("small", 4, "pass", "sink");
    Flow big = chain("big", 40, "pass", "sink");
    start(0);
    long smallBytes = bytesOf(engine, small);
    long bigBytes = bytesOf(engine, big);
    engine.close();
    start(smallBytes + bigBytes - 1);

    engine.deploy(small);
    assertEquals(smallBytes, engine.reservedBytes());
    MemoryBudgetException refused =
        assertThrows(MemoryBudgetException.class, () -> engine.deploy(big));

    assertEquals("big", refused.flowId());
    assertEquals(bigBytes, refused.neededBytes());
    assertEquals(smallBytes, refused.inUseBytes());
    assertEquals(smallBytes + bigBytes - 1, refused.budgetBytes());
    assertTrue(refused.getMessage().contains("flow 'big' needs"), refused.getMessage());
    assertFalse(engine.isRunning("big"));
    assertTrue(engine.isRunning("small"), "the flows already deployed keep running");
    assertEquals(smallBytes, engine.reservedBytes());

    engine.stop("small", 1000);
    assertEquals(0, engine.reservedBytes());
    engine.deploy(big);
    assertEquals(bigBytes, engine.reservedBytes());
  }

  @Test
  void shouldCountARedeployedFlowOnceNotTwice() {
    Flow flow = chain("f", 10, "pass", "sink");
    start(0);
    long bytes = bytesOf(engine, flow);
    engine.close();
    // room for one copy of the flow, not two: replacing it must not count the old one
    start(bytes + bytes / 2);

    engine.deploy(flow);
    engine.deploy(flow);

    assertEquals(bytes, engine.reservedBytes());
  }

  @Test
  void shouldDefaultToTheDirectMemoryLimit() {
    start(0);

    assertEquals(LazyZeroedMemory.limit(), engine.memoryBudget());
  }

  @Test
  void shouldReserveASmallInboxForTheInteriorOfAChainOnOneWorker() {
    // trigger, ten pass nodes and a sink on one worker
    start(0);

    engine.deploy(chain("f", 10, "pass", "sink"));

    assertEquals(
        ExecutionTable.reservedBytes(1024)
            + InboxSizing.ringReservedBytes(engine.config().inboxBytes())
            + 11 * InboxSizing.ringReservedBytes(InboxSizing.SMALL_INBOX_BYTES),
        engine.reservedBytes());
  }
}
