/**
 * Vector collections per owner ({@link dev.z8run.store.vector.VectorStore}): entries in LMDB beside
 * the rest of the store, searched through a Lucene HNSW index per collection that is derived from
 * them and catches up by sequence number. Knows nothing of nodes or flows.
 */
package dev.z8run.store.vector;
