package dev.z8run.store.vault;

import dev.z8run.store.lmdb.Keys;
import dev.z8run.store.lmdb.LmdbEnvironment;
import dev.z8run.store.lmdb.Table;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import javax.crypto.AEADBadTagException;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Finds the vault's AES-256 key when the store opens, creating the key material on first use.
 *
 * <ul>
 *   <li>With a secret ({@code Z8_VAULT_SECRET}, passed in): PBKDF2WithHmacSHA256 over the secret
 *       with a random 16-byte salt and an iteration count, both stored in the {@code meta} table.
 *   <li>Without: {@value #KEY_FILE_NAME} in the data directory, 32 random bytes, created with mode
 *       {@code rw-------} from the start (written to a temporary file opened with that mode,
 *       synced, then renamed); reused later, and refused if group or others have any permission on
 *       it.
 * </ul>
 *
 * <p>On first use a key check value (a constant sealed under the key with its own associated data)
 * is stored beside the salt. Later opens unseal it, so a wrong secret or a foreign key file fails
 * here, at start, with a message saying which, instead of failing on the first entry read.
 *
 * <p>{@code meta} keys: {@code vault.source} ({@code secret} or {@code file}), {@code vault.salt},
 * {@code vault.kdf_iterations} (i32 BE), {@code vault.check}. Stateless; called once per open.
 */
public final class VaultKeys {
  /** PBKDF2-HMAC-SHA256 iterations for a new vault: OWASP's 2023 recommendation. */
  public static final int DEFAULT_KDF_ITERATIONS = 600_000;

  /** The fewest iterations accepted for a new vault. */
  public static final int MIN_KDF_ITERATIONS = 210_000;

  public static final String KEY_FILE_NAME = "vault.key";

  /** The message for a secret that is not the vault's; the API and tests match on it. */
  public static final String SECRET_MISMATCH =
      "Z8_VAULT_SECRET does not match the key this vault was created with";

  static final int KEY_BYTES = 32;
  static final int SALT_BYTES = 16;

  private static final byte[] SOURCE = Keys.meta("vault.source");
  private static final byte[] SALT = Keys.meta("vault.salt");
  private static final byte[] ITERATIONS = Keys.meta("vault.kdf_iterations");
  private static final byte[] CHECK = Keys.meta("vault.check");
  private static final String FROM_SECRET = "secret";
  private static final String FROM_FILE = "file";
  private static final byte[] CHECK_PLAINTEXT =
      "z8run vault key check".getBytes(StandardCharsets.US_ASCII);

  /** Starts with NUL, which no entry name (owner id, NUL, name) can: no entry can pose as it. */
  private static final byte[] CHECK_NAME =
      "\0z8run.vault.check".getBytes(StandardCharsets.US_ASCII);

  private static final Set<PosixFilePermission> OWNER_ONLY =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  private static final Set<PosixFilePermission> NOT_OWNER =
      EnumSet.complementOf(
          EnumSet.of(
              PosixFilePermission.OWNER_READ,
              PosixFilePermission.OWNER_WRITE,
              PosixFilePermission.OWNER_EXECUTE));
  private static final SecureRandom RANDOM = new SecureRandom();

  private VaultKeys() {}

  /**
   * The vault's key, created on first use.
   *
   * @param secret the vault secret, or null for the key file
   * @param iterationsForNew PBKDF2 iterations if a new vault is created from {@code secret}
   * @throws VaultKeyException if the key is wrong, missing or its file is not private
   */
  public static SecretKey open(LmdbEnvironment env, String secret, int iterationsForNew) {
    Stored stored =
        env.read(
            tx ->
                new Stored(
                    tx.get(Table.META, SOURCE),
                    tx.get(Table.META, SALT),
                    tx.get(Table.META, ITERATIONS),
                    tx.get(Table.META, CHECK)));
    Path keyFile = env.directory().resolve(KEY_FILE_NAME);
    return stored.check() == null
        ? create(env, keyFile, secret, iterationsForNew)
        : unlock(stored, keyFile, secret);
  }

  private record Stored(byte[] source, byte[] salt, byte[] iterations, byte[] check) {}

  private static SecretKey create(
      LmdbEnvironment env, Path keyFile, String secret, int iterations) {
    if (iterations < MIN_KDF_ITERATIONS) {
      throw new IllegalArgumentException(
          "iterations=" + iterations + " is below " + MIN_KDF_ITERATIONS);
    }
    byte[] salt = new byte[SALT_BYTES];
    RANDOM.nextBytes(salt);
    SecretKey key =
        secret != null ? derive(secret, salt, iterations) : readOrCreateKeyFile(keyFile);
    byte[] check = VaultCipher.seal(key, CHECK_PLAINTEXT, CHECK_NAME);
    String source = secret != null ? FROM_SECRET : FROM_FILE;
    env.write(
        tx -> {
          tx.put(Table.META, SOURCE, source.getBytes(StandardCharsets.US_ASCII));
          if (secret != null) {
            tx.put(Table.META, SALT, salt);
            tx.put(Table.META, ITERATIONS, ByteBuffer.allocate(4).putInt(iterations).array());
          }
          tx.put(Table.META, CHECK, check);
          return null;
        });
    return key;
  }

  private static SecretKey unlock(Stored stored, Path keyFile, String secret) {
    String source =
        stored.source() == null ? "" : new String(stored.source(), StandardCharsets.US_ASCII);
    SecretKey key;
    String mismatch;
    if (FROM_SECRET.equals(source)) {
      if (secret == null) {
        throw new VaultKeyException(
            "this vault was created with Z8_VAULT_SECRET: set it to the same secret to start");
      }
      if (stored.salt() == null || stored.iterations() == null) {
        throw new VaultKeyException("the vault's key derivation settings are missing from meta");
      }
      key = derive(secret, stored.salt(), ByteBuffer.wrap(stored.iterations()).getInt());
      mismatch = SECRET_MISMATCH;
    } else if (FROM_FILE.equals(source)) {
      if (secret != null) {
        throw new VaultKeyException(
            SECRET_MISMATCH
                + ": it was created with the key file "
                + keyFile
                + "; unset Z8_VAULT_SECRET to use that file");
      }
      if (Files.notExists(keyFile)) {
        throw new VaultKeyException(
            "vault key file "
                + keyFile
                + " is missing: the vault's entries were encrypted with it; restore it from a"
                + " backup");
      }
      key = readOrCreateKeyFile(keyFile);
      mismatch = "vault key file " + keyFile + " is not the key this vault was created with";
    } else {
      throw new VaultKeyException("unknown vault key source '" + source + "' in meta");
    }
    try {
      if (!Arrays.equals(CHECK_PLAINTEXT, VaultCipher.open(key, stored.check(), CHECK_NAME))) {
        throw new VaultKeyException(mismatch);
      }
    } catch (AEADBadTagException e) {
      throw new VaultKeyException(mismatch, e);
    }
    return key;
  }

  private static SecretKey derive(String secret, byte[] salt, int iterations) {
    char[] chars = secret.toCharArray();
    PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, KEY_BYTES * 8);
    byte[] raw = null;
    try {
      raw = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
      return new SecretKeySpec(raw, "AES");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot do PBKDF2WithHmacSHA256: " + e, e);
    } finally {
      spec.clearPassword();
      Arrays.fill(chars, '\0');
      if (raw != null) {
        Arrays.fill(raw, (byte) 0);
      }
    }
  }

  private static SecretKey readOrCreateKeyFile(Path keyFile) {
    try {
      if (Files.notExists(keyFile)) {
        createKeyFile(keyFile);
      }
      requireOwnerOnly(keyFile);
      byte[] raw = Files.readAllBytes(keyFile);
      try {
        if (raw.length != KEY_BYTES) {
          throw new VaultKeyException(
              "vault key file "
                  + keyFile
                  + " holds "
                  + raw.length
                  + " bytes, a key is "
                  + KEY_BYTES
                  + ": it is damaged; restore it from a backup");
        }
        return new SecretKeySpec(raw, "AES");
      } finally {
        Arrays.fill(raw, (byte) 0);
      }
    } catch (IOException e) {
      throw new VaultKeyException("cannot read or create vault key file " + keyFile + ": " + e, e);
    }
  }

  /** Writes 32 random bytes to a private temporary file, syncs it, renames it into place. */
  private static void createKeyFile(Path keyFile) throws IOException {
    Path dir = keyFile.getParent();
    Path temporary = dir.resolve(KEY_FILE_NAME + ".tmp");
    Files.deleteIfExists(temporary);
    byte[] raw = new byte[KEY_BYTES];
    RANDOM.nextBytes(raw);
    FileAttribute<?>[] attributes =
        LmdbEnvironment.isPosix(dir)
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
            : new FileAttribute<?>[0];
    try (FileChannel channel =
        FileChannel.open(
            temporary,
            EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
            attributes)) {
      ByteBuffer buffer = ByteBuffer.wrap(raw);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    } finally {
      Arrays.fill(raw, (byte) 0);
    }
    Files.move(temporary, keyFile, StandardCopyOption.ATOMIC_MOVE);
    syncDirectory(dir);
  }

  private static void requireOwnerOnly(Path keyFile) throws IOException {
    if (!LmdbEnvironment.isPosix(keyFile)) {
      return;
    }
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(keyFile);
    if (permissions.stream().anyMatch(NOT_OWNER::contains)) {
      throw new VaultKeyException(
          "vault key file "
              + keyFile
              + " is accessible by group or others (mode "
              + PosixFilePermissions.toString(permissions)
              + "); run: chmod 600 "
              + keyFile);
    }
  }

  /** Makes the rename durable; some platforms cannot open a directory, which is fine there. */
  private static void syncDirectory(Path dir) {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      // not supported on this platform: the rename is as durable as the file system makes it
    }
  }
}
