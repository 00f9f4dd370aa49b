package dev.z8run.store.lmdb;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One LMDB environment in a directory, with the {@link Table}s open, a single writer and a map that
 * grows when it fills.
 *
 * <p><b>Writes</b> ({@link #write}) all run on one platform thread, {@code z8-store-writer}, one at
 * a time; the caller blocks until the transaction has committed and LMDB has synced it to disk (the
 * environment is opened without {@code MDB_NOSYNC}, so a write that returned survives {@code kill
 * -9} and power loss). The single thread is the writers' lock, and it is a thread rather than a
 * {@code Lock} because LMDB's write transaction holds an OS mutex owned by the thread that began
 * it: a virtual thread may resume on another carrier between begin and commit, and the commit would
 * then release a mutex its thread does not own.
 *
 * <p><b>Reads</b> ({@link #read}) run on the caller's thread in a short read-only transaction. The
 * environment uses {@code MDB_NOTLS}, so a read transaction is not tied to an OS thread and virtual
 * threads may read. At most {@link #MAX_READERS} reads run at once (LMDB's reader table is fixed);
 * more wait for a slot.
 *
 * <p><b>Growth</b>: when a write fails with {@code MDB_MAP_FULL}, the writer aborts it, waits until
 * no read transaction is open (LMDB may only remap then), doubles the map size up to the configured
 * maximum, and runs the work again. Readers that arrive meanwhile wait for the remap.
 *
 * <p><b>Files</b>: a new data directory is created {@code rwx------}; {@code data.mdb} and {@code
 * lock.mdb} are created {@code rw-------}.
 *
 * <p>Thread-safe. {@link #close} waits for queued writes and running reads, then closes LMDB; later
 * calls throw {@link IllegalStateException}.
 */
public final class LmdbEnvironment implements AutoCloseable {

  /** Read transactions that may be open at once. */
  public static final int MAX_READERS = 256;

  /** Reader slots in LMDB's lock file: a few spare for tools such as {@code mdb_stat}. */
  private static final int READER_SLOTS = MAX_READERS + 16;

  /** Data and lock files readable by their owner only: they hold password hashes and the vault. */
  private static final int FILE_MODE = 0600;

  private static final String WRITER_NAME = "z8-store-writer";

  /** LMDB's data file: a directory without one holds no environment yet. */
  private static final String DATA_FILE = "data.mdb";

  private final Path directory;
  private final long maxMapSizeBytes;
  private final ExecutorService writer;
  private final Thread writerThread;
  private final Semaphore readSlots = new Semaphore(MAX_READERS, true);

  /** The {@code MDB_env*}; 0 once closed. */
  private final long env;

  /** Each table's {@code MDB_dbi}, by {@link Table#ordinal()}. */
  private final int[] dbis;

  private final int maxKeyBytes;
  private volatile boolean closed;

  private LmdbEnvironment(
      Path directory,
      long maxMapSizeBytes,
      ExecutorService writer,
      Thread writerThread,
      long env,
      int[] dbis) {
    this.directory = directory;
    this.maxMapSizeBytes = maxMapSizeBytes;
    this.writer = writer;
    this.writerThread = writerThread;
    this.env = env;
    this.dbis = dbis;
    this.maxKeyBytes = LmdbLibrary.envMaxKeySize(env);
  }

  /**
   * Opens (creating if absent) the environment in {@code directory} with every {@link Table}.
   *
   * @param initialMapSizeBytes the map size to start with; an existing larger file keeps its size
   * @param maxMapSizeBytes the map never grows past this; a write that needs more fails
   * @throws StorageException if the directory cannot be created or LMDB cannot open it
   */
  public static LmdbEnvironment open(
      Path directory, long initialMapSizeBytes, long maxMapSizeBytes) {
    return open(directory, initialMapSizeBytes, maxMapSizeBytes, tx -> null);
  }

  /**
   * As {@link #open(Path, long, long)}; where the directory holds no environment yet, {@code
   * onCreate} runs in the transaction that creates the tables (a store's schema version, say).
   *
   * <p>A new environment costs one sync: the creating transaction commits without syncing, in an
   * environment opened with {@code MDB_NOSYNC} for it alone and closed, and the environment is then
   * opened as always and synced once ({@code mdb_env_sync}) before this returns. A commit with
   * syncs would wait for two (the pages, then the meta page written through LMDB's {@code O_DSYNC}
   * descriptor). Every later write commits and syncs as before.
   */
  public static LmdbEnvironment open(
      Path directory, long initialMapSizeBytes, long maxMapSizeBytes, TxnWork<?> onCreate) {
    Path dir = directory.toAbsolutePath().normalize();
    Thread[] created = new Thread[1];
    ExecutorService writer =
        Executors.newSingleThreadExecutor(
            task -> {
              Thread thread = Thread.ofPlatform().name(WRITER_NAME).daemon(true).unstarted(task);
              created[0] = thread;
              return thread;
            });
    try {
      boolean isNew = onWriter(writer, () -> createUnsynced(dir, initialMapSizeBytes, onCreate));
      long env = onWriter(writer, () -> openEnv(dir, initialMapSizeBytes, LmdbLibrary.MDB_NOTLS));
      try {
        // in a new environment the tables exist: opening them writes nothing, commits no pages
        int[] dbis = onWriter(writer, () -> openTables(env, tx -> null));
        if (isNew) {
          onWriter(
              writer,
              () -> {
                check(LmdbLibrary.envSync(env, true), "sync");
                return null;
              });
        }
        return new LmdbEnvironment(dir, maxMapSizeBytes, writer, created[0], env, dbis);
      } catch (RuntimeException | Error e) {
        LmdbLibrary.envClose(env);
        throw e;
      }
    } catch (RuntimeException | Error e) {
      writer.shutdownNow();
      throw e;
    }
  }

  /** The absolute directory holding {@code data.mdb} and {@code lock.mdb}. */
  public Path directory() {
    return directory;
  }

  /** The current map size: grows by doubling when a write fills it. */
  public long mapSizeBytes() {
    return read(tx -> mapSize());
  }

  /**
   * Runs {@code work} in a read-only transaction on the calling thread.
   *
   * @throws IllegalStateException if the environment is closed
   */
  public <R> R read(TxnWork<R> work) {
    readSlots.acquireUninterruptibly();
    try {
      checkOpen();
      long txn = begin(env, LmdbLibrary.MDB_RDONLY);
      try {
        return work.run(new Tx(txn, dbis, maxKeyBytes));
      } finally {
        LmdbLibrary.txnAbort(txn);
      }
    } finally {
      readSlots.release();
    }
  }

  /**
   * Runs {@code work} in a write transaction on the writer thread and commits it; returns once the
   * commit is on disk. Waiting is not interruptible (the caller learns the outcome); an interrupt
   * that arrives meanwhile is kept on the thread. Exceptions thrown by the work reach the caller
   * unchanged and leave the store as it was.
   *
   * @throws IllegalStateException if the environment is closed, or if called from inside a write
   * @throws StorageException if the map would have to grow past its maximum
   */
  public <R> R write(TxnWork<R> work) {
    if (Thread.currentThread() == writerThread) {
      throw new IllegalStateException("a write must not start another write from inside it");
    }
    checkOpen();
    try {
      return onWriter(writer, () -> writeGrowing(work));
    } catch (RejectedExecutionException e) {
      throw new IllegalStateException("store at " + directory + " is closed", e);
    }
  }

  /** Waits for queued writes and open reads to finish, then closes LMDB. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    writer.shutdown();
    boolean interrupted = false;
    while (!writer.isTerminated()) {
      try {
        writer.awaitTermination(1, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    readSlots.acquireUninterruptibly(MAX_READERS);
    try {
      LmdbLibrary.envClose(env);
    } finally {
      readSlots.release(MAX_READERS);
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  private <R> R writeGrowing(TxnWork<R> work) {
    while (true) {
      long txn = begin(env, 0);
      R result;
      try {
        result = work.run(new Tx(txn, dbis, maxKeyBytes));
      } catch (LmdbCallException e) {
        LmdbLibrary.txnAbort(txn);
        if (e.code() != LmdbLibrary.MDB_MAP_FULL) {
          throw e;
        }
        grow(e);
        continue;
      } catch (RuntimeException | Error e) {
        LmdbLibrary.txnAbort(txn);
        throw e;
      }
      // a commit frees the transaction whether it succeeds or not
      int rc = LmdbLibrary.txnCommit(txn);
      if (rc == LmdbLibrary.MDB_MAP_FULL) {
        grow(new LmdbCallException(rc, "commit"));
        continue;
      }
      check(rc, "commit");
      return result;
    }
  }

  /** Runs on the writer thread after the failed transaction was aborted. */
  private void grow(LmdbCallException cause) {
    long current = mapSize();
    if (current >= maxMapSizeBytes) {
      throw new StorageException(
          "store at "
              + directory
              + " is full: its map reached the configured maximum of "
              + maxMapSizeBytes
              + " bytes",
          cause);
    }
    long next = Math.min(current * 2, maxMapSizeBytes);
    readSlots.acquireUninterruptibly(MAX_READERS);
    try {
      check(LmdbLibrary.envSetMapSize(env, next), "set the map size");
    } finally {
      readSlots.release(MAX_READERS);
    }
  }

  /** {@code me_mapsize} of {@code mdb_env_info}. */
  private long mapSize() {
    ByteBuffer info = ByteBuffer.allocateDirect(LmdbLibrary.ENVINFO_BYTES);
    check(LmdbLibrary.envInfo(env, BufferUtil.address(info)), "env info");
    return new UnsafeBuffer(info).getLong(LmdbLibrary.ENVINFO_MAPSIZE_OFFSET);
  }

  /** Throws for an LMDB code other than 0, naming the call ({@code "put"}) and LMDB's text. */
  static void check(int rc, String call) {
    if (rc != 0) {
      throw new LmdbCallException(rc, call);
    }
  }

  /** A new transaction ({@code flags} 0 or {@code MDB_RDONLY}) in {@code env}. */
  private static long begin(long env, int flags) {
    ByteBuffer out = ByteBuffer.allocateDirect(Long.BYTES);
    check(LmdbLibrary.txnBegin(env, flags, BufferUtil.address(out)), "begin a transaction");
    return new UnsafeBuffer(out).getLong(0);
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("store at " + directory + " is closed");
    }
  }

  /**
   * Loads LMDB's native binding without opening anything ({@link LmdbLibrary}: jffi's native stub
   * library, LMDB's extracted and loaded, its functions looked up). A server calls this on a spare
   * thread as soon as its JVM defaults are set, so that the store's first open finds the binding
   * ready. Failures are left to that open to report.
   */
  public static void loadBinding() {
    try {
      LmdbLibrary.load();
    } catch (LinkageError reportedByTheOpen) {
      // the open fails with the same cause, and says which directory it was opening
    }
  }

  /**
   * Where {@code dir} holds no {@value #DATA_FILE} yet, creates the environment, its tables and
   * {@code onCreate}'s records in one transaction committed without syncing, and closes it; false
   * (and nothing done) where there is one.
   */
  private static boolean createUnsynced(Path dir, long mapSizeBytes, TxnWork<?> onCreate) {
    if (Files.exists(dir.resolve(DATA_FILE))) {
      return false;
    }
    long env = openEnv(dir, mapSizeBytes, LmdbLibrary.MDB_NOTLS | LmdbLibrary.MDB_NOSYNC);
    try {
      openTables(env, onCreate);
    } finally {
      LmdbLibrary.envClose(env);
    }
    return true;
  }

  private static long openEnv(Path dir, long mapSizeBytes, int flags) {
    try {
      if (Files.notExists(dir) && isPosix(dir)) {
        Files.createDirectories(
            dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } else {
        Files.createDirectories(dir);
      }
    } catch (IOException e) {
      throw new StorageException("cannot create the data directory " + dir + ": " + e, e);
    }
    LmdbLibrary.load();
    ByteBuffer out = ByteBuffer.allocateDirect(Long.BYTES);
    int rc = LmdbLibrary.envCreate(BufferUtil.address(out));
    if (rc != 0) {
      throw cannotOpen(dir, rc);
    }
    long env = new UnsafeBuffer(out).getLong(0);
    long path = LmdbLibrary.cString(dir.toString());
    try {
      rc = LmdbLibrary.envSetMapSize(env, mapSizeBytes);
      if (rc == 0) {
        rc = LmdbLibrary.envSetMaxDbs(env, Table.values().length);
      }
      if (rc == 0) {
        rc = LmdbLibrary.envSetMaxReaders(env, READER_SLOTS);
      }
      if (rc == 0) {
        rc = LmdbLibrary.envOpen(env, path, flags, FILE_MODE);
      }
    } finally {
      LmdbLibrary.MEMORY.freeMemory(path);
    }
    if (rc != 0) {
      // mdb_env_open's own failure leaves the handle to be closed
      LmdbLibrary.envClose(env);
      throw cannotOpen(dir, rc);
    }
    return env;
  }

  private static StorageException cannotOpen(Path dir, int rc) {
    return new StorageException(
        "cannot open the LMDB store in " + dir + ": " + LmdbLibrary.strerror(rc) + " (" + rc + ")");
  }

  /** True where files have POSIX permissions (not on Windows). */
  public static boolean isPosix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  /**
   * Opens (creating) every table in one write transaction: one commit, and so one pair of syncs, in
   * a new directory instead of one per table ({@code Env.openDbi(name)} commits each; 16 of them
   * took 0.1-0.25 s of a first start), then {@code andThen} in the same transaction.
   */
  private static int[] openTables(long env, TxnWork<?> andThen) {
    Table[] tables = Table.values();
    int[] dbis = new int[tables.length];
    ByteBuffer out = ByteBuffer.allocateDirect(Integer.BYTES);
    long txn = begin(env, 0);
    try {
      for (Table table : tables) {
        long name = LmdbLibrary.cString(table.dbName());
        try {
          check(
              LmdbLibrary.dbiOpen(txn, name, LmdbLibrary.MDB_CREATE, BufferUtil.address(out)),
              "open table " + table.dbName());
        } finally {
          LmdbLibrary.MEMORY.freeMemory(name);
        }
        dbis[table.ordinal()] = new UnsafeBuffer(out).getInt(0);
      }
      andThen.run(new Tx(txn, dbis, LmdbLibrary.envMaxKeySize(env)));
    } catch (RuntimeException | Error e) {
      LmdbLibrary.txnAbort(txn);
      throw e;
    }
    check(LmdbLibrary.txnCommit(txn), "commit");
    return dbis;
  }

  /** Runs a task on the writer thread and waits for it without giving up on interrupts. */
  private static <R> R onWriter(ExecutorService writer, Callable<R> task) {
    Future<R> future = writer.submit(task);
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return future.get();
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          throw rethrow(e.getCause());
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static RuntimeException rethrow(Throwable cause) {
    if (cause instanceof RuntimeException runtime) {
      return runtime;
    }
    if (cause instanceof Error error) {
      throw error;
    }
    return new StorageException("store write failed: " + cause, cause);
  }
}
