package dev.z8run.nodes.ai;

import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.core.registry.PortType;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.ai.embed.LocalEmbedder;
import dev.z8run.nodes.ai.provider.Chat;
import dev.z8run.nodes.ai.provider.ProviderException;
import dev.z8run.nodes.ai.vector.InMemoryVectorCollections;
import dev.z8run.nodes.support.MessageBodies;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code classifier}: puts the message's text into one of {@code categories}. With {@code mode:
 * llm} (z8run's) a chat model picks the category and answers its confidence and reasoning; with
 * {@code mode: embedding} the local embedder picks the category whose name and description are
 * nearest to the text, with no network and no model server. The answer ({@code payload = {category,
 * confidence, reasoning, text, model}}) goes to {@code result} and to the category's own output
 * (ports 2, 3, ... in the order of the categories); an answer outside the categories goes to {@code
 * result} only, as category {@code unknown}.
 */
public final class ClassifierNode extends TextInputNode {
  public static final NodeType TYPE =
      AiNodes.chatType(
              "classifier",
              "Classifies text into categories with a language model or the local embedder.",
              "gpt-4o-mini",
              15_000)
          .outputs(new PortSpec("result", PortType.OBJECT), PortSpec.any("error"))
          .outputCount(config -> 2 + categoryCount(config.get("categories")))
          .field(
              ConfigField.optional(
                  "categories",
                  FieldType.ANY,
                  "positive,negative,neutral",
                  "The categories: \"a,b,c\", [\"a\", \"b\"] or [{\"name\", \"description\"}]."))
          .field(
              ConfigField.optional(
                  "context", FieldType.STRING, "", "What is being classified, told to the model."))
          .field(
              ConfigField.choice(
                  "mode",
                  "llm",
                  List.of("llm", "embedding"),
                  "llm: a chat model decides; embedding: the nearest category by the local"
                      + " embedder, no provider."))
          .factory(ClassifierNode::new)
          .build();

  private static final List<String> TEXT_KEYS =
      List.of("text", "input", "content", "prompt", "body", "message");

  /** A category and what it means. */
  record Category(String name, String description) {}

  private final List<Category> categories;
  private final String about;
  private final ChatModel model;
  private final LocalEmbedder embedder;
  private volatile List<float[]> categoryVectors;

  private ClassifierNode(NodeContext context) {
    super(new AiNodes.ErrorPort(context, TYPE.name(), 1), TEXT_KEYS);
    this.categories = categories(context.config().get("categories"));
    this.about = context.configString("context", "");
    boolean embedding = context.configString("mode", "llm").equals("embedding");
    if (embedding) {
      context.limitConcurrency((int) AiNodes.whole(context, "concurrency", 4, 1, 64));
      this.model = null;
      this.embedder = AiNodes.localEmbedder(context);
    } else {
      this.model = ChatModel.from(context, "gpt-4o-mini");
      this.embedder = null;
    }
  }

  static int categoryCount(Object value) {
    try {
      return categories(value).size();
    } catch (IllegalArgumentException bad) {
      return 0;
    }
  }

  static List<Category> categories(Object value) {
    List<Category> list = new ArrayList<>();
    if (value == null) {
      value = "positive,negative,neutral";
    }
    if (value instanceof String text) {
      for (String name : text.split(",")) {
        if (!name.isBlank()) {
          list.add(new Category(name.strip(), ""));
        }
      }
    } else if (value instanceof List<?> items) {
      for (int i = 0; i < items.size(); i++) {
        Object item = items.get(i);
        if (item instanceof String name && !name.isBlank()) {
          list.add(new Category(name.strip(), ""));
        } else if (item instanceof Map<?, ?> map
            && map.get("name") instanceof String name
            && !name.isBlank()) {
          Object description = map.get("description");
          list.add(new Category(name.strip(), description instanceof String d ? d : ""));
        } else {
          throw new IllegalArgumentException(
              "categories["
                  + i
                  + "]: expected a name or {name, description}, got "
                  + JsonCodec.describe(item));
        }
      }
    } else {
      throw new IllegalArgumentException(
          "categories: expected \"a,b,c\" or an array, got " + JsonCodec.describe(value));
    }
    if (list.isEmpty()) {
      throw new IllegalArgumentException("categories: at least one category is needed");
    }
    List<String> seen = new ArrayList<>();
    for (Category category : list) {
      String key = category.name().toLowerCase(Locale.ROOT);
      if (seen.contains(key)) {
        throw new IllegalArgumentException("categories: '" + category.name() + "' appears twice");
      }
      seen.add(key);
    }
    return List.copyOf(list);
  }

  @Override
  void onText(MessageFlyweight msg, Map<String, Object> body, String text, Output out)
      throws InterruptedException {
    Map<String, Object> answer;
    ChatModel.Usage usage = new ChatModel.Usage();
    try {
      answer = model == null ? nearest(text) : ask(text, usage);
    } catch (ProviderException failed) {
      errors.send(msg, body, out, failed.getMessage(), model.errorDetails(failed));
      return;
    } catch (IllegalStateException unavailable) {
      errors.send(msg, body, out, unavailable.getMessage(), Map.of());
      return;
    }
    answer.put("text", text);
    answer.put("model", model == null ? LocalEmbedder.MODEL : model.settings().model());
    body.put("payload", answer);
    if (model != null) {
      body.put("usage", usage.toJson());
    }
    MessageBodies.send(out, 0, body, msg);
    for (int i = 0; i < categories.size(); i++) {
      if (categories.get(i).name().equals(answer.get("category"))) {
        MessageBodies.send(out, 2 + i, body, msg);
      }
    }
  }

  private Map<String, Object> ask(String text, ChatModel.Usage usage)
      throws ProviderException, InterruptedException {
    StringBuilder list = new StringBuilder();
    for (int i = 0; i < categories.size(); i++) {
      Category category = categories.get(i);
      list.append(i + 1).append(". ").append(category.name());
      if (!category.description().isEmpty()) {
        list.append(": ").append(category.description());
      }
      list.append('\n');
    }
    String system =
        "You are a text classifier. Classify the given text into exactly one of these categories:\n"
            + list
            + "\n"
            + (about.isEmpty() ? "" : "Context: " + about + "\n")
            + "Respond with ONLY a JSON object: {\"category\": \"<chosen category>\", \"confidence\":"
            + " <0.0-1.0>, \"reasoning\": \"<brief explanation>\"}";
    Chat.Result result = model.ask(system, text, 0.1, 256, false, usage);
    return classification(result.text());
  }

  /** The model's answer as {category, confidence, reasoning}, mapped onto the categories. */
  Map<String, Object> classification(String response) {
    Object parsed = StructuredOutputNode.json(response);
    Map<String, Object> answer = new LinkedHashMap<>();
    if (parsed instanceof Map<?, ?> map && map.get("category") instanceof String named) {
      Category category = find(named);
      double confidence = map.get("confidence") instanceof Number n ? n.doubleValue() : 0.5;
      answer.put("category", category == null ? "unknown" : category.name());
      answer.put("confidence", Math.max(0, Math.min(1, confidence)));
      answer.put("reasoning", map.get("reasoning") instanceof String r ? r : "");
      if (category == null) {
        answer.put("raw_response", response);
      }
      return answer;
    }
    String lower = response.toLowerCase(Locale.ROOT);
    for (Category category : categories) {
      if (lower.contains(category.name().toLowerCase(Locale.ROOT))) {
        answer.put("category", category.name());
        answer.put("confidence", 0.5);
        answer.put("reasoning", "Extracted from raw response");
        return answer;
      }
    }
    answer.put("category", "unknown");
    answer.put("confidence", 0.0);
    answer.put("reasoning", "Could not parse response");
    answer.put("raw_response", response);
    return answer;
  }

  private Category find(String name) {
    for (Category category : categories) {
      if (category.name().equalsIgnoreCase(name.strip())) {
        return category;
      }
    }
    return null;
  }

  private Map<String, Object> nearest(String text) throws InterruptedException {
    List<float[]> vectors = categoryVectors;
    if (vectors == null) {
      List<String> descriptions = new ArrayList<>();
      for (Category category : categories) {
        descriptions.add(
            category.description().isEmpty()
                ? category.name()
                : category.name() + ": " + category.description());
      }
      vectors = embedder.embed(descriptions);
      categoryVectors = vectors;
    }
    float[] query = embedder.embed(List.of(text)).get(0);
    Map<String, Object> scores = new LinkedHashMap<>();
    int best = 0;
    double bestScore = -2;
    double second = -2;
    for (int i = 0; i < categories.size(); i++) {
      double score = InMemoryVectorCollections.cosine(query, vectors.get(i));
      scores.put(categories.get(i).name(), score);
      if (score > bestScore) {
        second = bestScore;
        bestScore = score;
        best = i;
      } else if (score > second) {
        second = score;
      }
    }
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("category", categories.get(best).name());
    answer.put("confidence", Math.max(0, bestScore));
    answer.put(
        "reasoning",
        String.format(
            Locale.ROOT,
            "nearest category by embedding similarity (%.3f%s)",
            bestScore,
            second > -2 ? String.format(Locale.ROOT, "; next %.3f", second) : ""));
    answer.put("scores", scores);
    return answer;
  }
}
