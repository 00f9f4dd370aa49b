package dev.z8run.nodes.ai.vector;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Vector collections in memory, searched exactly: what an engine without a store uses (tests, code
 * that embeds the engine). Everything is lost when the engine stops, and every flow shares one
 * space. The server uses its store's collections instead. Thread-safe (one lock per collection).
 */
public final class InMemoryVectorCollections implements VectorCollections, VectorCollections.Space {
  private final Map<String, Map<String, VectorEntry>> collections = new ConcurrentHashMap<>();

  @Override
  public Space forFlow(String flowId) {
    return this;
  }

  private Map<String, VectorEntry> collection(String name) {
    return collections.computeIfAbsent(name, n -> new LinkedHashMap<>());
  }

  @Override
  public void upsert(String collection, List<VectorEntry> entries) {
    Map<String, VectorEntry> stored = collection(collection);
    synchronized (stored) {
      int dimension = stored.isEmpty() ? -1 : stored.values().iterator().next().vector().length;
      for (VectorEntry entry : entries) {
        if (dimension < 0) {
          dimension = entry.vector().length;
        }
        if (entry.vector().length != dimension) {
          throw new IllegalArgumentException(
              "collection '"
                  + collection
                  + "' holds "
                  + dimension
                  + "-dimensional vectors; entry '"
                  + entry.id()
                  + "' has "
                  + entry.vector().length);
        }
      }
      for (VectorEntry entry : entries) {
        stored.put(entry.id(), entry);
      }
    }
  }

  @Override
  public List<VectorMatch> search(
      String collection, float[] query, int topK, double minScore, Map<String, Object> filter) {
    Map<String, VectorEntry> stored = collection(collection);
    List<VectorMatch> matches = new ArrayList<>();
    synchronized (stored) {
      for (VectorEntry entry : stored.values()) {
        if (entry.vector().length != query.length) {
          throw new IllegalArgumentException(
              "collection '"
                  + collection
                  + "' holds "
                  + entry.vector().length
                  + "-dimensional vectors; the query has "
                  + query.length);
        }
        if (!MetadataFilter.matches(filter, entry.metadata())) {
          continue;
        }
        double score = cosine(query, entry.vector());
        if (score >= minScore) {
          matches.add(new VectorMatch(entry.id(), score, entry.text(), entry.metadata()));
        }
      }
    }
    matches.sort(Comparator.comparingDouble(VectorMatch::score).reversed());
    return List.copyOf(matches.subList(0, Math.min(topK, matches.size())));
  }

  @Override
  public int delete(String collection, List<String> ids) {
    Map<String, VectorEntry> stored = collection(collection);
    int deleted = 0;
    synchronized (stored) {
      for (String id : ids) {
        if (stored.remove(id) != null) {
          deleted++;
        }
      }
    }
    return deleted;
  }

  @Override
  public int clear(String collection) {
    Map<String, VectorEntry> removed = collections.remove(collection);
    if (removed == null) {
      return 0;
    }
    synchronized (removed) {
      return removed.size();
    }
  }

  @Override
  public long count(String collection) {
    Map<String, VectorEntry> stored = collections.get(collection);
    if (stored == null) {
      return 0;
    }
    synchronized (stored) {
      return stored.size();
    }
  }

  /** Cosine similarity; 0 when either vector is all zeros. */
  public static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
  }
}
