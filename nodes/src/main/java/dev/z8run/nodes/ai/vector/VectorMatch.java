package dev.z8run.nodes.ai.vector;

import java.util.Map;

/** A search result: the entry and its cosine similarity to the query (-1..1, higher is nearer). */
public record VectorMatch(String id, double score, String text, Map<String, Object> metadata) {}
