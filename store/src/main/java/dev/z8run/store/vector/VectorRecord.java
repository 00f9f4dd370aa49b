package dev.z8run.store.vector;

import java.util.Objects;

/**
 * One entry of a vector collection as the store keeps it.
 *
 * @param metadataJson the metadata as a JSON object's text ({@code {}} for none)
 */
public record VectorRecord(String id, float[] vector, String text, String metadataJson) {
  public VectorRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(vector, "vector");
    text = text == null ? "" : text;
    metadataJson = metadataJson == null || metadataJson.isEmpty() ? "{}" : metadataJson;
  }
}
