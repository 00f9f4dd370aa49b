package dev.z8run.api.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PasswordHasherTest {
  /** Small parameters where the test is about the format, not the cost. */
  private static final PasswordHasher CHEAP = new PasswordHasher(1024, 1, 1);

  @Test
  void shouldProducePhcStringWithOwaspParametersSaltAndTag() {
    String hash = new PasswordHasher().hash("correct horse battery staple");

    assertTrue(
        hash.matches(
            "\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]{22}\\$[A-Za-z0-9+/]{43}"),
        hash);
  }

  @Test
  void shouldVerifyItsOwnHashAndRefuseAnotherPassword() {
    PasswordHasher hasher = new PasswordHasher();
    String hash = hasher.hash("correct horse battery staple");

    assertTrue(hasher.verify("correct horse battery staple", hash));
    assertFalse(hasher.verify("correct horse battery stapl", hash));
    assertFalse(hasher.verify("", hash));
  }

  @Test
  void shouldSaltEveryHashAfresh() {
    String first = CHEAP.hash("same password");
    String second = CHEAP.hash("same password");

    assertNotEquals(first, second);
    assertNotEquals(first.split("\\$")[4], second.split("\\$")[4], "salts");
    assertTrue(CHEAP.verify("same password", first));
    assertTrue(CHEAP.verify("same password", second));
  }

  /** Hashes printed by the argon2 reference implementation's command line tool (20171227). */
  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "correct horse battery staple | $argon2id$v=19$m=19456,t=2,p=1$ejhydW4tdGVzdC1zYWx0MQ$Aw5OTgdMenlm/HkSsYLORAbysJyQzKJkrik+vuh1ATI",
        "hunter2 | $argon2id$v=19$m=4096,t=3,p=2$c2FsdHNhbHRzYWx0$bZ/B+uo6boRmI4DPB5Lq6h9cEvUmnWBP",
        "password | $argon2id$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$F1jG2CV3/Nr+yRuIsPKw0J9r4s7cJHBU",
        "password | $argon2id$v=16$m=65536,t=2,p=4$c29tZXNhbHQ$mYBq69tGGqqsDkXhTjBAyk2ybVZFlKNd",
        "password | $argon2id$m=65536,t=2,p=4$c29tZXNhbHQ$mYBq69tGGqqsDkXhTjBAyk2ybVZFlKNd",
        "pässwörd \uD83D\uDE42 | $argon2id$v=19$m=1024,t=1,p=1$dW5pY29kZS1zYWx0$GVKj6j68nvDFxpTERbPDJQ1x3JH2yrs6xYf8mbfmQyU"
      })
  void shouldVerifyHashesFromTheReferenceImplementationWithTheirOwnParameters(
      String password, String referenceHash) {
    PasswordHasher hasher = new PasswordHasher();

    assertTrue(hasher.verify(password, referenceHash));
    assertFalse(hasher.verify(password + "!", referenceHash));
  }

  @Test
  void shouldVerifyAcrossHashersWithDifferentParametersAndAskForRehash() {
    PasswordHasher current = new PasswordHasher();
    String old = CHEAP.hash("s3cret");

    assertTrue(current.verify("s3cret", old));
    assertTrue(current.needsRehash(old));
    assertFalse(current.needsRehash(current.hash("s3cret")));
    assertTrue(
        current.needsRehash(
            "$argon2id$v=16$m=19456,t=2,p=1$ejhydW4tdGVzdC1zYWx0MQ$Aw5OTgdMenlm/HkSsYLORAbysJyQzKJkrik+vuh1ATI"));
  }

  @Test
  void shouldOfferDummyHashThatMatchesNoOrdinaryPassword() {
    PasswordHasher hasher = new PasswordHasher();

    String dummy = hasher.dummyHash();

    assertSame(dummy, hasher.dummyHash());
    assertFalse(hasher.verify("", dummy));
    assertFalse(hasher.verify("password", dummy));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '"',
      value = {
        "\"\" | password hash: is empty",
        "plaintext | expected $argon2id$v=19$m=..,t=..,p=..$salt$hash, found 0 '$'-separated fields",
        "$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHQ$F1jG2CV3/Nr+yRuIsPKw0J9r4s7cJHBU$ | found 6",
        "$argon2i$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG | algorithm 'argon2i' is not supported, only argon2id",
        "$argon2d$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$7Kn6V2imUuaFkZmKdZLb3nvg91N5Lt7H | algorithm 'argon2d'",
        "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW | found 3",
        "$argon2id$v=18$m=1024,t=1,p=1$c29tZXNhbHQ$F1jG2CV3/Nr+yRuIsPKw0J9r4s7cJHBU | version v=18 is not supported",
        "$argon2id$19$m=1024,t=1,p=1$c29tZXNhbHQ$F1jG2CV3/Nr+yRuIsPKw0J9r4s7cJHBU | expected version field v=19, found '19'",
        "$argon2id$v=19$m=1024,t=1$c29tZXNhbHQ$F1jG2CV3/Nr+yRuIsPKw0J9r4s7cJHBU | found 2 comma-separated fields",
        "$argon2id$v=19$t=1,m=1024,p=1$c29tZXNhbHQ$F1jG2CV3/Nr+yRuIsPKw0J9r4s7cJHBU | parameter 1 should be m=<number>, found 't=1'",
        "$argon2id$v=19$m=lots,t=1,p=1$c29tZXNhbHQ$F1jG2CV3/Nr+yRuIsPKw0J9r4s7cJHBU | m='lots' is not a decimal number",
        "$argon2id$v=19$m=-1,t=1,p=1$c29tZXNhbHQ$F1jG2CV3/Nr+yRuIsPKw0J9r4s7cJHBU | m='-1' is not a decimal number",
        "$argon2id$v=19$m=99999999,t=1,p=1$c29tZXNhbHQ$F1jG2CV3/Nr+yRuIsPKw0J9r4s7cJHBU | m=99999999 is outside 8..1048576",
        "$argon2id$v=19$m=1024,t=0,p=1$c29tZXNhbHQ$F1jG2CV3/Nr+yRuIsPKw0J9r4s7cJHBU | t=0 is outside 1..64",
        "$argon2id$v=19$m=8,t=1,p=4$c29tZXNhbHQ$F1jG2CV3/Nr+yRuIsPKw0J9r4s7cJHBU | m=8 is outside 32..1048576",
        "$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHQ=$F1jG2CV3/Nr+yRuIsPKw0J9r4s7cJHBU | salt is not base64 without padding",
        "$argon2id$v=19$m=1024,t=1,p=1$c29t*XNhbHQ$F1jG2CV3/Nr+yRuIsPKw0J9r4s7cJHBU | salt is not base64 without padding",
        "$argon2id$v=19$m=1024,t=1,p=1$c2FsdA$F1jG2CV3/Nr+yRuIsPKw0J9r4s7cJHBU | salt is 4 bytes, expected 8 or more",
        "$argon2id$v=19$m=1024,t=1,p=1$c29tZXNhbHQ$ | hash is 0 bytes, expected 4..1024"
      })
  void shouldRefuseMalformedHashNamingThePartAtFault(String encoded, String expectedMessagePart) {
    MalformedHashException e =
        assertThrows(MalformedHashException.class, () -> CHEAP.verify("password", encoded));

    assertTrue(
        e.getMessage().startsWith("password hash: ")
            && e.getMessage().contains(expectedMessagePart),
        e.getMessage());
  }

  @Test
  void shouldRefuseNullHashAsMalformed() {
    assertThrows(MalformedHashException.class, () -> CHEAP.verify("password", null));
  }

  @Test
  void shouldRefuseParametersArgon2DoesNotAllow() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new PasswordHasher(16, 1, 4));

    assertEquals("m=16 is outside 32..1048576 (KiB, at least 8 per lane)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new PasswordHasher(19_456, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> new PasswordHasher(19_456, 2, 0));
  }

  @Test
  void shouldNotShowPasswordsOrHashesInToString() {
    assertEquals(
        "PasswordHasher[argon2id, m=19456 KiB, t=2, p=1]", new PasswordHasher().toString());
  }
}
