package dev.z8run.api.ws.z8;

import dev.z8run.io.json.JsonCodec;
import java.util.Map;

/** The two payload encodings of z8run's {@code Z8Codec} (its {@code debug_mode} off and on). */
public enum Z8Encoding {
  /** {@code bincode::serialize}: see {@link Z8Bincode}. */
  BINCODE,
  /** {@code serde_json::to_vec}, adjacently tagged: see {@link Z8DebugJson}. */
  DEBUG_JSON;

  /** Decodes one payload; never throws on input. */
  public Z8Decoded decode(byte[] bytes, int offset, int length) {
    if (this == BINCODE) {
      return Z8Bincode.decode(bytes, offset, length);
    }
    Object parsed;
    try {
      parsed = JsonCodec.parse(bytes, offset, length);
    } catch (RuntimeException malformed) {
      return new Z8Refusal(400, "payload is not valid JSON: " + malformed.getMessage());
    }
    if (!(parsed instanceof Map<?, ?> object)) {
      return new Z8Refusal(
          400, "payload: expected a JSON object, got " + JsonCodec.describe(parsed));
    }
    return Z8DebugJson.decode(object);
  }

  public byte[] encode(Z8Message message) {
    return this == BINCODE ? Z8Bincode.encode(message) : Z8DebugJson.encode(message);
  }

  /**
   * Whether a payload can only be bincode of a {@code ProtocolMessage}: at least 4 bytes whose
   * little-endian u32 is a variant index (0 to 21, so bytes 1 to 3 are zero). A JSON payload starts
   * with '{' or whitespace, never with such bytes.
   */
  public static boolean looksLikeBincode(byte[] bytes, int offset, int length) {
    return length >= 4
        && (bytes[offset] & 0xFF) < Z8Variant.count()
        && bytes[offset + 1] == 0
        && bytes[offset + 2] == 0
        && bytes[offset + 3] == 0;
  }
}
