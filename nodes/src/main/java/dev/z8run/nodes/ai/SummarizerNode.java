package dev.z8run.nodes.ai;

import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.core.registry.PortType;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.ai.provider.ProviderException;
import dev.z8run.nodes.support.MessageBodies;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code summarizer}: summarises the message's text in about {@code maxLength} words. {@code
 * simple} sends the whole text; {@code map-reduce} cuts a text longer than {@code chunkSize} at
 * sentence ends, summarises the pieces in parallel (at most {@code concurrency} calls at once) and
 * then the summaries; {@code refine} summarises the first piece and refines that summary with each
 * next piece in turn.
 */
public final class SummarizerNode extends TextInputNode {
  public static final NodeType TYPE =
      AiNodes.chatType(
              "summarizer",
              "Summarises text with a language model; long texts by map-reduce or refine.",
              "gpt-4o-mini",
              60_000)
          .outputs(new PortSpec("summary", PortType.OBJECT), PortSpec.any("error"))
          .field(
              ConfigField.choice(
                  "strategy",
                  "simple",
                  List.of("simple", "map-reduce", "refine"),
                  "simple: one call; map-reduce: pieces in parallel, then their summaries;"
                      + " refine: piece by piece."))
          .field(
              ConfigField.optional(
                  "maxLength",
                  FieldType.INTEGER,
                  200L,
                  "About how many words the summary has (1 to 100000)."))
          .field(
              ConfigField.optional(
                  "language", FieldType.STRING, "", "The summary's language; empty: the text's."))
          .field(
              ConfigField.optional(
                  "chunkSize",
                  FieldType.INTEGER,
                  3000L,
                  "map-reduce and refine: characters per piece (100 to 1000000)."))
          .factory(SummarizerNode::new)
          .build();

  private static final List<String> TEXT_KEYS =
      List.of("text", "content", "body", "prompt", "input", "message");

  private final ChatModel model;
  private final String strategy;
  private final long maxLength;
  private final String language;
  private final int chunkSize;

  private SummarizerNode(NodeContext context) {
    super(new AiNodes.ErrorPort(context, TYPE.name(), 1), TEXT_KEYS);
    this.model = ChatModel.from(context, "gpt-4o-mini");
    this.strategy = context.configString("strategy", "simple");
    this.maxLength = AiNodes.whole(context, "maxLength", 200, 1, 100_000);
    this.language = context.configString("language", "").strip();
    this.chunkSize = (int) AiNodes.whole(context, "chunkSize", 3000, 100, 1_000_000);
  }

  @Override
  void onText(MessageFlyweight msg, Map<String, Object> body, String text, Output out)
      throws InterruptedException {
    ChatModel.Usage usage = new ChatModel.Usage();
    List<String> pieces =
        strategy.equals("simple") || text.length() <= chunkSize
            ? List.of(text)
            : TextChunks.split(text, "sentences", chunkSize, 0, "").stream()
                .map(TextChunks.Chunk::text)
                .toList();
    String summary;
    try {
      summary =
          switch (pieces.size() == 1 ? "simple" : strategy) {
            case "map-reduce" -> mapReduce(pieces, usage);
            case "refine" -> refine(pieces, usage);
            default -> summarize(text, maxLength, "", usage);
          };
    } catch (ProviderException failed) {
      body.put("usage", usage.toJson());
      errors.send(msg, body, out, failed.getMessage(), model.errorDetails(failed));
      return;
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("summary", summary);
    result.put("original_length", (long) words(text));
    result.put("summary_length", (long) words(summary));
    result.put("strategy", strategy);
    result.put("chunks", (long) pieces.size());
    body.put("payload", result);
    body.put("usage", usage.toJson());
    MessageBodies.send(out, 0, body, msg);
  }

  private String languageInstruction() {
    return language.isEmpty() ? "" : "Write the summary in " + language + ". ";
  }

  private String summarize(String text, long words, String what, ChatModel.Usage usage)
      throws ProviderException, InterruptedException {
    String system =
        "You are an expert summarizer. Summarize the given "
            + (what.isEmpty() ? "text" : what)
            + " concisely in approximately "
            + words
            + " words. "
            + languageInstruction()
            + "Keep the summary informative and clear. Answer with the summary only.";
    return model.ask(system, text, 0.1, Math.max(256, words * 4), false, usage).text().strip();
  }

  private String mapReduce(List<String> pieces, ChatModel.Usage usage)
      throws ProviderException, InterruptedException {
    List<String> summaries = new ArrayList<>();
    try (ExecutorService calls = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<String>> futures = new ArrayList<>();
      for (String piece : pieces) {
        futures.add(
            calls.submit(
                () -> summarize(piece, Math.max(20, maxLength / 2), "part of a text", usage)));
      }
      try {
        for (Future<String> future : futures) {
          summaries.add(future.get());
        }
      } catch (ExecutionException failed) {
        futures.forEach(future -> future.cancel(true));
        if (failed.getCause() instanceof ProviderException provider) {
          throw provider;
        }
        throw new IllegalStateException(failed.getCause());
      } catch (InterruptedException interrupted) {
        futures.forEach(future -> future.cancel(true));
        throw interrupted;
      }
    }
    return summarize(
        String.join("\n\n", summaries), maxLength, "summaries of the parts of one text", usage);
  }

  private String refine(List<String> pieces, ChatModel.Usage usage)
      throws ProviderException, InterruptedException {
    String summary = summarize(pieces.get(0), maxLength, "", usage);
    for (int i = 1; i < pieces.size(); i++) {
      String system =
          "You are an expert summarizer. Refine the existing summary with the new text, in"
              + " approximately "
              + maxLength
              + " words. "
              + languageInstruction()
              + "Answer with the refined summary only.";
      summary =
          model
              .ask(
                  system,
                  "Existing summary:\n" + summary + "\n\nNew text:\n" + pieces.get(i),
                  0.1,
                  Math.max(256, maxLength * 4),
                  false,
                  usage)
              .text()
              .strip();
    }
    return summary;
  }

  private static int words(String text) {
    String trimmed = text.strip();
    return trimmed.isEmpty() ? 0 : trimmed.split("\\s+").length;
  }
}
