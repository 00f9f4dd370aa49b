package dev.z8run.api.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.z8run.api.http.ErrorResponses;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ErrorResponsesTest {
  @Test
  void shouldWriteTheErrorShape() {
    assertEquals(
        "{\"error\":{\"code\":400,\"message\":\"bad flow\"}}",
        new String(ErrorResponses.body(400, "bad flow"), StandardCharsets.UTF_8));
  }

  @Test
  void shouldEscapeQuotesBackslashesAndControlCharactersInTheMessage() {
    assertEquals(
        "{\"error\":{\"code\":400,\"message\":\"a\\\"b\\\\c\\nd\"}}",
        new String(ErrorResponses.body(400, "a\"b\\c\nd"), StandardCharsets.UTF_8));
  }
}
