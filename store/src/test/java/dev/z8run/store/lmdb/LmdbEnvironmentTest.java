package dev.z8run.store.lmdb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LmdbEnvironmentTest {
  private static final long ONE_MIB = 1L << 20;
  private static final byte[] KEY = Keys.meta("created_by_test");
  private static final byte[] VALUE = "v1".getBytes(StandardCharsets.UTF_8);

  @TempDir Path tempDir;

  @Test
  void shouldWriteTheCreationRecordsOnlyInANewEnvironment() {
    AtomicInteger creations = new AtomicInteger();
    TxnWork<Boolean> onCreate =
        tx -> {
          creations.incrementAndGet();
          return tx.putIfAbsent(Table.META, KEY, VALUE);
        };
    Path dir = tempDir.resolve("new");
    try (LmdbEnvironment env = LmdbEnvironment.open(dir, ONE_MIB, ONE_MIB, onCreate)) {
      assertArrayEquals(VALUE, env.read(tx -> tx.get(Table.META, KEY)));
      env.write(
          tx -> {
            tx.delete(Table.META, KEY);
            return null;
          });
    }
    try (LmdbEnvironment env = LmdbEnvironment.open(dir, ONE_MIB, ONE_MIB, onCreate)) {
      assertNull(env.read(tx -> tx.get(Table.META, KEY)), "onCreate ran again on a reopen");
    }
    assertEquals(1, creations.get());
  }

  @Test
  void shouldKeepEveryTableAndWriteOfANewEnvironmentAcrossAReopen() {
    byte[] flowKey = "f1".getBytes(StandardCharsets.UTF_8);
    try (LmdbEnvironment env = LmdbEnvironment.open(tempDir, ONE_MIB, ONE_MIB)) {
      env.write(
          tx -> {
            tx.put(Table.values()[Table.values().length - 1], flowKey, VALUE);
            return null;
          });
    }
    try (LmdbEnvironment env = LmdbEnvironment.open(tempDir, ONE_MIB, ONE_MIB)) {
      assertArrayEquals(
          VALUE, env.read(tx -> tx.get(Table.values()[Table.values().length - 1], flowKey)));
    }
  }

  @Test
  void shouldCreateNothingWhenTheCreationRecordsFail() {
    Path dir = tempDir.resolve("failed");
    assertThrows(
        IllegalStateException.class,
        () ->
            LmdbEnvironment.open(
                dir,
                ONE_MIB,
                ONE_MIB,
                tx -> {
                  throw new IllegalStateException("refused");
                }));
    try (LmdbEnvironment env = LmdbEnvironment.open(dir, ONE_MIB, ONE_MIB)) {
      assertNull(env.read(tx -> tx.get(Table.META, KEY)));
    }
  }
}
