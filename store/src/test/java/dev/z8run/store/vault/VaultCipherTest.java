package dev.z8run.store.vault;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import javax.crypto.AEADBadTagException;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class VaultCipherTest {
  private static final SecretKey KEY = new SecretKeySpec(new byte[32], "AES");

  @Test
  void shouldTakeTheCipherFromSunJceByName() throws Exception {
    // asked for by name, not by the provider list's order, which would load SunEC first
    assertEquals("SunJCE", VaultCipher.newCipher().getProvider().getName());
    assertEquals("AES/GCM/NoPadding", VaultCipher.newCipher().getAlgorithm());
  }

  @Test
  void shouldOpenWhatItSealedAndRefuseAnotherName() throws Exception {
    byte[] plaintext = "sk-live-secret".getBytes(UTF_8);
    byte[] blob = VaultCipher.seal(KEY, plaintext, "a".getBytes(UTF_8));

    assertEquals(VaultCipher.MIN_BLOB_BYTES + plaintext.length, blob.length);
    assertArrayEquals(plaintext, VaultCipher.open(KEY, blob, "a".getBytes(UTF_8)));
    assertThrows(AEADBadTagException.class, () -> VaultCipher.open(KEY, blob, "b".getBytes(UTF_8)));
  }
}
