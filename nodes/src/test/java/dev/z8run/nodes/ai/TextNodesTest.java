package dev.z8run.nodes.ai;

import static dev.z8run.nodes.ai.AiFlows.list;
import static dev.z8run.nodes.ai.AiFlows.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.runtime.DeployException;
import dev.z8run.nodes.FlowHarness;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** prompt-template and text-splitter: no provider involved. */
class TextNodesTest {
  private final AiFlows ai = new AiFlows();

  @AfterEach
  void close() {
    ai.close();
  }

  private static Map<String, Object> config(String json) {
    return map(FlowHarness.json(json));
  }

  @Test
  void shouldRenderPayloadPathsThenMessagePaths() {
    ai.deploy(
        "f",
        "prompt-template",
        config(
            "{\"template\":\"Hi {{name}} ({{user.age}}), re {{topic}}: {{items[1]}} {{msg.topic}}"
                + " {{meta}}\"}"),
        2);

    ai.inject(
        "f",
        Map.of(
            "topic",
            "billing",
            "payload",
            Map.of(
                "name",
                "Ada",
                "user",
                Map.of("age", 36),
                "items",
                List.of("a", "b"),
                "meta",
                Map.of("k", 1))));

    Map<String, Object> payload = map(ai.awaitMessage("o0", 1).get("payload"));
    assertEquals("Hi Ada (36), re billing: b billing {\"k\":1}", payload.get("text"));
    assertEquals("Ada", map(payload.get("variables")).get("name"));
  }

  @Test
  void shouldSendUnresolvedVariablesToErrorInStrictModeAndKeepThemOtherwise() {
    ai.deploy(
        "strict",
        "prompt-template",
        config("{\"template\":\"{{a}} {{b}}\",\"strictMode\":true}"),
        2);
    ai.deploy("lax", "prompt-template", config("{\"template\":\"{{a}} {{b}}\"}"), 2);

    ai.inject("strict", Map.of("payload", Map.of("a", "x")));
    Map<String, Object> error = map(ai.awaitMessage("o1", 1).get("error"));
    ai.inject("lax", Map.of("payload", Map.of("a", "x")));

    assertEquals("unresolved variables: b", error.get("message"));
    assertEquals(List.of("b"), error.get("missing"));
    assertEquals("x {{b}}", map(ai.awaitMessage("o0", 1).get("payload")).get("text"));
  }

  @Test
  void shouldRefuseAnEmptyTemplateAtDeploy() {
    DeployException refused =
        assertThrows(
            DeployException.class,
            () -> ai.deploy("f", "prompt-template", config("{\"template\":\"\"}"), 2));
    assertEquals("node 'ai' (prompt-template): template: must not be empty", refused.getMessage());
  }

  @Test
  void shouldSplitIntoOverlappingChunksThatCoverTheText() {
    String text = "abcdefghijklmnopqrstuvwxyz".repeat(4);
    List<TextChunks.Chunk> chunks = TextChunks.split(text, "fixed", 30, 10, "");

    assertEquals(0, chunks.get(0).start());
    assertEquals(text.length(), chunks.get(chunks.size() - 1).end());
    for (int i = 1; i < chunks.size(); i++) {
      assertEquals(chunks.get(i - 1).end() - 10, chunks.get(i).start());
      assertTrue(chunks.get(i).text().length() <= 30);
    }
  }

  @Test
  void shouldCutAtSentencesAndParagraphsWithinTheSize() {
    String text = "One short. Two is here! Three? Four ends.\n\nNew paragraph one. And two.";
    List<TextChunks.Chunk> sentences = TextChunks.split(text, "sentences", 25, 0, "");
    List<TextChunks.Chunk> paragraphs = TextChunks.split(text, "paragraphs", 45, 0, "");
    List<TextChunks.Chunk> recursive = TextChunks.split(text, "recursive", 45, 0, "");

    assertEquals(
        List.of("One short. Two is here!", "Three? Four ends.", "New paragraph one.", "And two."),
        sentences.stream().map(TextChunks.Chunk::text).toList());
    assertEquals(
        List.of("One short. Two is here! Three? Four ends.", "New paragraph one. And two."),
        paragraphs.stream().map(TextChunks.Chunk::text).toList());
    assertEquals(
        paragraphs.stream().map(TextChunks.Chunk::text).toList(),
        recursive.stream().map(TextChunks.Chunk::text).toList());
    for (TextChunks.Chunk chunk : sentences) {
      assertEquals(chunk.text(), text.substring(chunk.start(), chunk.end()));
    }
  }

  @Test
  void shouldNeverCutASurrogatePairInTwo() {
    String text = "😀".repeat(20);
    for (TextChunks.Chunk chunk : TextChunks.split(text, "fixed", 5, 2, "")) {
      assertEquals(
          chunk.text(),
          new String(
              chunk.text().codePoints().toArray(),
              0,
              chunk.text().codePointCount(0, chunk.text().length())));
      assertTrue(!Character.isLowSurrogate(chunk.text().charAt(0)));
    }
  }

  @Test
  void shouldSendOneMessagePerChunkThatJoinReassembles() {
    Map<String, Object> splitter =
        new LinkedHashMap<>(config("{\"strategy\":\"sentences\",\"chunkSize\":20,\"overlap\":0}"));
    List<dev.z8run.core.flow.FlowNode> nodes = new ArrayList<>();
    nodes.add(FlowHarness.node("in", "source", "{}"));
    nodes.add(new dev.z8run.core.flow.FlowNode("ai", "text-splitter", "", 0, 0, false, splitter));
    nodes.add(FlowHarness.node("each", "capture"));
    nodes.add(FlowHarness.node("join", "join", "{\"mode\":\"auto\"}"));
    nodes.add(FlowHarness.node("all", "capture"));
    ai.harness.engine.deploy(
        new Flow(
            "f",
            "f",
            "",
            nodes,
            List.of(
                new Wire("in", 0, "ai", 0),
                new Wire("ai", 0, "each", 0),
                new Wire("ai", 0, "join", 0),
                new Wire("join", 0, "all", 0))));

    ai.inject(
        "f",
        Map.of(
            "payload",
            Map.of(
                "text",
                "First one here. Second one. Third.",
                "id",
                "doc1",
                "metadata",
                Map.of("src", "a.txt"))));

    Map<String, Object> first = map(ai.awaitMessage("each", 1));
    Map<String, Object> payload = map(first.get("payload"));
    assertEquals("doc1#0", payload.get("id"));
    assertEquals("First one here.", payload.get("text"));
    assertEquals(Map.of("src", "a.txt"), payload.get("metadata"));
    assertEquals(2L, map(first.get("parts")).get("count"));
    List<Object> joined = list(ai.awaitMessage("all", 1).get("payload"));
    assertEquals(2, joined.size());
    assertEquals("Second one. Third.", map(joined.get(1)).get("text"));
  }

  @Test
  void shouldAnswerZ8runsArrayShapeWhenAsked() {
    ai.deploy(
        "f",
        "text-splitter",
        config("{\"strategy\":\"fixed\",\"chunkSize\":4,\"overlap\":0,\"output\":\"array\"}"),
        2);

    ai.inject("f", Map.of("payload", "abcdefghij"));

    Map<String, Object> payload = map(ai.awaitMessage("o0", 1).get("payload"));
    assertEquals(3L, payload.get("total_chunks"));
    assertEquals("fixed", payload.get("strategy"));
    assertEquals("ij", map(list(payload.get("chunks")).get(2)).get("text"));
  }

  @Test
  void shouldRefuseAnOverlapAsLongAsTheChunk() {
    DeployException refused =
        assertThrows(
            DeployException.class,
            () -> ai.deploy("f", "text-splitter", config("{\"chunkSize\":10,\"overlap\":10}"), 2));
    assertEquals(
        "node 'ai' (text-splitter): overlap must be less than chunkSize (10), got 10",
        refused.getMessage());
  }
}
