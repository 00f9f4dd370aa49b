package dev.z8run.io.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonBytesTest {
  private static final JsonFactory JACKSON = new JsonFactory();
  private static final JsonFactory COMBINING =
      JsonFactory.builder().enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build();

  /**
   * The hand-written text is byte for byte what Jackson's generator writes, except for characters
   * outside the BMP (UTF-8 rather than escaped surrogates) and lone surrogates.
   */
  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "plain ascii /path?x=1",
        "quote \" backslash \\ slash /",
        "controls \b\t\n\f\r \u0000 \u0001 \u000b \u001f \u007f",
        "latin é ß, cjk 漢字, euro €, last \uffff",
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
      assertEquals(value, readString(ours));
      assertEquals("\"" + value + "\"", new String(ours, StandardCharsets.UTF_8));
      return;
    }
    assertArrayEquals(jackson(value), ours, new String(ours, StandardCharsets.UTF_8));
  }

  /**
   * Random BMP strings (controls, quotes, ASCII, two- and three-byte characters): Jackson's bytes.
   */
  @Test
  void randomStringsAsJacksonWritesThem() throws IOException {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    for (int round = 0; round < 2_000; round++) {
      String value = randomString(random, false);
      byte[] ours = new JsonBytes(random.nextInt(40)).string(value).toByteArray();
      assertArrayEquals(jackson(value), ours, "seed " + seed + ", round " + round);
    }
  }

  /**
   * Random strings with supplementary characters: byte for byte what Jackson writes when it
   * combines surrogate pairs into UTF-8, and what its parser reads back is the string.
   */
  @Test
  void randomStringsWithPairsAsJacksonCombiningWritesThem() throws IOException {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    for (int round = 0; round < 2_000; round++) {
      String value = randomString(random, true);
      byte[] ours = new JsonBytes(random.nextInt(40)).string(value).toByteArray();
      assertArrayEquals(jackson(COMBINING, value), ours, "seed " + seed + ", round " + round);
      assertEquals(value, readString(ours), "seed " + seed + ", round " + round);
    }
  }

  @ParameterizedTest
  @ValueSource(
      longs = {
        0,
        1,
        -1,
        9,
        10,
        -10,
        99,
        100,
        255,
        1883,
        Integer.MAX_VALUE,
        Integer.MIN_VALUE,
        999_999_999_999L,
        Long.MAX_VALUE,
        Long.MIN_VALUE,
        Long.MIN_VALUE + 1
      })
  void numbersAsJacksonWritesThem(long value) throws IOException {
    assertArrayEquals(jacksonNumber(value), new JsonBytes(1).number(value).toByteArray());
  }

  @Test
  void randomNumbersAsJacksonWritesThem() throws IOException {
    long seed = System.nanoTime();
    Random random = new Random(seed);
    JsonBytes out = new JsonBytes(16);
    for (int round = 0; round < 5_000; round++) {
      // every magnitude: a random long shifted right by 0 to 63 bits, either sign
      long value = random.nextLong() >> random.nextInt(64);
      int start = out.length();
      out.number(value);
      assertEquals(
          Long.toString(value),
          new String(out.array(), start, out.length() - start, StandardCharsets.US_ASCII),
          "seed " + seed);
      assertArrayEquals(jacksonNumber(value), new JsonBytes(1).number(value).toByteArray());
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 7, 100})
  void membersAndRepeats(int capacity) {
    JsonBytes out = new JsonBytes(capacity);
    out.raw("{\"a\":");
    int start = out.length();
    out.write((byte) '{').member(true, "k", "v").member(false, "x", "y\"z").write((byte) '}');
    int length = out.length() - start;
    out.raw(",\"b\":").repeat(start, length).raw(",\"n\":").number(-42);
    out.raw(",\"t\":").write("[true]".getBytes(StandardCharsets.US_ASCII), 1, 4);
    out.write((byte) '}');
    assertEquals(
        "{\"a\":{\"k\":\"v\",\"x\":\"y\\\"z\"},\"b\":{\"k\":\"v\",\"x\":\"y\\\"z\"},\"n\":-42,"
            + "\"t\":true}",
        new String(out.toByteArray(), StandardCharsets.UTF_8));
  }

  @Test
  void arrayIsTheBufferUntilItGrows() {
    JsonBytes out = new JsonBytes(16);
    byte[] first = out.array();
    out.raw("0123456789");
    assertSame(first, out.array());
    out.raw("0123456789");
    assertEquals(20, out.length());
    assertEquals("01234567890123456789", new String(out.array(), 0, 20, StandardCharsets.US_ASCII));
  }

  /** Up to 30 characters: ASCII (controls, quotes, backslashes most often), then wider ones. */
  private static String randomString(Random random, boolean pairs) {
    StringBuilder text = new StringBuilder();
    int n = random.nextInt(31);
    for (int i = 0; i < n; i++) {
      switch (random.nextInt(pairs ? 7 : 6)) {
        case 0 -> text.append((char) random.nextInt(0x20));
        case 1 -> text.append("\"\\/\u007f".charAt(random.nextInt(4)));
        case 2, 3 -> text.append((char) (0x20 + random.nextInt(0x60)));
        case 4 -> text.append((char) (0x80 + random.nextInt(0x800 - 0x80)));
        case 5 -> {
          char c = (char) (0x800 + random.nextInt(0x10000 - 0x800));
          text.append(Character.isSurrogate(c) ? 'x' : c);
        }
        default -> text.appendCodePoint(0x10000 + random.nextInt(0x110000 - 0x10000));
      }
    }
    return text.toString();
  }

  private static byte[] jackson(String value) throws IOException {
    return jackson(JACKSON, value);
  }

  private static byte[] jackson(JsonFactory factory, String value) throws IOException {
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    try (JsonGenerator json = factory.createGenerator(expected)) {
      json.writeString(value);
    }
    return expected.toByteArray();
  }

  private static byte[] jacksonNumber(long value) throws IOException {
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    try (JsonGenerator json = JACKSON.createGenerator(expected)) {
      json.writeNumber(value);
    }
    return expected.toByteArray();
  }

  private static String readString(byte[] json) throws IOException {
    try (JsonParser parser = JACKSON.createParser(json)) {
      assertEquals(JsonToken.VALUE_STRING, parser.nextToken());
      String text = parser.getText();
      assertEquals(null, parser.nextToken());
      return text;
    }
  }
}
