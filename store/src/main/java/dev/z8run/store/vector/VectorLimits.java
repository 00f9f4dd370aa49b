package dev.z8run.store.vector;

/**
 * What one owner may keep in the vector store, across all their collections: collections, entries,
 * and bytes (each entry's key, vector, text and metadata as stored). A write that would pass a
 * limit is refused whole ({@link VectorLimitException}), so one user cannot fill the disk that
 * everyone's flows and collections share.
 */
public record VectorLimits(int maxCollections, long maxEntries, long maxBytes) {
  /** 100 collections, 1,000,000 entries, 2 GiB per owner. */
  public static final VectorLimits DEFAULTS = new VectorLimits(100, 1_000_000, 2L << 30);

  /** No limits (tests and benchmarks). */
  public static final VectorLimits NONE =
      new VectorLimits(Integer.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE);

  public VectorLimits {
    if (maxCollections < 1 || maxEntries < 1 || maxBytes < 1) {
      throw new IllegalArgumentException(
          "vector limits must be positive: collections "
              + maxCollections
              + ", entries "
              + maxEntries
              + ", bytes "
              + maxBytes);
    }
  }
}
