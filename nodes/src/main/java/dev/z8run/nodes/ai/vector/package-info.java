/**
 * The vector store the {@code vector-store} node and the agent's retrieval tools use, as a service:
 * {@link dev.z8run.nodes.ai.vector.VectorCollections} (the server installs its LMDB-backed store;
 * {@link dev.z8run.nodes.ai.vector.InMemoryVectorCollections} otherwise), its values and the
 * metadata filter grammar ({@link dev.z8run.nodes.ai.vector.MetadataFilter}). Must not depend on
 * the node classes or the providers.
 */
package dev.z8run.nodes.ai.vector;
