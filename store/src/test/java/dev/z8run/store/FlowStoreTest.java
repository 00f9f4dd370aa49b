package dev.z8run.store;

import static dev.z8run.store.TestFlows.flow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.flow.Flow;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FlowStoreTest {
  private static final String ALICE = "alice-id";
  private static final String BOB = "bob-id";

  @TempDir Path dataDir;

  private final TestFlows.ManualClock clock = new TestFlows.ManualClock(1_700_000_000_000L);
  private Store store;
  private FlowStore flows;

  @BeforeEach
  void open() {
    store = Store.open(StoreConfig.builder(dataDir).clock(clock).build());
    flows = store.flows();
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void shouldCreateAFlowAtRevisionOneAndIdle() {
    FlowRecord created = flows.create(ALICE, flow("f1", "First", 2));

    assertEquals("f1", created.id());
    assertEquals(ALICE, created.ownerId());
    assertEquals(1, created.revision());
    assertEquals(FlowStatus.IDLE, created.status());
    assertEquals(clock.millis(), created.createdAtMs());
    assertEquals(created, flows.get(ALICE, "f1").orElseThrow());
  }

  @Test
  void shouldKeepEveryRevisionOfAFlow() {
    flows.create(ALICE, flow("f1", "v1", 1));
    clock.advanceMs(10);
    flows.update(ALICE, flow("f1", "v2", 2));
    clock.advanceMs(10);
    FlowRecord third = flows.update(ALICE, flow("f1", "v3", 3)).orElseThrow();

    assertEquals(3, third.revision());
    assertEquals(clock.millis(), third.updatedAtMs());
    assertEquals(clock.millis() - 20, third.createdAtMs());
    assertEquals(
        List.of(
            new RevisionInfo(1, clock.millis() - 20, 1),
            new RevisionInfo(2, clock.millis() - 10, 2),
            new RevisionInfo(3, clock.millis(), 3)),
        flows.revisions(ALICE, "f1"));
    assertEquals("v1", flows.revision(ALICE, "f1", 1).orElseThrow().name());
    assertEquals("v2", flows.revision(ALICE, "f1", 2).orElseThrow().name());
    assertEquals("v3", flows.get(ALICE, "f1").orElseThrow().flow().name());
    assertTrue(flows.revision(ALICE, "f1", 4).isEmpty());
  }

  @Test
  void shouldRollBackByWritingANewRevisionWithTheOldDocument() {
    Flow original = flow("f1", "original", 1);
    flows.create(ALICE, original);
    flows.update(ALICE, flow("f1", "broken", 5));
    clock.advanceMs(5);

    FlowRecord rolledBack = flows.rollback(ALICE, "f1", 1).orElseThrow();

    assertEquals(3, rolledBack.revision());
    assertEquals(original, rolledBack.flow());
    assertEquals(original, flows.get(ALICE, "f1").orElseThrow().flow());
    assertEquals(3, flows.revisions(ALICE, "f1").size());
    assertEquals(clock.millis(), flows.revisions(ALICE, "f1").get(2).createdAtMs());
    assertEquals("broken", flows.revision(ALICE, "f1", 2).orElseThrow().name());
    assertTrue(flows.rollback(ALICE, "f1", 9).isEmpty());
    assertEquals(3, flows.get(ALICE, "f1").orElseThrow().revision());
  }

  @Test
  void shouldTreatAnotherOwnersFlowAsMissing() {
    flows.create(ALICE, flow("f1", "alice's", 1));

    assertTrue(flows.get(BOB, "f1").isEmpty());
    assertTrue(flows.list(BOB).isEmpty());
    assertTrue(flows.update(BOB, flow("f1", "hijacked", 1)).isEmpty());
    assertTrue(flows.revisions(BOB, "f1").isEmpty());
    assertTrue(flows.revision(BOB, "f1", 1).isEmpty());
    assertTrue(flows.rollback(BOB, "f1", 1).isEmpty());
    assertTrue(flows.setStatus(BOB, "f1", FlowStatus.RUNNING).isEmpty());
    assertFalse(flows.delete(BOB, "f1"));
    FlowRecord untouched = flows.get(ALICE, "f1").orElseThrow();
    assertEquals(1, untouched.revision());
    assertEquals("alice's", untouched.flow().name());
    assertEquals(FlowStatus.IDLE, untouched.status());
  }

  @Test
  void shouldRefuseASecondFlowWithATakenIdWhoeverOwnsIt() {
    flows.create(ALICE, flow("f1", "first", 1));

    FlowExistsException e =
        assertThrows(FlowExistsException.class, () -> flows.create(BOB, flow("f1", "x", 1)));
    assertEquals("f1", e.flowId());
    assertEquals("first", flows.get(ALICE, "f1").orElseThrow().flow().name());
    assertTrue(flows.list(BOB).isEmpty());
  }

  @Test
  void shouldListAnOwnersFlowsMostRecentlyUpdatedFirst() {
    flows.create(ALICE, flow("a", "A", 1));
    clock.advanceMs(1);
    flows.create(ALICE, flow("b", "B", 1));
    clock.advanceMs(1);
    flows.create(ALICE, flow("c", "C", 1));
    flows.create(BOB, flow("d", "D", 1));
    clock.advanceMs(1);
    flows.update(ALICE, flow("a", "A2", 1));

    assertEquals(List.of("a", "c", "b"), flows.list(ALICE).stream().map(FlowRecord::id).toList());
    assertEquals(List.of("d"), flows.list(BOB).stream().map(FlowRecord::id).toList());
  }

  @Test
  void shouldDeleteAFlowWithItsRevisionsAndExecutions() {
    flows.create(ALICE, flow("f1", "v1", 1));
    flows.update(ALICE, flow("f1", "v2", 1));
    store.executions().record("f1", "{}".getBytes());

    assertTrue(flows.delete(ALICE, "f1"));

    assertTrue(flows.get(ALICE, "f1").isEmpty());
    assertTrue(flows.list(ALICE).isEmpty());
    FlowRecord again = flows.create(ALICE, flow("f1", "new", 1));
    assertEquals(1, again.revision());
    assertEquals(1, flows.revisions(ALICE, "f1").size());
    assertTrue(store.executions().recent(ALICE, "f1", 10).isEmpty());
    assertFalse(flows.delete(ALICE, "missing"));
  }

  @Test
  void shouldReportTheRunningFlowsOfEveryOwner() {
    flows.create(ALICE, flow("a", "A", 1));
    flows.create(ALICE, flow("b", "B", 1));
    flows.create(BOB, flow("c", "C", 1));
    flows.setStatus(ALICE, "a", FlowStatus.RUNNING);
    flows.setStatus(BOB, "c", FlowStatus.RUNNING);
    flows.setStatus(ALICE, "b", FlowStatus.RUNNING);
    flows.setStatus(ALICE, "b", FlowStatus.IDLE);

    List<FlowRecord> running = flows.runningFlows();

    assertEquals(List.of("a", "c"), running.stream().map(FlowRecord::id).sorted().toList());
    assertTrue(running.stream().allMatch(r -> r.status() == FlowStatus.RUNNING));
  }

  @Test
  void shouldNotMakeARevisionWhenTheStatusChanges() {
    FlowRecord created = flows.create(ALICE, flow("f1", "v1", 1));
    clock.advanceMs(100);

    FlowRecord running = flows.setStatus(ALICE, "f1", FlowStatus.RUNNING).orElseThrow();

    assertEquals(1, running.revision());
    assertEquals(created.updatedAtMs(), running.updatedAtMs());
    assertEquals(created.flow(), running.flow());
  }

  @Test
  void shouldKeepFlowsRevisionsAndStatusAcrossReopen() {
    flows.create(ALICE, flow("f1", "v1", 1));
    flows.update(ALICE, flow("f1", "v2", 2));
    flows.setStatus(ALICE, "f1", FlowStatus.RUNNING);
    FlowRecord before = flows.get(ALICE, "f1").orElseThrow();
    store.close();

    store = Store.open(StoreConfig.builder(dataDir).clock(clock).build());
    flows = store.flows();

    assertEquals(before, flows.get(ALICE, "f1").orElseThrow());
    assertEquals(2, flows.revisions(ALICE, "f1").size());
    assertEquals(List.of(before), flows.runningFlows());
  }

  @Test
  void shouldSerialiseConcurrentUpdatesIntoConsecutiveRevisions() throws Exception {
    int writers = 8;
    int updatesEach = 25;
    flows.create(ALICE, flow("f1", "start", 1));
    List<Future<?>> futures = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int w = 0; w < writers; w++) {
        int writer = w;
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < updatesEach; i++) {
                    flows.update(ALICE, flow("f1", writer + ":" + i, 1)).orElseThrow();
                  }
                }));
      }
      for (Future<?> future : futures) {
        future.get();
      }
    }

    int last = 1 + writers * updatesEach;
    List<RevisionInfo> history = flows.revisions(ALICE, "f1");
    assertEquals(last, history.size());
    int[] nextUpdateOf = new int[writers];
    for (int n = 1; n <= last; n++) {
      assertEquals(n, history.get(n - 1).revision());
      if (n > 1) {
        String[] name = flows.revision(ALICE, "f1", n).orElseThrow().name().split(":");
        int writer = Integer.parseInt(name[0]);
        assertEquals(
            nextUpdateOf[writer]++, Integer.parseInt(name[1]), "order of writer " + writer);
      }
    }
    assertEquals(last, flows.get(ALICE, "f1").orElseThrow().revision());
  }

  @Test
  void shouldRejectIdsThatCannotBeKeys() {
    assertThrows(IllegalArgumentException.class, () -> flows.create(ALICE, flow("", "x", 1)));
    assertThrows(IllegalArgumentException.class, () -> flows.create(ALICE, flow("a\0b", "x", 1)));
    assertThrows(IllegalArgumentException.class, () -> flows.create("", flow("f", "x", 1)));
    assertThrows(
        IllegalArgumentException.class, () -> flows.create(ALICE, flow("x".repeat(201), "x", 1)));
    assertTrue(flows.list(ALICE).isEmpty());
  }
}
