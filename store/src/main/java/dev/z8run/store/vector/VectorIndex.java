package dev.z8run.store.vector;

import dev.z8run.io.json.JsonCodec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene103.Lucene103Codec;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.Weight;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;

/**
 * The search index of one collection: a Lucene index (HNSW graph over the vectors, metadata fields,
 * the entry ids) in its own directory. It is derived data: LMDB holds the entries, and the index
 * records in its last commit the collection's generation and the sequence number it has applied, so
 * that after a restart, a {@code kill -9} or a write applied by another member of a cluster it
 * catches up from LMDB ({@link VectorStore} tells it what changed), or is rebuilt when it cannot.
 *
 * <p>Thread-safe: searches run concurrently on a {@link SearcherManager}; changes are applied under
 * a lock.
 */
final class VectorIndex implements AutoCloseable {
  static final String ID = "id";
  static final String VECTOR = "v";
  private static final String SEQ_KEY = "z8.seq";
  private static final String GENERATION_KEY = "z8.generation";
  private static final String FORMAT_KEY = "z8.format";

  /**
   * The index layout: 2 = unit vectors compared by dot product (1 was cosine on raw vectors). An
   * index of another layout is deleted and rebuilt from LMDB when it opens.
   */
  private static final String FORMAT = "2";

  private static final long COMMIT_EVERY_NS = 2_000_000_000L;

  /**
   * Lucene's indexing buffer: a bulk load (a rebuild, or the first search after many stores) is cut
   * into segments of about this much (some 25,000 vectors of 384 dimensions). Each segment is a
   * graph searched on its own with the full candidates; smaller graphs find more of the true
   * nearest neighbours for the same candidates (perf/README.md, "AI", measures both).
   */
  private static final double RAM_BUFFER_MB = 64;

  private final Path directory;
  private final VectorTuning tuning;
  private final ReentrantLock writing = new ReentrantLock();
  private FSDirectory lucene;
  private IndexWriter writer;
  private SearcherManager searchers;
  private volatile long appliedSeq;
  private volatile long generation;
  private long lastCommitNs;
  private boolean dirty;

  VectorIndex(Path directory, VectorTuning tuning) {
    this.directory = directory;
    this.tuning = tuning;
    open();
  }

  private void open() {
    try {
      Files.createDirectories(directory);
      lucene = FSDirectory.open(directory);
      if (DirectoryReader.indexExists(lucene)
          && !FORMAT.equals(
              DirectoryReader.listCommits(lucene).getLast().getUserData().get(FORMAT_KEY))) {
        lucene.close();
        deleteFiles(directory);
        Files.createDirectories(directory);
        lucene = FSDirectory.open(directory);
      }
      IndexWriterConfig config = new IndexWriterConfig();
      config.setCodec(
          new Lucene103Codec() {
            private final KnnVectorsFormat wide = new WideHnswFormat(tuning);

            @Override
            public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
              return wide;
            }
          });
      config.setRAMBufferSizeMB(RAM_BUFFER_MB);
      config.setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
      writer = new IndexWriter(lucene, config);
      Map<String, String> committed = Map.of();
      if (DirectoryReader.indexExists(lucene)) {
        committed = new java.util.HashMap<>();
        for (Map.Entry<String, String> e : writer.getLiveCommitData()) {
          committed.put(e.getKey(), e.getValue());
        }
      }
      appliedSeq = Long.parseLong(committed.getOrDefault(SEQ_KEY, "0"));
      generation = Long.parseLong(committed.getOrDefault(GENERATION_KEY, "0"));
      searchers = new SearcherManager(writer, null);
    } catch (IOException | NumberFormatException e) {
      throw new UncheckedIOException(
          new IOException(
              "cannot open the vector index in " + directory + ": " + e.getMessage(), e));
    }
  }

  /** The last sequence number applied (0: none). */
  long appliedSeq() {
    return appliedSeq;
  }

  /** The collection generation the index belongs to (0: none yet). */
  long generation() {
    return generation;
  }

  ReentrantLock lock() {
    return writing;
  }

  /** Empties the index for a new generation of its collection. Under {@link #lock()}. */
  void reset(long newGeneration) throws IOException {
    writer.deleteAll();
    appliedSeq = 0;
    generation = newGeneration;
    dirty = true;
  }

  /** Applies deletions. Under {@link #lock()}. */
  void delete(List<String> ids) throws IOException {
    for (String id : ids) {
      writer.deleteDocuments(new Term(ID, id));
    }
    dirty |= !ids.isEmpty();
  }

  /** Adds or replaces entries. Under {@link #lock()}. */
  void upsert(List<VectorRecord> records) throws IOException {
    for (VectorRecord record : records) {
      Document doc = new Document();
      doc.add(new StringField(ID, record.id(), Field.Store.YES));
      doc.add(
          new KnnFloatVectorField(
              VECTOR, unit(record.vector()), VectorSimilarityFunction.DOT_PRODUCT));
      if (JsonCodec.parse(record.metadataJson()) instanceof Map<?, ?> metadata) {
        LuceneFilters.index(doc, metadata);
      }
      writer.updateDocument(new Term(ID, record.id()), doc);
    }
    dirty |= !records.isEmpty();
  }

  /**
   * Marks {@code seq} applied, makes the changes visible to searches, and commits them (at most
   * every two seconds, and always when {@code force}). Under {@link #lock()}.
   */
  void applied(long seq, boolean force) throws IOException {
    if (!dirty && !force) {
      appliedSeq = seq;
      return;
    }
    searchers.maybeRefreshBlocking();
    // after the refresh: a search that sees this sequence number skips the catch-up
    appliedSeq = seq;
    long now = System.nanoTime();
    if (force || now - lastCommitNs > COMMIT_EVERY_NS) {
      writer.setLiveCommitData(commitData(seq));
      writer.commit();
      lastCommitNs = now;
    }
    dirty = false;
  }

  private Iterable<Map.Entry<String, String>> commitData(long seq) {
    return Map.of(
            SEQ_KEY,
            Long.toString(seq),
            GENERATION_KEY,
            Long.toString(generation),
            FORMAT_KEY,
            FORMAT)
        .entrySet();
  }

  /** The vector scaled to length 1 (a copy): cosine similarity becomes a dot product. */
  static float[] unit(float[] vector) {
    double sum = 0;
    for (float value : vector) {
      sum += (double) value * value;
    }
    float scale = (float) (1 / Math.sqrt(sum));
    float[] unit = new float[vector.length];
    for (int i = 0; i < vector.length; i++) {
      unit[i] = vector[i] * scale;
    }
    return unit;
  }

  /** Segments in the index now (each is searched on its own). */
  int segments() {
    try {
      IndexSearcher searcher = searchers.acquire();
      try {
        return searcher.getIndexReader().leaves().size();
      } finally {
        searchers.release(searcher);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A hit in the index: the entry id and its cosine similarity. */
  record Hit(String id, double score) {}

  /**
   * The {@code k} nearest entries matching {@code filter} (null: all): by the HNSW graph with
   * {@code candidates} candidates, or by comparing every vector when {@code exact}.
   */
  List<Hit> search(float[] query, int k, int candidates, Query filter, boolean exact)
      throws IOException {
    float[] unit = unit(query);
    IndexSearcher searcher = searchers.acquire();
    try {
      return exact
          ? exact(searcher, unit, k, filter)
          : approximate(searcher, unit, k, candidates, filter);
    } finally {
      searchers.release(searcher);
    }
  }

  private static List<Hit> approximate(
      IndexSearcher searcher, float[] query, int k, int candidates, Query filter)
      throws IOException {
    // Lucene splits its k among the segments by their sizes (each segment's graph is searched
    // with its share as the beam); asking for candidates x segments searches each graph with about
    // `candidates`, as one graph of the whole collection would be
    int segments = Math.max(1, searcher.getIndexReader().leaves().size());
    int wanted = Math.max(k, candidates) * segments;
    KnnFloatVectorQuery knn = new KnnFloatVectorQuery(VECTOR, query, wanted, filter);
    TopDocs top = searcher.search(knn, k);
    List<Hit> hits = new ArrayList<>(Math.min(k, top.scoreDocs.length));
    var stored = searcher.storedFields();
    for (ScoreDoc doc : top.scoreDocs) {
      if (hits.size() == k) {
        break;
      }
      String id = stored.document(doc.doc, Set.of(ID)).get(ID);
      hits.add(new Hit(id, 2.0 * doc.score - 1.0));
    }
    return hits;
  }

  private static List<Hit> exact(IndexSearcher searcher, float[] query, int k, Query filter)
      throws IOException {
    PriorityQueue<float[]> best = new PriorityQueue<>(Comparator.comparingDouble(e -> e[0]));
    Weight weight =
        filter == null
            ? null
            : searcher.createWeight(searcher.rewrite(filter), ScoreMode.COMPLETE_NO_SCORES, 1f);
    for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
      FloatVectorValues values = leaf.reader().getFloatVectorValues(VECTOR);
      if (values == null) {
        continue;
      }
      Bits live = leaf.reader().getLiveDocs();
      DocIdSetIterator allowed = null;
      if (weight != null) {
        Scorer scorer = weight.scorer(leaf);
        if (scorer == null) {
          continue;
        }
        allowed = scorer.iterator();
      }
      KnnVectorValues.DocIndexIterator it = values.iterator();
      for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
        if (live != null && !live.get(doc)) {
          continue;
        }
        if (allowed != null) {
          if (allowed.docID() < doc) {
            allowed.advance(doc);
          }
          if (allowed.docID() != doc) {
            continue;
          }
        }
        float score =
            VectorSimilarityFunction.DOT_PRODUCT.compare(query, values.vectorValue(it.index()));
        if (best.size() < k) {
          best.add(new float[] {score, leaf.docBase + doc});
        } else if (score > best.peek()[0]) {
          best.poll();
          best.add(new float[] {score, leaf.docBase + doc});
        }
      }
    }
    List<float[]> sorted = new ArrayList<>(best);
    sorted.sort((a, b) -> Float.compare(b[0], a[0]));
    List<Hit> hits = new ArrayList<>(sorted.size());
    var stored = searcher.storedFields();
    for (float[] entry : sorted) {
      String id = stored.document((int) entry[1], Set.of(ID)).get(ID);
      hits.add(new Hit(id, 2.0 * entry[0] - 1.0));
    }
    return hits;
  }

  /** Bytes the index takes on disk. */
  long sizeBytes() {
    try (Stream<Path> files = Files.list(directory)) {
      return files
          .mapToLong(
              file -> {
                try {
                  return Files.size(file);
                } catch (IOException gone) {
                  return 0;
                }
              })
          .sum();
    } catch (IOException e) {
      return 0;
    }
  }

  /** Commits what was applied and closes. */
  @Override
  public void close() throws IOException {
    writing.lock();
    try {
      if (writer.isOpen()) {
        writer.setLiveCommitData(commitData(appliedSeq));
        writer.commit();
      }
      searchers.close();
      writer.close();
      lucene.close();
    } finally {
      writing.unlock();
    }
  }

  /** Closes without committing and deletes the files (the collection was cleared). */
  void destroy() throws IOException {
    writing.lock();
    try {
      searchers.close();
      writer.rollback();
      lucene.close();
      deleteFiles(directory);
    } finally {
      writing.unlock();
    }
  }

  private static void deleteFiles(Path directory) throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : files.toList()) {
        Files.deleteIfExists(file);
      }
    }
    Files.deleteIfExists(directory);
  }
}
