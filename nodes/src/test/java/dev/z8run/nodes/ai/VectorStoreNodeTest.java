package dev.z8run.nodes.ai;

import static dev.z8run.nodes.ai.AiFlows.list;
import static dev.z8run.nodes.ai.AiFlows.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.runtime.DeployException;
import dev.z8run.nodes.FlowHarness;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** vector-store's actions, ports and messages (on the engine's in-memory collections). */
class VectorStoreNodeTest {
  private final AiFlows ai = new AiFlows();

  @AfterEach
  void close() {
    ai.close();
  }

  private void deploy(String flow, String action, String more) {
    ai.deploy(
        flow,
        "vector-store",
        map(
            FlowHarness.json(
                "{\"action\":\"" + action + "\",\"collection\":\"docs\"" + more + "}")),
        5);
  }

  @Test
  void shouldStoreSearchWithFiltersDeleteAndClear() {
    deploy("store", "store", "");
    deploy("search", "search", ",\"topK\":2,\"minScore\":0.1");
    deploy("delete", "delete", "");
    deploy("clear", "clear", "");

    ai.inject(
        "store",
        Map.of(
            "payload",
            List.of(
                Map.of(
                    "id",
                    "a",
                    "embedding",
                    List.of(1, 0, 0),
                    "text",
                    "alpha",
                    "metadata",
                    Map.of("lang", "en", "year", 2020)),
                Map.of(
                    "id",
                    "b",
                    "embedding",
                    List.of(0.9, 0.1, 0),
                    "text",
                    "beta",
                    "metadata",
                    Map.of("lang", "de", "year", 2024)),
                Map.of("id", "c", "embedding", List.of(0, 0, 1), "text", "gamma"))));
    Map<String, Object> stored = map(ai.awaitMessage("o0", 1).get("payload"));
    ai.inject(
        "store", Map.of("payload", Map.of("embedding", List.of(0, 1, 0), "text", "generated id")));
    Map<String, Object> single = map(ai.awaitMessage("o0", 2).get("payload"));

    assertEquals(List.of("a", "b", "c"), stored.get("ids"));
    assertEquals(3L, stored.get("total_entries"));
    assertEquals(36, single.get("id").toString().length());
    assertEquals(4L, single.get("total_entries"));

    ai.inject(
        "search", Map.of("payload", Map.of("embedding", List.of(1, 0, 0), "text", "question")));
    Map<String, Object> results = map(ai.awaitMessage("o1", 1).get("payload"));
    List<Object> found = list(results.get("results"));
    assertEquals(List.of("a", "b"), found.stream().map(r -> map(r).get("id")).toList());
    assertEquals(1.0, (double) map(found.get(0)).get("score"), 1e-6);
    assertEquals("alpha\n\nbeta", results.get("context"));
    assertEquals("question", results.get("query"));
    assertEquals(3L, results.get("query_dimensions"));

    ai.inject(
        "search",
        Map.of(
            "payload",
            Map.of("embedding", List.of(1, 0, 0)),
            "filter",
            Map.of("year", Map.of("$gte", 2021))));
    List<Object> filtered = list(map(ai.awaitMessage("o1", 2).get("payload")).get("results"));
    assertEquals(List.of("b"), filtered.stream().map(r -> map(r).get("id")).toList());

    ai.inject("delete", Map.of("payload", Map.of("ids", List.of("a", "zzz"))));
    Map<String, Object> deleted = map(ai.awaitMessage("o2", 1).get("payload"));
    assertEquals(1L, deleted.get("count"));
    assertEquals(true, deleted.get("deleted"));

    ai.inject("clear", Map.of("payload", ""));
    assertEquals(3L, map(ai.awaitMessage("o3", 1).get("payload")).get("entries_cleared"));
  }

  @Test
  void shouldRefuseAVectorOfAnotherDimensionAndBadEntries() {
    deploy("store", "store", "");

    ai.inject("store", Map.of("payload", Map.of("embedding", List.of(1, 0))));
    ai.awaitMessage("o0", 1);
    ai.inject("store", Map.of("payload", Map.of("embedding", List.of(1, 0, 0), "id", "x")));
    ai.inject("store", Map.of("payload", Map.of("text", "no vector")));
    ai.inject(
        "store",
        Map.of("payload", Map.of("embedding", List.of(1, 0), "metadata", "not an object")));

    List<String> errors =
        ai.harness.awaitCaptured("o4", 3).stream()
            .map(c -> map(map(c.parsed()).get("error")).get("message").toString())
            .sorted() // the node runs several messages at once: errors may leave in any order
            .toList();
    assertEquals(
        List.of(
            "collection 'docs' holds 2-dimensional vectors; entry 'x' has 3",
            "payload.embedding: expected an array of numbers",
            "payload.metadata: expected an object"),
        errors);
  }

  @Test
  void shouldRefuseABadFilterAtDeployAndInAMessage() {
    DeployException refused =
        assertThrows(
            DeployException.class,
            () -> deploy("s", "search", ",\"filter\":{\"year\":{\"$between\":[1,2]}}"));
    assertTrue(
        refused.getMessage().contains("filter.year: unknown operator '$between'"),
        refused.getMessage());

    deploy("s", "search", "");
    ai.inject(
        "s",
        Map.of("payload", Map.of("embedding", List.of(1)), "filter", Map.of("$or", List.of())));
    assertEquals(
        "filter: '$or' is not a metadata key (operators go inside a key's object)",
        map(ai.awaitMessage("o4", 1).get("error")).get("message"));
  }
}
