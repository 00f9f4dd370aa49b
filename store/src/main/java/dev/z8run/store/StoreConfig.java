package dev.z8run.store;

import dev.z8run.store.vault.VaultKeys;
import dev.z8run.store.vector.VectorLimits;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Objects;

/**
 * How to open a {@link Store}: {@link #of(Path)} for the defaults, {@link #builder(Path)} to change
 * what differs.
 *
 * @param dataDir the directory for {@code data.mdb}, {@code lock.mdb} and {@code vault.key};
 *     created ({@code rwx------}) if absent
 * @param vaultSecret the value of {@code Z8_VAULT_SECRET}, or null to use the generated key file;
 *     the store never reads the environment itself. Not shown by {@link #toString()}
 * @param initialMapSizeBytes the LMDB map size to start with (default 64 MiB); it doubles when full
 * @param maxMapSizeBytes the map never grows past this (default 256 GiB); a write that needs more
 *     fails with a {@link dev.z8run.store.lmdb.StorageException}
 * @param executionsPerFlow how many recent executions are kept per flow (default 200)
 * @param vaultKdfIterations PBKDF2 iterations for a new vault derived from {@code vaultSecret}
 *     (default {@value VaultKeys#DEFAULT_KDF_ITERATIONS}, at least {@value
 *     VaultKeys#MIN_KDF_ITERATIONS}); an existing vault keeps the count it was created with
 * @param clock where revision and flow timestamps come from
 * @param vectorLimits what each owner may keep in the vector store (default {@link
 *     VectorLimits#DEFAULTS})
 */
public record StoreConfig(
    Path dataDir,
    String vaultSecret,
    long initialMapSizeBytes,
    long maxMapSizeBytes,
    int executionsPerFlow,
    int vaultKdfIterations,
    InstantSource clock,
    VectorLimits vectorLimits) {
  public static final long DEFAULT_INITIAL_MAP_SIZE_BYTES = 64L << 20;
  public static final long DEFAULT_MAX_MAP_SIZE_BYTES = 256L << 30;
  public static final int DEFAULT_EXECUTIONS_PER_FLOW = 200;

  /** The smallest map accepted: LMDB needs a few pages per table. */
  public static final long MIN_MAP_SIZE_BYTES = 1L << 20;

  private static final long PAGE_BYTES = 4096;

  public StoreConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(clock, "clock");
    Objects.requireNonNull(vectorLimits, "vectorLimits");
    if (vaultSecret != null && vaultSecret.isEmpty()) {
      throw new IllegalArgumentException("vaultSecret must not be empty: pass null for none");
    }
    if (initialMapSizeBytes < MIN_MAP_SIZE_BYTES) {
      throw new IllegalArgumentException(
          "initialMapSizeBytes=" + initialMapSizeBytes + " is below " + MIN_MAP_SIZE_BYTES);
    }
    if (maxMapSizeBytes < initialMapSizeBytes) {
      throw new IllegalArgumentException(
          "maxMapSizeBytes=" + maxMapSizeBytes + " is below initialMapSizeBytes");
    }
    if (executionsPerFlow < 1) {
      throw new IllegalArgumentException(
          "executionsPerFlow=" + executionsPerFlow + " must be >= 1");
    }
    if (vaultKdfIterations < VaultKeys.MIN_KDF_ITERATIONS) {
      throw new IllegalArgumentException(
          "vaultKdfIterations="
              + vaultKdfIterations
              + " is below the minimum "
              + VaultKeys.MIN_KDF_ITERATIONS);
    }
    initialMapSizeBytes = roundUpToPage(initialMapSizeBytes);
    maxMapSizeBytes = roundUpToPage(maxMapSizeBytes);
  }

  /** Defaults for {@code dataDir}: key file vault, 64 MiB map, 200 executions, system clock. */
  public static StoreConfig of(Path dataDir) {
    return builder(dataDir).build();
  }

  /** A builder holding the defaults for {@code dataDir}. */
  public static Builder builder(Path dataDir) {
    return new Builder(dataDir);
  }

  /** Builds a {@link StoreConfig}; each setter is the record component of the same name. */
  public static final class Builder {
    private final Path dataDir;
    private String vaultSecret;
    private long initialMapSizeBytes = DEFAULT_INITIAL_MAP_SIZE_BYTES;
    private long maxMapSizeBytes = DEFAULT_MAX_MAP_SIZE_BYTES;
    private int executionsPerFlow = DEFAULT_EXECUTIONS_PER_FLOW;
    private int vaultKdfIterations = VaultKeys.DEFAULT_KDF_ITERATIONS;
    private InstantSource clock = InstantSource.system();
    private VectorLimits vectorLimits = VectorLimits.DEFAULTS;

    private Builder(Path dataDir) {
      this.dataDir = dataDir;
    }

    /** The vault's secret, or null for the generated key file. */
    public Builder vaultSecret(String secret) {
      vaultSecret = secret;
      return this;
    }

    public Builder mapSizeBytes(long initialBytes, long maxBytes) {
      initialMapSizeBytes = initialBytes;
      maxMapSizeBytes = maxBytes;
      return this;
    }

    public Builder executionsPerFlow(int executions) {
      executionsPerFlow = executions;
      return this;
    }

    public Builder vaultKdfIterations(int iterations) {
      vaultKdfIterations = iterations;
      return this;
    }

    public Builder clock(InstantSource source) {
      clock = source;
      return this;
    }

    /** What each owner may keep in the vector store. */
    public Builder vectorLimits(VectorLimits limits) {
      vectorLimits = limits;
      return this;
    }

    public StoreConfig build() {
      return new StoreConfig(
          dataDir,
          vaultSecret,
          initialMapSizeBytes,
          maxMapSizeBytes,
          executionsPerFlow,
          vaultKdfIterations,
          clock,
          vectorLimits);
    }
  }

  /** Everything but the secret, which shows as {@code <set>} or {@code <none>}. */
  @Override
  public String toString() {
    return "StoreConfig[dataDir="
        + dataDir
        + ", vaultSecret="
        + (vaultSecret == null ? "<none>" : "<set>")
        + ", initialMapSizeBytes="
        + initialMapSizeBytes
        + ", maxMapSizeBytes="
        + maxMapSizeBytes
        + ", executionsPerFlow="
        + executionsPerFlow
        + ", vaultKdfIterations="
        + vaultKdfIterations
        + ", vectorLimits="
        + vectorLimits
        + "]";
  }

  private static long roundUpToPage(long bytes) {
    return (bytes + PAGE_BYTES - 1) / PAGE_BYTES * PAGE_BYTES;
  }
}
