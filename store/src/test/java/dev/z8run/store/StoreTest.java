package dev.z8run.store;

import static dev.z8run.store.TestFlows.flow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.store.lmdb.Keys;
import dev.z8run.store.lmdb.LmdbEnvironment;
import dev.z8run.store.lmdb.StorageException;
import dev.z8run.store.lmdb.Table;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreTest {
  private static final String OWNER = "owner-id";
  private static final long ONE_MIB = 1L << 20;

  @TempDir Path tempDir;

  @Test
  void shouldGrowTheMapWhenAWriteDoesNotFit() {
    Path dataDir = tempDir.resolve("data");
    String padding = "x".repeat(100_000);
    int count = 40;
    try (Store store = Store.open(config(dataDir, ONE_MIB, 1L << 30))) {
      for (int i = 0; i < count; i++) {
        store.flows().create(OWNER, flow("f" + i, "big " + i, 2, padding));
      }
      assertTrue(store.mapSizeBytes() >= 8 * ONE_MIB, "map grew to " + store.mapSizeBytes());
    }
    try (Store store = Store.open(config(dataDir, ONE_MIB, 1L << 30))) {
      assertEquals(count, store.flows().list(OWNER).size());
      assertEquals(
          padding,
          store.flows().get(OWNER, "f7").orElseThrow().flow().nodes().get(1).config().get("pad"));
    }
  }

  @Test
  void shouldGrowTheMapWhileReadersAreReading() throws Exception {
    String padding = "y".repeat(50_000);
    try (Store store = Store.open(config(tempDir, ONE_MIB, 1L << 30));
        ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
      store.flows().create(OWNER, flow("seed", "seed", 1));
      AtomicBoolean writing = new AtomicBoolean(true);
      Future<Integer> reads =
          readers.submit(
              () -> {
                int n = 0;
                while (writing.get()) {
                  assertFalse(store.flows().list(OWNER).isEmpty());
                  n++;
                }
                return n;
              });
      for (int i = 0; i < 60; i++) {
        store.flows().create(OWNER, flow("f" + i, "f" + i, 2, padding));
      }
      writing.set(false);

      assertTrue(reads.get() > 0);
      assertTrue(store.mapSizeBytes() >= 4 * ONE_MIB, "map grew to " + store.mapSizeBytes());
      assertEquals(61, store.flows().list(OWNER).size());
    }
  }

  @Test
  void shouldFailAWriteThatNeedsMoreThanTheMaximumMapAndKeepWhatWasThere() {
    try (Store store = Store.open(config(tempDir, ONE_MIB, ONE_MIB))) {
      store.flows().create(OWNER, flow("small", "small", 1));

      StorageException e =
          assertThrows(
              StorageException.class,
              () -> store.flows().create(OWNER, flow("huge", "huge", 1, "z".repeat(2_000_000))));

      assertTrue(e.getMessage().contains("configured maximum of " + ONE_MIB), e.getMessage());
      assertTrue(store.flows().get(OWNER, "huge").isEmpty());
      assertEquals(1, store.flows().list(OWNER).size());
    }
  }

  @Test
  void shouldRefuseAStoreWrittenByANewerSchema() {
    try (Store store = Store.open(StoreConfig.of(tempDir))) {
      store.flows().create(OWNER, flow("f", "f", 1));
    }
    try (LmdbEnvironment raw = LmdbEnvironment.open(tempDir, ONE_MIB, ONE_MIB)) {
      raw.write(
          tx -> {
            tx.put(
                Table.META,
                Keys.meta("schema_version"),
                ByteBuffer.allocate(4).putInt(Store.SCHEMA_VERSION + 1).array());
            return null;
          });
    }

    SchemaVersionException e =
        assertThrows(SchemaVersionException.class, () -> Store.open(StoreConfig.of(tempDir)));

    assertTrue(e.getMessage().contains("schema version " + (Store.SCHEMA_VERSION + 1)));
    assertTrue(e.getMessage().contains(tempDir.toString()), e.getMessage());
  }

  @Test
  void shouldCreateAPrivateDataDirectoryAndFiles() throws Exception {
    Path dataDir = tempDir.resolve("nested/data");
    try (Store store = Store.open(StoreConfig.of(dataDir))) {
      store.flows().create(OWNER, flow("f", "f", 1));
    }

    assertEquals("rwx------", mode(dataDir));
    assertEquals("rw-------", mode(dataDir.resolve("data.mdb")));
    assertEquals("rw-------", mode(dataDir.resolve("lock.mdb")));
  }

  @Test
  void shouldRefuseCallsAfterClose() {
    Store store = Store.open(StoreConfig.of(tempDir));
    store.close();
    store.close();

    assertThrows(IllegalStateException.class, () -> store.flows().create(OWNER, flow("f", "", 1)));
    assertThrows(IllegalStateException.class, () -> store.flows().list(OWNER));
  }

  @Test
  void shouldNotShowTheVaultSecretInTheConfig() {
    StoreConfig config = StoreConfig.builder(tempDir).vaultSecret("hunter2-very-secret").build();

    assertFalse(config.toString().contains("hunter2"));
  }

  private static StoreConfig config(Path dir, long initialBytes, long maxBytes) {
    return StoreConfig.builder(dir).mapSizeBytes(initialBytes, maxBytes).build();
  }

  private static String mode(Path path) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
