package dev.z8run.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The execution table's slot window: small while few executions are live, grown when needed. */
class ExecutionTableTest {
  private final List<Integer> completed = new ArrayList<>();
  private final ExecutionTable.CompletionHandler handler =
      (slot, id, startNs, failedNode, triggerNode, flags) -> completed.add(slot);

  @Test
  void shouldStayInItsFirstWindowWhileFewExecutionsAreLive() {
    ExecutionTable table = new ExecutionTable(1 << 16, handler);
    assertEquals(1 << 16, table.capacity());
    for (int i = 0; i < 100_000; i++) {
      int slot = table.tryStart(0, 0, i);
      assertTrue(slot >= 0 && slot < ExecutionTable.INITIAL_WINDOW, "slot " + slot);
      assertTrue(table.returnCredit(slot, ExecutionTable.INITIAL_CREDIT));
    }
    assertEquals(ExecutionTable.INITIAL_WINDOW, table.window());
    assertEquals(100_000, completed.size());
  }

  @Test
  void shouldGrowItsWindowUpToTheCapacityAndThenRefuse() {
    ExecutionTable table = new ExecutionTable(4096, handler);
    Set<Integer> live = new HashSet<>();
    Set<Long> ids = new HashSet<>();
    int slot;
    while ((slot = table.tryStart(0, 0, 0)) >= 0) {
      assertTrue(live.add(slot), "slot " + slot + " claimed twice");
      assertTrue(ids.add(table.executionId(slot)));
    }
    // refused once MAX_PROBES slots in a row are live in the whole table (as before the window)
    assertEquals(4096, table.window());
    assertTrue(live.size() > 3 * 4096 / 4, live.size() + " live");
    assertEquals(live.size(), table.liveCount());
    for (int claimed : live) {
      assertTrue(table.returnCredit(claimed, ExecutionTable.INITIAL_CREDIT));
    }
    assertEquals(0, table.liveCount());
    assertNotEquals(-1, table.tryStart(0, 0, 0));
  }

  @Test
  void shouldGrowOnlyAsFarAsTheLiveExecutionsNeed() {
    ExecutionTable table = new ExecutionTable(1 << 16, handler);
    int[] ring = new int[1000];
    for (int i = 0; i < 1000; i++) {
      ring[i] = table.tryStart(0, 0, i);
    }
    // a steady 1,000 in flight, completed in the order they started
    for (int i = 0; i < 50_000; i++) {
      int at = i % 1000;
      assertTrue(table.returnCredit(ring[at], ExecutionTable.INITIAL_CREDIT));
      ring[at] = table.tryStart(0, 0, i);
      assertTrue(ring[at] >= 0);
    }
    assertTrue(table.window() <= 2048, "window " + table.window());
    assertEquals(1000, table.liveCount());
  }
}
