/**
 * The local embedder ({@link dev.z8run.nodes.ai.embed.LocalEmbedder}): a sentence model inside a
 * Maven artifact, run in process, so that retrieval works offline. Knows nothing of nodes, flows or
 * providers.
 */
package dev.z8run.nodes.ai.embed;
