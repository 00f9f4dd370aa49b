package dev.z8run.store;

import dev.z8run.store.lmdb.Keys;
import dev.z8run.store.lmdb.LmdbEnvironment;
import dev.z8run.store.lmdb.Table;
import dev.z8run.store.lmdb.Tx;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * The most recent executions of each flow, as opaque JSON records (the engine decides what an
 * execution record holds: timings, capped samples, the error).
 *
 * <p>Each flow keeps its newest {@link #keepPerFlow()} records; recording one more drops the oldest
 * in the same transaction. Deleting a flow deletes its executions.
 *
 * <p>Every {@link #record} is a durable LMDB commit (an fsync): fine for executions that people
 * look at, too slow to call for every message under load; callers that see thousands of executions
 * per second should sample.
 *
 * <p>Threading: thread-safe; writes block until durable.
 */
public final class ExecutionStore {
  /** The largest execution record accepted. */
  public static final int MAX_RECORD_BYTES = 1 << 20;

  private final LmdbEnvironment env;
  private final int keepPerFlow;

  ExecutionStore(LmdbEnvironment env, int keepPerFlow) {
    this.env = env;
    this.keepPerFlow = keepPerFlow;
  }

  /** How many executions are kept per flow. */
  public int keepPerFlow() {
    return keepPerFlow;
  }

  /**
   * Stores an execution of {@code flowId}, then drops that flow's oldest beyond {@link
   * #keepPerFlow()}.
   *
   * @param json the record; copied before this method returns
   * @return its sequence number, or empty if the flow does not exist (it was deleted while it ran)
   * @throws IllegalArgumentException if {@code json} is larger than {@link #MAX_RECORD_BYTES}
   */
  public OptionalLong record(String flowId, byte[] json) {
    byte[] id = Keys.id("flow id", flowId);
    if (json.length > MAX_RECORD_BYTES) {
      throw new IllegalArgumentException(
          "execution record of " + json.length + " bytes exceeds " + MAX_RECORD_BYTES);
    }
    byte[] value = json.clone();
    byte[] prefix = Keys.prefix(id);
    return env.write(
        tx -> {
          if (!tx.contains(Table.FLOWS, id)) {
            return OptionalLong.empty();
          }
          long sequence = lastSequence(tx, prefix) + 1;
          tx.put(Table.EXECUTIONS, Keys.sequence(id, sequence), value);
          tx.trimPrefix(Table.EXECUTIONS, prefix, keepPerFlow);
          return OptionalLong.of(sequence);
        });
  }

  /**
   * Up to {@code limit} of the flow's executions, newest first; empty if {@code ownerId} has no
   * such flow.
   */
  public List<ExecutionRecord> recent(String ownerId, String flowId, int limit) {
    if (limit < 0) {
      throw new IllegalArgumentException("limit=" + limit + " must be >= 0");
    }
    byte[] id = Keys.id("flow id", flowId);
    return env.read(
        tx -> {
          List<ExecutionRecord> records = new ArrayList<>(Math.min(limit, keepPerFlow));
          if (limit == 0 || FlowStore.ownedHeader(tx, flowId, id, ownerId) == null) {
            return records;
          }
          tx.scan(
              Table.EXECUTIONS,
              Keys.prefix(id),
              true,
              (key, value) -> {
                records.add(new ExecutionRecord(Keys.sequenceOf(Tx.copy(key)), Tx.copy(value)));
                return records.size() < limit;
              });
          return records;
        });
  }

  private static long lastSequence(Tx tx, byte[] prefix) {
    long[] last = {0};
    tx.scan(
        Table.EXECUTIONS,
        prefix,
        true,
        (key, value) -> {
          last[0] = Keys.sequenceOf(Tx.copy(key));
          return false;
        });
    return last[0];
  }
}
