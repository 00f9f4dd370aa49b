package dev.z8run.store.vault;

import dev.z8run.store.lmdb.Keys;
import dev.z8run.store.lmdb.LmdbEnvironment;
import dev.z8run.store.lmdb.Table;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.SecretKey;

/**
 * Secrets per owner, encrypted at rest with AES-256-GCM ({@link VaultCipher}); node configs refer
 * to them as {@code vault:<name>}.
 *
 * <p>An entry is addressed by owner id and name; the LMDB key is {@code owner id, 0x00, name} and
 * the same bytes are the associated data of its ciphertext, so an entry cannot be read under
 * another owner or name even by copying bytes inside the database. Another owner's entries are
 * invisible: {@link #get} is empty, {@link #list} omits them, {@link #delete} returns false.
 *
 * <p>Plaintext exists only in memory, between the caller and the cipher: never in LMDB, in listings
 * or in exception messages. Names are not secret (they are listed and logged).
 *
 * <p>Threading: thread-safe; encryption runs on the caller's thread, the write blocks until
 * durable.
 */
public final class Vault {
  /** The longest entry name. */
  public static final int MAX_NAME_CHARS = 128;

  /** The largest value, in UTF-8 bytes. */
  public static final int MAX_VALUE_BYTES = 64 * 1024;

  private final LmdbEnvironment env;
  private final SecretKey key;

  private Vault(LmdbEnvironment env, SecretKey key) {
    this.env = env;
    this.key = key;
  }

  /**
   * Opens the vault of an environment, creating its key material on first use ({@link VaultKeys}).
   *
   * @param secret {@code Z8_VAULT_SECRET}, or null to use the key file in the data directory
   * @param kdfIterations PBKDF2 iterations if a new vault is created from {@code secret}
   * @throws VaultKeyException if the secret or key file is not the vault's, or the file is not
   *     private
   */
  public static Vault open(LmdbEnvironment env, String secret, int kdfIterations) {
    return new Vault(env, VaultKeys.open(env, secret, kdfIterations));
  }

  /**
   * Stores {@code value} under {@code name} for {@code ownerId}, replacing what was there.
   *
   * @throws IllegalArgumentException if the name is not 1..128 of {@code [A-Za-z0-9_.-]} or the
   *     value is larger than {@link #MAX_VALUE_BYTES}
   */
  public void put(String ownerId, String name, String value) {
    byte[] entry = entryKey(ownerId, name);
    byte[] plaintext = value.getBytes(StandardCharsets.UTF_8);
    try {
      if (plaintext.length > MAX_VALUE_BYTES) {
        throw new IllegalArgumentException(
            "vault value for '"
                + name
                + "' is "
                + plaintext.length
                + " bytes, the limit is "
                + MAX_VALUE_BYTES);
      }
      byte[] blob = VaultCipher.seal(key, plaintext, entry);
      env.write(
          tx -> {
            tx.put(Table.VAULT, entry, blob);
            return null;
          });
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /**
   * The value under {@code name} for {@code ownerId}, or empty if there is none.
   *
   * @throws VaultIntegrityException if the stored entry fails authentication
   */
  public Optional<String> get(String ownerId, String name) {
    byte[] entry = entryKey(ownerId, name);
    byte[] blob = env.read(tx -> tx.get(Table.VAULT, entry));
    if (blob == null) {
      return Optional.empty();
    }
    byte[] plaintext;
    try {
      plaintext = VaultCipher.open(key, blob, entry);
    } catch (AEADBadTagException e) {
      throw new VaultIntegrityException(
          "vault entry '"
              + name
              + "' of owner '"
              + ownerId
              + "' failed its integrity check: its stored bytes were altered or copied from"
              + " another entry; store the secret again",
          e);
    }
    try {
      return Optional.of(new String(plaintext, StandardCharsets.UTF_8));
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /** The owner's entry names in ascending order; never values. */
  public List<String> list(String ownerId) {
    byte[] prefix = Keys.prefix(Keys.id("owner id", ownerId));
    List<byte[]> keys = env.read(tx -> tx.keys(Table.VAULT, prefix));
    List<String> names = new ArrayList<>(keys.size());
    for (byte[] k : keys) {
      names.add(Keys.suffix(k, prefix.length));
    }
    return names;
  }

  /** Removes the entry; false if the owner has none by that name. */
  public boolean delete(String ownerId, String name) {
    byte[] entry = entryKey(ownerId, name);
    return env.write(tx -> tx.delete(Table.VAULT, entry));
  }

  /** Checks a name: 1..{@value #MAX_NAME_CHARS} characters of {@code [A-Za-z0-9_.-]}. */
  public static void requireValidName(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_NAME_CHARS) {
      throw new IllegalArgumentException(
          "vault entry name must be 1.."
              + MAX_NAME_CHARS
              + " characters, got "
              + (name == null ? "null" : name.length()));
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean allowed =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '_'
              || c == '.'
              || c == '-';
      if (!allowed) {
        throw new IllegalArgumentException(
            "vault entry name '"
                + name
                + "' has '"
                + c
                + "' at index "
                + i
                + "; allowed are A-Z a-z 0-9 _ . -");
      }
    }
  }

  /** {@code owner id, 0x00, name}: the LMDB key and the associated data. */
  private static byte[] entryKey(String ownerId, String name) {
    requireValidName(name);
    return Keys.pair(Keys.id("owner id", ownerId), name.getBytes(StandardCharsets.US_ASCII));
  }
}
