package dev.z8run.io.json;

import static dev.z8run.io.json.JsonScannerTest.embed;
import static dev.z8run.io.json.JsonScannerTest.path;
import static dev.z8run.io.json.JsonScannerTest.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class JsonPatchTest {
  /** Offset of the source JSON in its buffer (see {@link JsonScannerTest#embed}). */
  private static final int SOURCE_OFFSET = 7;

  private static final int VALUE_OFFSET = 3;
  private static final int DST_OFFSET = 11;
  private static final int DST_SLACK = 16;
  private static final byte FILL = '#';

  private final JsonPatch patch = new JsonPatch();

  /**
   * The overlapping move an in-place edit makes of the bytes after it (the rest of the JSON, the
   * binary payload, the record's own index): every length around the 8-byte steps and the memmove
   * limit, up and down by less and more than a step, leaves exactly what a copy through a second
   * array leaves, and nothing outside the moved bytes' new place changes.
   */
  @Test
  void shouldMoveOverlappingBytesAsACopyWould() {
    Random random = new Random(7);
    int[] lengths = {0, 1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 53, 64, 255, 256, 257, 300};
    int[] deltas = {-40, -17, -9, -8, -7, -3, -1, 1, 2, 7, 8, 9, 16, 24, 41};
    for (int length : lengths) {
      for (int delta : deltas) {
        byte[] bytes = new byte[length + 100];
        random.nextBytes(bytes);
        int from = 45;
        byte[] expected = bytes.clone();
        System.arraycopy(bytes, from, expected, from + delta, length);
        UnsafeBuffer record = new UnsafeBuffer(bytes);
        JsonPatch.move(record, from, length, delta);
        assertArrayEquals(expected, bytes, "length=" + length + " delta=" + delta);
      }
    }
  }

  @Test
  void shouldReplaceExistingTopLevelValueByShorterOne() {
    assertEquals("{\"a\":1,\"b\":2}", patch("{\"a\":\"a long value\",\"b\":2}", "1", "a"));
  }

  @Test
  void shouldReplaceExistingTopLevelValueByLongerOne() {
    assertEquals(
        "{\"a\":1,\"b\":{\"x\":[1,2,3]}}", patch("{\"a\":1,\"b\":2}", "{\"x\":[1,2,3]}", "b"));
  }

  @Test
  void shouldReplaceExistingNestedValueAndKeepItsSiblings() {
    assertEquals(
        "{\"a\":{\"b\":1,\"c\":\"new\"},\"d\":4}",
        patch("{\"a\":{\"b\":1,\"c\":3},\"d\":4}", "\"new\"", "a", "c"));
  }

  @Test
  void shouldReplaceWholeObjectWhenPathEndsAtIt() {
    assertEquals("{\"a\":7,\"b\":2}", patch("{\"a\":{\"x\":{\"y\":1}},\"b\":2}", "7", "a"));
  }

  @Test
  void shouldKeepWhitespaceAroundReplacedValue() {
    assertEquals("{ \"a\" : true ,\n\"b\":2 }", patch("{ \"a\" : 1 ,\n\"b\":2 }", "true", "a"));
  }

  @Test
  void shouldInsertIntoNonEmptyObjectAfterAComma() {
    assertEquals("{\"x\":1,\"y\":2}", patch("{\"x\":1}", "2", "y"));
  }

  @Test
  void shouldInsertIntoEmptyObjectWithoutAComma() {
    assertEquals("{\"y\":2}", patch("{}", "2", "y"));
    assertEquals(" { \n\"y\":2} ", patch(" { \n} ", "2", "y"));
  }

  @Test
  void shouldNotMistakeKeyLookalikeInsideStringForExistingKey() {
    assertEquals("{\"a\":\"\\\"b\\\":1\",\"b\":2}", patch("{\"a\":\"\\\"b\\\":1\"}", "2", "b"));
  }

  @Test
  void shouldCreateMissingNestedPath() {
    assertEquals(
        "{\"x\":1,\"a\":{\"b\":{\"c\":\"V\"}}}", patch("{\"x\":1}", "\"V\"", "a", "b", "c"));
  }

  @Test
  void shouldCreateMissingNestedPathInEmptyObject() {
    assertEquals("{\"a\":{\"b\":5}}", patch("{}", "5", "a", "b"));
  }

  @Test
  void shouldCompletePartiallyExistingPath() {
    assertEquals(
        "{\"a\":{\"x\":1,\"b\":{\"c\":2}},\"z\":0}",
        patch("{\"a\":{\"x\":1},\"z\":0}", "2", "a", "b", "c"));
    assertEquals("{\"a\":{\"b\":{\"c\":2}}}", patch("{\"a\":{}}", "2", "a", "b", "c"));
    assertEquals(
        "{\"a\":{\"b\":{\"y\":0,\"c\":2}}}",
        patch("{\"a\":{\"b\":{\"y\":0}}}", "2", "a", "b", "c"));
  }

  /** Node-RED's setMessageProperty sets nothing beneath a string, number, boolean or null. */
  @Test
  void shouldLeaveAScalarInTheWayAndSetNothing() {
    assertEquals("{\"a\":1,\"z\":0}", patch("{\"a\":1,\"z\":0}", "2", "a", "b"));
    assertEquals("{\"a\":\"s\"}", patch("{\"a\":\"s\"}", "2", "a", "b", "c"));
    assertEquals("{\"a\":null}", patch("{\"a\":null}", "2", "a", "b"));
    assertEquals("{\"x\":{\"a\":true}}", patch("{\"x\":{\"a\":true}}", "2", "x", "a", "b"));
  }

  /** In JavaScript a named property of an array is set, but its JSON does not show it. */
  @Test
  void shouldLeaveAnArrayInTheWayAndSetNothing() {
    assertEquals(
        "{\"a\":[{\"b\":1}],\"c\":3}", patch("{\"a\":[{\"b\":1}],\"c\":3}", "2", "a", "b"));
  }

  @Test
  void shouldWriteNullWhenValueIsNull() {
    assertEquals("{\"a\":null,\"b\":2}", patch("{\"a\":1,\"b\":2}", null, "a"));
    assertEquals("{\"x\":1,\"a\":{\"b\":null}}", patch("{\"x\":1}", null, "a", "b"));
    assertEquals("{\"a\":{\"b\":null}}", patch("{\"a\":{}}", null, "a", "b"));
  }

  @Test
  void shouldRefuseSourceThatIsNotAnObject() {
    for (String json : new String[] {"[1]", "  \"s\"", "42", "null", "", "   "}) {
      UnsafeBuffer source = embed(json);

      assertEquals(-1, patch.prepare(source, SOURCE_OFFSET, json.length(), path("a"), 1), json);
    }
  }

  @Test
  void shouldRejectEmptyPath() {
    UnsafeBuffer source = embed("{\"a\":1}");

    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> patch.prepare(source, SOURCE_OFFSET, 7, new byte[0][], 1));

    assertTrue(e.getMessage().contains("path is empty"), e.getMessage());
  }

  @Test
  void shouldWriteAtDestinationOffsetAndTouchNothingElse() {
    String json = "{\"a\":1}";
    UnsafeBuffer source = embed(json);
    UnsafeBuffer value = new UnsafeBuffer("xx\"v\"yy".getBytes(StandardCharsets.UTF_8));
    int length = patch.prepare(source, SOURCE_OFFSET, json.length(), path("b"), 3);
    byte[] dstBytes = new byte[100];
    Arrays.fill(dstBytes, FILL);
    UnsafeBuffer dst = new UnsafeBuffer(dstBytes);

    int written = patch.write(value, 2, dst, 50);

    assertEquals("{\"a\":1,\"b\":\"v\"}", text(dst, 50, 50 + written));
    for (int i = 0; i < dstBytes.length; i++) {
      if (i < 50 || i >= 50 + written) {
        assertEquals(FILL, dstBytes[i], "byte " + i + " outside the result was written");
      }
    }
    assertEquals(length, written);
  }

  @Test
  void shouldReturnFromPrepareTheLengthThatWriteWrites() {
    String[][] cases = {
      {"{\"a\":1}", "a"},
      {"{\"a\":1}", "b"},
      {"{}", "a"},
      {"{\"a\":1}", "a", "b", "c"},
      {"{\"a\":{}}", "a", "b", "c"},
      {"{\"a\":[1,2],\"b\":0}", "a", "x"},
    };
    for (String[] c : cases) {
      for (String value : new String[] {"0", "\"a much longer value than before\"", null}) {
        String result = patch(c[0], value, Arrays.copyOfRange(c, 1, c.length));
        // patch() checks prepare == write; check that the count is of real, well-formed bytes
        assertInstanceOf(Map.class, JsonCodec.parse(result), result);
      }
    }
  }

  @Test
  void shouldBeReusableForEditsOfDifferentShapes() {
    assertEquals("{\"x\":1,\"y\":2}", patch("{\"x\":1}", "2", "y"));
    assertEquals("{\"a\":1}", patch("{\"a\":1}", "2", "a", "b"));
    assertEquals("{\"a\":{\"b\":2}}", patch("{\"a\":{}}", "2", "a", "b"));
    assertEquals("{\"a\":3}", patch("{\"a\":1}", "3", "a"));
    assertEquals("{\"y\":2}", patch("{}", "2", "y"));
    assertEquals("{\"x\":1,\"y\":2}", patch("{\"x\":1}", "2", "y"));
  }

  @Test
  void shouldAgreeWithJacksonOnRandomDocumentsAndPaths() {
    long seed = 0x5EED_2024L;
    Random random = new Random(seed);
    RandomJson generator = new RandomJson(random);
    int[] editsByKind = new int[EditKind.values().length];
    for (int n = 0; n < 500; n++) {
      String source = generator.document();
      List<String> keys = generator.path(JsonCodec.parse(source));
      String value = random.nextInt(10) == 0 ? null : generator.value(0);
      editsByKind[EditKind.of(JsonCodec.parse(source), keys).ordinal()]++;

      String actual = patch(source, value, keys.toArray(String[]::new));

      Object expected = set(JsonCodec.parse(source), keys, value == null ? "null" : value);
      String context = "case " + n + " (seed " + seed + "): set " + keys + " in " + source;
      assertEquals(JsonCodec.writeString(expected), JsonCodec.writeString(parse(actual)), context);
    }
    for (EditKind kind : EditKind.values()) {
      assertTrue(editsByKind[kind.ordinal()] >= 50, "too few random edits of kind " + kind);
    }
  }

  /** What a patch has to do to set a path: how the random cases spread over the code paths. */
  private enum EditKind {
    REPLACE,
    INSERT,
    CREATE_NESTED,
    NON_OBJECT_IN_THE_WAY;

    static EditKind of(Object root, List<String> rawKeys) {
      Object current = root;
      for (int i = 0; i < rawKeys.size(); i++) {
        Map<?, ?> map = (Map<?, ?>) current;
        String key = decodeKey(rawKeys.get(i));
        if (!map.containsKey(key)) {
          return i == rawKeys.size() - 1 ? INSERT : CREATE_NESTED;
        }
        current = map.get(key);
        if (i < rawKeys.size() - 1 && !(current instanceof Map<?, ?>)) {
          return NON_OBJECT_IN_THE_WAY;
        }
      }
      return REPLACE;
    }
  }

  /**
   * Patches {@code json} (at a non-zero offset of its buffer) with {@code value} (also at a
   * non-zero offset; null writes {@code null}) into a destination at a non-zero offset, checking
   * that prepare's length is what write writes and that nothing else in the destination changes.
   */
  private String patch(String json, String value, String... keys) {
    byte[] sourceBytes = json.getBytes(StandardCharsets.UTF_8);
    UnsafeBuffer source = embed(json);
    byte[] sourceBefore = source.byteArray().clone();
    UnsafeBuffer valueBuffer = null;
    int valueLength = 4;
    if (value != null) {
      byte[] valueBytes = value.getBytes(StandardCharsets.UTF_8);
      valueLength = valueBytes.length;
      valueBuffer = new UnsafeBuffer(new byte[VALUE_OFFSET + valueLength + 2]);
      valueBuffer.setMemory(0, valueBuffer.capacity(), FILL);
      valueBuffer.putBytes(VALUE_OFFSET, valueBytes);
    }

    int length = patch.prepare(source, SOURCE_OFFSET, sourceBytes.length, path(keys), valueLength);
    assertTrue(length >= 0, () -> "prepare refused " + json);
    byte[] dstBytes = new byte[DST_OFFSET + length + DST_SLACK];
    Arrays.fill(dstBytes, FILL);
    UnsafeBuffer dst = new UnsafeBuffer(dstBytes);
    int written = patch.write(valueBuffer, VALUE_OFFSET, dst, DST_OFFSET);

    assertEquals(length, written, () -> "prepare's length vs bytes written for " + json);
    for (int i = 0; i < dstBytes.length; i++) {
      if (i < DST_OFFSET || i >= DST_OFFSET + written) {
        assertEquals(FILL, dstBytes[i], "destination byte " + i + " outside the result changed");
      }
    }
    assertArrayEquals(sourceBefore, source.byteArray(), "the source was modified");
    return text(dst, DST_OFFSET, DST_OFFSET + written);
  }

  private static Object parse(String json) {
    return JsonCodec.parse(json.getBytes(StandardCharsets.UTF_8));
  }

  /** What setting {@code keys} to {@code value} means, on the parsed tree. */
  @SuppressWarnings("unchecked")
  private static Object set(Object root, List<String> rawKeys, String value) {
    Map<String, Object> map = (Map<String, Object>) root;
    for (int i = 0; i < rawKeys.size() - 1; i++) {
      String key = decodeKey(rawKeys.get(i));
      Object next = map.get(key);
      if (!map.containsKey(key)) {
        next = new LinkedHashMap<String, Object>();
        map.put(key, next);
      } else if (!(next instanceof Map<?, ?>)) {
        return root; // Node-RED's setMessageProperty sets nothing beneath a non-object
      }
      map = (Map<String, Object>) next;
    }
    map.put(decodeKey(rawKeys.get(rawKeys.size() - 1)), parse(value));
    return root;
  }

  /** A path segment is the raw bytes of a key as written in the JSON: decode its escapes. */
  private static String decodeKey(String raw) {
    return (String) parse("\"" + raw + "\"");
  }

  /**
   * Random JSON text: nested objects and arrays, strings with escapes (spelled in varying ways),
   * numbers, booleans, null, and whitespace in every place JSON allows it. Keys come from a small
   * pool so that paths hit existing members often; each key has one spelling, so a path segment
   * names it exactly.
   */
  private static final class RandomJson {
    private static final String[] KEY_POOL = {
      "a", "b", "c", "id", "payload", "k\"q", "s\\t", "e\\", "ü", "{x}", "a b", "\u0001", "€"
    };
    private static final String STRING_CHARS = "ab/\"\\\n\t\r{}[],: éü€\u0001";
    private static final String[] WHITESPACE = {" ", "\n", "\t", "\r\n  "};

    private final Random random;

    RandomJson(Random random) {
      this.random = random;
    }

    String document() {
      return ws() + object(0) + ws();
    }

    String value(int depth) {
      int kind = random.nextInt(depth >= 3 ? 6 : 8);
      return switch (kind) {
        case 0 -> string();
        case 1 -> Long.toString(random.nextLong() >> random.nextInt(64));
        case 2 -> decimal();
        case 3 -> "true";
        case 4 -> "false";
        case 5 -> "null";
        case 6 -> object(depth + 1);
        default -> array(depth + 1);
      };
    }

    /** Path of one to four keys: existing members where the tree has them, new keys otherwise. */
    List<String> path(Object root) {
      List<String> keys = new ArrayList<>();
      Object current = root;
      int depth = 1 + random.nextInt(4);
      for (int d = 0; d < depth; d++) {
        String key;
        if (current instanceof Map<?, ?> map && !map.isEmpty() && random.nextInt(4) != 0) {
          List<?> existing = new ArrayList<>(map.keySet());
          key = (String) existing.get(random.nextInt(existing.size()));
        } else {
          do {
            key = KEY_POOL[random.nextInt(KEY_POOL.length)];
          } while (current instanceof Map<?, ?> map && map.containsKey(key));
        }
        keys.add(encodeKey(key));
        current = current instanceof Map<?, ?> map ? map.get(key) : null;
      }
      return keys;
    }

    private String object(int depth) {
      int members = random.nextInt(depth >= 3 ? 2 : 5);
      List<String> pool = new ArrayList<>(Arrays.asList(KEY_POOL));
      StringBuilder json = new StringBuilder("{").append(ws());
      for (int i = 0; i < members; i++) {
        if (i > 0) {
          json.append(',').append(ws());
        }
        String key = pool.remove(random.nextInt(pool.size()));
        json.append('"').append(encodeKey(key)).append('"').append(ws()).append(':').append(ws());
        json.append(value(depth)).append(ws());
      }
      return json.append('}').toString();
    }

    private String array(int depth) {
      int elements = random.nextInt(4);
      StringBuilder json = new StringBuilder("[").append(ws());
      for (int i = 0; i < elements; i++) {
        if (i > 0) {
          json.append(',').append(ws());
        }
        json.append(value(depth)).append(ws());
      }
      return json.append(']').toString();
    }

    private String string() {
      int length = random.nextInt(8);
      StringBuilder json = new StringBuilder("\"");
      for (int i = 0; i < length; i++) {
        char c = STRING_CHARS.charAt(random.nextInt(STRING_CHARS.length()));
        boolean spellOut = random.nextInt(4) == 0;
        switch (c) {
          case '"' -> json.append("\\\"");
          case '\\' -> json.append("\\\\");
          case '\n' -> json.append(spellOut ? "\\u000a" : "\\n");
          case '\t' -> json.append(spellOut ? "\\u0009" : "\\t");
          case '\r' -> json.append(spellOut ? "\\u000D" : "\\r");
          case '/' -> json.append(spellOut ? "\\/" : "/");
          default -> {
            if (c < 0x20 || spellOut) {
              json.append(String.format("\\u%04x", (int) c));
            } else {
              json.append(c);
            }
          }
        }
      }
      return json.append('"').toString();
    }

    private String decimal() {
      String digits = Integer.toString(random.nextInt(100_000));
      String fraction = random.nextBoolean() ? "." + random.nextInt(1000) : "";
      String exponent = random.nextInt(3) == 0 ? "e" + (random.nextInt(20) - 10) : "";
      return (random.nextBoolean() ? "-" : "")
          + digits
          + fraction
          + (exponent.isEmpty() && fraction.isEmpty() ? ".5" : exponent);
    }

    private String ws() {
      return random.nextInt(3) == 0 ? WHITESPACE[random.nextInt(WHITESPACE.length)] : "";
    }

    /** The one spelling of a key: quote, backslash and control characters escaped. */
    private static String encodeKey(String key) {
      StringBuilder raw = new StringBuilder();
      for (int i = 0; i < key.length(); i++) {
        char c = key.charAt(i);
        if (c == '"' || c == '\\') {
          raw.append('\\').append(c);
        } else if (c < 0x20) {
          raw.append(String.format("\\u%04x", (int) c));
        } else {
          raw.append(c);
        }
      }
      return raw.toString();
    }
  }
}
