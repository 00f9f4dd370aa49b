package dev.z8run.api.ws;

import dev.z8run.api.ws.z8.Z8DebugJson;
import dev.z8run.api.ws.z8.Z8Encoding;
import dev.z8run.io.json.JsonCodec;
import java.util.Map;

/**
 * The payload encoding a connection speaks, told by its first payload-bearing frame
 * (docs/protocol.md, "z8run's codec"):
 *
 * <ol>
 *   <li>first byte that is not JSON whitespace is '{' and the object is exactly {@code "type"} (a
 *       {@code ProtocolMessage} variant name) plus at most {@code "data"}: z8run's debug JSON;
 *   <li>another JSON object: this server's own JSON ({@link #OURS});
 *   <li>at least 4 bytes, a little-endian u32 below 22 (bytes 1-3 zero): z8run's bincode;
 *   <li>anything else: no decision; the frame is handled as this server's JSON (and refused as
 *       such), the next frame decides.
 * </ol>
 *
 * The encoding is fixed only when that first payload decodes; an empty payload decides nothing.
 */
enum PayloadEncoding {
  OURS(null),
  Z8_BINCODE(Z8Encoding.BINCODE),
  Z8_DEBUG_JSON(Z8Encoding.DEBUG_JSON);

  private final Z8Encoding z8;

  PayloadEncoding(Z8Encoding z8) {
    this.z8 = z8;
  }

  /** z8run's encoding, or null for this server's JSON. */
  Z8Encoding z8() {
    return z8;
  }

  /** The encoding {@code length > 0} payload bytes are in, or null when they say nothing. */
  static PayloadEncoding detect(byte[] bytes, int offset, int length) {
    int first = offset;
    int end = offset + length;
    while (first < end && isJsonWhitespace(bytes[first])) {
      first++;
    }
    if (first < end && bytes[first] == '{') {
      Object parsed;
      try {
        parsed = JsonCodec.parse(bytes, offset, length);
      } catch (RuntimeException malformed) {
        return null;
      }
      if (parsed instanceof Map<?, ?> object) {
        return Z8DebugJson.looksLikeOne(object) ? Z8_DEBUG_JSON : OURS;
      }
      return null;
    }
    return Z8Encoding.looksLikeBincode(bytes, offset, length) ? Z8_BINCODE : null;
  }

  private static boolean isJsonWhitespace(byte b) {
    return b == ' ' || b == '\t' || b == '\n' || b == '\r';
  }
}
