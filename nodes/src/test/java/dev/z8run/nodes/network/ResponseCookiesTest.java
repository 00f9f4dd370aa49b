package dev.z8run.nodes.network;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.io.json.JsonCodec;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code msg.cookies} as express's {@code res.cookie} / {@code res.clearCookie} write them for
 * Node-RED's {@code http response} node (the expected texts are express 4's, from its {@code
 * cookie} package's {@code serialize}).
 */
class ResponseCookiesTest {
  private static final long NOW_MS = 1_700_000_000_000L; // Tue, 14 Nov 2023 22:13:20 GMT

  private static List<String> cookies(String json) {
    return ResponseCookies.setCookies(JsonCodec.parse(json), NOW_MS);
  }

  @Test
  void shouldWriteAPlainValueWithTheRootPathAsExpress() {
    assertEquals(
        List.of("session=abc%20d%C3%A9f%3B%20x%3Dy; Path=/", "n=42; Path=/"),
        cookies("{\"session\":\"abc déf; x=y\",\"n\":42}"));
  }

  @Test
  void shouldWriteEveryAttributeInExpresssOrder() {
    assertEquals(
        List.of(
            "id=7; Max-Age=3600; Domain=example.com; Path=/app;"
                + " Expires=Tue, 14 Nov 2023 23:13:20 GMT; HttpOnly; SameSite=Lax; Secure"),
        cookies(
            "{\"id\":{\"value\":7,\"maxAge\":3600000,\"domain\":\"example.com\",\"path\":\"/app\","
                + "\"httpOnly\":true,\"secure\":true,\"sameSite\":\"lax\"}}"));
    assertEquals(
        List.of("a=1; Path=/; Expires=Fri, 01 Mar 2024 12:00:00 GMT; SameSite=Strict"),
        cookies(
            "{\"a\":{\"value\":\"1\",\"expires\":\"2024-03-01T12:00:00Z\",\"sameSite\":true}}"));
    assertEquals(
        List.of("o=j%3A%7B%22k%22%3A1%7D; Path=/"), cookies("{\"o\":{\"value\":{\"k\":1}}}"));
  }

  @Test
  void shouldClearACookieSetToNullOrWithANullValue() {
    assertEquals(
        List.of(
            "gone=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
            "old=; Domain=example.com; Path=/app; Expires=Thu, 01 Jan 1970 00:00:00 GMT"),
        cookies(
            "{\"gone\":null,\"old\":{\"value\":null,\"path\":\"/app\",\"domain\":\"example.com\"}}"));
  }

  @Test
  void shouldRefuseAttributesThatWouldInjectIntoTheHeaderNamingThem() {
    String[][] cases = {
      {"{\"a\":{\"value\":\"1\",\"path\":\"/; Domain=evil.example\"}}", "path"},
      {"{\"a\":{\"value\":\"1\",\"path\":\"/\\r\\nSet-Cookie: admin=1\"}}", "path"},
      {"{\"a\":{\"value\":\"1\",\"domain\":\"example.com\\nX: y\"}}", "domain"},
      {"{\"a\":{\"value\":\"1\",\"domain\":\"example.com; Secure\"}}", "domain"},
      {"{\"a\":{\"value\":\"1\",\"sameSite\":\"Lax; Domain=evil.example\"}}", "sameSite"},
      {"{\"a\":{\"value\":\"1\",\"maxAge\":\"soon\"}}", "maxAge"},
      {"{\"a\":{\"value\":\"1\",\"expires\":\"tomorrow\\r\\n\"}}", "expires"},
      {"{\"a=b; Path\":\"1\"}", "name"},
      {"{\"a\\r\\nX\":\"1\"}", "name"}
    };
    for (String[] c : cases) {
      IllegalArgumentException refused =
          assertThrows(IllegalArgumentException.class, () -> cookies(c[0]), c[0]);
      assertTrue(refused.getMessage().contains(c[1]), refused.getMessage());
      assertTrue(
          refused.getMessage().indexOf('\r') < 0 && refused.getMessage().indexOf('\n') < 0,
          refused.getMessage());
    }
  }

  @Test
  void shouldEncodeValuesAsEncodeUriComponent() {
    assertEquals(
        "A-z0-9-_.!~*'()%20%2B%2F%3F%25%E2%82%AC",
        ResponseCookies.encodeUriComponent("A-z0-9-_.!~*'() +/?%€"));
  }
}
