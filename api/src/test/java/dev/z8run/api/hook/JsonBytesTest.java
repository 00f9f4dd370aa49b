package dev.z8run.api.hook;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonBytesTest {
  private static final JsonFactory JACKSON = new JsonFactory();

  /**
   * The hand-written text is byte for byte what Jackson's generator wrote before, except for
   * characters outside the BMP (UTF-8 rather than escaped surrogates) and lone surrogates.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "plain ascii /path?x=1",
        "quote \" backslash \\ slash /",
        "controls \b\t\n\f\r \u0000 \u001f \u007f",
        "latin é ß, cjk 漢字, euro €",
        "emoji 😀 pair",
        "lone high \ud83d end",
        "lone low \ude00 end"
      })
  void stringsAsJacksonWritesThem(String value) throws IOException {
    byte[] ours = new JsonBytes(4).string(value).toByteArray();
    if (value.contains("lone")) {
      // Jackson refuses a lone surrogate; ours writes '?' as String.getBytes does
      assertEquals(
          "\"" + new String(value.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8) + "\"",
          new String(ours, StandardCharsets.UTF_8));
      return;
    }
    if (value.codePoints().anyMatch(Character::isSupplementaryCodePoint)) {
      // Jackson escapes a pair as two \\u escapes; ours writes its four UTF-8 bytes: same string
      try (JsonParser parser = JACKSON.createParser(ours)) {
        parser.nextToken();
        assertEquals(value, parser.getText());
      }
      assertEquals("\"" + value + "\"", new String(ours, StandardCharsets.UTF_8));
      return;
    }
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    try (JsonGenerator json = JACKSON.createGenerator(expected)) {
      json.writeString(value);
    }
    assertArrayEquals(expected.toByteArray(), ours, new String(ours, StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 100})
  void membersAndRepeats(int capacity) {
    JsonBytes out = new JsonBytes(capacity);
    out.raw("{\"a\":");
    int start = out.length();
    out.write((byte) '{').member(true, "k", "v").member(false, "x", "y\"z").write((byte) '}');
    int length = out.length() - start;
    out.raw(",\"b\":").repeat(start, length).write((byte) '}');
    assertEquals(
        "{\"a\":{\"k\":\"v\",\"x\":\"y\\\"z\"},\"b\":{\"k\":\"v\",\"x\":\"y\\\"z\"}}",
        new String(out.toByteArray(), StandardCharsets.UTF_8));
  }
}
