package dev.z8run.nodes.routing;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.node;
import static dev.z8run.nodes.FlowHarness.q;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.z8run.nodes.FlowHarness;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code split} node answers as Node-RED's: each case is one of {@code
 * test/nodes/core/sequence/17-split_spec.js} ("SPLIT node", named in the comment, with Node-RED's
 * config), the config in our field names as the importer maps it ({@code splt} → {@code delimiter}
 * or, with {@code spltType: "len"}, {@code chunkLength}; {@code arraySplt} → {@code arrayChunk};
 * {@code addname} → {@code keyProperty}). Flow: source "in" → split "s" → capture "out".
 */
class SplitNodeRedParityTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private List<Map<?, ?>> split(String config, String message, int expected) {
    harness.engine.deploy(
        chain("f", node("in", "source"), node("s", "split", q(config)), node("out", "capture")));
    harness.inject("f", "in", q(message));
    List<Map<?, ?>> out = new ArrayList<>();
    harness.awaitCaptured("out", expected).forEach(m -> out.add((Map<?, ?>) m.parsed()));
    return out;
  }

  private static Map<?, ?> parts(Map<?, ?> message) {
    return (Map<?, ?>) message.get("parts");
  }

  private static List<Object> values(List<Map<?, ?>> messages, String... path) {
    List<Object> values = new ArrayList<>();
    for (Map<?, ?> message : messages) {
      Object value = message;
      for (String key : path) {
        value = ((Map<?, ?>) value).get(key);
      }
      values.add(value);
    }
    return values;
  }

  /** 'should split an array into multiple messages' ({@code {}}) */
  @Test
  void shouldSplitAnArrayIntoMultipleMessages() {
    List<Map<?, ?>> out = split("{}", "{'payload':[1,2,3,4]}", 4);
    assertEquals(List.of(1L, 2L, 3L, 4L), values(out, "payload"));
    assertEquals(List.of(0L, 1L, 2L, 3L), values(out, "parts", "index"));
    for (Map<?, ?> message : out) {
      assertEquals(4L, parts(message).get("count"));
      assertEquals("array", parts(message).get("type"));
    }
  }

  /** 'should split an array on a sub-property into multiple messages' ({@code property: "foo"}) */
  @Test
  void shouldSplitAnArrayOnASubPropertyIntoMultipleMessages() {
    List<Map<?, ?>> out = split("{'property':'foo'}", "{'foo':[1,2,3,4]}", 4);
    assertEquals(List.of(1L, 2L, 3L, 4L), values(out, "foo"));
    for (Map<?, ?> message : out) {
      assertEquals(4L, parts(message).get("count"));
      assertEquals("array", parts(message).get("type"));
      assertEquals("foo", parts(message).get("property"));
    }
  }

  /**
   * 'should split an array into multiple messages of a specified size' ({@code arraySplt: 3,
   * arraySpltType: "len"})
   */
  @Test
  void shouldSplitAnArrayIntoMultipleMessagesOfASpecifiedSize() {
    List<Map<?, ?>> out = split("{'arrayChunk':3}", "{'payload':[1,2,3,4]}", 2);
    assertEquals(List.of(List.of(1L, 2L, 3L), List.of(4L)), values(out, "payload"));
    assertEquals(List.of(2L, 2L), values(out, "parts", "count"));
    assertEquals(List.of("array", "array"), values(out, "parts", "type"));
  }

  /** 'should split an object into pieces' ({@code {}}) */
  @Test
  void shouldSplitAnObjectIntoPieces() {
    List<Map<?, ?>> out = split("{}", "{'topic':'foo','payload':{'a':1,'b':'2','c':true}}", 3);
    assertEquals(List.of(1L, "2", true), values(out, "payload"));
    assertEquals(List.of("a", "b", "c"), values(out, "parts", "key"));
    assertEquals(List.of("foo", "foo", "foo"), values(out, "topic"));
    assertEquals(List.of("object", "object", "object"), values(out, "parts", "type"));
    assertEquals(List.of(3L, 3L, 3L), values(out, "parts", "count"));
  }

  /** 'should split an object sub property into pieces' ({@code property: "foo.bar"}) */
  @Test
  void shouldSplitAnObjectSubPropertyIntoPieces() {
    List<Map<?, ?>> out =
        split(
            "{'property':'foo.bar'}", "{'topic':'foo','foo':{'bar':{'a':1,'b':'2','c':true}}}", 3);
    assertEquals(List.of(1L, "2", true), values(out, "foo", "bar"));
    assertEquals(List.of("foo.bar", "foo.bar", "foo.bar"), values(out, "parts", "property"));
    assertEquals(List.of("foo", "foo", "foo"), values(out, "topic"));
  }

  /** 'should split an object into pieces and overwrite their topics' ({@code addname: "topic"}) */
  @Test
  void shouldSplitAnObjectIntoPiecesAndOverwriteTheirTopics() {
    List<Map<?, ?>> out =
        split("{'keyProperty':'topic'}", "{'topic':'foo','payload':{'a':1,'b':'2','c':true}}", 3);
    assertEquals(List.of(1L, "2", true), values(out, "payload"));
    assertEquals(List.of("a", "b", "c"), values(out, "topic"));
  }

  /** 'should split a string into new-lines' ({@code {}}) */
  @Test
  void shouldSplitAStringIntoNewLines() {
    List<Map<?, ?>> out = split("{}", "{'payload':'Da\\nve\\n \\nCJ'}", 4);
    assertEquals(List.of("Da", "ve", " ", "CJ"), values(out, "payload"));
    assertEquals(List.of(4L, 4L, 4L, 4L), values(out, "parts", "count"));
    assertEquals(List.of("string", "string", "string", "string"), values(out, "parts", "type"));
  }

  /** 'should split a string on a specified char' ({@code splt: "\n"}) */
  @Test
  void shouldSplitAStringOnASpecifiedChar() {
    List<Map<?, ?>> out = split("{'delimiter':'\\n'}", "{'payload':'1\\n2\\n3'}", 3);
    assertEquals(List.of("1", "2", "3"), values(out, "payload"));
    assertEquals(List.of("\n", "\n", "\n"), values(out, "parts", "ch"));
    assertEquals(List.of(3L, 3L, 3L), values(out, "parts", "count"));
  }

  /** 'should split a string into lengths' ({@code splt: "2", spltType: "len"}) */
  @Test
  void shouldSplitAStringIntoLengths() {
    List<Map<?, ?>> out = split("{'chunkLength':2}", "{'payload':'12345678'}", 4);
    assertEquals(List.of("12", "34", "56", "78"), values(out, "payload"));
    assertEquals(List.of("", "", "", ""), values(out, "parts", "ch"));
    assertEquals(List.of(4L, 4L, 4L, 4L), values(out, "parts", "count"));
  }

  /** 'should ceil count value when msg.payload type is string' ({@code splt: "2", len}) */
  @Test
  void shouldCeilCountValueWhenPayloadIsAString() {
    List<Map<?, ?>> out = split("{'chunkLength':2}", "{'payload':'123'}", 2);
    assertEquals(List.of("12", "3"), values(out, "payload"));
    assertEquals(List.of(2L, 2L), values(out, "parts", "count"));
  }

  /**
   * 'should handle invalid array splt length' ({@code arraySplt: 0}): Node-RED's node fails to
   * start; ours is refused at deploy.
   */
  @Test
  void shouldRefuseAnArrayLengthOfZero() {
    assertThrows(
        RuntimeException.class,
        () ->
            harness.engine.deploy(
                chain(
                    "f",
                    node("in", "source"),
                    node("s", "split", q("{'arrayChunk':0}")),
                    node("out", "capture"))));
  }
}
