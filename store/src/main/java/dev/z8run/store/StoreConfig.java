package dev.z8run.store;

import dev.z8run.store.vault.VaultKeys;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Objects;

/**
 * How to open a {@link Store}. Start from {@link #of(Path)} and change what differs with the {@code
 * with*} methods.
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
 */
public record StoreConfig(
    Path dataDir,
    String vaultSecret,
    long initialMapSizeBytes,
    long maxMapSizeBytes,
    int executionsPerFlow,
    int vaultKdfIterations,
    InstantSource clock) {
  public static final long DEFAULT_INITIAL_MAP_SIZE_BYTES = 64L << 20;
  public static final long DEFAULT_MAX_MAP_SIZE_BYTES = 256L << 30;
  public static final int DEFAULT_EXECUTIONS_PER_FLOW = 200;

  /** The smallest map accepted: LMDB needs a few pages per table. */
  public static final long MIN_MAP_SIZE_BYTES = 1L << 20;

  private static final long PAGE_BYTES = 4096;

  public StoreConfig {
    Objects.requireNonNull(dataDir, "dataDir");
    Objects.requireNonNull(clock, "clock");
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
    return new StoreConfig(
        dataDir,
        null,
        DEFAULT_INITIAL_MAP_SIZE_BYTES,
        DEFAULT_MAX_MAP_SIZE_BYTES,
        DEFAULT_EXECUTIONS_PER_FLOW,
        VaultKeys.DEFAULT_KDF_ITERATIONS,
        InstantSource.system());
  }

  public StoreConfig withVaultSecret(String secret) {
    return new StoreConfig(
        dataDir,
        secret,
        initialMapSizeBytes,
        maxMapSizeBytes,
        executionsPerFlow,
        vaultKdfIterations,
        clock);
  }

  public StoreConfig withMapSizeBytes(long initialBytes, long maxBytes) {
    return new StoreConfig(
        dataDir, vaultSecret, initialBytes, maxBytes, executionsPerFlow, vaultKdfIterations, clock);
  }

  public StoreConfig withExecutionsPerFlow(int executions) {
    return new StoreConfig(
        dataDir,
        vaultSecret,
        initialMapSizeBytes,
        maxMapSizeBytes,
        executions,
        vaultKdfIterations,
        clock);
  }

  public StoreConfig withVaultKdfIterations(int iterations) {
    return new StoreConfig(
        dataDir,
        vaultSecret,
        initialMapSizeBytes,
        maxMapSizeBytes,
        executionsPerFlow,
        iterations,
        clock);
  }

  public StoreConfig withClock(InstantSource source) {
    return new StoreConfig(
        dataDir,
        vaultSecret,
        initialMapSizeBytes,
        maxMapSizeBytes,
        executionsPerFlow,
        vaultKdfIterations,
        source);
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
        + "]";
  }

  private static long roundUpToPage(long bytes) {
    return (bytes + PAGE_BYTES - 1) / PAGE_BYTES * PAGE_BYTES;
  }
}
