package dev.z8run.nodes.ai.vector;

import java.util.List;
import java.util.Map;

/**
 * Where the {@code vector-store} node keeps vectors: the collections of the owner of a flow. The
 * server installs one backed by its store (LMDB, per owner, with an ANN index, surviving restarts);
 * an engine without a store gets {@link InMemoryVectorCollections}. A collection is created by its
 * first entry and holds vectors of one dimension.
 *
 * <p>Implementations are thread-safe and may block (store writes are durable): the node calls them
 * on virtual threads.
 */
public interface VectorCollections {
  /** The collections that nodes of flow {@code flowId} see: its owner's. */
  Space forFlow(String flowId);

  /** One owner's collections. */
  interface Space {
    /**
     * Stores the entries (replacing entries with the same id) in one durable write.
     *
     * @throws IllegalArgumentException when a vector's dimension differs from the collection's, or
     *     a value breaks a limit (named in the message)
     */
    void upsert(String collection, List<VectorEntry> entries);

    /**
     * The {@code topK} entries nearest to {@code query} by cosine similarity, best first, with a
     * score of at least {@code minScore}, among those whose metadata match {@code filter} (the
     * grammar of {@link MetadataFilter}; empty for all).
     */
    List<VectorMatch> search(
        String collection, float[] query, int topK, double minScore, Map<String, Object> filter);

    /** Removes the entries with these ids; answers how many there were. */
    int delete(String collection, List<String> ids);

    /** Removes the whole collection; answers how many entries it held. */
    int clear(String collection);

    /** How many entries the collection holds (0 when it does not exist). */
    long count(String collection);
  }
}
