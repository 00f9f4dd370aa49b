package dev.z8run.store;

import dev.z8run.store.lmdb.Keys;
import dev.z8run.store.lmdb.LmdbEnvironment;
import dev.z8run.store.lmdb.Table;
import dev.z8run.store.vault.Vault;
import dev.z8run.store.vector.VectorStore;
import dev.z8run.store.vector.VectorTuning;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * z8run's persistent state in one LMDB environment under a data directory: flows with every
 * revision ({@link #flows()}), users ({@link #users()}), recent executions ({@link #executions()}),
 * installed plugins and their nodes' context ({@link #plugins()}), the encrypted vault ({@link
 * #vault()}) and vector collections ({@link #vectors()}, with their search indexes in {@code
 * vector-index/} beside the LMDB files).
 *
 * <pre>{@code
 * try (Store store = Store.open(StoreConfig.builder(Path.of("data")).vaultSecret(secret).build())) {
 *   FlowRecord saved = store.flows().create(user.id(), flow);
 * }
 * }</pre>
 *
 * <p>Opening checks the schema version ({@link #SCHEMA_VERSION}; a newer one is refused with {@link
 * SchemaVersionException}) and the vault key (a wrong secret is refused with {@link
 * dev.z8run.store.vault.VaultKeyException}), so a server that cannot use its data does not start.
 *
 * <p>Durability: every write method returns after its LMDB transaction is committed and synced; a
 * process killed at any moment reopens with every acknowledged write and nothing half-written. The
 * map starts at {@link StoreConfig#initialMapSizeBytes()} and doubles when full.
 *
 * <p>Threading: thread-safe, for virtual and platform threads alike; one writer at a time on a
 * dedicated thread, reads on the caller's thread (see {@link LmdbEnvironment}). {@link #close}
 * waits for writes in progress.
 */
public final class Store implements AutoCloseable {
  /** The layout this build reads and writes; raised when a {@link Table} layout changes. */
  public static final int SCHEMA_VERSION = 1;

  private static final byte[] SCHEMA_KEY = Keys.meta("schema_version");

  private final LmdbEnvironment env;
  private final FlowStore flows;
  private final UserStore users;
  private final ExecutionStore executions;
  private final PluginStore plugins;
  private final Vault vault;
  private final VectorStore vectors;
  private final ConnectionStore connections;

  private Store(LmdbEnvironment env, StoreConfig config, Vault vault) {
    this.env = env;
    this.flows = new FlowStore(env, config.clock());
    this.users = new UserStore(env);
    this.executions = new ExecutionStore(env, config.executionsPerFlow());
    this.plugins = new PluginStore(env);
    this.vault = vault;
    this.connections = new ConnectionStore(env, vault);
    this.vectors =
        new VectorStore(
            env,
            env.directory().resolve("vector-index"),
            VectorTuning.DEFAULTS,
            config.vectorLimits());
  }

  /**
   * Opens the store in {@code config.dataDir()}, creating it if absent.
   *
   * @throws SchemaVersionException if the data was written by a newer schema
   * @throws dev.z8run.store.vault.VaultKeyException if the vault key cannot be had or is wrong
   * @throws dev.z8run.store.lmdb.StorageException if LMDB cannot open the directory
   */
  public static Store open(StoreConfig config) {
    // a new store gets its schema version in the transaction that creates its tables
    LmdbEnvironment env =
        LmdbEnvironment.open(
            config.dataDir(),
            config.initialMapSizeBytes(),
            config.maxMapSizeBytes(),
            tx -> tx.putIfAbsent(Table.META, SCHEMA_KEY, schemaVersionBytes()));
    try {
      checkSchema(env);
      Vault vault = Vault.open(env, config.vaultSecret(), config.vaultKdfIterations());
      return new Store(env, config, vault);
    } catch (RuntimeException | Error e) {
      env.close();
      throw e;
    }
  }

  public FlowStore flows() {
    return flows;
  }

  public UserStore users() {
    return users;
  }

  public ExecutionStore executions() {
    return executions;
  }

  public PluginStore plugins() {
    return plugins;
  }

  /** Shared connections per owner, their passwords in the vault. */
  public ConnectionStore connections() {
    return connections;
  }

  public Vault vault() {
    return vault;
  }

  /** Vector collections per owner (the AI nodes' vector store), with their search indexes. */
  public VectorStore vectors() {
    return vectors;
  }

  /** The absolute data directory. */
  public Path dataDir() {
    return env.directory();
  }

  /** The LMDB map's current size in bytes. */
  public long mapSizeBytes() {
    return env.mapSizeBytes();
  }

  /** Waits for writes in progress, then closes LMDB. Idempotent. */
  @Override
  public void close() {
    try {
      vectors.close();
    } finally {
      env.close();
    }
  }

  private static byte[] schemaVersionBytes() {
    return ByteBuffer.allocate(Integer.BYTES).putInt(SCHEMA_VERSION).array();
  }

  private static void checkSchema(LmdbEnvironment env) {
    byte[] stored = env.read(tx -> tx.get(Table.META, SCHEMA_KEY));
    if (stored == null) {
      byte[] current = schemaVersionBytes();
      env.write(
          tx -> {
            tx.putIfAbsent(Table.META, SCHEMA_KEY, current);
            return null;
          });
      return;
    }
    int found = stored.length == Integer.BYTES ? ByteBuffer.wrap(stored).getInt() : -1;
    if (found > SCHEMA_VERSION || found < 1) {
      throw new SchemaVersionException(env.directory(), found, SCHEMA_VERSION);
    }
  }
}
