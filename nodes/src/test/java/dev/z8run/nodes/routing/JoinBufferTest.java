package dev.z8run.nodes.routing;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.FlowHarness;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code join} of Buffers, from Node-RED's join spec ({@code
 * test/nodes/core/sequence/17-split_spec.js}): source "in" -> function "toBuffer" (a string payload
 * becomes a Buffer, a binary payload here) -> join "j" -> capture "out".
 */
class JoinBufferTest {
  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private void deploy(String joinConfig, boolean toBuffer) {
    String func =
        toBuffer
            ? "msg.payload = Buffer.from(msg.payload); if (msg.parts && msg.parts.ch !== undefined"
                + " && msg.chIsBuffer) { msg.parts.ch = Buffer.from(msg.parts.ch); } return msg;"
            : "return msg;";
    harness.engine.deploy(
        chain(
            "f",
            node("in", "source"),
            node("toBuffer", "function", JsonCodec.writeString(Map.of("func", func))),
            node("j", "join", joinConfig),
            node("out", "capture")));
  }

  private void part(String payload, int index, int count, String type, String ch) {
    String chField = ch == null ? "" : ",\"ch\":\"" + ch + "\"";
    harness.inject(
        "f",
        "in",
        "{\"payload\":\""
            + payload
            + "\",\"chIsBuffer\":true,\"parts\":{\"id\":1,\"type\":\""
            + type
            + "\",\"index\":"
            + index
            + ",\"count\":"
            + count
            + chField
            + "}}");
  }

  private String binaryOut() {
    FlowHarness.Captured out = harness.awaitCaptured("out", 1).get(0);
    assertFalse(((Map<?, ?>) out.parsed()).containsKey("payload"), "the payload is binary");
    return new String(out.binary(), StandardCharsets.UTF_8);
  }

  @Test
  void shouldJoinBitsOfBufferBackTogetherAutomatically() {
    // "should join bits of buffer back together automatically": ch Buffer.from("-")
    deploy("{\"mode\":\"auto\",\"joiner\":\",\",\"build\":\"buffer\"}", true);
    for (int i = 0; i < 4; i++) {
      part(String.valueOf((char) ('A' + i)), i, 4, "buffer", "-");
    }
    assertEquals("A-B-C-D", binaryOut());
  }

  @Test
  void shouldConcatBuffersWhenTheSequenceHasNoJoinChar() {
    deploy("{\"mode\":\"auto\",\"joiner\":\",\",\"build\":\"buffer\"}", true);
    for (int i = 0; i < 3; i++) {
      part(String.valueOf((char) ('A' + i)), i, 3, "buffer", null);
    }
    assertEquals("ABC", binaryOut());
  }

  @Test
  void shouldJoinBufferPartsOfAStringSequenceWithABufferJoinChar() {
    // "should concat payload when group.type is string and group.joinChar is not string"
    deploy("{\"mode\":\"auto\",\"joiner\":\",\",\"build\":\"buffer\"}", true);
    for (int i = 0; i < 3; i++) {
      part(String.valueOf((char) ('A' + i)), i, 3, "string", "0");
    }
    assertEquals(
        "A0B0C", ((Map<?, ?>) harness.awaitCaptured("out", 1).get(0).parsed()).get("payload"));
  }

  @Test
  void shouldJoinStringsIntoABufferAfterACount() {
    // "should join strings into a buffer after a count": joinerType bin, joiner ""
    deploy(
        "{\"mode\":\"custom\",\"count\":2,\"build\":\"buffer\",\"joinerType\":\"bin\","
            + "\"joiner\":\"\"}",
        false);
    harness.inject("f", "in", "{\"payload\":\"hello\"}");
    harness.inject("f", "in", "{\"payload\":\"world\"}");
    assertEquals("helloworld", binaryOut());
  }

  @Test
  void shouldJoinBuffersWithABinaryJoinerAfterACount() {
    deploy(
        "{\"mode\":\"custom\",\"count\":3,\"build\":\"buffer\",\"joinerType\":\"bin\","
            + "\"joiner\":\"[44, 32]\"}",
        true);
    harness.inject("f", "in", "{\"payload\":\"a\"}");
    harness.inject("f", "in", "{\"payload\":\"b\"}");
    harness.inject("f", "in", "{\"payload\":\"c\"}");
    assertEquals("a, b, c", binaryOut());
  }
}
