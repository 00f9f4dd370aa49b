package dev.z8run.store.vector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.store.Store;
import dev.z8run.store.StoreConfig;
import dev.z8run.store.lmdb.LmdbEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Vector collections in LMDB with their Lucene indexes: search, filters, isolation, restarts. */
class VectorStoreTest {
  @TempDir Path dir;

  private static VectorRecord entry(String id, String metadata, float... vector) {
    return new VectorRecord(id, vector, "text " + id, metadata);
  }

  private static List<String> ids(List<VectorHit> hits) {
    return hits.stream().map(VectorHit::id).toList();
  }

  private static void fill(VectorStore vectors, String owner) {
    vectors.upsert(
        owner,
        "docs",
        List.of(
            entry("a", "{\"lang\":\"en\",\"year\":2020,\"tags\":[\"x\",\"y\"]}", 1, 0, 0),
            entry("b", "{\"lang\":\"de\",\"year\":2024,\"draft\":true}", 0.9f, 0.1f, 0),
            entry("c", "{\"lang\":\"en\",\"year\":2023}", 0.7f, 0.7f, 0),
            entry("d", "{}", 0, 0, 1)));
  }

  @Test
  void shouldFindTheNearestEntriesWithTheirTextAndMetadata() {
    try (Store store = Store.open(StoreConfig.of(dir))) {
      fill(store.vectors(), "u1");

      List<VectorHit> hits =
          store.vectors().search("u1", "docs", new float[] {1, 0, 0}, 3, -1, Map.of());

      assertEquals(List.of("a", "b", "c"), ids(hits));
      assertEquals(1.0, hits.get(0).score(), 1e-5);
      assertEquals(Math.sqrt(0.5), hits.get(2).score(), 1e-5);
      assertEquals("text a", hits.get(0).text());
      assertEquals(2020L, VectorStore.metadata(hits.get(0).metadataJson()).get("year"));
      assertEquals(4, store.vectors().count("u1", "docs"));
      assertEquals(3, store.vectors().dimensions("u1", "docs"));
      assertEquals(
          List.of("a"),
          ids(store.vectors().search("u1", "docs", new float[] {1, 0, 0}, 5, 0.999, Map.of())));
    }
  }

  @Test
  void shouldFilterInsideTheSearch() {
    try (Store store = Store.open(StoreConfig.of(dir))) {
      VectorStore vectors = store.vectors();
      fill(vectors, "u1");
      float[] q = {1, 0, 0};

      assertEquals(
          List.of("a", "c"), ids(vectors.search("u1", "docs", q, 5, -1, Map.of("lang", "en"))));
      assertEquals(List.of("a"), ids(vectors.search("u1", "docs", q, 5, -1, Map.of("tags", "y"))));
      assertEquals(
          List.of("b"), ids(vectors.search("u1", "docs", q, 5, -1, Map.of("draft", true))));
      assertEquals(
          List.of("b", "c"),
          ids(
              vectors.search(
                  "u1", "docs", q, 5, -1, Map.of("year", Map.of("$gt", 2020, "$lte", 2024)))));
      assertEquals(
          new TreeSet<>(Set.of("b", "d")),
          new TreeSet<>(
              ids(vectors.search("u1", "docs", q, 5, -1, Map.of("lang", Map.of("$ne", "en"))))));
      assertEquals(
          List.of("a"),
          ids(
              vectors.search(
                  "u1",
                  "docs",
                  q,
                  5,
                  -1,
                  Map.of(
                      "lang", Map.of("$in", List.of("de", "en")), "year", Map.of("$lt", 2023)))));
      assertEquals(List.of("a"), ids(vectors.search("u1", "docs", q, 5, -1, Map.of("year", 2020))));
      assertEquals(
          List.of("c"),
          ids(
              vectors.search(
                  "u1",
                  "docs",
                  q,
                  5,
                  -1,
                  Map.of("year", Map.of("$nin", List.of(2020, 2024)), "lang", "en"))));
      assertThrows(
          IllegalArgumentException.class,
          () -> vectors.search("u1", "docs", q, 5, -1, Map.of("year", Map.of("$near", 1))));
    }
  }

  @Test
  void shouldKeepEachOwnersCollectionsApart() {
    try (Store store = Store.open(StoreConfig.of(dir))) {
      fill(store.vectors(), "alice");
      store.vectors().upsert("bob", "docs", List.of(entry("b1", "{}", 1, 0)));

      assertEquals(
          List.of("b1"),
          ids(store.vectors().search("bob", "docs", new float[] {1, 0}, 10, -1, Map.of())));
      assertEquals(
          4,
          store.vectors().search("alice", "docs", new float[] {1, 0, 0}, 10, -1, Map.of()).size());
      assertEquals(0, store.vectors().delete("bob", "docs", List.of("a")));
      assertEquals(0, store.vectors().clear("bob", "nothing"));
      assertEquals(4, store.vectors().count("alice", "docs"));
    }
  }

  @Test
  void shouldRefuseWritesPastAnOwnersLimitsWithoutTouchingOtherOwners() {
    VectorLimits limits = new VectorLimits(2, 5, 1_000_000);
    try (Store store = Store.open(StoreConfig.builder(dir).vectorLimits(limits).build())) {
      VectorStore vectors = store.vectors();
      fill(vectors, "mallory");
      vectors.upsert("alice", "docs", List.of(entry("a1", "{}", 1, 0)));

      // a fifth entry fits, a sixth does not: the write is refused whole
      vectors.upsert("mallory", "more", List.of(entry("m5", "{}", 1, 1)));
      VectorLimitException full =
          assertThrows(
              VectorLimitException.class,
              () ->
                  vectors.upsert(
                      "mallory",
                      "more",
                      List.of(entry("m6", "{}", 1, 2), entry("m7", "{}", 1, 3))));
      assertTrue(full.getMessage().contains("the most is 5"), full.getMessage());
      assertEquals(1, vectors.count("mallory", "more"));
      // a third collection is refused, even with room for entries
      vectors.delete("mallory", "more", List.of("m5"));
      assertThrows(
          VectorLimitException.class,
          () -> vectors.upsert("mallory", "third", List.of(entry("t", "{}", 1, 0))));
      // replacing an entry by one of the same size passes at the limit
      vectors.upsert("mallory", "more", List.of(entry("m5", "{}", 1, 1)));
      vectors.upsert("mallory", "more", List.of(entry("m5", "{}", 2, 1)));
      // the other owner is untouched and still has room, in a collection of the same name
      vectors.upsert("alice", "more", List.of(entry("a2", "{}", 0, 1), entry("a3", "{}", 1, 1)));
      assertEquals(new VectorUsage(2, 3, vectors.usage("alice").bytes()), vectors.usage("alice"));
      assertEquals(
          new VectorUsage(2, 5, vectors.usage("mallory").bytes()), vectors.usage("mallory"));
      assertEquals(
          List.of("m5"),
          ids(vectors.search("mallory", "more", new float[] {1, 0}, 10, -1, Map.of())));
      assertEquals(
          List.of("a3", "a2"),
          ids(vectors.search("alice", "more", new float[] {1, 1}, 10, -1, Map.of())));
      // clearing frees the room
      vectors.clear("mallory", "docs");
      vectors.upsert("mallory", "third", List.of(entry("t", "{}", 1, 0)));
      assertEquals(
          new VectorUsage(2, 2, vectors.usage("mallory").bytes()), vectors.usage("mallory"));
    }
  }

  @Test
  void shouldCountBytesAndRefuseAWriteThatWouldPassTheByteLimit() {
    VectorLimits limits = new VectorLimits(10, 1_000, 4_000);
    try (Store store = Store.open(StoreConfig.builder(dir).vectorLimits(limits).build())) {
      VectorStore vectors = store.vectors();
      String kilobyte = "x".repeat(1_000);
      vectors.upsert(
          "u", "docs", List.of(new VectorRecord("a", new float[] {1, 0}, kilobyte, "{}")));
      long one = vectors.usage("u").bytes();
      assertTrue(one > 1_000 && one < 1_100, "bytes " + one);
      vectors.upsert(
          "u",
          "docs",
          List.of(
              new VectorRecord("b", new float[] {1, 0}, kilobyte, "{}"),
              new VectorRecord("c", new float[] {1, 0}, kilobyte, "{}")));
      assertThrows(
          VectorLimitException.class,
          () ->
              vectors.upsert(
                  "u",
                  "other",
                  List.of(new VectorRecord("d", new float[] {1, 0}, kilobyte, "{}"))));
      assertEquals(3, vectors.usage("u").entries());
      vectors.delete("u", "docs", List.of("a"));
      assertEquals(2 * one, vectors.usage("u").bytes(), 8);
      vectors.upsert(
          "u", "other", List.of(new VectorRecord("d", new float[] {1, 0}, kilobyte, "{}")));
      assertEquals(new VectorUsage(2, 3, vectors.usage("u").bytes()), vectors.usage("u"));
    }
  }

  @Test
  void shouldUpdateAndDeleteByIdAndClear() {
    try (Store store = Store.open(StoreConfig.of(dir))) {
      VectorStore vectors = store.vectors();
      fill(vectors, "u1");
      vectors.search("u1", "docs", new float[] {0, 0, 1}, 1, -1, Map.of());

      vectors.upsert("u1", "docs", List.of(entry("d", "{\"moved\":true}", 1, 0, 0)));
      assertEquals(2, vectors.delete("u1", "docs", List.of("a", "b", "zz")));

      List<VectorHit> hits = vectors.search("u1", "docs", new float[] {1, 0, 0}, 10, -1, Map.of());
      assertEquals(List.of("d", "c"), ids(hits));
      assertEquals(true, VectorStore.metadata(hits.get(0).metadataJson()).get("moved"));
      assertEquals(2, vectors.count("u1", "docs"));
      assertEquals(2, vectors.clear("u1", "docs"));
      assertEquals(
          List.of(), vectors.search("u1", "docs", new float[] {1, 0, 0}, 10, -1, Map.of()));
      vectors.upsert("u1", "docs", List.of(entry("new", "{}", 0, 1)));
      assertEquals(
          List.of("new"), ids(vectors.search("u1", "docs", new float[] {0, 1}, 10, -1, Map.of())));
    }
  }

  @Test
  void shouldRefuseOtherDimensionsZeroVectorsAndBadNames() {
    try (Store store = Store.open(StoreConfig.of(dir))) {
      VectorStore vectors = store.vectors();
      fill(vectors, "u1");

      IllegalArgumentException dims =
          assertThrows(
              IllegalArgumentException.class,
              () -> vectors.upsert("u1", "docs", List.of(entry("x", "{}", 1, 2))));
      IllegalArgumentException zero =
          assertThrows(
              IllegalArgumentException.class,
              () -> vectors.upsert("u1", "other", List.of(entry("z", "{}", 0, 0))));
      IllegalArgumentException query =
          assertThrows(
              IllegalArgumentException.class,
              () -> vectors.search("u1", "docs", new float[] {1}, 1, 0, Map.of()));
      assertThrows(
          IllegalArgumentException.class,
          () -> vectors.upsert("u1", "a\u0000b", List.of(entry("x", "{}", 1))));

      assertEquals(
          "collection 'docs' holds 3-dimensional vectors; entry 'x' has 2", dims.getMessage());
      assertEquals("entry 'z': the vector is all zeros", zero.getMessage());
      assertEquals(
          "collection 'docs' holds 3-dimensional vectors; the query has 1", query.getMessage());
      assertEquals(4, vectors.count("u1", "docs"));
    }
  }

  @Test
  void shouldAnswerTheSameAfterARestartAndCatchUpOnWritesTheIndexMissed() {
    try (Store store = Store.open(StoreConfig.of(dir))) {
      fill(store.vectors(), "u1");
      store.vectors().search("u1", "docs", new float[] {1, 0, 0}, 1, -1, Map.of());
    }
    try (Store store = Store.open(StoreConfig.of(dir))) {
      // written while the index is closed: it must catch up from LMDB
      store.vectors().upsert("u1", "docs", List.of(entry("e", "{}", 1, 0.01f, 0)));
      store.vectors().delete("u1", "docs", List.of("b"));
    }
    try (Store store = Store.open(StoreConfig.of(dir))) {
      assertEquals(
          List.of("a", "e", "c", "d"),
          ids(store.vectors().search("u1", "docs", new float[] {1, 0, 0}, 10, -1, Map.of())));
      assertTrue(Files.isDirectory(dir.resolve("vector-index")));
    }
  }

  @Test
  void shouldSearchLargeCollectionsThroughTheGraphWithFiltersAndHighDimensions() throws Exception {
    Random random = new Random(7);
    int dims = 1536;
    try (LmdbEnvironment env = LmdbEnvironment.open(dir.resolve("lmdb"), 64L << 20, 8L << 30);
        VectorStore exact =
            new VectorStore(
                env, dir.resolve("exact"), new VectorTuning(Integer.MAX_VALUE, 16, 100, 100));
        VectorStore graph =
            new VectorStore(env, dir.resolve("graph"), new VectorTuning(0, 16, 100, 100))) {
      List<VectorRecord> records = new ArrayList<>();
      for (int i = 0; i < 1_200; i++) {
        float[] v = new float[dims];
        for (int d = 0; d < dims; d++) {
          v[d] = (float) random.nextGaussian();
        }
        records.add(new VectorRecord("e" + i, v, "", "{\"shard\":" + (i % 3) + "}"));
      }
      exact.upsert("u", "big", records);
      float[] q = records.get(42).vector().clone();
      q[0] += 0.01f;

      List<VectorHit> approximate = graph.search("u", "big", q, 10, -1, Map.of());
      List<VectorHit> truth = exact.search("u", "big", q, 10, -1, Map.of());
      List<VectorHit> filtered = graph.search("u", "big", q, 10, -1, Map.of("shard", 1));

      assertEquals("e42", approximate.get(0).id());
      assertEquals("e42", truth.get(0).id());
      int overlap = 0;
      for (VectorHit hit : approximate) {
        overlap += ids(truth).contains(hit.id()) ? 1 : 0;
      }
      assertTrue(overlap >= 8, "recall@10 " + overlap + "/10");
      assertEquals(10, filtered.size());
      for (VectorHit hit : filtered) {
        assertEquals(1, Integer.parseInt(hit.id().substring(1)) % 3);
      }
    }
  }
}
