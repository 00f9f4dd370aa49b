/**
 * How the AI nodes reach model servers: {@link dev.z8run.nodes.ai.provider.ProviderClient} (the
 * outbound policy, a timeout, retries honouring {@code Retry-After}, a per-node concurrency limit)
 * and each provider's wire format for chat ({@link dev.z8run.nodes.ai.provider.ChatApi}: OpenAI and
 * compatible servers, Anthropic, Ollama), embeddings ({@link
 * dev.z8run.nodes.ai.provider.EmbeddingApi}) and images ({@link
 * dev.z8run.nodes.ai.provider.ImageApi}), with token usage counted in {@link
 * dev.z8run.nodes.ai.provider.AiUsage}. Plain {@code java.net.http} and JSON maps: no provider SDK.
 *
 * <p>Knows nothing of messages, flows or the engine beyond {@link dev.z8run.core.node.NodeContext}
 * for reading a node's settings; must not depend on the node classes in {@code nodes.ai}.
 */
package dev.z8run.nodes.ai.provider;
