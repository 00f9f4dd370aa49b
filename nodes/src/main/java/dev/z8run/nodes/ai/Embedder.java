package dev.z8run.nodes.ai;

import dev.z8run.core.node.NodeContext;
import dev.z8run.nodes.ai.embed.LocalEmbedder;
import dev.z8run.nodes.ai.provider.EmbeddingApi;
import dev.z8run.nodes.ai.provider.Provider;
import dev.z8run.nodes.ai.provider.ProviderClient;
import dev.z8run.nodes.ai.provider.ProviderException;
import dev.z8run.nodes.ai.provider.ProviderSettings;
import java.util.ArrayList;
import java.util.List;

/**
 * Texts to vectors for a node: the engine's {@link LocalEmbedder} ({@code provider: local}) or a
 * provider's embeddings endpoint, in requests of at most {@link #REQUEST_TEXTS} texts.
 */
final class Embedder {
  /** Texts per provider request. */
  static final int REQUEST_TEXTS = 256;

  private final LocalEmbedder local;
  private final ProviderClient client;
  private final EmbeddingApi api;
  private final String model;

  private Embedder(LocalEmbedder local, ProviderClient client) {
    this.local = local;
    this.client = client;
    this.api = client == null ? null : new EmbeddingApi(client);
    this.model = client == null ? LocalEmbedder.MODEL : client.settings().model();
  }

  /**
   * The embedder a node's config asks for: {@code provider} local, openai or ollama, with the
   * provider fields.
   */
  static Embedder from(NodeContext context, String provider) {
    if (provider.equals("local")) {
      String model = context.configString("model", "").strip();
      if (!model.isEmpty() && !model.equals(LocalEmbedder.MODEL)) {
        throw new IllegalArgumentException(
            "model: the local provider has one model, '"
                + LocalEmbedder.MODEL
                + "', not '"
                + model
                + "'");
      }
      context.limitConcurrency((int) AiNodes.whole(context, "concurrency", 4, 1, 64));
      return new Embedder(AiNodes.localEmbedder(context), null);
    }
    Provider remote = Provider.of(provider);
    String defaultModel = remote == Provider.OLLAMA ? "nomic-embed-text" : "text-embedding-3-small";
    return new Embedder(
        null, AiNodes.client(context, ProviderSettings.from(context, remote, defaultModel)));
  }

  /** The engine's local embedder. */
  static Embedder local(LocalEmbedder local) {
    return new Embedder(local, null);
  }

  String model() {
    return model;
  }

  String provider() {
    return client == null ? "local" : client.settings().provider().id();
  }

  /** Vectors and the model that made them (as the provider names it). */
  record Embedded(List<float[]> vectors, String model) {}

  List<float[]> embed(List<String> texts) throws ProviderException, InterruptedException {
    return embedding(texts).vectors();
  }

  Embedded embedding(List<String> texts) throws ProviderException, InterruptedException {
    if (local != null) {
      return new Embedded(local.embed(texts), LocalEmbedder.MODEL);
    }
    List<float[]> vectors = new ArrayList<>(texts.size());
    String answered = model;
    for (int from = 0; from < texts.size(); from += REQUEST_TEXTS) {
      EmbeddingApi.Vectors batch =
          api.embed(texts.subList(from, Math.min(texts.size(), from + REQUEST_TEXTS)));
      client.counters().tokens(batch.promptTokens(), 0);
      vectors.addAll(batch.vectors());
      answered = batch.model();
    }
    return new Embedded(vectors, answered);
  }

  /** A vector as JSON numbers, written as floats (about 10 characters each, not 20). */
  static List<Object> json(float[] vector) {
    List<Object> list = new ArrayList<>(vector.length);
    for (float value : vector) {
      list.add(value);
    }
    return list;
  }

  /**
   * A JSON array of numbers as a vector, or null when it is not one (or holds a value that is not a
   * finite number).
   */
  static float[] vector(Object value) {
    if (!(value instanceof List<?> list) || list.isEmpty()) {
      return null;
    }
    float[] vector = new float[list.size()];
    for (int i = 0; i < vector.length; i++) {
      if (!(list.get(i) instanceof Number number) || !Float.isFinite(number.floatValue())) {
        return null;
      }
      vector[i] = number.floatValue();
    }
    return vector;
  }
}
