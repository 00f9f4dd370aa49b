package dev.z8run.nodes.ai;

import static dev.z8run.nodes.ai.AiFlows.list;
import static dev.z8run.nodes.ai.AiFlows.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.nodes.FlowHarness;
import dev.z8run.nodes.ai.embed.LocalEmbedder;
import dev.z8run.nodes.ai.vector.InMemoryVectorCollections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The real local model: loaded lazily, meaning what it should, offline. */
class LocalEmbedderTest {
  private static LocalEmbedder embedder;

  @BeforeAll
  static void create() {
    embedder = new LocalEmbedder(2);
  }

  @AfterAll
  static void close() {
    embedder.close();
  }

  @Test
  void shouldScoreSimilarSentencesHigherThanUnrelatedOnes() throws Exception {
    List<float[]> v =
        embedder.embed(
            List.of(
                "The cat sits on the mat.",
                "A kitten is resting on a rug.",
                "Quarterly revenue grew by twelve percent.",
                "How do I reset my password?",
                "I forgot my login credentials and cannot sign in."));

    assertEquals(LocalEmbedder.DIMENSIONS, v.get(0).length);
    double cats = InMemoryVectorCollections.cosine(v.get(0), v.get(1));
    double catRevenue = InMemoryVectorCollections.cosine(v.get(0), v.get(2));
    double passwords = InMemoryVectorCollections.cosine(v.get(3), v.get(4));
    double passwordCat = InMemoryVectorCollections.cosine(v.get(3), v.get(0));
    assertTrue(cats > catRevenue + 0.3, "cat/kitten " + cats + " vs cat/revenue " + catRevenue);
    assertTrue(passwords > passwordCat + 0.3, "password " + passwords + " vs " + passwordCat);
    assertEquals(1.0, InMemoryVectorCollections.cosine(v.get(0), v.get(0)), 1e-5);
  }

  @Test
  void shouldEmbedABatchExactlyAsOneByOne() throws Exception {
    List<String> texts = List.of("alpha beta", "gamma delta", "epsilon", "zeta eta theta");
    List<float[]> batch = embedder.embed(texts);
    for (int i = 0; i < texts.size(); i++) {
      float[] single = embedder.embed(List.of(texts.get(i))).get(0);
      assertEquals(1.0, InMemoryVectorCollections.cosine(batch.get(i), single), 1e-6);
    }
  }

  @Test
  void shouldNotLoadTheModelBeforeTheFirstEmbedding() {
    try (LocalEmbedder fresh = new LocalEmbedder(1)) {
      assertFalse(fresh.loaded());
    }
  }

  @Test
  void shouldEmbedAndClassifyInAFlowWithNoProviderAtAll() {
    try (FlowHarness harness = new FlowHarness()) {
      harness.engine.registerService(LocalEmbedder.class, embedder);
      harness.engine.deploy(FlowHarness.switchFlow("embeddings", "{}", 2, "{}"));
      harness.inject("f", "in", "{\"payload\":\"offline vectors\"}");
      Map<String, Object> embedded =
          map(map(harness.awaitCaptured("o0", 1).get(0).parsed()).get("payload"));
      harness.engine.deploy(
          FlowHarness.switchFlow(
              "classifier",
              "{\"mode\":\"embedding\",\"categories\":[{\"name\":\"billing\",\"description\":\"invoices,"
                  + " payments, refunds\"},{\"name\":\"technical\",\"description\":\"errors, crashes,"
                  + " bugs\"}]}",
              4,
              "{}"));
      harness.inject(
          "f", "in", "{\"payload\":\"I was charged twice on my invoice, please refund me\"}");

      assertEquals(384, list(embedded.get("embedding")).size());
      assertEquals(LocalEmbedder.MODEL, embedded.get("model"));
      FlowHarness.await("a classification", () -> harness.captured("o2").size() == 1);
      Map<String, Object> result = map(map(harness.captured("o2").get(0).parsed()).get("payload"));
      assertEquals("billing", result.get("category"));
      assertTrue(harness.captured("o3").isEmpty());
    }
  }
}
