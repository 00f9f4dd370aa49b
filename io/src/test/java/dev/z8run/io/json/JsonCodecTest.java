package dev.z8run.io.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.io.json.JsonCodec.JsonException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class JsonCodecTest {

  @Test
  void shouldParseEveryKindOfValueIntoPlainJavaTypes() {
    Object value =
        JsonCodec.parse(
            "{\"s\":\"text\",\"i\":42,\"f\":1.5,\"t\":true,\"n\":null,\"a\":[1,\"x\"],\"o\":{}}");

    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("s", "text");
    expected.put("i", 42L);
    expected.put("f", 1.5);
    expected.put("t", true);
    expected.put("n", null);
    expected.put("a", List.of(1L, "x"));
    expected.put("o", Map.of());
    assertEquals(expected, value);
    assertInstanceOf(LinkedHashMap.class, value);
    assertInstanceOf(ArrayList.class, ((Map<?, ?>) value).get("a"));
  }

  @Test
  void shouldKeepObjectKeyOrder() {
    Map<?, ?> map = (Map<?, ?>) JsonCodec.parse("{\"z\":1,\"a\":2,\"m\":3}");

    assertEquals(List.of("z", "a", "m"), new ArrayList<>(map.keySet()));
  }

  @Test
  void shouldParseIntegersAsLongOrBigIntegerBySize() {
    assertEquals(Long.MAX_VALUE, JsonCodec.parse(Long.toString(Long.MAX_VALUE)));
    assertEquals(Long.MIN_VALUE, JsonCodec.parse(Long.toString(Long.MIN_VALUE)));
    assertEquals(
        new BigInteger("123456789012345678901234567890"),
        JsonCodec.parse("123456789012345678901234567890"));
  }

  @Test
  void shouldKeepFloatsThatOverflowADoubleAsBigDecimal() {
    assertEquals(new BigDecimal("1e400"), JsonCodec.parse("1e400"));
    assertEquals(new BigDecimal("1e-400"), JsonCodec.parse("1e-400"));
    assertEquals(0.0, JsonCodec.parse("0.0"));
    assertEquals(-2.5e-3, JsonCodec.parse("-2.5e-3"));
  }

  @Test
  void shouldParseTopLevelScalars() {
    assertEquals("héllo ☃ 😀", JsonCodec.parse("\"héllo \\u2603 😀\""));
    assertNull(JsonCodec.parse(" null "));
    assertEquals(false, JsonCodec.parse("false"));
  }

  @Test
  void shouldParseASliceOfAByteArray() {
    byte[] bytes = "xx[1,2]yy".getBytes(StandardCharsets.UTF_8);

    assertEquals(List.of(1L, 2L), JsonCodec.parse(bytes, 2, 5));
  }

  @Test
  void shouldRejectMalformedJsonNamingLineAndColumn() {
    JsonException e = assertThrows(JsonException.class, () -> JsonCodec.parse("{\"a\": }"));

    assertTrue(
        e.getMessage().startsWith("malformed JSON at line 1, column 7: Unexpected character ('}'"),
        e.getMessage());
    assertEquals(1, e.line());
    assertEquals(7, e.column());
  }

  @Test
  void shouldReportTheLineOfAnErrorOnALaterLine() {
    JsonException e =
        assertThrows(JsonException.class, () -> JsonCodec.parse("{\n  \"a\": 1,\n  \"b\": tru\n}"));

    assertEquals(3, e.line(), e.getMessage());
    assertTrue(e.getMessage().contains("line 3"), e.getMessage());
  }

  @Test
  void shouldRejectTrailingContentAfterTheValue() {
    JsonException e = assertThrows(JsonException.class, () -> JsonCodec.parse("{} {}"));

    assertEquals("trailing content after the JSON value: { at line 1, column 4", e.getMessage());
  }

  @Test
  void shouldRejectTrailingGarbageAfterTheValue() {
    JsonException e = assertThrows(JsonException.class, () -> JsonCodec.parse("[1] x"));

    assertTrue(e.getMessage().startsWith("malformed JSON at line 1, column "), e.getMessage());
    assertTrue(e.getMessage().contains("'x'"), e.getMessage());
  }

  @Test
  void shouldRejectDuplicateKeysNamingTheKey() {
    JsonException e =
        assertThrows(JsonException.class, () -> JsonCodec.parse("{\"x\":1,\n\"x\":2}"));

    assertEquals("duplicate key 'x' at line 2, column 1", e.getMessage());
  }

  @Test
  void shouldAllowTheSameKeyInDifferentObjects() {
    assertEquals(
        Map.of("x", Map.of("x", 1L)), JsonCodec.parse("{\"x\":{\"x\":1}}"), "nested same key");
  }

  @Test
  void shouldRejectAnEmptyDocument() {
    JsonException e = assertThrows(JsonException.class, () -> JsonCodec.parse("  "));

    assertTrue(e.getMessage().contains("empty"), e.getMessage());
  }

  @Test
  void shouldRejectTruncatedDocument() {
    JsonException e = assertThrows(JsonException.class, () -> JsonCodec.parse("[1, {\"a\": 2"));

    assertTrue(e.getMessage().startsWith("malformed JSON at line 1"), e.getMessage());
  }

  @Test
  void shouldRejectNestingDeeperThanTheLimit() {
    String tooDeep = "[".repeat(JsonCodec.MAX_DEPTH + 1) + "]".repeat(JsonCodec.MAX_DEPTH + 1);

    JsonException e = assertThrows(JsonException.class, () -> JsonCodec.parse(tooDeep));

    assertEquals(
        "JSON nested deeper than 512 levels at line 1, column " + (JsonCodec.MAX_DEPTH + 1),
        e.getMessage());
  }

  @Test
  void shouldAcceptNestingAtTheLimit() {
    String deepest = "[".repeat(JsonCodec.MAX_DEPTH) + "]".repeat(JsonCodec.MAX_DEPTH);

    assertEquals(deepest, JsonCodec.writeString(JsonCodec.parse(deepest)));
  }

  @Test
  void shouldRejectNonStandardNumbers() {
    assertThrows(JsonException.class, () -> JsonCodec.parse("NaN"));
    assertThrows(JsonException.class, () -> JsonCodec.parse("[01]"));
  }

  @Test
  void shouldWriteCompactJsonKeepingMapOrder() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("b", 1);
    map.put("a", Arrays.asList("x", null, true, 2.5, (short) 3, (byte) 4, 1.5f));
    map.put("c", Map.of());

    assertEquals(
        "{\"b\":1,\"a\":[\"x\",null,true,2.5,3,4,1.5],\"c\":{}}", JsonCodec.writeString(map));
  }

  @Test
  void shouldWriteUnicodeAsUtf8AndEscapeControlCharacters() {
    byte[] bytes = JsonCodec.write("é☃\n\"\\");

    assertArrayEquals("\"é☃\\n\\\"\\\\\"".getBytes(StandardCharsets.UTF_8), bytes);
  }

  @Test
  void shouldWriteCharactersBeyondTheBasicPlaneAsEscapedSurrogatePairs() {
    assertEquals("\"\\uD83D\\uDE00\"", JsonCodec.writeString("😀"));
    assertEquals("😀", JsonCodec.parse(JsonCodec.write("😀")));
  }

  @Test
  void shouldRoundTripUnpairedSurrogatesUnchanged() {
    String unpaired = "\ud800x\ude00";

    assertEquals(unpaired, JsonCodec.parse(JsonCodec.write(unpaired)));
  }

  @Test
  void shouldRoundTripBigNumbersExactly() {
    String json = "[123456789012345678901234567890,1E+400,-9223372036854775808,0.1]";

    Object parsed = JsonCodec.parse(json);

    assertEquals(parsed, JsonCodec.parse(JsonCodec.write(parsed)));
    assertEquals(json, JsonCodec.writeString(parsed));
  }

  @Test
  void shouldRejectWritingUnsupportedTypesNamingThem() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> JsonCodec.write(List.of(new AtomicLong(1))));
    assertTrue(e.getMessage().contains("java.util.concurrent.atomic.AtomicLong"), e.getMessage());

    IllegalArgumentException set =
        assertThrows(IllegalArgumentException.class, () -> JsonCodec.write(Set.of("a")));
    assertTrue(set.getMessage().contains("Set"), set.getMessage());
  }

  @Test
  void shouldRejectWritingNonStringMapKeys() {
    Map<Object, Object> map = new HashMap<>();
    map.put(1, "one");

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> JsonCodec.write(map));

    assertTrue(e.getMessage().contains("java.lang.Integer"), e.getMessage());
  }

  @Test
  void shouldRejectWritingNonFiniteNumbers() {
    assertThrows(IllegalArgumentException.class, () -> JsonCodec.write(Double.NaN));
    assertThrows(
        IllegalArgumentException.class, () -> JsonCodec.write(List.of(Double.POSITIVE_INFINITY)));
    assertThrows(IllegalArgumentException.class, () -> JsonCodec.write(Float.NEGATIVE_INFINITY));
  }

  @Test
  void shouldRejectWritingAMapThatContainsItself() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("self", map);

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> JsonCodec.write(map));

    assertTrue(e.getMessage().contains("nested deeper than 512"), e.getMessage());
  }

  @Test
  void shouldDescribeValuesForErrorMessages() {
    assertEquals("string \"abc\"", JsonCodec.describe("abc"));
    assertEquals("string \"" + "x".repeat(40) + "...\"", JsonCodec.describe("x".repeat(50)));
    assertEquals("number 1.5", JsonCodec.describe(1.5));
    assertEquals("boolean true", JsonCodec.describe(true));
    assertEquals("null", JsonCodec.describe(null));
    assertEquals("object", JsonCodec.describe(Map.of()));
    assertEquals("array", JsonCodec.describe(List.of()));
  }
}
