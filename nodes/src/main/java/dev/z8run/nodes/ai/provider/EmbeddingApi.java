package dev.z8run.nodes.ai.provider;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Remote embeddings, one request per batch of texts: OpenAI's {@code POST {baseUrl}/embeddings}
 * ({@code input} as an array, {@code data[i].embedding} ordered by {@code index}) and Ollama's
 * {@code POST {baseUrl}/api/embed} ({@code input} as an array, {@code embeddings}).
 */
public final class EmbeddingApi {
  /** The vectors, in the order of the texts, and the tokens the provider counted. */
  public record Vectors(List<float[]> vectors, long promptTokens, String model) {}

  private final ProviderClient client;

  public EmbeddingApi(ProviderClient client) {
    this.client = client;
  }

  public Vectors embed(List<String> texts) throws ProviderException, InterruptedException {
    ProviderSettings settings = client.settings();
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("model", settings.model());
    body.put("input", texts);
    Map<String, String> headers = client.bearerHeaders();
    return switch (settings.provider()) {
      case OPENAI -> openAi(client.postJson("/embeddings", headers, body), texts.size());
      case OLLAMA -> ollama(client.postJson("/api/embed", headers, body), texts.size());
      default ->
          throw new ProviderException(settings.provider().id() + " has no embeddings here", 0);
    };
  }

  private Vectors openAi(Object answer, int count) throws ProviderException {
    float[][] vectors = new float[count][];
    for (Object item : WireJson.list(answer, "data")) {
      int index = (int) WireJson.number(item, "index");
      if (index < 0 || index >= count) {
        throw new ProviderException("openai answered an embedding for index " + index, 200);
      }
      vectors[index] = floats(WireJson.at(item, "embedding"));
    }
    return new Vectors(
        complete(vectors, "openai"),
        WireJson.number(answer, "usage", "prompt_tokens"),
        modelOf(answer));
  }

  private Vectors ollama(Object answer, int count) throws ProviderException {
    List<?> list = WireJson.list(answer, "embeddings");
    float[][] vectors = new float[count][];
    for (int i = 0; i < Math.min(count, list.size()); i++) {
      vectors[i] = floats(list.get(i));
    }
    return new Vectors(
        complete(vectors, "ollama"), WireJson.number(answer, "prompt_eval_count"), modelOf(answer));
  }

  private String modelOf(Object answer) {
    String model = WireJson.string(answer, "model");
    return model == null ? client.settings().model() : model;
  }

  private static List<float[]> complete(float[][] vectors, String provider)
      throws ProviderException {
    List<float[]> result = new ArrayList<>(vectors.length);
    for (int i = 0; i < vectors.length; i++) {
      if (vectors[i] == null || vectors[i].length == 0) {
        throw new ProviderException(provider + " answered no embedding for text " + i, 200);
      }
      result.add(vectors[i]);
    }
    return result;
  }

  static float[] floats(Object value) {
    if (!(value instanceof List<?> list)) {
      return null;
    }
    float[] vector = new float[list.size()];
    for (int i = 0; i < vector.length; i++) {
      if (!(list.get(i) instanceof Number number)) {
        return null;
      }
      vector[i] = number.floatValue();
    }
    return vector;
  }
}
