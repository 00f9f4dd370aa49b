package dev.z8run.perf.ai;

import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.node.InjectResult;
import dev.z8run.core.runtime.Engine;
import dev.z8run.core.runtime.FlowMetrics;
import dev.z8run.core.runtime.NodeCounters;
import dev.z8run.core.runtime.NodeMetrics;
import dev.z8run.nodes.BuiltinNodes;
import dev.z8run.nodes.ai.embed.LocalEmbedder;
import dev.z8run.nodes.support.OutboundPolicy;
import dev.z8run.store.lmdb.LmdbEnvironment;
import dev.z8run.store.vector.VectorHit;
import dev.z8run.store.vector.VectorRecord;
import dev.z8run.store.vector.VectorStore;
import dev.z8run.store.vector.VectorTuning;
import dev.z8run.testkit.ai.FakeProviders;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The AI suite's figures (perf/README.md, "AI"), one command each, each printing its medians:
 *
 * <pre>
 *   java -cp perf/target/z8run-perf.jar dev.z8run.perf.ai.AiBench embed   [reps=5]
 *   java -cp perf/target/z8run-perf.jar dev.z8run.perf.ai.AiBench vectors [n=100000] [dims=384] [queries=1000]
 *   java -cp perf/target/z8run-perf.jar dev.z8run.perf.ai.AiBench llm     [seconds=20] [delayMs=200]
 * </pre>
 */
public final class AiBench {
  private AiBench() {}

  public static void main(String[] args) throws Exception {
    String what = args.length > 0 ? args[0] : "embed";
    switch (what) {
      case "embed" -> embed(args.length > 1 ? Integer.parseInt(args[1]) : 5);
      case "vectors" ->
          vectors(
              args.length > 1 ? Integer.parseInt(args[1]) : 100_000,
              args.length > 2 ? Integer.parseInt(args[2]) : 384,
              args.length > 3 ? Integer.parseInt(args[3]) : 1_000);
      case "llm" ->
          llm(
              args.length > 1 ? Integer.parseInt(args[1]) : 20,
              args.length > 2 ? Integer.parseInt(args[2]) : 200);
      default -> {
        System.err.println("usage: AiBench embed|vectors|llm ...");
        System.exit(2);
      }
    }
  }

  // ---------------------------------------------------------------- local embeddings

  private static void embed(int reps) throws InterruptedException {
    List<String> texts = new ArrayList<>();
    Random random = new Random(1);
    String[] words =
        "the office opens at nine parking is free for visitors expenses are refunded within a month badges must be worn holidays are booked in the portal reports are due on friday"
            .split(" ");
    for (int i = 0; i < 256; i++) {
      StringBuilder sentence = new StringBuilder();
      for (int w = 0; w < 12 + random.nextInt(10); w++) {
        sentence.append(words[random.nextInt(words.length)]).append(' ');
      }
      texts.add(sentence.toString().strip() + ".");
    }
    try (LocalEmbedder embedder = new LocalEmbedder()) {
      long loadStart = System.nanoTime();
      embedder.embed(List.of("warm up"));
      System.out.printf(
          Locale.ROOT,
          "model load + first embedding: %.0f ms%n",
          (System.nanoTime() - loadStart) / 1e6);
      for (int i = 0; i < 64; i++) {
        embedder.embed(List.of(texts.get(i)));
      }
      embedder.embed(texts.subList(0, 64));
      double[] single = new double[reps];
      double[] batched = new double[reps];
      for (int r = 0; r < reps; r++) {
        long start = System.nanoTime();
        for (String text : texts) {
          embedder.embed(List.of(text));
        }
        single[r] = texts.size() * 1e9 / (System.nanoTime() - start);
        start = System.nanoTime();
        for (int from = 0; from < texts.size(); from += 32) {
          embedder.embed(texts.subList(from, from + 32));
        }
        batched[r] = texts.size() * 1e9 / (System.nanoTime() - start);
        System.out.printf(
            Locale.ROOT,
            "rep %d: single %.1f sentences/s, batched (32) %.1f sentences/s%n",
            r,
            single[r],
            batched[r]);
      }
      System.out.printf(
          Locale.ROOT,
          "embed: single median %.1f sentences/s, batched median %.1f sentences/s, ratio %.2f (threads=%d)%n",
          median(single),
          median(batched),
          median(batched) / median(single),
          Runtime.getRuntime().availableProcessors());
    }
  }

  // ---------------------------------------------------------------- vector store

  private static void vectors(int n, int dims, int queries) throws IOException {
    Path dir = Files.createTempDirectory("z8-vectors");
    Random random = new Random(42);
    int clusters = Math.max(10, n / 100);
    // noise per dimension around a cluster centre; the default (4) makes the noise 2.4 times the
    // centre, near uniform in 384 dimensions: the hardest case for a graph index
    float spread = Float.parseFloat(System.getProperty("z8.bench.spread", "4"));
    // the store's defaults, or what -Dz8.vectors.{exactBelow,m,beam,candidates} set
    VectorTuning defaults = VectorTuning.DEFAULTS;
    VectorTuning tuning =
        new VectorTuning(
            Integer.getInteger("z8.vectors.exactBelow", defaults.exactBelow()),
            Integer.getInteger("z8.vectors.m", defaults.maxConnections()),
            Integer.getInteger("z8.vectors.beam", defaults.beamWidth()),
            Integer.getInteger("z8.vectors.candidates", defaults.candidates()));
    System.out.printf(
        Locale.ROOT,
        "vectors: %s, spread %.2f, %s, load average %.2f%n",
        tuning,
        spread,
        ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            ? "jdk.incubator.vector present"
            : "no jdk.incubator.vector (Lucene scores without SIMD)",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    float[][] centers = new float[clusters][];
    for (int c = 0; c < clusters; c++) {
      centers[c] = unit(gaussian(random, dims, 1.0f));
    }
    float[][] data = new float[n][];
    for (int i = 0; i < n; i++) {
      data[i] =
          unit(
              add(
                  centers[random.nextInt(clusters)],
                  gaussian(random, dims, 0.6f / (float) Math.sqrt(dims) * spread)));
    }
    float[][] qs = new float[queries][];
    for (int i = 0; i < queries; i++) {
      qs[i] =
          unit(
              add(
                  centers[random.nextInt(clusters)],
                  gaussian(random, dims, 0.6f / (float) Math.sqrt(dims) * spread)));
    }
    try (LmdbEnvironment env = LmdbEnvironment.open(dir.resolve("lmdb"), 256L << 20, 64L << 30);
        VectorStore store = new VectorStore(env, dir.resolve("index"), tuning)) {
      int batch = 1_000;
      long start = System.nanoTime();
      for (int from = 0; from < n; from += batch) {
        List<VectorRecord> records = new ArrayList<>(batch);
        for (int i = from; i < Math.min(n, from + batch); i++) {
          records.add(new VectorRecord("e" + i, data[i], "", "{\"shard\":" + (i % 10) + "}"));
        }
        store.upsert("owner", "bench", records);
      }
      double storeSeconds = (System.nanoTime() - start) / 1e9;
      start = System.nanoTime();
      long buildCpu = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
      store.refresh("owner", "bench");
      double indexSeconds = (System.nanoTime() - start) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "index build: %.1f s of CPU on the indexing thread (%.0f entries per CPU second), load average %.2f%n",
          (ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - buildCpu) / 1e9,
          n / ((ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - buildCpu) / 1e9),
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      System.out.printf(
          Locale.ROOT,
          "insert: %d x %d-d in batches of %d: LMDB %.1f s (%.0f entries/s), index build %.1f s (%.0f entries/s), together %.0f entries/s%n",
          n,
          dims,
          batch,
          storeSeconds,
          n / storeSeconds,
          indexSeconds,
          n / indexSeconds,
          n / (storeSeconds + indexSeconds));
      System.out.printf(
          Locale.ROOT,
          "index segments after the build: %d%n",
          store.indexSegments("owner", "bench"));
      long lmdbBytes = size(dir.resolve("lmdb").resolve("data.mdb"));
      long indexBytes = store.indexSizeBytes("owner", "bench");
      System.out.printf(
          Locale.ROOT,
          "size on disk: LMDB %.1f MB (map file; raw vectors are %.1f MB), index %.1f MB%n",
          lmdbBytes / 1e6,
          (double) n * dims * 4 / 1e6,
          indexBytes / 1e6);
      List<Set<String>> truths =
          java.util.stream.IntStream.range(0, queries)
              .parallel()
              .mapToObj(i -> exactTop(data, qs[i], 10))
              .toList();
      String sweep =
          System.getProperty("z8.bench.candidates", Integer.toString(tuning.candidates()));
      for (String value : sweep.split(",")) {
        int candidates = Integer.parseInt(value.strip());
        // warm up
        for (int i = 0; i < Math.min(200, queries); i++) {
          store.search("owner", "bench", qs[i], 10, -1, Map.of(), candidates);
        }
        long[] latencies = new long[queries];
        long[] cpu = new long[queries];
        long[] filtered = new long[queries];
        double recall = 0;
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int i = 0; i < queries; i++) {
          long c = threads.getCurrentThreadCpuTime();
          long t = System.nanoTime();
          List<VectorHit> hits =
              store.search("owner", "bench", qs[i], 10, -1, Map.of(), candidates);
          latencies[i] = System.nanoTime() - t;
          cpu[i] = threads.getCurrentThreadCpuTime() - c;
          t = System.nanoTime();
          store.search("owner", "bench", qs[i], 10, -1, Map.of("shard", 3), candidates);
          filtered[i] = System.nanoTime() - t;
          int found = 0;
          for (VectorHit hit : hits) {
            found += truths.get(i).contains(hit.id()) ? 1 : 0;
          }
          recall += found / 10.0;
        }
        Arrays.sort(latencies);
        Arrays.sort(cpu);
        Arrays.sort(filtered);
        System.out.printf(
            Locale.ROOT,
            "search (HNSW, k=10, %d candidates, %d queries): p50 %.2f ms, p99 %.2f ms (CPU time of the searching thread: p50 %.2f ms, p99 %.2f ms); with a filter matching 10%%: p50 %.2f ms, p99 %.2f ms; recall@10 vs exact %.3f; load average %.2f%n",
            candidates,
            queries,
            latencies[queries / 2] / 1e6,
            latencies[(int) (queries * 0.99)] / 1e6,
            cpu[queries / 2] / 1e6,
            cpu[(int) (queries * 0.99)] / 1e6,
            filtered[queries / 2] / 1e6,
            filtered[(int) (queries * 0.99)] / 1e6,
            recall / queries,
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
      }
      System.out.printf(
          Locale.ROOT,
          "index segments after the searches: %d, load average %.2f%n",
          store.indexSegments("owner", "bench"),
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    } finally {
      deleteTree(dir);
    }
  }

  /**
   * The ids of the {@code k} vectors with the largest dot product with {@code q} (unit vectors).
   */
  private static Set<String> exactTop(float[][] data, float[] q, int k) {
    java.util.PriorityQueue<double[]> best =
        new java.util.PriorityQueue<>(Comparator.comparingDouble((double[] e) -> e[0]));
    for (int i = 0; i < data.length; i++) {
      float dot = org.apache.lucene.util.VectorUtil.dotProduct(q, data[i]);
      if (best.size() < k) {
        best.add(new double[] {dot, i});
      } else if (dot > best.peek()[0]) {
        best.poll();
        best.add(new double[] {dot, i});
      }
    }
    Set<String> top = new HashSet<>();
    for (double[] e : best) {
      top.add("e" + (int) e[1]);
    }
    return top;
  }

  private static float[] gaussian(Random random, int dims, float sigma) {
    float[] v = new float[dims];
    for (int d = 0; d < dims; d++) {
      v[d] = (float) random.nextGaussian() * sigma;
    }
    return v;
  }

  private static float[] add(float[] a, float[] b) {
    float[] v = new float[a.length];
    for (int d = 0; d < a.length; d++) {
      v[d] = a[d] + b[d];
    }
    return v;
  }

  private static float[] unit(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += x * x;
    }
    float scale = (float) (1 / Math.sqrt(norm));
    for (int d = 0; d < v.length; d++) {
      v[d] *= scale;
    }
    return v;
  }

  // ---------------------------------------------------------------- llm back-pressure

  private static void llm(int seconds, int delayMs) throws Exception {
    System.out.printf(
        Locale.ROOT,
        "llm: provider answers after %d ms; source injects as fast as the flow takes%n",
        delayMs);
    for (int concurrency : new int[] {4, 16, 64}) {
      llmRun(concurrency, seconds, delayMs);
    }
  }

  private static void llmRun(int concurrency, int seconds, int delayMs) throws Exception {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    try (FakeProviders fake = FakeProviders.start();
        Engine engine = new Engine(EngineConfig.defaults(), BuiltinNodes.registry())) {
      fake.delayMs(delayMs);
      engine.registerService(OutboundPolicy.class, OutboundPolicy.parse("127.0.0.1"));
      Map<String, Object> llm = new LinkedHashMap<>();
      llm.put("provider", "openai");
      llm.put("baseUrl", fake.baseUrl(FakeProviders.Kind.OPENAI));
      llm.put("model", "bench");
      llm.put("concurrency", concurrency);
      llm.put("timeout", 60_000);
      List<FlowNode> nodes =
          List.of(
              new FlowNode("src", "inject", "", 0, 0, false, Map.of()),
              new FlowNode("llm", "llm", "", 0, 0, false, llm),
              new FlowNode("sink", "counter", "", 0, 0, false, Map.of()));
      engine.deploy(
          new Flow(
              "llm-bench",
              "llm-bench",
              "",
              nodes,
              List.of(new Wire("src", 0, "llm", 0), new Wire("llm", 0, "sink", 0))));
      byte[] body = "{\"payload\":\"Say something short.\"}".getBytes(StandardCharsets.UTF_8);
      Engine.CounterReader sink = engine.counter("llm-bench", "sink", NodeCounters.MESSAGES_IN);
      long[] accepted = {0};
      long[] refused = {0};
      Thread feeder =
          Thread.ofPlatform()
              .start(
                  () -> {
                    while (!Thread.currentThread().isInterrupted()) {
                      InjectResult result = engine.inject("llm-bench", "src", body);
                      if (result == InjectResult.ACCEPTED) {
                        accepted[0]++;
                      } else {
                        refused[0]++;
                        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
                      }
                    }
                  });
      Thread.sleep(3_000);
      long startCount = sink.get();
      long start = System.nanoTime();
      List<Long> liveHeapMb = new ArrayList<>();
      List<Integer> queued = new ArrayList<>();
      List<Integer> live = new ArrayList<>();
      for (int s = 1; s <= seconds; s++) {
        Thread.sleep(1_000);
        if (s % 5 == 0) {
          // live heap: what survives a collection, not the garbage between two
          System.gc();
          liveHeapMb.add(memory.getHeapMemoryUsage().getUsed() / 1_000_000);
          FlowMetrics metrics = engine.metrics("llm-bench");
          int bytes = 0;
          for (NodeMetrics node : metrics.nodes()) {
            bytes += node.queuedBytes();
          }
          queued.add(bytes);
          live.add(metrics.live());
        }
      }
      double rate = (sink.get() - startCount) * 1e9 / (System.nanoTime() - start);
      feeder.interrupt();
      feeder.join();
      System.out.printf(
          Locale.ROOT,
          "concurrency %2d: %.1f msgs/s (ceiling %d/%.1fs = %.1f), provider in flight max %d; triggers accepted %d,"
              + " refused under back-pressure %d; every 5 s: live heap MB %s, bytes queued in the inboxes %s,"
              + " executions in flight %s%n",
          concurrency,
          rate,
          concurrency,
          delayMs / 1000.0,
          concurrency * 1000.0 / delayMs,
          fake.maxInFlight(),
          accepted[0],
          refused[0],
          liveHeapMb,
          queued,
          live);
    }
  }

  // ---------------------------------------------------------------- helpers

  private static double median(double[] values) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static long size(Path file) throws IOException {
    return Files.exists(file) ? Files.size(file) : 0;
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
