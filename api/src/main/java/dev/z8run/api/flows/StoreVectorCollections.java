package dev.z8run.api.flows;

import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.ai.vector.MetadataFilter;
import dev.z8run.nodes.ai.vector.VectorCollections;
import dev.z8run.nodes.ai.vector.VectorEntry;
import dev.z8run.nodes.ai.vector.VectorMatch;
import dev.z8run.store.vector.VectorHit;
import dev.z8run.store.vector.VectorRecord;
import dev.z8run.store.vector.VectorStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The {@code vector-store} node's collections on the server: the store's {@link VectorStore}, in
 * the space of the flow's owner (a node never sees another user's collections). Thread-safe.
 */
public final class StoreVectorCollections implements VectorCollections {
  private final VectorStore store;
  private final Function<String, String> ownerOfFlow;

  /**
   * @param ownerOfFlow the owner of a deployed flow, null when unknown
   */
  public StoreVectorCollections(VectorStore store, Function<String, String> ownerOfFlow) {
    this.store = store;
    this.ownerOfFlow = ownerOfFlow;
  }

  @Override
  public Space forFlow(String flowId) {
    String owner = ownerOfFlow.apply(flowId);
    if (owner == null) {
      throw new IllegalStateException(
          "flow '" + flowId + "' has no owner here: vector collections belong to a user");
    }
    return new OwnerSpace(owner);
  }

  private final class OwnerSpace implements Space {
    private final String owner;

    OwnerSpace(String owner) {
      this.owner = owner;
    }

    @Override
    public void upsert(String collection, List<VectorEntry> entries) {
      List<VectorRecord> records = new ArrayList<>(entries.size());
      for (VectorEntry entry : entries) {
        records.add(
            new VectorRecord(
                entry.id(), entry.vector(), entry.text(), JsonCodec.writeString(entry.metadata())));
      }
      store.upsert(owner, collection, records);
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<VectorMatch> search(
        String collection, float[] query, int topK, double minScore, Map<String, Object> filter) {
      MetadataFilter.check(filter);
      List<VectorMatch> matches = new ArrayList<>();
      for (VectorHit hit : store.search(owner, collection, query, topK, minScore, filter)) {
        matches.add(
            new VectorMatch(
                hit.id(),
                hit.score(),
                hit.text(),
                (Map<String, Object>) VectorStore.metadata(hit.metadataJson())));
      }
      return matches;
    }

    @Override
    public int delete(String collection, List<String> ids) {
      return store.delete(owner, collection, ids);
    }

    @Override
    public int clear(String collection) {
      return store.clear(owner, collection);
    }

    @Override
    public long count(String collection) {
      return store.count(owner, collection);
    }
  }
}
