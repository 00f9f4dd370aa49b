package dev.z8run.nodes.data;

import static dev.z8run.io.message.MessageDescriptor.HEADER_LENGTH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.z8run.io.json.FieldIndex;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.MessageBodies;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class MessageValuesTest {
  private static final SqlText BY_PATH =
      SqlText.parse("INSERT INTO t (a, b) VALUES ($payload.id, $payload.name)");

  @Test
  void shouldReadWhatTheGeneralPathReads() throws Exception {
    String[] bodies = {
      "{\"payload\":{\"id\":7,\"name\":\"row 7\"}}",
      "{\"payload\":{\"name\":\"é \\\"quoted\\\" \\u00e9\",\"id\":-12}}",
      "{\"topic\":\"x\",\"payload\":{\"id\":1.5e3,\"name\":null}}",
      "{\"payload\":{\"id\":123456789012345678901234,\"name\":true}}",
      "{\"payload\":{\"id\":0,\"name\":{\"nested\":[1,2,{\"a\":\"b\"}]}}}",
      "{\"payload\" : { \"id\" : false , \"name\" : [ ] } }",
      "{\"payload\":{\"id\":-0.0,\"name\":\"\"}}",
      "{\"payload\":{\"id\":9223372036854775807,\"name\":\"\\\\\"}}",
    };
    for (String body : bodies) {
      for (boolean indexed : new boolean[] {false, true}) {
        MessageFlyweight msg = record(body, indexed);
        Object[] general = Parameters.values(BY_PATH, MessageBodies.parse(msg), List.of());
        MessageValues values = MessageValues.of(BY_PATH, List.of());
        assertNotNull(values);
        assertArrayEquals(general, values.read(msg), body);
        RowBuffer rows = new RowBuffer(2, 4);
        rows.add(msg.buffer(), values.find(msg));
        rows.add(new Object[] {"given", 1L});
        rows.add(msg.buffer(), values.find(msg));
        List<Object[]> seen = new ArrayList<>();
        rows.forEach(row -> seen.add(row.clone()));
        assertEquals(3, seen.size());
        assertArrayEquals(general, seen.get(0), body);
        assertArrayEquals(new Object[] {"given", 1L}, seen.get(1));
        assertArrayEquals(general, seen.get(2), body);
      }
    }
  }

  @Test
  void shouldReadNamedAndPositionalPaths() throws Exception {
    MessageFlyweight msg = record("{\"payload\":{\"id\":3,\"deep\":{\"n\":\"x\"}}}", true);
    assertArrayEquals(
        new Object[] {3L, "x"},
        MessageValues.of(SqlText.parse("INSERT INTO t VALUES (:id, $payload.deep.n)"), List.of())
            .read(msg));
    assertNull(
        MessageValues.of(SqlText.parse("INSERT INTO t VALUES (:id, $payload.deep.n)"), List.of())
            .read(record("{\"payload\":{\"id\":3}}", false)),
        "a missing value: the general path decides");
    assertArrayEquals(
        new Object[] {"x", 3L},
        MessageValues.of(SqlText.parse("INSERT INTO t VALUES (?, ?)"), List.of("deep.n", "id"))
            .read(msg));
  }

  @Test
  void shouldLeaveToTheGeneralPathWhatItCannotReadInPlace() {
    assertNull(MessageValues.of(SqlText.parse("INSERT INTO t VALUES (?, ?)"), List.of()));
    assertNull(MessageValues.of(SqlText.parse("INSERT INTO t VALUES (?, ?)"), List.of("id")));
    MessageValues values = MessageValues.of(BY_PATH, List.of());
    assertNull(
        values.read(
            record("{\"params\":{\"$payload.id\":1},\"payload\":{\"id\":2,\"name\":3}}", true)),
        "msg.params may override the message's values");
    assertNull(values.read(record("[1,2]", false)));
    assertNull(values.read(record("{\"payload\":[{\"id\":1,\"name\":2}]}", false)));
  }

  /** A record holding {@code json} and, when {@code indexed}, its field index. */
  private static MessageFlyweight record(String json, boolean indexed) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    UnsafeBuffer scratch = new UnsafeBuffer(new byte[FieldIndex.MAX_INDEX_BYTES]);
    int index =
        indexed ? FieldIndex.build(new UnsafeBuffer(bytes), 0, bytes.length, scratch, 0) : 0;
    int length = HEADER_LENGTH + bytes.length + index;
    UnsafeBuffer buffer = new UnsafeBuffer(new byte[length + 16]);
    MessageFlyweight msg = new MessageFlyweight().wrap(buffer, 8, length);
    msg.body(bytes.length, false, index);
    buffer.putBytes(msg.jsonOffset(), bytes);
    buffer.putBytes(msg.indexOffset(), scratch, 0, index);
    assertNull(msg.validate());
    return msg;
  }
}
