package dev.z8run.nodes.data;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.io.json.JsonCodec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link JsonCheck} never says yes to what {@link JsonCodec#parse(byte[])} refuses. */
class JsonCheckTest {
  private static boolean parses(byte[] json) {
    try {
      JsonCodec.parse(json);
      return true;
    } catch (RuntimeException refused) {
      return false;
    }
  }

  private static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void acceptsWhatTheParserAccepts() {
    for (String json :
        List.of(
            "{\"t\":123,\"n\":4}",
            "{}",
            "[]",
            " [1, -2.5e+3, 0, 0.0, true, false, null, \"x\"] ",
            "{\"a\":{\"b\":[{\"c\":\"\\u00e9\\n\\\"\"}]},\"b\":\"é€😀\"}",
            "\"text\"",
            "-0",
            "12",
            "true",
            "{\"a\":1,\"ab\":2,\"b\":{\"a\":3}}")) {
      byte[] bytes = utf8(json);
      assertTrue(parses(bytes), json);
      assertTrue(JsonCheck.surelyValid(bytes, 0, bytes.length), json);
    }
  }

  @Test
  void neverAcceptsWhatTheParserRefuses() {
    List<byte[]> cases =
        new java.util.ArrayList<>(
            List.of(
                utf8("{\"a\":1,\"a\":2}"),
                utf8("{\"a\":1,}"),
                utf8("[1,]"),
                utf8("01"),
                utf8("1."),
                utf8(".5"),
                utf8("+1"),
                utf8("-"),
                utf8("1e"),
                utf8("NaN"),
                utf8("tru"),
                utf8("truex"),
                utf8("nul"),
                utf8("{\"a\" 1}"),
                utf8("{'a':1}"),
                utf8("[1 2]"),
                utf8("{} {}"),
                utf8("\"a\tb\""),
                utf8("\"\\x\""),
                utf8("\"\\u12\""),
                utf8("\"unterminated"),
                utf8("{\"a\":1"),
                utf8("[1,[2]"),
                utf8("/* c */ 1"),
                utf8("1 // c"),
                new byte[] {'"', (byte) 0xC0, (byte) 0x80, '"'},
                new byte[] {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'},
                new byte[] {'"', (byte) 0xFF, '"'},
                new byte[] {'"', (byte) 0xE2, (byte) 0x82, '"'},
                utf8("[".repeat(600) + "]".repeat(600))));
    for (byte[] bytes : cases) {
      String shown = new String(bytes, StandardCharsets.ISO_8859_1);
      if (JsonCheck.surelyValid(bytes, 0, bytes.length)) {
        assertTrue(parses(bytes), "checked valid but the parser refuses: " + shown);
      }
      if (!parses(bytes)) {
        assertFalse(JsonCheck.surelyValid(bytes, 0, bytes.length), shown);
      }
    }
  }

  @Test
  void aRangeInsideLargerBytes() {
    byte[] bytes = utf8("xx{\"a\":[1,2]}yy");
    assertTrue(JsonCheck.surelyValid(bytes, 2, bytes.length - 2));
    assertFalse(JsonCheck.surelyValid(bytes, 0, bytes.length));
  }

  @Test
  void randomMutationsOfAValidDocumentNeverDisagree() {
    byte[] seed =
        utf8("{\"t\":12345,\"n\":[1,2.5,-3e2],\"s\":\"a\\\"b\",\"o\":{\"x\":true,\"y\":null}}");
    byte[] alphabet = utf8("{}[]\":,.-+eE0123456789tfnul\\ \ta\u00e9");
    java.util.Random random = new java.util.Random(42);
    for (int round = 0; round < 20_000; round++) {
      byte[] bytes = seed.clone();
      int edits = 1 + random.nextInt(3);
      for (int e = 0; e < edits; e++) {
        bytes[random.nextInt(bytes.length)] = alphabet[random.nextInt(alphabet.length)];
      }
      if (JsonCheck.surelyValid(bytes, 0, bytes.length)) {
        assertTrue(
            parses(bytes),
            "checked valid but the parser refuses: " + new String(bytes, StandardCharsets.UTF_8));
      }
    }
  }
}
