package dev.z8run.io.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class ObjectPatchTest {
  private final ObjectPatch patch = new ObjectPatch();
  private final UnsafeBuffer values = new UnsafeBuffer(new byte[256]);
  private int valuesLength;

  @Test
  void shouldReplaceAValueKeepingTheOtherMembersBytes() {
    start(" { \"payload\" : {\"n\": 1.50} , \"topic\":\"t\" } ");
    patch.replace(1, value("\"x\""), 3);

    assertPatched("{\"payload\" : {\"n\": 1.50},\"topic\":\"x\"}");
  }

  @Test
  void shouldRemoveFirstMiddleAndLastMembers() {
    String body = "{\"a\":1,\"b\":[2,3],\"c\":\"}\",\"d\":{}}";
    for (int[] removed : new int[][] {{0}, {1}, {3}, {0, 3}, {0, 1, 2, 3}}) {
      start(body);
      for (int member : removed) {
        patch.remove(member);
      }
      StringBuilder expected = new StringBuilder("{");
      String[] members = {"\"a\":1", "\"b\":[2,3]", "\"c\":\"}\"", "\"d\":{}"};
      for (int n = 0; n < members.length; n++) {
        final int member = n;
        if (Arrays.stream(removed).noneMatch(r -> r == member)) {
          expected.append(expected.length() > 1 ? "," : "").append(members[n]);
        }
      }
      assertPatched(expected.append('}').toString());
    }
  }

  @Test
  void shouldAppendNewMembersAfterTheSourcesIncludingToAnEmptyObject() {
    start("{}");
    int key = value("\"k\\\"ey\"");
    patch.append(key, 7, value("[1]"), 3);
    patch.append(value("\"b\""), 3, value("null"), 4);

    assertPatched("{\"k\\\"ey\":[1],\"b\":null}");

    start("{\"a\":1}");
    patch.remove(0);
    patch.append(value("\"a\""), 3, value("2"), 1);

    assertPatched("{\"a\":2}");
  }

  @Test
  void shouldMixEditsAndNotChangeWhenNothingWasEdited() {
    start("{\"payload\":{\"n\":123456},\"topic\":\"t\",\"_msgid\":\"m\"}");
    assertFalse(patch.changed());
    assertPatched("{\"payload\":{\"n\":123456},\"topic\":\"t\",\"_msgid\":\"m\"}");

    start("{\"payload\":{\"n\":123456},\"topic\":\"t\",\"_msgid\":\"m\"}");
    patch.replace(0, value("5"), 1);
    patch.remove(1);
    patch.append(value("\"hop\""), 5, value("\"long value\""), 12);
    assertTrue(patch.changed());

    assertPatched("{\"payload\":5,\"_msgid\":\"m\",\"hop\":\"long value\"}");
  }

  @Test
  void shouldWriteNoIndexForMoreMembersThanAnIndexHolds() {
    StringBuilder body = new StringBuilder("{");
    for (int i = 0; i < FieldIndex.MAX_FIELDS; i++) {
      body.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":").append(i);
    }
    start(body.append('}').toString());
    patch.append(value("\"more\""), 6, value("1"), 1);

    assertEquals(0, patch.resultIndexLength());
    assertPatched(body.substring(0, body.length() - 1) + ",\"more\":1}");
  }

  @Test
  void shouldRefuseAMemberTheSourceDoesNotHaveAndAppendsBeyondItsLimit() {
    start("{\"a\":1}");
    assertThrows(IndexOutOfBoundsException.class, () -> patch.replace(1, 0, 1));
    assertThrows(IndexOutOfBoundsException.class, () -> patch.remove(-1));
    for (int i = 0; i < ObjectPatch.MAX_APPENDED; i++) {
      assertTrue(patch.append(0, 0, 0, 0));
    }
    assertFalse(patch.append(0, 0, 0, 0));
  }

  @Test
  void shouldSayTheResultsKeysArePlainAndUniqueExactlyWhenTheyAre() {
    // assertPatched compares the written index, flag included, with the one built from the result
    start("{\"a\":1,\"b\":2}");
    patch.append(value("\"a\""), 3, value("3"), 1);
    assertPatched("{\"a\":1,\"b\":2,\"a\":3}");

    start("{\"a\":1,\"b\":2}");
    patch.append(value("\"c\""), 3, value("3"), 1);
    patch.append(value("\"c\""), 3, value("4"), 1);
    assertPatched("{\"a\":1,\"b\":2,\"c\":3,\"c\":4}");

    start("{\"a\":1,\"b\":2}");
    patch.append(value("\"cl\u00e9\""), 6, value("3"), 1);
    assertPatched("{\"a\":1,\"b\":2,\"cl\u00e9\":3}");

    // a source whose keys repeat: the result's keys are checked, and may be plain again
    start("{\"a\":1,\"a\":2,\"b\":3}");
    patch.remove(0);
    assertPatched("{\"a\":2,\"b\":3}");

    start("{\"a\":1,\"a\":2,\"b\":3}");
    patch.replace(2, value("4"), 1);
    assertPatched("{\"a\":1,\"a\":2,\"b\":4}");

    start("{\"\\u0061\":1,\"b\":3}");
    patch.remove(1);
    assertPatched("{\"\\u0061\":1}");
  }

  @Test
  void shouldWriteSameLengthValuesOverACopyOfACompactSource() {
    String body = "{\"payload\":{\"n\":123456},\"topic\":\"t\",\"hop\":7}";
    start(body);
    patch.replace(1, value("\"x\""), 3);
    patch.replace(2, value("8"), 1);
    assertTrue(patch.sameShape());
    UnsafeBuffer copy = new UnsafeBuffer(new byte[body.length() + 2]);
    copy.putBytes(2, source, 7, body.length());
    patch.writeReplaced(values, copy, 2);
    byte[] replaced = new byte[body.length()];
    copy.getBytes(2, replaced);
    String expected = "{\"payload\":{\"n\":123456},\"topic\":\"x\",\"hop\":8}";
    assertEquals(expected, new String(replaced, StandardCharsets.UTF_8));
    assertPatched(expected);

    start(body);
    patch.replace(2, value("10"), 2);
    assertFalse(patch.sameShape(), "a longer value");
    start(body);
    patch.replace(2, value("8"), 1);
    patch.append(value("\"a\""), 3, value("1"), 1);
    assertFalse(patch.sameShape(), "a member appended");
    start(body);
    patch.remove(2);
    assertFalse(patch.sameShape(), "a member removed");
    start("{ \"hop\" : 7 }");
    patch.replace(0, value("8"), 1);
    assertFalse(patch.sameShape(), "not compact: write drops the spaces");
    start(body);
    patch.reset(source, 7, index, 3);
    patch.replace(2, value("8"), 1);
    assertFalse(patch.sameShape(), "the length not given");
  }

  private void start(String body) {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    // the JSON at an offset in a larger buffer, the index in another
    UnsafeBuffer source = new UnsafeBuffer(new byte[bytes.length + 7]);
    source.putBytes(7, bytes);
    UnsafeBuffer index = new UnsafeBuffer(new byte[FieldIndex.MAX_INDEX_BYTES + 3]);
    int indexLength = FieldIndex.build(source, 7, bytes.length, index, 3);
    assertTrue(indexLength > 0, body);
    // with the length: a compact source is patched in runs (the other tests read the same result)
    patch.reset(source, 7, bytes.length, index, 3);
    valuesLength = 0;
    this.source = source;
    this.index = index;
  }

  private UnsafeBuffer source;
  private UnsafeBuffer index;

  @Test
  void shouldGiveTheSameResultCopyingRunsFromACompactSource() {
    String body = "{\"payload\":{\"n\":123456},\"topic\":\"t\",\"a\":[1,2],\"b\":\"\"}";
    String[] replaced = {"5", "\"a longer value than before\"", "{}", "null"};
    for (int edits = 0; edits < 1 << 4; edits++) {
      for (int appends = 0; appends <= 2; appends++) {
        String[] results = new String[2];
        for (int pass = 0; pass < 2; pass++) {
          start(body);
          if (pass == 1) {
            patch.reset(source, 7, index, 3); // length not given: member by member
          }
          for (int n = 0; n < 4; n++) {
            if ((edits & (1 << n)) != 0) {
              patch.replace(n, value(replaced[n]), replaced[n].length());
            }
          }
          for (int a = 0; a < appends; a++) {
            patch.append(value("\"k" + a + "\""), 4, value("[" + a + "]"), 3);
          }
          int length = patch.resultLength();
          UnsafeBuffer dst = new UnsafeBuffer(new byte[length]);
          assertEquals(length, patch.write(values, dst, 0));
          results[pass] = new String(dst.byteArray(), StandardCharsets.UTF_8);
          assertPatched(results[pass]);
        }
        assertEquals(results[1], results[0], "edits " + edits + ", appends " + appends);
      }
    }
  }

  private int value(String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int at = valuesLength;
    values.putBytes(at, bytes);
    valuesLength += bytes.length;
    return at;
  }

  /** The result is the expected JSON, and its index is the one built from it. */
  private void assertPatched(String expected) {
    int length = patch.resultLength();
    UnsafeBuffer dst = new UnsafeBuffer(new byte[length + 5]);
    assertEquals(length, patch.write(values, dst, 5));
    byte[] json = new byte[length];
    dst.getBytes(5, json);
    assertEquals(expected, new String(json, StandardCharsets.UTF_8));

    int indexLength = patch.resultIndexLength();
    if (indexLength == 0) {
      return;
    }
    UnsafeBuffer written = new UnsafeBuffer(new byte[indexLength]);
    patch.writeIndex(written, 0);
    UnsafeBuffer built = new UnsafeBuffer(new byte[FieldIndex.MAX_INDEX_BYTES]);
    assertEquals(indexLength, FieldIndex.build(dst, 5, length, built, 0));
    byte[] builtBytes = new byte[indexLength];
    built.getBytes(0, builtBytes);
    assertArrayEquals(builtBytes, written.byteArray(), "index of " + expected);
  }
}
