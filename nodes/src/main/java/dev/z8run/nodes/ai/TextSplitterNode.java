package dev.z8run.nodes.ai;

import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.core.registry.PortType;
import dev.z8run.io.message.MessageFlyweight;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code text-splitter}: cuts the text of a message into chunks for embedding. By default it sends
 * one message per chunk, {@code payload = {text, index, start, end}} (plus the input payload's
 * {@code metadata} and an {@code id} of {@code <id>#<index>} when the input has them), with
 * Node-RED's {@code msg.parts} so that {@code join} reassembles the array; {@code output: array}
 * sends z8run's one message {@code {chunks, total_chunks, strategy}} instead. Blocking, so that a
 * long text's many chunks wait for room downstream instead of piling up.
 */
public final class TextSplitterNode extends TextInputNode {
  public static final NodeType TYPE =
      NodeType.builder("text-splitter")
          .category(AiNodes.CATEGORY)
          .description("Splits text into overlapping chunks for embedding, one message per chunk.")
          .outputs(new PortSpec("chunks", PortType.ARRAY), PortSpec.any("error"))
          .blocking(true)
          .field(
              ConfigField.choice(
                  "strategy",
                  "fixed",
                  List.of("fixed", "sentences", "paragraphs", "tokens", "recursive"),
                  "Where to cut: every chunkSize characters, at sentence or paragraph ends, by"
                      + " tokens (about 4 characters each), or at the largest separator that fits."))
          .field(
              ConfigField.optional(
                  "chunkSize",
                  FieldType.INTEGER,
                  512L,
                  "Longest chunk: characters, or tokens with the tokens strategy (1 to 1000000)."))
          .field(
              ConfigField.optional(
                  "overlap",
                  FieldType.INTEGER,
                  50L,
                  "How much of the end of a chunk the next one repeats (less than chunkSize)."))
          .field(
              ConfigField.optional(
                  "separator",
                  FieldType.STRING,
                  "",
                  "paragraphs: what separates them (default a blank line); recursive: tried first."))
          .field(
              ConfigField.choice(
                  "output",
                  "messages",
                  List.of("messages", "array"),
                  "messages: one message per chunk, with msg.parts; array: one message with all."))
          .field(
              ConfigField.optional(
                  "maxChunks",
                  FieldType.INTEGER,
                  10_000L,
                  "Most chunks per message (1 to 1000000); more is an error."))
          .factory(TextSplitterNode::new)
          .build();

  private static final List<String> TEXT_KEYS =
      List.of("text", "content", "body", "prompt", "input", "message");

  private final String strategy;
  private final int chunkSize;
  private final int overlap;
  private final String separator;
  private final boolean array;
  private final int maxChunks;

  private TextSplitterNode(NodeContext context) {
    super(new AiNodes.ErrorPort(context, TYPE.name(), 1), TEXT_KEYS);
    this.strategy = context.configString("strategy", "fixed");
    this.chunkSize = (int) AiNodes.whole(context, "chunkSize", 512, 1, 1_000_000);
    this.overlap = (int) AiNodes.whole(context, "overlap", 50, 0, 999_999);
    if (overlap >= chunkSize) {
      throw new IllegalArgumentException(
          "overlap must be less than chunkSize (" + chunkSize + "), got " + overlap);
    }
    this.separator = context.configString("separator", "");
    this.array = context.configString("output", "messages").equals("array");
    this.maxChunks = (int) AiNodes.whole(context, "maxChunks", 10_000, 1, 1_000_000);
  }

  @Override
  void onText(MessageFlyweight msg, Map<String, Object> body, String text, Output out) {
    Object payload = body.get("payload");
    List<TextChunks.Chunk> chunks = TextChunks.split(text, strategy, chunkSize, overlap, separator);
    if (chunks.size() > maxChunks) {
      errors.send(
          msg,
          body,
          out,
          "the text makes " + chunks.size() + " chunks, more than maxChunks=" + maxChunks,
          Map.of());
      return;
    }
    Object metadata = payload instanceof Map<?, ?> map ? map.get("metadata") : null;
    Object id = payload instanceof Map<?, ?> map ? map.get("id") : null;
    List<Object> all = new ArrayList<>(chunks.size());
    for (int i = 0; i < chunks.size(); i++) {
      TextChunks.Chunk chunk = chunks.get(i);
      Map<String, Object> item = new LinkedHashMap<>();
      if (id instanceof String || id instanceof Number) {
        item.put("id", id + "#" + i);
      }
      item.put("text", chunk.text());
      item.put("index", (long) i);
      item.put("start", (long) chunk.start());
      item.put("end", (long) chunk.end());
      if (metadata instanceof Map<?, ?> meta) {
        item.put("metadata", meta);
      }
      all.add(item);
    }
    if (array) {
      Map<String, Object> result = new LinkedHashMap<>();
      result.put("chunks", all);
      result.put("total_chunks", (long) all.size());
      result.put("strategy", strategy);
      body.put("payload", result);
      AiNodes.send(out, 0, body);
      return;
    }
    String sequence = UUID.randomUUID().toString();
    for (int i = 0; i < all.size(); i++) {
      Map<String, Object> part = new LinkedHashMap<>(body);
      part.put("payload", all.get(i));
      Map<String, Object> parts = new LinkedHashMap<>();
      parts.put("id", sequence);
      parts.put("type", "array");
      parts.put("index", (long) i);
      parts.put("count", (long) all.size());
      parts.put("len", 1L);
      part.put("parts", parts);
      AiNodes.send(out, 0, part);
    }
  }
}
