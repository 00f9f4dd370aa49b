package dev.z8run.store.vector;

import dev.z8run.io.json.JsonCodec;
import dev.z8run.store.lmdb.Keys;
import dev.z8run.store.lmdb.LmdbEnvironment;
import dev.z8run.store.lmdb.StorageException;
import dev.z8run.store.lmdb.Table;
import dev.z8run.store.lmdb.Tx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.apache.lucene.search.Query;

/**
 * Vector collections per owner, persisted in LMDB (so they survive restarts and {@code kill -9},
 * and travel with the store's other writes) and searched through a Lucene HNSW index per collection
 * kept beside the LMDB files ({@code <data>/vector-index/}).
 *
 * <p>Writes go to LMDB only, in one durable transaction per call: each entry gets the collection's
 * next sequence number ({@code Table.VECTOR_SEQUENCE}), each deletion leaves a tombstone ({@code
 * Table.VECTOR_TOMBSTONES}). A search first brings the collection's index up to date from those
 * tables (the index's last commit records the sequence it holds), so the index never disagrees with
 * LMDB for long: not after a crash (the index replays what its last commit lacks), nor when another
 * process wrote the tables. An index older than the oldest tombstone kept, or of another generation
 * of the collection (cleared and created again), is rebuilt from LMDB.
 *
 * <p>Collections smaller than {@code exactBelow} entries are searched exactly (every vector
 * compared); larger ones through the HNSW graph with {@code candidates} candidates. Metadata
 * filters apply inside the search, not after it, so {@code topK} results come back when that many
 * match.
 *
 * <p>Thread-safe.
 */
public final class VectorStore implements AutoCloseable {
  /** Tombstones kept per collection; an index that missed more is rebuilt. */
  public static final int MAX_TOMBSTONES = 10_000;

  /** Longest collection name in UTF-8 bytes. */
  public static final int MAX_COLLECTION_BYTES = 100;

  private static final int PAGE = 2_000;

  private final LmdbEnvironment env;
  private final Path indexRoot;
  private final VectorTuning tuning;
  private final VectorLimits limits;
  private final Map<String, VectorIndex> indexes = new ConcurrentHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private volatile boolean closed;

  /** A store without per-owner limits. */
  public VectorStore(LmdbEnvironment env, Path indexRoot, VectorTuning tuning) {
    this(env, indexRoot, tuning, VectorLimits.NONE);
  }

  public VectorStore(
      LmdbEnvironment env, Path indexRoot, VectorTuning tuning, VectorLimits limits) {
    this.env = env;
    this.indexRoot = indexRoot;
    this.tuning = tuning;
    this.limits = limits;
  }

  /** What each owner may keep. */
  public VectorLimits limits() {
    return limits;
  }

  private static byte[] collectionKey(String owner, String collection) {
    byte[] name = Keys.id("collection", collection);
    if (name.length > MAX_COLLECTION_BYTES) {
      throw new IllegalArgumentException(
          "collection: " + name.length + " bytes, the most is " + MAX_COLLECTION_BYTES);
    }
    return Keys.pair(Keys.id("owner id", owner), name);
  }

  private static byte[] entryKey(byte[] collection, String id) {
    return Keys.pair(collection, Keys.id("vector id", id));
  }

  /**
   * Stores entries, replacing those with the same ids, in one durable write; the first entry of a
   * collection creates it and fixes its dimensions.
   *
   * @throws IllegalArgumentException when a vector has other dimensions than the collection's, is
   *     all zeros, or an id or the collection name breaks the key rules
   */
  public void upsert(String owner, String collection, List<VectorRecord> records) {
    if (records.isEmpty()) {
      return;
    }
    byte[] coll = collectionKey(owner, collection);
    List<byte[]> keys = new ArrayList<>(records.size());
    for (VectorRecord record : records) {
      keys.add(entryKey(coll, record.id()));
      if (record.vector().length == 0 || record.vector().length > WideHnswFormat.MAX_DIMENSIONS) {
        throw new IllegalArgumentException(
            "entry '"
                + record.id()
                + "': "
                + record.vector().length
                + " dimensions (1.."
                + WideHnswFormat.MAX_DIMENSIONS
                + ")");
      }
      if (norm(record.vector()) == 0) {
        throw new IllegalArgumentException("entry '" + record.id() + "': the vector is all zeros");
      }
    }
    long newGeneration = 1 + (random.nextLong() & Long.MAX_VALUE - 1);
    env.write(
        tx -> {
          byte[] stored = tx.get(Table.VECTOR_COLLECTIONS, coll);
          VectorCodec.Header header =
              stored == null
                  ? new VectorCodec.Header(
                      records.get(0).vector().length, 1, 0, 0, newGeneration, 0, 0)
                  : VectorCodec.header(stored);
          long seq = header.nextSeq();
          long count = header.count();
          long bytes = header.bytes();
          for (int i = 0; i < records.size(); i++) {
            VectorRecord record = records.get(i);
            if (record.vector().length != header.dims()) {
              throw new IllegalArgumentException(
                  "collection '"
                      + collection
                      + "' holds "
                      + header.dims()
                      + "-dimensional vectors; entry '"
                      + record.id()
                      + "' has "
                      + record.vector().length);
            }
            byte[] old = tx.get(Table.VECTORS, keys.get(i));
            byte[] value = VectorCodec.entry(seq, record);
            if (old == null) {
              count++;
              bytes += keys.get(i).length + value.length;
            } else {
              tx.delete(Table.VECTOR_SEQUENCE, Keys.sequence(coll, VectorCodec.entrySeq(old)));
              bytes += value.length - old.length;
            }
            tx.put(Table.VECTORS, keys.get(i), value);
            tx.put(
                Table.VECTOR_SEQUENCE,
                Keys.sequence(coll, seq),
                record.id().getBytes(StandardCharsets.UTF_8));
            seq++;
          }
          if (stored == null || count > header.count() || bytes > header.bytes()) {
            checkLimits(
                tx, owner, coll, stored == null, count - header.count(), bytes - header.bytes());
          }
          tx.put(
              Table.VECTOR_COLLECTIONS,
              coll,
              VectorCodec.header(header.withNextSeq(seq).withCount(count).withBytes(bytes)));
          return null;
        });
  }

  /** Removes the entries with these ids in one durable write; answers how many there were. */
  public int delete(String owner, String collection, List<String> ids) {
    byte[] coll = collectionKey(owner, collection);
    List<byte[]> keys = new ArrayList<>(ids.size());
    for (String id : ids) {
      keys.add(entryKey(coll, id));
    }
    return env.write(
        tx -> {
          byte[] stored = tx.get(Table.VECTOR_COLLECTIONS, coll);
          if (stored == null) {
            return 0;
          }
          VectorCodec.Header header = VectorCodec.header(stored);
          long seq = header.nextSeq();
          int deleted = 0;
          long freed = 0;
          for (int i = 0; i < keys.size(); i++) {
            byte[] old = tx.get(Table.VECTORS, keys.get(i));
            if (old == null) {
              continue;
            }
            freed += keys.get(i).length + old.length;
            tx.delete(Table.VECTORS, keys.get(i));
            tx.delete(Table.VECTOR_SEQUENCE, Keys.sequence(coll, VectorCodec.entrySeq(old)));
            tx.put(
                Table.VECTOR_TOMBSTONES,
                Keys.sequence(coll, seq),
                ids.get(i).getBytes(StandardCharsets.UTF_8));
            seq++;
            deleted++;
          }
          long tombstones = header.tombstones() + deleted;
          long floor = header.floorSeq();
          if (tombstones > MAX_TOMBSTONES) {
            List<byte[]> oldest = new ArrayList<>();
            long excess = tombstones - MAX_TOMBSTONES;
            tx.scan(
                Table.VECTOR_TOMBSTONES,
                Keys.prefix(coll),
                false,
                (key, value) -> {
                  oldest.add(Tx.copy(key));
                  return oldest.size() < excess;
                });
            for (byte[] key : oldest) {
              tx.delete(Table.VECTOR_TOMBSTONES, key);
            }
            byte[] last = oldest.get(oldest.size() - 1);
            floor = ByteBuffer.wrap(last, last.length - Long.BYTES, Long.BYTES).getLong();
            tombstones -= oldest.size();
          }
          tx.put(
              Table.VECTOR_COLLECTIONS,
              coll,
              VectorCodec.header(
                  header
                      .withNextSeq(seq)
                      .withCount(header.count() - deleted)
                      .withBytes(Math.max(0, header.bytes() - freed))
                      .withTombstones(tombstones, floor)));
          return deleted;
        });
  }

  /**
   * Refuses a write that takes {@code owner} past the limits: {@code addedEntries} and {@code
   * addedBytes} more than the collection held, which is new when {@code newCollection}.
   */
  private void checkLimits(
      Tx tx, String owner, byte[] coll, boolean newCollection, long addedEntries, long addedBytes) {
    long[] usage = new long[3]; // collections, entries, bytes (without this collection)
    tx.scan(
        Table.VECTOR_COLLECTIONS,
        Keys.prefix(Keys.id("owner id", owner)),
        false,
        (key, value) -> {
          usage[0]++;
          if (!Arrays.equals(Tx.copy(key), coll)) {
            VectorCodec.Header other = VectorCodec.header(Tx.copy(value));
            usage[1] += other.count();
            usage[2] += other.bytes();
          }
          return true;
        });
    byte[] current = tx.get(Table.VECTOR_COLLECTIONS, coll);
    VectorCodec.Header mine = current == null ? null : VectorCodec.header(current);
    long collections = usage[0] + (newCollection ? 1 : 0);
    long entries = usage[1] + (mine == null ? 0 : mine.count()) + addedEntries;
    long bytes = usage[2] + (mine == null ? 0 : mine.bytes()) + addedBytes;
    if (newCollection && collections > limits.maxCollections()) {
      throw new VectorLimitException(
          "vector store full: this user has "
              + usage[0]
              + " collections, the most is "
              + limits.maxCollections()
              + " (delete or clear one first)");
    }
    if (addedEntries > 0 && entries > limits.maxEntries()) {
      throw new VectorLimitException(
          "vector store full: this write would make "
              + entries
              + " entries for this user, the most is "
              + limits.maxEntries());
    }
    if (addedBytes > 0 && bytes > limits.maxBytes()) {
      throw new VectorLimitException(
          "vector store full: this write would make "
              + bytes
              + " bytes for this user, the most is "
              + limits.maxBytes());
    }
  }

  /** What {@code owner} keeps: collections, entries and bytes, across their collections. */
  public VectorUsage usage(String owner) {
    long[] usage = new long[3];
    env.read(
        tx -> {
          tx.scan(
              Table.VECTOR_COLLECTIONS,
              Keys.prefix(Keys.id("owner id", owner)),
              false,
              (key, value) -> {
                VectorCodec.Header header = VectorCodec.header(Tx.copy(value));
                usage[0]++;
                usage[1] += header.count();
                usage[2] += header.bytes();
                return true;
              });
          return null;
        });
    return new VectorUsage(usage[0], usage[1], usage[2]);
  }

  /** Removes a whole collection and its index; answers how many entries it held. */
  public int clear(String owner, String collection) {
    byte[] coll = collectionKey(owner, collection);
    int removed =
        env.write(
            tx -> {
              byte[] stored = tx.get(Table.VECTOR_COLLECTIONS, coll);
              if (stored == null) {
                return 0;
              }
              byte[] prefix = Keys.prefix(coll);
              tx.deletePrefix(Table.VECTORS, prefix);
              tx.deletePrefix(Table.VECTOR_SEQUENCE, prefix);
              tx.deletePrefix(Table.VECTOR_TOMBSTONES, prefix);
              tx.delete(Table.VECTOR_COLLECTIONS, coll);
              return (int) VectorCodec.header(stored).count();
            });
    String name = indexName(owner, collection);
    VectorIndex index = indexes.remove(name);
    try {
      if (index != null) {
        index.destroy();
      } else {
        deleteDirectory(indexRoot.resolve(name));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return removed;
  }

  /** Entries in the collection (0 when it does not exist). */
  public long count(String owner, String collection) {
    byte[] coll = collectionKey(owner, collection);
    byte[] stored = env.read(tx -> tx.get(Table.VECTOR_COLLECTIONS, coll));
    return stored == null ? 0 : VectorCodec.header(stored).count();
  }

  /** The dimensions of the collection's vectors, or 0 when it does not exist. */
  public int dimensions(String owner, String collection) {
    byte[] coll = collectionKey(owner, collection);
    byte[] stored = env.read(tx -> tx.get(Table.VECTOR_COLLECTIONS, coll));
    return stored == null ? 0 : VectorCodec.header(stored).dims();
  }

  /**
   * The {@code topK} entries nearest to {@code query} by cosine similarity, best first, with at
   * least {@code minScore}, among those whose metadata match {@code filter}.
   *
   * @throws IllegalArgumentException when the query's dimensions differ from the collection's, or
   *     the filter is not in the grammar
   */
  public List<VectorHit> search(
      String owner, String collection, float[] query, int topK, double minScore, Map<?, ?> filter) {
    return search(owner, collection, query, topK, minScore, filter, tuning.candidates());
  }

  /**
   * {@link #search(String, String, float[], int, double, Map)} with {@code candidates} graph
   * candidates (efSearch) instead of the tuning's.
   */
  public List<VectorHit> search(
      String owner,
      String collection,
      float[] query,
      int topK,
      double minScore,
      Map<?, ?> filter,
      int candidates) {
    byte[] coll = collectionKey(owner, collection);
    Query filterQuery = LuceneFilters.query(filter);
    byte[] stored = env.read(tx -> tx.get(Table.VECTOR_COLLECTIONS, coll));
    if (stored == null) {
      return List.of();
    }
    VectorCodec.Header header = VectorCodec.header(stored);
    if (query.length != header.dims()) {
      throw new IllegalArgumentException(
          "collection '"
              + collection
              + "' holds "
              + header.dims()
              + "-dimensional vectors; the query has "
              + query.length);
    }
    if (norm(query) == 0) {
      throw new IllegalArgumentException("the query vector is all zeros");
    }
    VectorIndex index = index(owner, collection);
    List<VectorIndex.Hit> hits;
    try {
      if (index.generation() != header.generation() || index.appliedSeq() != header.nextSeq() - 1) {
        // behind LMDB: catch up (under the index's lock); searches of an index that is up to date
        // do not take the lock
        sync(index, coll);
      }
      hits =
          index.search(
              query,
              topK,
              Math.max(topK, candidates),
              filterQuery,
              header.count() < tuning.exactBelow());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<VectorHit> results = new ArrayList<>(hits.size());
    env.read(
        tx -> {
          for (VectorIndex.Hit hit : hits) {
            if (hit.score() < minScore) {
              continue;
            }
            byte[] value = tx.get(Table.VECTORS, entryKey(coll, hit.id()));
            if (value != null) {
              VectorRecord record = VectorCodec.entry(hit.id(), value);
              results.add(
                  new VectorHit(hit.id(), hit.score(), record.text(), record.metadataJson()));
            }
          }
          return null;
        });
    results.sort(Comparator.comparingDouble(VectorHit::score).reversed());
    return results;
  }

  /** Brings the collection's index up to date now (searches do it themselves). */
  public void refresh(String owner, String collection) {
    byte[] coll = collectionKey(owner, collection);
    try {
      sync(index(owner, collection), coll);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Bytes the collection's index takes on disk (after a {@link #refresh}). */
  public long indexSizeBytes(String owner, String collection) {
    return index(owner, collection).sizeBytes();
  }

  /** Segments of the collection's index (each searched on its own; merges reduce them). */
  public int indexSegments(String owner, String collection) {
    return index(owner, collection).segments();
  }

  private VectorIndex index(String owner, String collection) {
    if (closed) {
      throw new IllegalStateException("the vector store is closed");
    }
    return indexes.computeIfAbsent(
        indexName(owner, collection), name -> new VectorIndex(indexRoot.resolve(name), tuning));
  }

  private void sync(VectorIndex index, byte[] coll) throws IOException {
    index.lock().lock();
    try {
      byte[] stored = env.read(tx -> tx.get(Table.VECTOR_COLLECTIONS, coll));
      if (stored == null) {
        return;
      }
      VectorCodec.Header header = VectorCodec.header(stored);
      long upTo = header.nextSeq() - 1;
      long from = index.appliedSeq();
      boolean rebuild = index.generation() != header.generation() || from < header.floorSeq();
      if (rebuild) {
        index.reset(header.generation());
        from = 0;
      } else if (from >= upTo) {
        return;
      }
      byte[] prefix = Keys.prefix(coll);
      if (!rebuild) {
        List<String> gone = new ArrayList<>();
        long after = from;
        env.read(
            tx -> {
              tx.scanFrom(
                  Table.VECTOR_TOMBSTONES,
                  prefix,
                  Keys.sequence(coll, after + 1),
                  (key, value) -> {
                    if (seqOf(key) > upTo) {
                      return false;
                    }
                    gone.add(value.getStringWithoutLengthUtf8(0, value.capacity()));
                    return true;
                  });
              return null;
            });
        index.delete(gone);
      }
      long next = from + 1;
      while (next <= upTo) {
        long start = next;
        List<VectorRecord> page = new ArrayList<>(PAGE);
        long[] last = {start - 1};
        env.read(
            tx -> {
              List<String> ids = new ArrayList<>(PAGE);
              tx.scanFrom(
                  Table.VECTOR_SEQUENCE,
                  prefix,
                  Keys.sequence(coll, start),
                  (key, value) -> {
                    long seq = seqOf(key);
                    if (seq > upTo) {
                      return false;
                    }
                    ids.add(value.getStringWithoutLengthUtf8(0, value.capacity()));
                    last[0] = seq;
                    return ids.size() < PAGE;
                  });
              for (String id : ids) {
                byte[] value = tx.get(Table.VECTORS, entryKey(coll, id));
                if (value != null) {
                  page.add(VectorCodec.entry(id, value));
                }
              }
              return null;
            });
        index.upsert(page);
        if (page.isEmpty() && last[0] < start) {
          break;
        }
        next = last[0] + 1;
      }
      index.applied(upTo, rebuild);
    } finally {
      index.lock().unlock();
    }
  }

  private static long seqOf(org.agrona.DirectBuffer key) {
    return key.getLong(key.capacity() - Long.BYTES, java.nio.ByteOrder.BIG_ENDIAN);
  }

  private static String indexName(String owner, String collection) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] digest = sha.digest((owner + "\u0000" + collection).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  private static double norm(float[] vector) {
    double sum = 0;
    for (float value : vector) {
      sum += value * value;
    }
    return sum;
  }

  private static void deleteDirectory(Path directory) throws IOException {
    if (!Files.isDirectory(directory)) {
      return;
    }
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : files.toList()) {
        Files.deleteIfExists(file);
      }
    }
    Files.deleteIfExists(directory);
  }

  /** Commits and closes every open index. */
  @Override
  public void close() {
    closed = true;
    StorageException failure = null;
    for (VectorIndex index : indexes.values()) {
      try {
        index.close();
      } catch (IOException | RuntimeException e) {
        if (failure == null) {
          failure = new StorageException("closing a vector index failed: " + e.getMessage(), e);
        }
      }
    }
    indexes.clear();
    if (failure != null) {
      throw failure;
    }
  }

  /** Metadata JSON as a map (an object; anything else is empty). */
  public static Map<?, ?> metadata(String json) {
    return JsonCodec.parse(json) instanceof Map<?, ?> map ? map : Map.of();
  }
}
