package dev.z8run.api.ws;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The detection rules of docs/protocol.md, "How the server tells the encodings apart". */
class PayloadEncodingTest {
  private static PayloadEncoding detect(String json) {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    return PayloadEncoding.detect(bytes, 0, bytes.length);
  }

  private static PayloadEncoding detectHex(String hex) {
    byte[] bytes = HexFormat.of().parseHex(hex);
    return PayloadEncoding.detect(bytes, 0, bytes.length);
  }

  @Test
  void shouldTakeThisServersRequestsAsItsOwnJson() {
    assertEquals(PayloadEncoding.OURS, detect("{\"versions\":[1]}"));
    assertEquals(PayloadEncoding.OURS, detect("{\"token\":\"eyJ\"}"));
    assertEquals(PayloadEncoding.OURS, detect("{\"flow_id\":\"f1\"}"));
    assertEquals(PayloadEncoding.OURS, detect("{}"));
    // "type" that is no ProtocolMessage variant, or more keys than type and data
    assertEquals(PayloadEncoding.OURS, detect("{\"type\":\"inject\"}"));
    assertEquals(PayloadEncoding.OURS, detect("{\"type\":\"Ping\",\"id\":\"x\"}"));
  }

  @Test
  void shouldTakeTypeAndDataNamingAVariantAsZ8runsDebugJson() {
    assertEquals(PayloadEncoding.Z8_DEBUG_JSON, detect("{\"type\":\"Ping\"}"));
    assertEquals(PayloadEncoding.Z8_DEBUG_JSON, detect(" {\"type\":\"FlowList\",\"data\":null}"));
    assertEquals(
        PayloadEncoding.Z8_DEBUG_JSON,
        detect("{\"type\":\"Authenticate\",\"data\":{\"token\":\"t\"}}"));
  }

  @Test
  void shouldTakeAVariantIndexAsBincodeAndDecideNothingOnTheRest() {
    assertEquals(PayloadEncoding.Z8_BINCODE, detectHex("00000000"));
    assertEquals(PayloadEncoding.Z8_BINCODE, detectHex("15000000"));
    assertNull(detectHex("16000000"), "index 22: no variant");
    assertNull(detectHex("090000"), "fewer than 4 bytes");
    assertNull(detect("[1]"));
    assertNull(detect("{not json"));
  }
}
