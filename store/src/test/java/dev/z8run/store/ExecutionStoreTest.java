package dev.z8run.store;

import static dev.z8run.store.TestFlows.flow;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecutionStoreTest {
  private static final String ALICE = "alice-id";

  @TempDir Path dataDir;

  private Store store;
  private ExecutionStore executions;

  @BeforeEach
  void open() {
    store = Store.open(StoreConfig.builder(dataDir).executionsPerFlow(5).build());
    executions = store.executions();
    store.flows().create(ALICE, flow("f1", "one", 1));
    store.flows().create(ALICE, flow("f2", "two", 1));
  }

  @AfterEach
  void close() {
    store.close();
  }

  @Test
  void shouldReturnRecentExecutionsNewestFirst() {
    for (int i = 1; i <= 3; i++) {
      assertEquals(OptionalLong.of(i), executions.record("f1", json(i)));
    }

    List<ExecutionRecord> recent = executions.recent(ALICE, "f1", 10);

    assertEquals(List.of(3L, 2L, 1L), recent.stream().map(ExecutionRecord::sequence).toList());
    assertArrayEquals(json(3), recent.get(0).json());
    assertEquals(List.of(3L, 2L), sequences(executions.recent(ALICE, "f1", 2)));
    assertTrue(executions.recent(ALICE, "f1", 0).isEmpty());
  }

  @Test
  void shouldKeepOnlyTheNewestExecutionsOfEachFlow() {
    for (int i = 1; i <= 12; i++) {
      executions.record("f1", json(i));
    }
    executions.record("f2", json(100));

    assertEquals(List.of(12L, 11L, 10L, 9L, 8L), sequences(executions.recent(ALICE, "f1", 100)));
    assertArrayEquals(json(8), executions.recent(ALICE, "f1", 100).get(4).json());
    assertEquals(List.of(1L), sequences(executions.recent(ALICE, "f2", 100)));
  }

  @Test
  void shouldNotRecordAnExecutionOfAMissingFlow() {
    assertTrue(executions.record("gone", json(1)).isEmpty());
  }

  @Test
  void shouldHideExecutionsOfAnotherOwnersFlow() {
    executions.record("f1", json(1));

    assertTrue(executions.recent("bob-id", "f1", 10).isEmpty());
  }

  @Test
  void shouldKeepItsOwnCopyOfTheRecord() {
    byte[] record = json(1);
    executions.record("f1", record);
    record[0] = 'X';

    assertArrayEquals(json(1), executions.recent(ALICE, "f1", 1).get(0).json());
  }

  @Test
  void shouldContinueSequencesAcrossReopen() {
    executions.record("f1", json(1));
    executions.record("f1", json(2));
    store.close();
    store = Store.open(StoreConfig.builder(dataDir).executionsPerFlow(5).build());

    assertEquals(OptionalLong.of(3), store.executions().record("f1", json(3)));
  }

  @Test
  void shouldRejectARecordLargerThanTheLimit() {
    byte[] huge = new byte[ExecutionStore.MAX_RECORD_BYTES + 1];

    assertThrows(IllegalArgumentException.class, () -> executions.record("f1", huge));
  }

  private static byte[] json(int n) {
    return ("{\"n\":" + n + "}").getBytes(UTF_8);
  }

  private static List<Long> sequences(List<ExecutionRecord> records) {
    return records.stream().map(ExecutionRecord::sequence).toList();
  }
}
