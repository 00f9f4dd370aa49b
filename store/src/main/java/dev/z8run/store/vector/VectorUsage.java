package dev.z8run.store.vector;

/**
 * What one owner keeps in the vector store, across their collections (see {@link VectorLimits}).
 */
public record VectorUsage(long collections, long entries, long bytes) {}
