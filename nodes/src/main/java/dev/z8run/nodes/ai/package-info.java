/**
 * The AI node types, z8run's ten with its config fields and output ports: {@code llm}, {@code
 * embeddings}, {@code classifier}, {@code prompt-template}, {@code text-splitter}, {@code
 * vector-store}, {@code structured-output}, {@code summarizer}, {@code ai-agent}, {@code
 * image-gen}. Every node that calls a provider is blocking (virtual threads) and goes through
 * {@code nodes.ai.provider}; vectors live in the host's {@code nodes.ai.vector} service; the local
 * embedder is {@code nodes.ai.embed}.
 *
 * <p>Must not depend on another node family (only on {@code nodes.support}, where the outbound
 * policy and the link return registry live).
 */
package dev.z8run.nodes.ai;
