package dev.z8run.io.json;

import static dev.z8run.io.message.MessageDescriptor.HEADER_LENGTH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.io.message.Bytes;
import dev.z8run.io.message.MessageFlyweight;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class FieldIndexTest {
  private static final int BINARY = 5;

  @Test
  void shouldIndexEveryTopLevelMember() {
    MessageFlyweight msg =
        record("{\"payload\":{\"n\":1,\"s\":\"}\"},\"topic\":\"t\",\"a\":[1,2]}", true);
    assertEquals(FieldIndex.lengthFor(3), msg.indexLength());
    assertEquals("{\"n\":1,\"s\":\"}\"}", valueAt(msg, "payload"));
    assertEquals("\"t\"", valueAt(msg, "topic"));
    assertEquals("[1,2]", valueAt(msg, "a"));
    assertEquals(JsonScanner.NOT_FOUND, FieldIndex.find(msg, bytes("missing")));
    assertEquals(BINARY, msg.binaryLength());
  }

  @Test
  void shouldLeaveBodiesThatAreNotSmallObjectsWithoutIndex() {
    UnsafeBuffer dst = new UnsafeBuffer(new byte[FieldIndex.MAX_INDEX_BYTES]);
    assertEquals(0, build("[1,2]", dst));
    assertEquals(0, build("{\"a\":", dst));
    StringBuilder many = new StringBuilder("{");
    for (int i = 0; i <= FieldIndex.MAX_FIELDS; i++) {
      many.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
    }
    assertEquals(0, build(many.append('}').toString(), dst));
    assertEquals(FieldIndex.lengthFor(0), build(" { } ", dst));
  }

  @Test
  void shouldSayKeysArePlainAndUniqueExactlyWhenTheyAre() {
    UnsafeBuffer dst = new UnsafeBuffer(new byte[FieldIndex.MAX_INDEX_BYTES]);
    for (String plain :
        List.of("{}", "{\"payload\":1,\"topic\":\"t\"}", "{\"a\":1,\"ab\":2,\"b\":3,\"~ \":4}")) {
      build(plain, dst);
      assertTrue(FieldIndex.plainKeys(dst, 0), plain);
    }
    for (String notPlain :
        List.of(
            "{\"topic\":1,\"topic\":2}",
            "{\"a\":1,\"b\":2,\"a\":3}",
            "{\"\\u0074opic\":1}",
            "{\"a\\\"b\":1}",
            "{\"cl\u00e9\":1}",
            "{\"a\u0001\":1}")) {
      assertTrue(build(notPlain, dst) > 0, notPlain);
      assertFalse(FieldIndex.plainKeys(dst, 0), notPlain);
    }
    // the flag shares the count's i32: readers of the count do not see it
    build("{\"a\":1,\"b\":2}", dst);
    assertEquals(2, FieldIndex.count(dst, 0));
    assertNull(FieldIndex.validate(dst, 0, FieldIndex.lengthFor(2), 13));
    dst.putInt(FieldIndex.COUNT_OFFSET, dst.getInt(FieldIndex.COUNT_OFFSET) | 1 << 20);
    assertTrue(FieldIndex.validate(dst, 0, FieldIndex.lengthFor(2), 13).contains("unknown flags"));
  }

  @Test
  void shouldSayTheJsonIsCompactExactlyWhenNothingLiesBetweenItsMembers() {
    UnsafeBuffer dst = new UnsafeBuffer(new byte[FieldIndex.MAX_INDEX_BYTES]);
    for (String compact :
        List.of("{\"a\":1}", "{\"payload\":{ \"n\" : 1 },\"topic\":\"t \"}", "{\"\":[ ]}")) {
      int indexLength = build(compact, dst);
      assertTrue(FieldIndex.compact(dst, 0), compact);
      assertNull(FieldIndex.validate(dst, 0, indexLength, compact.length()), compact);
    }
    for (String spaced :
        List.of(
            "{}",
            "{ \"a\":1}",
            "{\"a\" :1}",
            "{\"a\": 1}",
            "{\"a\":1 }",
            "{\"a\":1,\n\"b\":2}",
            "{\"a\":1} ",
            " {\"a\":1}")) {
      build(spaced, dst);
      assertFalse(FieldIndex.compact(dst, 0), spaced);
    }
    // the flag is checked on receive against the entries: they must describe a compact object
    build("{\"a\":1,\"b\":2}", dst);
    assertTrue(FieldIndex.compact(dst, 0));
    assertTrue(
        FieldIndex.validate(dst, 0, FieldIndex.lengthFor(2), 14).contains("COMPACT"),
        "a JSON one byte longer than its entries say");
  }

  @Test
  void shouldKeepThePlainKeysFlagExactThroughPatches() {
    // a patch that adds a key checks it; one that only changes values keeps the source's flag
    for (String body : List.of("{\"a\":1,\"b\":2}", "{\"a\":1,\"a\":2}", "{\"\\u0061\":1}")) {
      for (String path : List.of("a", "b", "new", "cl\u00e9", "a\\b", "a.c")) {
        for (boolean carried : new boolean[] {true, false}) {
          checkPatch(body, path, "123", carried);
          checkPatch(body, path, "1", carried);
        }
      }
    }
  }

  /** Every patch through the index gives the scanning patch's JSON and a freshly built index. */
  @Test
  void shouldKeepIndexCurrentThroughEveryKindOfPatch() {
    List<String> bodies =
        List.of(
            "{}",
            "{\"payload\":{\"n\":123456},\"topic\":\"t\"}",
            "{\"payload\":\"x\",\"hop\":1,\"z\":{\"q\":[1,{\"r\":2}]}}",
            "{ \"a\" : 1 , \"b\" : { \"c\" : 2 } }");
    List<String> paths = List.of("hop", "payload", "payload.n", "z.q", "b.c", "b.d.e", "new.x.y");
    for (String body : bodies) {
      for (String path : paths) {
        for (boolean carried : new boolean[] {true, false}) {
          checkPatch(body, path, "\"value\"", carried);
          checkPatch(body, path, "1", carried);
        }
      }
    }
  }

  /**
   * An edit written in place over its own record (shorter, same length, longer, a member added,
   * objects created) gives the record a copying patch gives: JSON, binary payload and index.
   */
  @Test
  void shouldPatchInPlaceAsACopyingPatchDoes() {
    List<String> bodies =
        List.of(
            "{}",
            "{\"payload\":{\"n\":123456},\"topic\":\"t\"}",
            "{\"payload\":\"x\",\"hop\":1,\"z\":{\"q\":[1,{\"r\":2}]}}",
            "{ \"a\" : 1 , \"b\" : { \"c\" : 2 } }");
    List<String> paths =
        List.of("hop", "payload", "payload.n", "topic", "z.q", "b.c", "b.d.e", "new.x.y");
    List<String> values = List.of("1", "7", "\"value\"", "12345678901234567890123456789012345");
    for (String body : bodies) {
      for (String path : paths) {
        for (String value : values) {
          for (boolean carried : new boolean[] {true, false}) {
            String where = body + " set " + path + "=" + value + (carried ? " (indexed)" : "");
            MessageFlyweight copied = patched(record(body, carried), path, value);
            MessageFlyweight inPlace = patchedInPlace(record(body, carried), path, value);
            assertNull(inPlace.validate(), where);
            assertEquals(copied.jsonString(), inPlace.jsonString(), where);
            assertEquals(copied.indexLength(), inPlace.indexLength(), where);
            assertEquals(
                new String(copied.binaryBytes(), StandardCharsets.ISO_8859_1),
                new String(inPlace.binaryBytes(), StandardCharsets.ISO_8859_1),
                where);
            for (int i = 0; i < copied.indexLength(); i += Integer.BYTES) {
              assertEquals(
                  copied.buffer().getInt(copied.indexOffset() + i),
                  inPlace.buffer().getInt(inPlace.indexOffset() + i),
                  where + " index byte " + i);
            }
          }
        }
      }
    }
  }

  @Test
  void shouldChainPatchesInPlaceWithoutScanning() {
    MessageFlyweight msg = record("{\"payload\":{\"n\":1}}", true);
    for (int hop = 1; hop <= 12; hop++) {
      msg = patchedInPlace(msg, "hop", Integer.toString(hop * 10 / 3));
      assertEquals(Integer.toString(hop * 10 / 3), valueAt(msg, "hop"));
    }
    assertEquals("{\"payload\":{\"n\":1},\"hop\":40}", msg.jsonString());
    assertEquals("BBBBB", new String(msg.binaryBytes(), StandardCharsets.ISO_8859_1));
  }

  @Test
  void shouldFindAKeyWhateverTheHintSays() {
    MessageFlyweight msg = record("{\"payload\":1,\"topic\":\"t\",\"hop\":2}", true);
    int plain =
        FieldIndex.entry(
            msg.buffer(), msg.indexOffset(), msg.buffer(), msg.jsonOffset(), bytes("hop"));
    for (int hint : new int[] {-1, 0, 1, 2, 3, 16, Integer.MAX_VALUE}) {
      assertEquals(
          plain,
          FieldIndex.entry(
              msg.buffer(), msg.indexOffset(), msg.buffer(), msg.jsonOffset(), bytes("hop"), hint),
          "hint " + hint);
      assertEquals(
          -1,
          FieldIndex.entry(
              msg.buffer(),
              msg.indexOffset(),
              msg.buffer(),
              msg.jsonOffset(),
              bytes("missing"),
              hint),
          "hint " + hint);
    }
  }

  @Test
  void shouldPatchTheRightMemberWhenTheKeyMovesBetweenMessages() {
    // one JsonPatch for every message, as a change node keeps it: the remembered position of the
    // key is a hint only
    JsonPatch patch = new JsonPatch();
    for (String body :
        List.of(
            "{\"hop\":1,\"payload\":2}",
            "{\"payload\":2,\"hop\":1}",
            "{\"a\":0,\"hop\":1}",
            "{\"hop\":1}",
            "{\"payload\":2}")) {
      MessageFlyweight msg = record(body, true);
      int length = patch.prepare(msg, JsonCodec.keyPath("hop"), 1);
      UnsafeBuffer out = new UnsafeBuffer(new byte[length]);
      patch.write(new UnsafeBuffer(bytes("7")), 0, out, 0);
      String patched = new String(out.byteArray(), StandardCharsets.UTF_8);
      assertEquals(
          body.contains("\"hop\"")
              ? body.replace("\"hop\":1", "\"hop\":7")
              : "{\"payload\":2,\"hop\":7}",
          patched);
    }
  }

  @Test
  void shouldTellKeysOfOneLengthApartAtTheRememberedPosition() {
    // the remembered position is checked by the key's bytes (one masked load for up to 8 bytes,
    // byte by byte for longer keys): another key of the same length there is another member
    JsonPatch patch = new JsonPatch();
    for (String key : List.of("hop", "hops_in8", "a_key_of_13_b")) {
      String other = key.substring(0, key.length() - 1) + "q";
      for (String body :
          List.of(
              "{\"a\":0,\"" + key + "\":1}",
              "{\"a\":0,\"" + other + "\":1}",
              "{\"a\":0,\"" + other + "\":1,\"" + key + "\":1}",
              "{\"a\":0,\"" + key + "\":1}")) {
        MessageFlyweight msg = record(body, true);
        int length = patch.prepare(msg, JsonCodec.keyPath(key), 1);
        UnsafeBuffer out = new UnsafeBuffer(new byte[length]);
        patch.write(new UnsafeBuffer(bytes("7")), 0, out, 0);
        String member = "\"" + key + "\":";
        String expected =
            body.contains(member + "1")
                ? body.replace(member + "1", member + "7")
                : body.substring(0, body.length() - 1) + "," + member + "7}";
        assertEquals(expected, new String(out.byteArray(), StandardCharsets.UTF_8), key);
      }
    }
  }

  @Test
  void shouldLoadNothingPastTheBufferWhenTheKeyEndsTheBody() {
    // a record whose JSON ends its buffer, without an index (the patch builds one): comparing the
    // key at the remembered position must not load past the end (the tests run with Agrona's
    // bounds checks on); the second message is compared at the position the first one left
    JsonPatch patch = new JsonPatch();
    for (int n = 0; n < 2; n++) {
      byte[] json = bytes("{\"a\":0,\"hop\":1}");
      UnsafeBuffer buffer = new UnsafeBuffer(new byte[HEADER_LENGTH + json.length]);
      MessageFlyweight msg = new MessageFlyweight().wrap(buffer, 0, buffer.capacity());
      msg.body(json.length, false, 0);
      buffer.putBytes(msg.jsonOffset(), json);
      int length = patch.prepare(msg.resolve(), JsonCodec.keyPath("hop"), 1);
      UnsafeBuffer out = new UnsafeBuffer(new byte[length]);
      patch.write(new UnsafeBuffer(bytes("7")), 0, out, 0);
      assertEquals("{\"a\":0,\"hop\":7}", new String(out.byteArray(), StandardCharsets.UTF_8));
    }
  }

  @Test
  void shouldRefuseToWriteInPlaceIntoAnotherBuffer() {
    MessageFlyweight msg = record("{\"hop\":1}", true);
    JsonPatch patch = new JsonPatch();
    patch.prepare(msg, JsonCodec.keyPath("hop"), 1);
    assertThrows(
        IllegalStateException.class,
        () ->
            patch.writeInPlace(
                new UnsafeBuffer(bytes("2")), 0, new UnsafeBuffer(new byte[64]), BINARY));
  }

  @Test
  void shouldChainPatchesWithoutScanning() {
    MessageFlyweight msg = record("{\"payload\":{\"n\":1}}", true);
    for (int hop = 1; hop <= 10; hop++) {
      msg = patched(msg, "hop", Integer.toString(hop * 100));
      assertEquals(Integer.toString(hop * 100), valueAt(msg, "hop"));
    }
    assertEquals("{\"payload\":{\"n\":1},\"hop\":1000}", msg.jsonString());
  }

  @Test
  void shouldFindSameLengthValueWhereTheLastPrepareFoundTheKey() {
    MessageFlyweight msg = record("{\"payload\":{\"n\":1},\"hop\":7,\"topic\":\"t\"}", true);
    JsonPatch patch = new JsonPatch();
    byte[] hop = bytes("hop");
    assertEquals(-1, patch.sameLengthValue(msg, hop, 1), "no key found yet: no hint");
    patch.prepare(msg, new byte[][] {hop}, 1);
    int at = patch.sameLengthValue(msg, hop, 1);
    assertEquals('7', msg.buffer().getByte(at));
    Bytes.copy(new UnsafeBuffer(bytes("8")), 0, (UnsafeBuffer) msg.buffer(), at, 1);
    assertEquals("{\"payload\":{\"n\":1},\"hop\":8,\"topic\":\"t\"}", msg.jsonString());
    assertNull(
        FieldIndex.validate(msg.buffer(), msg.indexOffset(), msg.indexLength(), msg.jsonLength()));
    assertEquals("8", valueAt(msg, "hop"));
  }

  @Test
  void shouldRefuseSameLengthValueForAnotherLengthKeyOrARecordWithoutIndex() {
    MessageFlyweight msg = record("{\"hop\":7,\"hip\":5}", true);
    JsonPatch patch = new JsonPatch();
    patch.prepare(msg, new byte[][] {bytes("hop")}, 1);
    assertEquals(-1, patch.sameLengthValue(msg, bytes("hop"), 2), "a longer value");
    assertEquals(-1, patch.sameLengthValue(msg, bytes("hip"), 1), "another key at the hint");
    assertEquals(-1, patch.sameLengthValue(msg, bytes("ho"), 1), "a shorter key");
    MessageFlyweight bare = record("{\"hop\":7,\"hip\":5}", false);
    assertEquals(-1, patch.sameLengthValue(bare, bytes("hop"), 1), "no index carried");
  }

  private static void checkPatch(String body, String path, String value, boolean carried) {
    MessageFlyweight msg = record(body, carried);
    MessageFlyweight result = patched(msg, path, value);
    JsonPatch scanning = new JsonPatch();
    UnsafeBuffer source = new UnsafeBuffer(bytes(body));
    int length =
        scanning.prepare(source, 0, body.length(), JsonCodec.keyPath(path), value.length());
    UnsafeBuffer expected = new UnsafeBuffer(new byte[length]);
    scanning.write(new UnsafeBuffer(bytes(value)), 0, expected, 0);
    String where = body + " set " + path + "=" + value + (carried ? " (indexed)" : "");
    assertEquals(
        new String(expected.byteArray(), StandardCharsets.UTF_8), result.jsonString(), where);
    assertNull(
        FieldIndex.validate(
            result.buffer(), result.indexOffset(), result.indexLength(), result.jsonLength()),
        where);
    UnsafeBuffer fresh = new UnsafeBuffer(new byte[FieldIndex.MAX_INDEX_BYTES]);
    int freshLength =
        FieldIndex.build(result.buffer(), result.jsonOffset(), result.jsonLength(), fresh, 0);
    assertEquals(freshLength, result.indexLength(), where);
    for (int i = 0; i < freshLength; i++) {
      assertEquals(
          fresh.getInt(i & ~3),
          result.buffer().getInt(result.indexOffset() + (i & ~3)),
          where + " index byte " + i);
    }
    assertEquals(BINARY, result.binaryLength(), where);
  }

  /** A record holding {@code json}, a binary payload and (when {@code indexed}) its index. */
  private static MessageFlyweight record(String json, boolean indexed) {
    byte[] bytes = bytes(json);
    UnsafeBuffer scratch = new UnsafeBuffer(new byte[FieldIndex.MAX_INDEX_BYTES]);
    int index =
        indexed ? FieldIndex.build(new UnsafeBuffer(bytes), 0, bytes.length, scratch, 0) : 0;
    int length = HEADER_LENGTH + bytes.length + BINARY + index;
    UnsafeBuffer buffer = new UnsafeBuffer(new byte[length + 16]);
    MessageFlyweight msg = new MessageFlyweight().wrap(buffer, 8, length);
    msg.body(bytes.length, true, index);
    buffer.putBytes(msg.jsonOffset(), bytes);
    buffer.setMemory(msg.binaryOffset(), BINARY, (byte) 'B');
    buffer.putBytes(msg.indexOffset(), scratch, 0, index);
    assertNull(msg.validate());
    return msg;
  }

  private static MessageFlyweight patched(MessageFlyweight msg, String path, String value) {
    JsonPatch patch = new JsonPatch();
    int json = patch.prepare(msg, JsonCodec.keyPath(path), value.length());
    int index = patch.resultIndexLength();
    int length = HEADER_LENGTH + json + BINARY + index;
    UnsafeBuffer buffer = new UnsafeBuffer(new byte[length]);
    MessageFlyweight out = new MessageFlyweight().wrap(buffer, 0, length);
    out.body(json, true, index);
    patch.write(new UnsafeBuffer(bytes(value)), 0, buffer, out.jsonOffset());
    buffer.putBytes(out.binaryOffset(), msg.buffer(), msg.binaryOffset(), BINARY);
    if (index > 0) {
      patch.writeIndex(buffer, out.indexOffset());
    }
    assertNull(out.validate());
    return out;
  }

  /**
   * The edit written over {@code msg}'s own record (its buffer has room after it), as the engine
   * hands a fused hop's record over: the header takes the new lengths, then the patch moves and
   * writes the bytes.
   */
  private static MessageFlyweight patchedInPlace(MessageFlyweight msg, String path, String value) {
    JsonPatch patch = new JsonPatch();
    int json = patch.prepare(msg, JsonCodec.keyPath(path), value.length());
    int index = patch.resultIndexLength();
    int binary = msg.binaryLength();
    int length = HEADER_LENGTH + json + binary + index;
    UnsafeBuffer buffer = (UnsafeBuffer) msg.buffer();
    if (buffer.capacity() < msg.offset() + length) {
      // room to grow, as the engine's scratch buffers have: the same bytes in a larger buffer
      UnsafeBuffer larger = new UnsafeBuffer(new byte[msg.offset() + length + 64]);
      larger.putBytes(0, buffer, 0, msg.offset() + msg.length());
      msg = new MessageFlyweight().wrap(larger, msg.offset(), msg.length());
      buffer = larger;
      json = patch.prepare(msg, JsonCodec.keyPath(path), value.length());
    }
    MessageFlyweight out = new MessageFlyweight().wrap(buffer, msg.offset(), length);
    out.body(json, binary > 0, index);
    patch.writeInPlace(new UnsafeBuffer(bytes(value)), 0, buffer, binary);
    assertNull(out.validate());
    return out;
  }

  private static int build(String json, UnsafeBuffer dst) {
    byte[] bytes = bytes(json);
    return FieldIndex.build(new UnsafeBuffer(bytes), 0, bytes.length, dst, 0);
  }

  private static String valueAt(MessageFlyweight msg, String key) {
    long span = FieldIndex.find(msg, bytes(key));
    int start = JsonScanner.spanStart(span);
    byte[] value = new byte[JsonScanner.spanEnd(span) - start];
    msg.buffer().getBytes(start, value);
    return new String(value, StandardCharsets.UTF_8);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
