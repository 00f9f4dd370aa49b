package dev.z8run.store.vector;

/** A search result: the entry and its cosine similarity to the query (-1..1). */
public record VectorHit(String id, double score, String text, String metadataJson) {}
