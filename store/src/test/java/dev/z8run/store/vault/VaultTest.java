package dev.z8run.store.vault;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.store.Store;
import dev.z8run.store.StoreConfig;
import dev.z8run.store.lmdb.Keys;
import dev.z8run.store.lmdb.LmdbEnvironment;
import dev.z8run.store.lmdb.Table;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VaultTest {
  private static final String ALICE = "alice-id";
  private static final String BOB = "bob-id";
  private static final String SECRET_VALUE = "sk-live-7f3a9c1e-DISTINCTIVE-plaintext-42";
  private static final long MAP_BYTES = 1L << 20;

  @TempDir Path dataDir;

  @Test
  void shouldReturnWhatWasStored() {
    try (Store store = open()) {
      store.vault().put(ALICE, "openai.key", SECRET_VALUE);
      store.vault().put(ALICE, "empty", "");
      store.vault().put(ALICE, "unicode", "pässwörd ✓");

      assertEquals(Optional.of(SECRET_VALUE), store.vault().get(ALICE, "openai.key"));
      assertEquals(Optional.of(""), store.vault().get(ALICE, "empty"));
      assertEquals(Optional.of("pässwörd ✓"), store.vault().get(ALICE, "unicode"));
      assertTrue(store.vault().get(ALICE, "missing").isEmpty());
    }
  }

  @Test
  void shouldNeverWriteThePlaintextToTheDataFile() throws Exception {
    try (Store store = open()) {
      store.vault().put(ALICE, "token", SECRET_VALUE);
      store.vault().put(ALICE, "token", SECRET_VALUE);
      store.vault().put(BOB, "token", SECRET_VALUE);
    }

    byte[] file = Files.readAllBytes(dataDir.resolve("data.mdb"));

    assertEquals(-1, indexOf(file, SECRET_VALUE.getBytes(UTF_8)));
    assertTrue(indexOf(file, "token".getBytes(UTF_8)) >= 0, "the scan sees the entry names");
  }

  @Test
  void shouldDetectAFlippedCiphertextBit() {
    try (Store store = open()) {
      store.vault().put(ALICE, "token", SECRET_VALUE);
    }
    byte[] blob = rawGet(ALICE, "token");
    blob[VaultCipher.CIPHERTEXT_OFFSET + 3] ^= 0x01;
    rawPut(ALICE, "token", blob);

    try (Store store = open()) {
      VaultIntegrityException e =
          assertThrows(VaultIntegrityException.class, () -> store.vault().get(ALICE, "token"));
      assertTrue(e.getMessage().contains("integrity check"), e.getMessage());
      assertFalse(e.getMessage().contains(SECRET_VALUE));
    }
  }

  @Test
  void shouldRefuseAnEntryCopiedUnderAnotherNameOrOwner() {
    try (Store store = open()) {
      store.vault().put(ALICE, "token", SECRET_VALUE);
    }
    byte[] blob = rawGet(ALICE, "token");
    rawPut(ALICE, "stolen", blob);
    rawPut(BOB, "token", blob);

    try (Store store = open()) {
      assertThrows(VaultIntegrityException.class, () -> store.vault().get(ALICE, "stolen"));
      assertThrows(VaultIntegrityException.class, () -> store.vault().get(BOB, "token"));
      assertEquals(Optional.of(SECRET_VALUE), store.vault().get(ALICE, "token"));
    }
  }

  @Test
  void shouldStoreTheSameValueTwiceAsDifferentBytes() {
    try (Store store = open()) {
      store.vault().put(ALICE, "token", SECRET_VALUE);
    }
    byte[] first = rawGet(ALICE, "token");
    try (Store store = open()) {
      store.vault().put(ALICE, "token", SECRET_VALUE);
    }
    byte[] second = rawGet(ALICE, "token");

    assertEquals(first.length, second.length);
    assertFalse(Arrays.equals(first, second));
    assertFalse(
        Arrays.equals(
            Arrays.copyOfRange(first, VaultCipher.NONCE_OFFSET, VaultCipher.CIPHERTEXT_OFFSET),
            Arrays.copyOfRange(second, VaultCipher.NONCE_OFFSET, VaultCipher.CIPHERTEXT_OFFSET)),
        "a fresh nonce per write");
  }

  @Test
  void shouldRefuseAWrongSecretWhenTheStoreOpens() {
    try (Store store = openWithSecret("correct horse battery staple")) {
      store.vault().put(ALICE, "token", SECRET_VALUE);
    }

    VaultKeyException e =
        assertThrows(VaultKeyException.class, () -> openWithSecret("incorrect horse"));

    assertEquals(VaultKeys.SECRET_MISMATCH, e.getMessage());
    try (Store store = openWithSecret("correct horse battery staple")) {
      assertEquals(Optional.of(SECRET_VALUE), store.vault().get(ALICE, "token"));
    }
  }

  @Test
  void shouldRefuseToOpenWithoutTheSecretTheVaultWasCreatedWith() {
    openWithSecret("s3cret").close();

    VaultKeyException e = assertThrows(VaultKeyException.class, this::open);

    assertTrue(e.getMessage().contains("created with Z8_VAULT_SECRET"), e.getMessage());
  }

  @Test
  void shouldRefuseASecretForAVaultCreatedWithAKeyFile() {
    open().close();

    VaultKeyException e = assertThrows(VaultKeyException.class, () -> openWithSecret("s3cret"));

    assertTrue(e.getMessage().startsWith(VaultKeys.SECRET_MISMATCH), e.getMessage());
    assertTrue(e.getMessage().contains(VaultKeys.KEY_FILE_NAME), e.getMessage());
  }

  @Test
  void shouldCreateTheKeyFileReadableByItsOwnerOnly() throws Exception {
    open().close();

    Path keyFile = dataDir.resolve(VaultKeys.KEY_FILE_NAME);
    assertEquals(
        "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
    assertEquals(VaultKeys.KEY_BYTES, Files.size(keyFile));
    assertFalse(Files.exists(dataDir.resolve(VaultKeys.KEY_FILE_NAME + ".tmp")));
  }

  @Test
  void shouldReuseTheKeyFileOnTheNextOpen() throws Exception {
    try (Store store = open()) {
      store.vault().put(ALICE, "token", SECRET_VALUE);
    }
    byte[] key = Files.readAllBytes(dataDir.resolve(VaultKeys.KEY_FILE_NAME));

    try (Store store = open()) {
      assertEquals(Optional.of(SECRET_VALUE), store.vault().get(ALICE, "token"));
    }
    assertTrue(Arrays.equals(key, Files.readAllBytes(dataDir.resolve(VaultKeys.KEY_FILE_NAME))));
  }

  @Test
  void shouldRefuseAKeyFileThatOthersCanRead() throws Exception {
    open().close();
    Path keyFile = dataDir.resolve(VaultKeys.KEY_FILE_NAME);
    Files.setPosixFilePermissions(keyFile, PosixFilePermissions.fromString("rw-r--r--"));

    VaultKeyException e = assertThrows(VaultKeyException.class, this::open);

    assertTrue(e.getMessage().contains(keyFile.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("chmod 600 " + keyFile), e.getMessage());
  }

  @Test
  void shouldRefuseAKeyFileThatIsNotTheVaults() throws Exception {
    open().close();
    Path keyFile = dataDir.resolve(VaultKeys.KEY_FILE_NAME);
    byte[] other = Files.readAllBytes(keyFile);
    other[0] ^= 0x01;
    Files.write(keyFile, other);

    VaultKeyException e = assertThrows(VaultKeyException.class, this::open);

    assertTrue(e.getMessage().contains("not the key this vault was created with"), e.getMessage());
  }

  @Test
  void shouldHideEntriesFromAnotherOwner() {
    try (Store store = open()) {
      store.vault().put(ALICE, "token", SECRET_VALUE);

      assertTrue(store.vault().get(BOB, "token").isEmpty());
      assertTrue(store.vault().list(BOB).isEmpty());
      assertFalse(store.vault().delete(BOB, "token"));
      assertEquals(Optional.of(SECRET_VALUE), store.vault().get(ALICE, "token"));
    }
  }

  @Test
  void shouldListNamesOnlyInOrder() {
    try (Store store = open()) {
      store.vault().put(ALICE, "zeta", "1");
      store.vault().put(ALICE, "Alpha", "2");
      store.vault().put(ALICE, "beta.key", "3");
      store.vault().put(BOB, "bobs", "4");

      assertEquals(List.of("Alpha", "beta.key", "zeta"), store.vault().list(ALICE));
      assertTrue(store.vault().delete(ALICE, "beta.key"));
      assertEquals(List.of("Alpha", "zeta"), store.vault().list(ALICE));
    }
  }

  @Test
  void shouldRejectNamesOutsideTheAllowedCharacters() {
    try (Store store = open()) {
      for (String bad : List.of("", "a b", "a/b", "ключ", "x".repeat(Vault.MAX_NAME_CHARS + 1))) {
        assertThrows(IllegalArgumentException.class, () -> store.vault().put(ALICE, bad, "v"), bad);
      }
      store.vault().put(ALICE, "A-z_0.9", "ok");
      store.vault().put(ALICE, "x".repeat(Vault.MAX_NAME_CHARS), "ok");
      assertEquals(2, store.vault().list(ALICE).size());
    }
  }

  private Store open() {
    return Store.open(StoreConfig.of(dataDir));
  }

  private Store openWithSecret(String secret) {
    return Store.open(
        StoreConfig.builder(dataDir)
            .vaultSecret(secret)
            .vaultKdfIterations(VaultKeys.MIN_KDF_ITERATIONS)
            .build());
  }

  /** Reads an entry's stored blob straight from LMDB, with the store closed. */
  private byte[] rawGet(String owner, String name) {
    try (LmdbEnvironment raw = LmdbEnvironment.open(dataDir, MAP_BYTES, MAP_BYTES)) {
      byte[] blob = raw.read(tx -> tx.get(Table.VAULT, entryKey(owner, name)));
      assertNotNull(blob);
      return blob;
    }
  }

  /** Writes bytes as an entry straight into LMDB, with the store closed. */
  private void rawPut(String owner, String name, byte[] blob) {
    try (LmdbEnvironment raw = LmdbEnvironment.open(dataDir, MAP_BYTES, MAP_BYTES)) {
      raw.write(
          tx -> {
            tx.put(Table.VAULT, entryKey(owner, name), blob);
            return null;
          });
    }
  }

  private static byte[] entryKey(String owner, String name) {
    return Keys.pair(owner.getBytes(UTF_8), name.getBytes(UTF_8));
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
