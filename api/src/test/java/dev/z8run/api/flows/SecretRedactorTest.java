package dev.z8run.api.flows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Vault values out of samples: whole, JSON-escaped, and cut off at the end of a sample. */
class SecretRedactorTest {
  private final SecretRedactor redactor = new SecretRedactor();

  @Test
  void shouldMaskEverySecretOfTheFlowAndNothingOfOtherFlows() {
    redactor.register("f", List.of("sk-live-123456", "pa\"ss\\word"));
    String sample = "{\"payload\":\"sk-live-123456\",\"p\":\"pa\\\"ss\\\\word\",\"n\":1}";

    assertEquals(
        "{\"payload\":\"[vault value]\",\"p\":\"[vault value]\",\"n\":1}",
        redactor.redact("f", sample));
    assertSame(sample, redactor.redact("other", sample));
  }

  @Test
  void shouldMaskTheBeginningOfASecretThatASampleCutShort() {
    redactor.register("f", List.of("sk-live-123456"));

    assertEquals("{\"payload\":\"[vault value]", redactor.redact("f", "{\"payload\":\"sk-live-1"));
    assertFalse(redactor.redact("f", "{\"payload\":\"sk-").contains("sk-"));
  }

  @Test
  void shouldForgetAFlowAndIgnoreSecretsTooShortToMask() {
    redactor.register("f", List.of("abc"));
    assertFalse(redactor.hasSecrets("f"));
    redactor.register("g", List.of("long-enough"));
    redactor.forget("g");
    assertEquals("long-enough", redactor.redact("g", "long-enough"));
  }
}
