package dev.z8run.io.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class JsonScannerTest {
  /** Where the JSON under test starts in its buffer: never 0, so spans must be absolute. */
  private static final int OFFSET = 7;

  /** Bytes around the JSON that would confuse a scanner reading outside its window. */
  private static final byte[] BEFORE = "{\"a\":".getBytes(StandardCharsets.UTF_8);

  private static final byte[] AFTER = ",\"z\":9,\"b\":8}".getBytes(StandardCharsets.UTF_8);

  @Test
  void shouldFindTopLevelValues() {
    String json = "{\"a\":1,\"b\":\"two\",\"c\":true,\"d\":null,\"e\":-1.5e3}";

    assertEquals("1", find(json, "a"));
    assertEquals("\"two\"", find(json, "b"));
    assertEquals("true", find(json, "c"));
    assertEquals("null", find(json, "d"));
    assertEquals("-1.5e3", find(json, "e"));
  }

  @Test
  void shouldFindSeveralKeysInOnePass() {
    byte[] json =
        "{ \"a\" : {\"x\":[1,{\"b\":2}]}, \"b\":\"two\", \"a\":3, \"c\":null }"
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    UnsafeBuffer buffer = new UnsafeBuffer(json);
    byte[][] keys = {bytes("b"), bytes("a"), bytes("zz"), bytes("c")};
    long[] spans = new long[keys.length];

    assertEquals(3, JsonScanner.findKeys(buffer, 0, json.length, keys, spans));
    assertEquals("\"two\"", text(buffer, spans[0]));
    assertEquals("{\"x\":[1,{\"b\":2}]}", text(buffer, spans[1]), "the first 'a'");
    assertEquals(JsonScanner.NOT_FOUND, spans[2]);
    assertEquals("null", text(buffer, spans[3]));
    assertEquals(0, JsonScanner.findKeys(buffer, 1, json.length, keys, spans), "not an object");
    assertEquals(JsonScanner.NOT_FOUND, spans[0]);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  private static String text(UnsafeBuffer buffer, long span) {
    return buffer.getStringWithoutLengthUtf8(
        JsonScanner.spanStart(span), JsonScanner.spanEnd(span) - JsonScanner.spanStart(span));
  }

  @Test
  void shouldFindNestedValuesAndWholeObjectsOnTheWay() {
    String json = "{\"a\":{\"b\":{\"c\":[1,2]},\"d\":0}}";

    assertEquals("[1,2]", find(json, "a", "b", "c"));
    assertEquals("{\"c\":[1,2]}", find(json, "a", "b"));
    assertEquals("0", find(json, "a", "d"));
    assertEquals("{\"b\":{\"c\":[1,2]},\"d\":0}", find(json, "a"));
  }

  @Test
  void shouldReturnAbsoluteOffsetsOfTheValueSpan() {
    UnsafeBuffer buffer = embed("{\"a\":12}");

    long span = JsonScanner.find(buffer, OFFSET, 8, path("a"));

    assertEquals(OFFSET + 5, JsonScanner.spanStart(span));
    assertEquals(OFFSET + 7, JsonScanner.spanEnd(span));
  }

  @Test
  void shouldNotMistakeKeyLookalikeInsideStringForKey() {
    String json = "{\"a\":\"\\\"b\\\":1\",\"b\":2}";

    assertEquals("2", find(json, "b"));
    assertEquals("\"\\\"b\\\":1\"", find(json, "a"));
  }

  @Test
  void shouldSkipStringsWithEscapedQuotesAndBackslashes() {
    // {"a":"x\\","b":"q\"}","c":"\\\"","d":3}
    String json = "{\"a\":\"x\\\\\",\"b\":\"q\\\"}\",\"c\":\"\\\\\\\"\",\"d\":3}";

    assertEquals("\"x\\\\\"", find(json, "a"));
    assertEquals("\"q\\\"}\"", find(json, "b"));
    assertEquals("\"\\\\\\\"\"", find(json, "c"));
    assertEquals("3", find(json, "d"));
  }

  @Test
  void shouldSkipArraysAndNestedObjectsHoldingBracketsInStrings() {
    String json = "{\"a\":[{\"b\":1},\"]}\",[2,[]]],\"b\":{\"x\":\"{\",\"y\":[\"[\"]},\"c\":4}";

    assertEquals("[{\"b\":1},\"]}\",[2,[]]]", find(json, "a"));
    assertEquals("{\"x\":\"{\",\"y\":[\"[\"]}", find(json, "b"));
    assertEquals("4", find(json, "c"));
  }

  @Test
  void shouldNotFindKeyOfNestedObjectAtTopLevel() {
    assertEquals("2", find("{\"o\":{\"k\":1},\"k\":2}", "k"));
    assertNull(find("{\"o\":{\"k\":1}}", "k"));
    assertNull(find("{\"l\":[{\"k\":1}]}", "k"));
  }

  @Test
  void shouldTolerateWhitespaceEverywhere() {
    String json = " \n{ \t\"a\" : \r\n { \"b\"\t:\n 5 } , \"c\" :\"x\"\t,\"d\": 6 }\n ";

    assertEquals("5", find(json, "a", "b"));
    assertEquals("\"x\"", find(json, "c"));
    assertEquals("6", find(json, "d"));
    assertEquals("{ \"b\"\t:\n 5 }", find(json, "a"));
  }

  @Test
  void shouldCompareWholeKeysNotPrefixes() {
    String json = "{\"ab\":1,\"a\":2,\"abc\":3}";

    assertEquals("2", find(json, "a"));
    assertEquals("1", find(json, "ab"));
    assertNull(find(json, "b"));
  }

  @Test
  void shouldMatchEscapedKeyOnlyByItsRawBytes() {
    String json = "{\"a\\\"b\":1,\"\\u0063\":2}";

    assertEquals("1", find(json, "a\\\"b"));
    assertEquals("2", find(json, "\\u0063"));
    assertNull(find(json, "c"));
  }

  @Test
  void shouldMatchUtf8KeysByteForByte() {
    assertEquals("\"ü\"", find("{\"é\":1,\"ü\":\"ü\"}", "ü"));
  }

  @Test
  void shouldAnswerNotFoundForMissingKeys() {
    assertNull(find("{\"a\":1}", "b"));
    assertNull(find("{\"a\":{\"b\":1}}", "a", "c"));
    assertNull(find("{\"a\":{\"b\":1}}", "b"));
  }

  @Test
  void shouldAnswerNotFoundWhenPathGoesThroughNonObject() {
    assertNull(find("{\"a\":1}", "a", "b"));
    assertNull(find("{\"a\":\"{\\\"b\\\":1}\"}", "a", "b"));
    assertNull(find("{\"a\":[{\"b\":1}]}", "a", "b"));
    assertNull(find("{\"a\":null}", "a", "b"));
  }

  @Test
  void shouldAnswerNotFoundForNonObjectRoot() {
    assertNull(find("[{\"a\":1}]", "a"));
    assertNull(find("\"a\"", "a"));
    assertNull(find("42", "a"));
    assertNull(find("null", "a"));
    assertNull(find("  ", "a"));
    assertNull(find("", "a"));
  }

  @Test
  void shouldAnswerNotFoundInEmptyObject() {
    assertNull(find("{}", "a"));
    assertNull(find(" { \n } ", "a"));
  }

  @Test
  void shouldStayInsideItsWindowWhenTheBufferContinues() {
    // the bytes after the window read as more members: ,"z":9,"b":8}
    assertNull(find("{\"a\":1}", "z"));
    assertEquals("1", find("{\"a\":1}", "a"));
  }

  @Test
  void shouldAnswerNotFoundOnTruncatedInputWithoutReadingPastTheEnd() {
    String[] truncated = {
      "{\"a\":\"open", "{\"a\":{\"b\":1", "{\"a\":\"\\", "{\"a\"", "{\"a\":", "{\"", "{"
    };
    for (String json : truncated) {
      byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
      UnsafeBuffer exact = new UnsafeBuffer(bytes);

      assertEquals(JsonScanner.NOT_FOUND, JsonScanner.find(exact, 0, bytes.length, path("a", "b")));
      assertEquals(JsonScanner.NOT_FOUND, JsonScanner.find(exact, 0, bytes.length, path("z")));
    }
  }

  @Test
  void shouldFindObjectEndOfNestedObject() {
    String json = "{\"a\":{\"s\":\"}\",\"t\":[{}]} ,\"b\":1}";
    UnsafeBuffer buffer = embed(json);
    int limit = OFFSET + json.length();
    int nested = JsonScanner.spanStart(JsonScanner.find(buffer, OFFSET, json.length(), path("a")));

    assertEquals(OFFSET + json.indexOf("} ,"), JsonScanner.objectEnd(buffer, nested, limit));
    assertEquals(limit - 1, JsonScanner.objectEnd(buffer, OFFSET, limit));
    assertEquals(-1, JsonScanner.objectEnd(buffer, OFFSET + json.indexOf("\"s\""), limit));
  }

  @Test
  void shouldTellEmptyObjectsFromOthers() {
    assertTrue(isEmptyObject("{}"));
    assertTrue(isEmptyObject(" {\n\t} "));
    assertFalse(isEmptyObject("{\"a\":1}"));
    assertFalse(isEmptyObject("[]"));
    assertFalse(isEmptyObject(""));
  }

  @Test
  void shouldSkipEachKindOfValue() {
    assertEquals(5, skip("\"a\\\"\"x"));
    assertEquals(4, skip("true,"));
    assertEquals(3, skip("1.5}"));
    assertEquals(2, skip("-1"));
    assertEquals(7, skip("[1,[2]] "));
    assertEquals(8, skip("{\"}\":{}}]"));
    assertEquals(-1, skip("{\"a\":[1"));
    assertEquals(-1, skip(""));
  }

  private static String find(String json, String... keys) {
    UnsafeBuffer buffer = embed(json);
    int length = json.getBytes(StandardCharsets.UTF_8).length;
    long span = JsonScanner.find(buffer, OFFSET, length, path(keys));
    if (span == JsonScanner.NOT_FOUND) {
      return null;
    }
    return text(buffer, JsonScanner.spanStart(span), JsonScanner.spanEnd(span));
  }

  private static boolean isEmptyObject(String json) {
    UnsafeBuffer buffer = embed(json);
    return JsonScanner.isEmptyObject(buffer, OFFSET, OFFSET + json.length());
  }

  private static int skip(String json) {
    UnsafeBuffer buffer = embed(json);
    int end = JsonScanner.skipValue(buffer, OFFSET, OFFSET + json.length());
    return end < 0 ? end : end - OFFSET;
  }

  /** The JSON at {@link #OFFSET}, between bytes that look like JSON too. */
  static UnsafeBuffer embed(String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[OFFSET + bytes.length + AFTER.length];
    Arrays.fill(all, 0, OFFSET, (byte) ' ');
    System.arraycopy(BEFORE, 0, all, OFFSET - BEFORE.length, BEFORE.length);
    System.arraycopy(bytes, 0, all, OFFSET, bytes.length);
    System.arraycopy(AFTER, 0, all, OFFSET + bytes.length, AFTER.length);
    return new UnsafeBuffer(all);
  }

  static byte[][] path(String... keys) {
    byte[][] path = new byte[keys.length][];
    for (int i = 0; i < keys.length; i++) {
      path[i] = keys[i].getBytes(StandardCharsets.UTF_8);
    }
    return path;
  }

  static String text(DirectBuffer buffer, int start, int end) {
    byte[] bytes = new byte[end - start];
    buffer.getBytes(start, bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
