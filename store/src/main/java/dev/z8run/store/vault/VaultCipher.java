package dev.z8run.store.vault;

import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM sealing of vault values into the stored blob:
 *
 * <pre>
 *  0         1                          13
 *  +---------+--------------------------+------------------------------------------+
 *  | version |  nonce (96 bits, random) | ciphertext (as long as the plaintext)     |
 *  |  u8 =1  |        12 bytes          | followed by the GCM tag (128 bits)        |
 *  +---------+--------------------------+------------------------------------------+
 *  associated data = the version byte, then the entry name bytes given by the caller
 * </pre>
 *
 * <p>A fresh nonce comes from {@link SecureRandom} for every seal, so sealing the same value twice
 * gives different blobs; with random 96-bit nonces one key stays within GCM's bounds for about 2^32
 * writes, far beyond a vault's life. Binding the entry name as associated data means a blob copied
 * under another name or owner fails to open.
 *
 * <p>Thread-safe: a {@link Cipher} is made per call.
 */
public final class VaultCipher {
  public static final byte VERSION = 1;
  public static final int NONCE_BYTES = 12;
  public static final int TAG_BYTES = 16;

  public static final int VERSION_OFFSET = 0;
  public static final int NONCE_OFFSET = VERSION_OFFSET + Byte.BYTES;
  public static final int CIPHERTEXT_OFFSET = NONCE_OFFSET + NONCE_BYTES;

  /** The blob of an empty value: header and tag. */
  public static final int MIN_BLOB_BYTES = CIPHERTEXT_OFFSET + TAG_BYTES;

  private static final String TRANSFORMATION = "AES/GCM/NoPadding";
  private static final SecureRandom RANDOM = new SecureRandom();

  private VaultCipher() {}

  /** Encrypts {@code plaintext} under {@code key}, binding {@code name}; returns the blob. */
  public static byte[] seal(SecretKey key, byte[] plaintext, byte[] name) {
    byte[] blob = new byte[MIN_BLOB_BYTES + plaintext.length];
    blob[VERSION_OFFSET] = VERSION;
    byte[] nonce = new byte[NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    System.arraycopy(nonce, 0, blob, NONCE_OFFSET, NONCE_BYTES);
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BYTES * 8, nonce));
      cipher.updateAAD(blob, VERSION_OFFSET, Byte.BYTES);
      cipher.updateAAD(name);
      cipher.doFinal(plaintext, 0, plaintext.length, blob, CIPHERTEXT_OFFSET);
      return blob;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot do " + TRANSFORMATION + ": " + e, e);
    }
  }

  /**
   * Decrypts a blob sealed under {@code key} with {@code name}.
   *
   * @throws AEADBadTagException if the blob is not such a blob: wrong key, wrong name, changed
   *     bytes, unknown version or too short
   */
  public static byte[] open(SecretKey key, byte[] blob, byte[] name) throws AEADBadTagException {
    if (blob.length < MIN_BLOB_BYTES || blob[VERSION_OFFSET] != VERSION) {
      throw new AEADBadTagException(
          "blob of "
              + blob.length
              + " bytes, version "
              + (blob.length > 0 ? blob[VERSION_OFFSET] : -1)
              + ": not a version "
              + VERSION
              + " vault blob");
    }
    try {
      Cipher cipher = Cipher.getInstance(TRANSFORMATION);
      cipher.init(
          Cipher.DECRYPT_MODE,
          key,
          new GCMParameterSpec(TAG_BYTES * 8, blob, NONCE_OFFSET, NONCE_BYTES));
      cipher.updateAAD(blob, VERSION_OFFSET, Byte.BYTES);
      cipher.updateAAD(name);
      return cipher.doFinal(blob, CIPHERTEXT_OFFSET, blob.length - CIPHERTEXT_OFFSET);
    } catch (AEADBadTagException e) {
      throw e;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM cannot do " + TRANSFORMATION + ": " + e, e);
    }
  }
}
