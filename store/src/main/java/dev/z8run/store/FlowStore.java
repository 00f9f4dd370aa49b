package dev.z8run.store;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowCodec;
import dev.z8run.store.FlowRecordCodec.Header;
import dev.z8run.store.lmdb.Keys;
import dev.z8run.store.lmdb.LmdbEnvironment;
import dev.z8run.store.lmdb.StorageException;
import dev.z8run.store.lmdb.Table;
import dev.z8run.store.lmdb.Tx;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Flows and their full revision history, each flow owned by one user.
 *
 * <p>Ownership: every method that takes an {@code ownerId} acts only on that owner's flows; a flow
 * of another owner looks exactly like a missing one (empty result, false), so the API can answer
 * 404 for both. Flow ids are unique across owners (hooks and executions address flows by id).
 *
 * <p>History: {@link #create} writes revision 1; {@link #update} and {@link #rollback} each write
 * the next revision; no revision is ever changed or dropped except by {@link #delete}, which
 * removes the flow, its revisions and its executions. Every method is one LMDB transaction, so a
 * reader sees a flow either before or after a change, never half of it.
 *
 * <p>Threading: thread-safe. Writes block until durable (see {@link LmdbEnvironment}); returned
 * records are copies.
 */
public final class FlowStore {
  private static final byte[] EMPTY = new byte[0];

  private final LmdbEnvironment env;
  private final InstantSource clock;

  FlowStore(LmdbEnvironment env, InstantSource clock) {
    this.env = env;
    this.clock = clock;
  }

  /**
   * Stores a new flow as revision 1, status {@link FlowRecord#IDLE}, under {@code flow.id()}.
   *
   * @throws FlowExistsException if any owner has a flow with that id
   * @throws IllegalArgumentException if an id is empty, too long or holds control characters
   */
  public FlowRecord create(String ownerId, Flow flow) {
    byte[] owner = Keys.id("owner id", ownerId);
    byte[] id = Keys.id("flow id", flow.id());
    byte[] document = FlowCodec.write(flow);
    Stored stored =
        env.write(
            tx -> {
              long now = clock.millis();
              Header header = new Header(ownerId, 1, FlowStatus.IDLE, now, now);
              if (!tx.putIfAbsent(Table.FLOWS, id, FlowRecordCodec.encodeHeader(header))) {
                throw new FlowExistsException(flow.id());
              }
              tx.put(Table.FLOW_OWNERS, Keys.pair(owner, id), EMPTY);
              tx.put(Table.REVISIONS, Keys.revision(id, 1), revision(now, flow, document));
              return new Stored(flow.id(), header, null);
            });
    return stored.toRecord(flow);
  }

  /**
   * Writes {@code flow} as the next revision of the flow with id {@code flow.id()}.
   *
   * @return the record at the new revision, or empty if the owner has no such flow
   */
  public Optional<FlowRecord> update(String ownerId, Flow flow) {
    byte[] id = Keys.id("flow id", flow.id());
    byte[] document = FlowCodec.write(flow);
    Optional<Stored> stored =
        env.write(
            tx -> {
              Header current = ownedHeader(tx, flow.id(), id, ownerId);
              if (current == null) {
                return Optional.empty();
              }
              long now = clock.millis();
              Header next = current.withRevision(current.revision() + 1, now);
              tx.put(Table.FLOWS, id, FlowRecordCodec.encodeHeader(next));
              tx.put(
                  Table.REVISIONS,
                  Keys.revision(id, next.revision()),
                  revision(now, flow, document));
              return Optional.of(new Stored(flow.id(), next, null));
            });
    return stored.map(s -> s.toRecord(flow));
  }

  /**
   * Writes {@code record} exactly as given (owner, revision, status, times and document): a flow
   * another cluster member changed, applied in the order of the cluster's state log. Idempotent; a
   * revision already stored is overwritten with the same content.
   */
  public void replicate(FlowRecord record) {
    byte[] owner = Keys.id("owner id", record.ownerId());
    byte[] id = Keys.id("flow id", record.id());
    byte[] document = FlowCodec.write(record.flow());
    env.write(
        tx -> {
          byte[] existing = tx.get(Table.FLOWS, id);
          if (existing != null) {
            Header before = FlowRecordCodec.decodeHeader(record.id(), existing);
            if (!before.ownerId().equals(record.ownerId())) {
              tx.delete(Table.FLOW_OWNERS, Keys.pair(Keys.id("owner id", before.ownerId()), id));
            }
          }
          Header header =
              new Header(
                  record.ownerId(),
                  record.revision(),
                  record.status(),
                  record.createdAtMs(),
                  record.updatedAtMs());
          tx.put(Table.FLOWS, id, FlowRecordCodec.encodeHeader(header));
          tx.put(Table.FLOW_OWNERS, Keys.pair(owner, id), EMPTY);
          tx.put(
              Table.REVISIONS,
              Keys.revision(id, record.revision()),
              revision(record.updatedAtMs(), record.flow(), document));
          return null;
        });
  }

  /** The flow with this id, whoever owns it: what the cluster compares a replicated change with. */
  public Optional<FlowRecord> find(String flowId) {
    byte[] id = Keys.id("flow id", flowId);
    return env.<Optional<Stored>>read(
            tx -> {
              byte[] value = tx.get(Table.FLOWS, id);
              return value == null
                  ? Optional.empty()
                  : Optional.of(load(tx, flowId, id, FlowRecordCodec.decodeHeader(flowId, value)));
            })
        .map(Stored::toRecord);
  }

  /** The flow at its current revision, or empty if the owner has no flow with that id. */
  public Optional<FlowRecord> get(String ownerId, String flowId) {
    byte[] id = Keys.id("flow id", flowId);
    return env.<Optional<Stored>>read(
            tx -> {
              Header header = ownedHeader(tx, flowId, id, ownerId);
              return header == null ? Optional.empty() : Optional.of(load(tx, flowId, id, header));
            })
        .map(Stored::toRecord);
  }

  /**
   * The owner's flows, most recently updated first; flows updated in the same millisecond by id.
   */
  public List<FlowRecord> list(String ownerId) {
    byte[] prefix = Keys.prefix(Keys.id("owner id", ownerId));
    List<Stored> stored =
        env.read(
            tx -> {
              List<Stored> found = new ArrayList<>();
              for (byte[] key : tx.keys(Table.FLOW_OWNERS, prefix)) {
                String flowId = Keys.suffix(key, prefix.length);
                byte[] id = Keys.id("flow id", flowId);
                Header header = ownedHeader(tx, flowId, id, ownerId);
                if (header != null) {
                  found.add(load(tx, flowId, id, header));
                }
              }
              return found;
            });
    return sorted(stored);
  }

  /** Removes the flow, every revision of it and its executions; false if the owner has none. */
  public boolean delete(String ownerId, String flowId) {
    byte[] owner = Keys.id("owner id", ownerId);
    byte[] id = Keys.id("flow id", flowId);
    return env.write(
        tx -> {
          if (ownedHeader(tx, flowId, id, ownerId) == null) {
            return false;
          }
          tx.delete(Table.FLOWS, id);
          tx.delete(Table.FLOW_OWNERS, Keys.pair(owner, id));
          tx.deletePrefix(Table.REVISIONS, Keys.prefix(id));
          tx.deletePrefix(Table.EXECUTIONS, Keys.prefix(id));
          return true;
        });
  }

  /** The flow's history, revision 1 first; empty if the owner has no such flow. */
  public List<RevisionInfo> revisions(String ownerId, String flowId) {
    byte[] id = Keys.id("flow id", flowId);
    return env.read(
        tx -> {
          List<RevisionInfo> history = new ArrayList<>();
          if (ownedHeader(tx, flowId, id, ownerId) != null) {
            tx.scan(
                Table.REVISIONS,
                Keys.prefix(id),
                false,
                (key, value) -> {
                  history.add(FlowRecordCodec.revisionInfo(flowId, key, value));
                  return true;
                });
          }
          return history;
        });
  }

  /** The document of revision {@code n}; empty if the owner has no such flow or revision. */
  public Optional<Flow> revision(String ownerId, String flowId, int n) {
    byte[] id = Keys.id("flow id", flowId);
    Optional<byte[]> bytes =
        env.read(
            tx ->
                ownedHeader(tx, flowId, id, ownerId) == null
                    ? Optional.empty()
                    : Optional.ofNullable(tx.get(Table.REVISIONS, Keys.revision(id, n))));
    return bytes.map(b -> FlowRecordCodec.decodeFlow(flowId, n, b));
  }

  /**
   * Writes a new revision whose document is revision {@code n}'s; history is kept, so a rollback
   * can itself be rolled back.
   *
   * @return the record at the new revision; empty if the owner has no such flow or revision
   */
  public Optional<FlowRecord> rollback(String ownerId, String flowId, int n) {
    byte[] id = Keys.id("flow id", flowId);
    Optional<Stored> stored =
        env.write(
            tx -> {
              Header current = ownedHeader(tx, flowId, id, ownerId);
              byte[] old = current == null ? null : tx.get(Table.REVISIONS, Keys.revision(id, n));
              if (old == null) {
                return Optional.empty();
              }
              long now = clock.millis();
              Header next = current.withRevision(current.revision() + 1, now);
              byte[] restamped = FlowRecordCodec.restamp(old, now);
              tx.put(Table.FLOWS, id, FlowRecordCodec.encodeHeader(next));
              tx.put(Table.REVISIONS, Keys.revision(id, next.revision()), restamped);
              return Optional.of(new Stored(flowId, next, restamped));
            });
    return stored.map(Stored::toRecord);
  }

  /**
   * Records whether the flow should run. Not a revision: the document, revision and {@code
   * updatedAtMs} stay.
   *
   * @return the record with the new status, or empty if the owner has no such flow
   */
  public Optional<FlowRecord> setStatus(String ownerId, String flowId, FlowStatus status) {
    byte[] id = Keys.id("flow id", flowId);
    Optional<Stored> stored =
        env.write(
            tx -> {
              Header current = ownedHeader(tx, flowId, id, ownerId);
              if (current == null) {
                return Optional.empty();
              }
              Header next = current.withStatus(status);
              tx.put(Table.FLOWS, id, FlowRecordCodec.encodeHeader(next));
              return Optional.of(load(tx, flowId, id, next));
            });
    return stored.map(Stored::toRecord);
  }

  /** Every owner's flows whose status is running: what to deploy again after a restart. */
  public List<FlowRecord> runningFlows() {
    List<Stored> stored =
        env.read(
            tx -> {
              List<String> ids = new ArrayList<>();
              List<Header> headers = new ArrayList<>();
              tx.scan(
                  Table.FLOWS,
                  new byte[0],
                  false,
                  (key, value) -> {
                    String flowId = Keys.suffix(Tx.copy(key), 0);
                    Header header = FlowRecordCodec.decodeHeader(flowId, Tx.copy(value));
                    if (header.status() == FlowStatus.RUNNING) {
                      ids.add(flowId);
                      headers.add(header);
                    }
                    return true;
                  });
              List<Stored> found = new ArrayList<>(ids.size());
              for (int i = 0; i < ids.size(); i++) {
                String flowId = ids.get(i);
                found.add(load(tx, flowId, Keys.id("flow id", flowId), headers.get(i)));
              }
              return found;
            });
    return sorted(stored);
  }

  /** The flow's header if it exists and belongs to {@code ownerId}, else null. */
  static Header ownedHeader(Tx tx, String flowId, byte[] id, String ownerId) {
    byte[] bytes = tx.get(Table.FLOWS, id);
    if (bytes == null) {
      return null;
    }
    Header header = FlowRecordCodec.decodeHeader(flowId, bytes);
    return header.ownerId().equals(ownerId) ? header : null;
  }

  private static Stored load(Tx tx, String flowId, byte[] id, Header header) {
    byte[] bytes = tx.get(Table.REVISIONS, Keys.revision(id, header.revision()));
    if (bytes == null) {
      throw new StorageException(
          "flow '" + flowId + "' names revision " + header.revision() + ", which is missing");
    }
    return new Stored(flowId, header, bytes);
  }

  private static byte[] revision(long createdAtMs, Flow flow, byte[] document) {
    return FlowRecordCodec.encodeRevision(createdAtMs, flow.nodes().size(), document);
  }

  private static List<FlowRecord> sorted(List<Stored> stored) {
    List<FlowRecord> records = new ArrayList<>(stored.size());
    for (Stored s : stored) {
      records.add(s.toRecord());
    }
    records.sort(
        Comparator.comparingLong(FlowRecord::updatedAtMs).reversed().thenComparing(FlowRecord::id));
    return records;
  }

  /** What a transaction read, decoded into a record after the transaction ended. */
  private record Stored(String flowId, Header header, byte[] revisionBytes) {
    FlowRecord toRecord() {
      return toRecord(FlowRecordCodec.decodeFlow(flowId, header.revision(), revisionBytes));
    }

    FlowRecord toRecord(Flow flow) {
      return new FlowRecord(
          flowId,
          header.ownerId(),
          header.revision(),
          header.status(),
          header.createdAtMs(),
          header.updatedAtMs(),
          flow);
    }
  }
}
