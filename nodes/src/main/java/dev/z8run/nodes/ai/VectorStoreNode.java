package dev.z8run.nodes.ai;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.core.registry.PortType;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.ai.vector.InMemoryVectorCollections;
import dev.z8run.nodes.ai.vector.MetadataFilter;
import dev.z8run.nodes.ai.vector.VectorCollections;
import dev.z8run.nodes.ai.vector.VectorEntry;
import dev.z8run.nodes.ai.vector.VectorMatch;
import dev.z8run.nodes.support.MessageBodies;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code vector-store}: stores, searches and deletes vectors in a collection of the flow owner's
 * store (persisted by the server, with an ANN index), with z8run's actions and output ports. See
 * docs/nodes/vector-store.md for the messages of each action.
 */
public final class VectorStoreNode implements Node {
  public static final NodeType TYPE =
      NodeType.builder("vector-store")
          .category(AiNodes.CATEGORY)
          .description(
              "Stores, searches and deletes embeddings in a persistent collection of its owner.")
          .outputs(
              new PortSpec("stored", PortType.OBJECT),
              new PortSpec("results", PortType.ARRAY),
              new PortSpec("deleted", PortType.OBJECT),
              new PortSpec("cleared", PortType.OBJECT),
              PortSpec.any("error"))
          .blocking(true)
          .field(
              ConfigField.choice(
                  "action",
                  "store",
                  List.of("store", "search", "delete", "clear"),
                  "What each message does."))
          .field(
              ConfigField.optional(
                  "collection", FieldType.STRING, "default", "The collection's name."))
          .field(
              ConfigField.optional(
                  "topK", FieldType.INTEGER, 5L, "search: how many results at most (1 to 1000)."))
          .field(
              ConfigField.optional(
                  "minScore",
                  FieldType.NUMBER,
                  0.0,
                  "search: the lowest cosine similarity a result may have (-1 to 1)."))
          .field(
              ConfigField.optional(
                  "filter",
                  FieldType.OBJECT,
                  Map.of(),
                  "search: metadata conditions, e.g. {\"lang\": \"en\", \"year\": {\"$gte\": 2020}};"
                      + " msg.filter replaces it."))
          .field(
              ConfigField.optional(
                  "concurrency",
                  FieldType.INTEGER,
                  4L,
                  "Messages of this node in flight at once (1 to 64); more wait upstream."))
          .factory(VectorStoreNode::new)
          .build();

  /** Limits on what one entry may hold. */
  static final int MAX_ID_BYTES = 400;

  static final int MAX_TEXT_BYTES = 1 << 20;
  static final int MAX_METADATA_BYTES = 64 * 1024;
  static final int MAX_DIMENSIONS = 4096;
  static final int MAX_COLLECTION_CHARS = 200;

  private static final int STORED = 0;
  private static final int RESULTS = 1;
  private static final int DELETED = 2;
  private static final int CLEARED = 3;
  private static final int ERROR = 4;

  private final NodeContext context;
  private final AiNodes.ErrorPort errors;
  private final String action;
  private final String collection;
  private final int topK;
  private final double minScore;
  private final Map<String, Object> filter;
  private final VectorCollections.Space space;

  @SuppressWarnings("unchecked")
  private VectorStoreNode(NodeContext context) {
    this.context = context;
    this.errors = new AiNodes.ErrorPort(context, TYPE.name(), ERROR);
    this.action = context.configString("action", "store");
    this.collection = collection(context.configString("collection", "default"));
    this.topK = (int) AiNodes.whole(context, "topK", 5, 1, 1000);
    this.minScore = AiNodes.number(context, "minScore", 0, -1, 1);
    Object configured = context.config().get("filter");
    this.filter = configured instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    MetadataFilter.check(filter);
    context.limitConcurrency((int) AiNodes.whole(context, "concurrency", 4, 1, 64));
    this.space =
        context
            .service(VectorCollections.class, InMemoryVectorCollections::new)
            .forFlow(context.flowId());
  }

  static String collection(String name) {
    String trimmed = name.strip();
    if (trimmed.isEmpty()
        || trimmed.length() > MAX_COLLECTION_CHARS
        || trimmed.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(
          "collection: expected 1.."
              + MAX_COLLECTION_CHARS
              + " characters without NUL, got '"
              + name
              + "'");
    }
    return trimmed;
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    Map<String, Object> body = MessageBodies.parse(msg);
    try {
      switch (action) {
        case "search" -> search(body, out, msg);
        case "delete" -> delete(body, out, msg);
        case "clear" -> {
          Map<String, Object> result = new LinkedHashMap<>();
          result.put("collection", collection);
          result.put("entries_cleared", (long) space.clear(collection));
          body.put("payload", result);
          MessageBodies.send(out, CLEARED, body, msg);
        }
        default -> store(body, out, msg);
      }
    } catch (IllegalArgumentException refused) {
      errors.send(
          msg, body, out, refused.getMessage(), Map.of("collection", collection, "action", action));
    }
  }

  private void store(Map<String, Object> body, Output out, MessageFlyweight msg) {
    Object payload = body.get("payload");
    boolean batch = payload instanceof List<?>;
    List<?> items = batch ? (List<?>) payload : List.of(payload == null ? Map.of() : payload);
    List<VectorEntry> entries = new ArrayList<>(items.size());
    List<Object> ids = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      String where = batch ? "payload[" + i + "]" : "payload";
      if (!(items.get(i) instanceof Map<?, ?> item)) {
        throw new IllegalArgumentException(where + ": expected {embedding, text, id, metadata}");
      }
      entries.add(entry(item, where));
      ids.add(entries.get(i).id());
    }
    space.upsert(collection, entries);
    Map<String, Object> result = new LinkedHashMap<>();
    if (batch) {
      result.put("ids", ids);
    } else {
      result.put("id", ids.get(0));
    }
    result.put("collection", collection);
    result.put("total_entries", space.count(collection));
    body.put("payload", result);
    MessageBodies.send(out, STORED, body, msg);
  }

  @SuppressWarnings("unchecked")
  private static VectorEntry entry(Map<?, ?> item, String where) {
    float[] vector = Embedder.vector(item.get("embedding"));
    if (vector == null) {
      throw new IllegalArgumentException(where + ".embedding: expected an array of numbers");
    }
    if (vector.length > MAX_DIMENSIONS) {
      throw new IllegalArgumentException(
          where + ".embedding: " + vector.length + " dimensions, more than " + MAX_DIMENSIONS);
    }
    Object rawId = item.get("id");
    String id =
        rawId == null
            ? UUID.randomUUID().toString()
            : rawId instanceof String || rawId instanceof Number ? String.valueOf(rawId) : null;
    if (id == null
        || id.isEmpty()
        || id.getBytes(StandardCharsets.UTF_8).length > MAX_ID_BYTES
        || id.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(
          where + ".id: expected a string of 1.." + MAX_ID_BYTES + " bytes without NUL");
    }
    Object text = item.get("text");
    if (text != null && !(text instanceof String)) {
      throw new IllegalArgumentException(where + ".text: expected a string");
    }
    if (text != null && ((String) text).getBytes(StandardCharsets.UTF_8).length > MAX_TEXT_BYTES) {
      throw new IllegalArgumentException(where + ".text: longer than " + MAX_TEXT_BYTES + " bytes");
    }
    Object metadata = item.get("metadata");
    if (metadata != null && !(metadata instanceof Map<?, ?>)) {
      throw new IllegalArgumentException(where + ".metadata: expected an object");
    }
    if (metadata != null && JsonCodec.write(metadata).length > MAX_METADATA_BYTES) {
      throw new IllegalArgumentException(
          where + ".metadata: larger than " + MAX_METADATA_BYTES + " bytes as JSON");
    }
    return new VectorEntry(id, vector, (String) text, (Map<String, Object>) metadata);
  }

  @SuppressWarnings("unchecked")
  private void search(Map<String, Object> body, Output out, MessageFlyweight msg) {
    Object payload = body.get("payload");
    float[] query =
        Embedder.vector(payload instanceof Map<?, ?> map ? map.get("embedding") : payload);
    if (query == null) {
      throw new IllegalArgumentException(
          "payload.embedding: expected the query's vector (an array of numbers)");
    }
    Map<String, Object> where = filter;
    if (body.get("filter") instanceof Map<?, ?> given) {
      MetadataFilter.check(given);
      where = (Map<String, Object>) given;
    } else if (body.containsKey("filter") && body.get("filter") != null) {
      throw new IllegalArgumentException("msg.filter: expected an object");
    }
    List<VectorMatch> matches = space.search(collection, query, topK, minScore, where);
    List<Object> results = new ArrayList<>(matches.size());
    StringBuilder context = new StringBuilder();
    for (VectorMatch match : matches) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("id", match.id());
      result.put("text", match.text());
      result.put("score", match.score());
      result.put("metadata", match.metadata());
      results.add(result);
      if (!match.text().isEmpty()) {
        if (!context.isEmpty()) {
          context.append("\n\n");
        }
        context.append(match.text());
      }
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("results", results);
    result.put("query_dimensions", (long) query.length);
    result.put("collection", collection);
    result.put("context", context.toString());
    if (payload instanceof Map<?, ?> map && map.get("text") instanceof String text) {
      result.put("query", text);
    }
    body.put("payload", result);
    MessageBodies.send(out, RESULTS, body, msg);
  }

  private void delete(Map<String, Object> body, Output out, MessageFlyweight msg) {
    Object payload = body.get("payload");
    List<String> ids = new ArrayList<>();
    boolean many = false;
    if (payload instanceof String || payload instanceof Number) {
      ids.add(String.valueOf(payload));
    } else if (payload instanceof Map<?, ?> map && map.get("ids") instanceof List<?> list) {
      many = true;
      for (Object id : list) {
        ids.add(String.valueOf(id));
      }
    } else if (payload instanceof Map<?, ?> map
        && (map.get("id") instanceof String || map.get("id") instanceof Number)) {
      ids.add(String.valueOf(map.get("id")));
    } else {
      throw new IllegalArgumentException("payload: expected an id, {id} or {ids: [...]}");
    }
    int deleted = space.delete(collection, ids);
    Map<String, Object> result = new LinkedHashMap<>();
    if (many) {
      result.put("ids", ids);
      result.put("count", (long) deleted);
    } else {
      result.put("id", ids.get(0));
    }
    result.put("collection", collection);
    result.put("deleted", deleted > 0);
    body.put("payload", result);
    MessageBodies.send(out, DELETED, body, msg);
  }
}
