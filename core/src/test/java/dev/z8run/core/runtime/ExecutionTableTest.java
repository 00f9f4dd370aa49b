package dev.z8run.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicInteger;
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

  /**
   * Shares of one execution returned at once from several threads, with credit added on the way (as
   * a split that runs short does): the execution completes exactly once, on the last return,
   * whichever thread that is, whether it found the others gone (no atomic add) or not.
   */
  @Test
  void shouldCompleteOnceWhenSharesComeBackFromSeveralThreadsAtOnce() throws Exception {
    AtomicInteger completions = new AtomicInteger();
    ExecutionTable table =
        new ExecutionTable(
            64,
            (slot, id, startNs, failedNode, triggerNode, flags) -> completions.incrementAndGet());
    int threads = 4;
    CyclicBarrier start = new CyclicBarrier(threads);
    for (int round = 0; round < 2_000; round++) {
      int slot = table.tryStart(0, 0, round);
      long share = ExecutionTable.INITIAL_CREDIT / threads;
      long[] shares = new long[threads];
      java.util.Arrays.fill(shares, share);
      shares[0] += ExecutionTable.INITIAL_CREDIT - share * threads;
      // one holder runs short and adds credit first, as Emitter.splitForNewChild does
      table.addCredit(slot, ExecutionTable.REPLENISH_CREDIT);
      shares[threads - 1] += ExecutionTable.REPLENISH_CREDIT;
      AtomicInteger completedHere = new AtomicInteger();
      List<Thread> running = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        long credit = shares[t];
        Thread thread =
            Thread.ofPlatform()
                .start(
                    () -> {
                      try {
                        start.await();
                      } catch (Exception interrupted) {
                        throw new IllegalStateException(interrupted);
                      }
                      if (table.returnCredit(slot, credit)) {
                        completedHere.incrementAndGet();
                      }
                    });
        running.add(thread);
      }
      for (Thread thread : running) {
        thread.join();
      }
      assertEquals(1, completedHere.get(), "round " + round);
      assertEquals(round + 1, completions.get(), "round " + round);
      assertEquals(0, table.liveCount(), "round " + round);
    }
  }
}
