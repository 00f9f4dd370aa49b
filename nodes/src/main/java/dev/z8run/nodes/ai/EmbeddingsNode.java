package dev.z8run.nodes.ai;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.core.registry.PortType;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.ai.provider.ProviderException;
import dev.z8run.nodes.support.MessageBodies;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code embeddings}: turns the message's text into a vector, with the local model (the default: no
 * network, no key) or OpenAI's or Ollama's embeddings. A text (a string payload, or a payload
 * object's {@code text} ...) gives z8run's {@code payload = {embedding, dimensions, model, text}}
 * (with the input payload's other fields kept, so {@code id} and {@code metadata} reach the vector
 * store); an array of texts or of such objects is embedded as one batch and gives an array of them.
 */
public final class EmbeddingsNode implements Node {
  public static final NodeType TYPE =
      AiNodes.providerType(
              "embeddings",
              "Turns text into vectors with the local model (no network) or a provider.",
              List.of("local", "openai", "ollama"),
              "local",
              "",
              15_000)
          .outputs(new PortSpec("embedding", PortType.ARRAY), PortSpec.any("error"))
          .field(
              ConfigField.optional(
                  "maxBatch",
                  FieldType.INTEGER,
                  2048L,
                  "Most texts in one message (1 to 100000); more is an error."))
          .factory(EmbeddingsNode::new)
          .build();

  private static final List<String> TEXT_KEYS =
      List.of("text", "input", "content", "prompt", "body", "message");

  private final AiNodes.ErrorPort errors;
  private final Embedder embedder;
  private final int maxBatch;

  private EmbeddingsNode(NodeContext context) {
    this.errors = new AiNodes.ErrorPort(context, TYPE.name(), 1);
    this.embedder = Embedder.from(context, context.configString("provider", "local"));
    this.maxBatch = (int) AiNodes.whole(context, "maxBatch", 2048, 1, 100_000);
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) throws InterruptedException {
    Map<String, Object> body = MessageBodies.parse(msg);
    Object payload = body.get("payload");
    boolean batch = payload instanceof List<?>;
    List<?> items = batch ? (List<?>) payload : List.of(payload == null ? "" : payload);
    if (items.size() > maxBatch) {
      fail(msg, body, out, items.size() + " texts in one message, more than maxBatch=" + maxBatch);
      return;
    }
    List<String> texts = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      String text = AiNodes.text(items.get(i), TEXT_KEYS);
      if (text.isBlank()) {
        fail(
            msg,
            body,
            out,
            (batch ? "payload[" + i + "]" : "the message")
                + " has no text: expected a string or one of the fields "
                + String.join(", ", TEXT_KEYS));
        return;
      }
      texts.add(text);
    }
    List<float[]> vectors;
    String model;
    try {
      Embedder.Embedded embedded = embedder.embedding(texts);
      vectors = embedded.vectors();
      model = embedded.model();
    } catch (ProviderException | IllegalStateException failed) {
      fail(msg, body, out, failed.getMessage());
      return;
    }
    List<Object> results = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      Map<String, Object> result = new LinkedHashMap<>();
      if (items.get(i) instanceof Map<?, ?> fields) {
        fields.forEach((key, value) -> result.put(String.valueOf(key), value));
      }
      result.put("embedding", Embedder.json(vectors.get(i)));
      result.put("dimensions", (long) vectors.get(i).length);
      result.put("model", model);
      result.put("text", texts.get(i));
      results.add(result);
    }
    body.put("payload", batch ? results : results.get(0));
    MessageBodies.send(out, 0, body, msg);
  }

  private void fail(MessageFlyweight msg, Map<String, Object> body, Output out, String reason) {
    errors.send(
        msg, body, out, reason, Map.of("provider", embedder.provider(), "model", embedder.model()));
  }
}
