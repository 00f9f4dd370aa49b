package dev.z8run.api.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.z8run.api.hook.WebhookSignature.Result;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookSignatureTest {
  private static final String SECRET = "whsec-7f3c0b1e-flows-deploy";

  @Test
  void shouldMatchGitHubsPublishedExample() {
    WebhookSignature github = WebhookSignature.withSecret("It's a Secret to Everybody");
    byte[] body = "Hello, World!".getBytes(StandardCharsets.UTF_8);
    String published = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";

    assertEquals(published, github.sign(body));
    assertEquals(Result.VALID, github.verify(body, published));
  }

  @Test
  void shouldAcceptGitHubPushDeliverySignedByAnIndependentHmac() throws Exception {
    byte[] delivery = pushDelivery();
    String header = "sha256=" + independentHmacSha256Hex(SECRET, delivery);

    assertEquals(Result.VALID, WebhookSignature.withSecret(SECRET).verify(delivery, header));
  }

  @Test
  void shouldRefuseDeliveryWhoseBodyWasReserialised() throws Exception {
    byte[] delivery = pushDelivery();
    String header = "sha256=" + independentHmacSha256Hex(SECRET, delivery);
    // same JSON document, other bytes: what a parse-then-serialise step would hand over
    byte[] compacted =
        new String(delivery, StandardCharsets.UTF_8)
            .replace("\n", "")
            .replace("  ", "")
            .getBytes(StandardCharsets.UTF_8);

    assertEquals(Result.MISMATCH, WebhookSignature.withSecret(SECRET).verify(compacted, header));
  }

  @Test
  void shouldRefuseDeliveryWithOneAlteredByte() throws Exception {
    byte[] delivery = pushDelivery();
    String header = "sha256=" + independentHmacSha256Hex(SECRET, delivery);
    delivery[delivery.length / 2] ^= 1;

    assertEquals(Result.MISMATCH, WebhookSignature.withSecret(SECRET).verify(delivery, header));
  }

  @Test
  void shouldRefuseDeliverySignedWithAnotherSecret() throws Exception {
    byte[] delivery = pushDelivery();
    String header = "sha256=" + independentHmacSha256Hex("another secret", delivery);

    assertEquals(Result.MISMATCH, WebhookSignature.withSecret(SECRET).verify(delivery, header));
  }

  @Test
  void shouldAcceptAnyCaseHexWithOrWithoutPrefixAndSurroundingSpace() throws Exception {
    byte[] body = "{\"event\":\"ping\"}".getBytes(StandardCharsets.UTF_8);
    String hex = independentHmacSha256Hex(SECRET, body);
    WebhookSignature signature = WebhookSignature.withSecret(SECRET);

    assertEquals(Result.VALID, signature.verify(body, hex));
    assertEquals(Result.VALID, signature.verify(body, hex.toUpperCase(Locale.ROOT)));
    assertEquals(Result.VALID, signature.verify(body, "SHA256=" + hex.toUpperCase(Locale.ROOT)));
    assertEquals(Result.VALID, signature.verify(body, " sha256=" + hex + "\t"));
  }

  @Test
  void shouldSignEmptyBody() throws Exception {
    WebhookSignature signature = WebhookSignature.withSecret(SECRET);
    byte[] empty = new byte[0];

    assertEquals("sha256=" + independentHmacSha256Hex(SECRET, empty), signature.sign(empty));
    assertEquals(Result.VALID, signature.verify(empty, signature.sign(empty)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "\t"})
  void shouldReportMissingSignature(String header) {
    WebhookSignature signature = WebhookSignature.withSecret(SECRET);

    assertEquals(Result.MISSING, signature.verify(new byte[] {1}, header));
    assertEquals(Result.MISSING, signature.verify(new byte[] {1}, null));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        // GitHub's older X-Hub-Signature: SHA-1, 40 digits
        "sha1=7d38cdd689735b008b3c702edd92eea23791c5f6",
        "sha512=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1",
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e177",
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043eXY",
        "sha256= 757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        "sha256=sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        // full-width digits are digits to Character.digit, not hex on the wire
        "\uFF17\uFF15\uFF17107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17",
        "not a signature"
      })
  void shouldReportMalformedSignature(String header) {
    byte[] body = "Hello, World!".getBytes(StandardCharsets.UTF_8);

    assertEquals(
        Result.MALFORMED,
        WebhookSignature.withSecret("It's a Secret to Everybody").verify(body, header));
  }

  @Test
  void shouldRefuseEmptySecret() {
    assertThrows(IllegalArgumentException.class, () -> WebhookSignature.withSecret(""));
  }

  @Test
  void shouldKeepSecretOutOfToString() {
    assertFalse(WebhookSignature.withSecret(SECRET).toString().contains(SECRET));
  }

  private static byte[] pushDelivery() throws IOException {
    try (InputStream in = WebhookSignatureTest.class.getResourceAsStream("github-push.json")) {
      assertNotNull(in, "github-push.json on the test class path");
      return in.readAllBytes();
    }
  }

  /** HMAC-SHA256 straight from the JDK, sharing no code with {@link WebhookSignature}. */
  private static String independentHmacSha256Hex(String secret, byte[] body)
      throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(body));
  }
}
