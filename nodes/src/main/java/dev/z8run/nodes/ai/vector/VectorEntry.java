package dev.z8run.nodes.ai.vector;

import java.util.Map;
import java.util.Objects;

/**
 * One entry of a collection: its id, the vector, the text it was made from and metadata (plain JSON
 * values, as {@link dev.z8run.io.json.JsonCodec} parses them).
 */
public record VectorEntry(String id, float[] vector, String text, Map<String, Object> metadata) {
  public VectorEntry {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(vector, "vector");
    text = text == null ? "" : text;
    metadata = metadata == null ? Map.of() : metadata;
  }
}
