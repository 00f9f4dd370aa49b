package dev.z8run.store.vector;

/**
 * How the vector store searches: collections with fewer than {@code exactBelow} entries compare
 * every vector; larger ones walk an HNSW graph with {@code maxConnections} (M) neighbours per node,
 * built with a beam of {@code beamWidth} (efConstruction), searched with {@code candidates}
 * (efSearch, at least topK). Wider graphs and more candidates find more of the true nearest
 * neighbours and cost more time (perf/README.md, "AI", has the measured trade-off).
 */
public record VectorTuning(int exactBelow, int maxConnections, int beamWidth, int candidates) {
  /** The defaults: exact below 2,000 entries, M 16, beam 100, 150 candidates per segment. */
  public static final VectorTuning DEFAULTS = new VectorTuning(2_000, 16, 100, 150);

  public VectorTuning {
    if (exactBelow < 0 || maxConnections < 2 || beamWidth < 1 || candidates < 1) {
      throw new IllegalArgumentException(
          "vector tuning: exactBelow >= 0, maxConnections >= 2, beamWidth >= 1, candidates >= 1");
    }
  }
}
