package dev.z8run.api.ws.z8;

import dev.z8run.io.json.JsonCodec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code ProtocolMessage} as z8run's {@code Z8Codec} writes it in debug mode: {@code
 * serde_json::to_vec} (codec.rs line 44) of the enum, which is {@code #[serde(tag = "type", content
 * = "data")]} (message.rs line 99), so adjacently tagged:
 *
 * <pre>
 *   {"type":"Authenticate","data":{"token":"..."}}     a struct variant
 *   {"type":"Pong"}                                     a unit variant (no "data")
 * </pre>
 *
 * A Uuid is its lowercase hyphenated string (uuid's serde impl, human readable), an Option's None
 * is {@code null}, integers are JSON numbers. Reading follows serde's derive: a unit variant may
 * carry {@code "data":null}; a struct variant's unknown fields are ignored, a missing Option field
 * is None, any other missing field is refused; a Uuid is read in the forms {@code Uuid::parse_str}
 * takes that matter here (hyphenated, 32 hex digits, {@code urn:uuid:}, braced).
 */
public final class Z8DebugJson {
  private static final Pattern UUID_TEXT =
      Pattern.compile(
          "(?i)(?:urn:uuid:)?\\{?([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})\\}?");

  private Z8DebugJson() {}

  /**
   * Whether a parsed JSON object is in this encoding: an object whose keys are {@code "type"} and
   * at most {@code "data"}, {@code "type"} naming a {@link Z8Variant}. No request object of this
   * server's own protocol has that shape.
   */
  public static boolean looksLikeOne(Map<?, ?> object) {
    if (!(object.get("type") instanceof String type) || Z8Variant.byRustName(type) == null) {
      return false;
    }
    for (Object key : object.keySet()) {
      if (!"type".equals(key) && !"data".equals(key)) {
        return false;
      }
    }
    return true;
  }

  /** Decodes an already parsed JSON object; never throws on input. */
  public static Z8Decoded decode(Map<?, ?> object) {
    if (!looksLikeOne(object)) {
      return new Z8Refusal(
          400,
          "expected z8run's debug JSON {\"type\":\"<ProtocolMessage variant>\",\"data\":{...}},"
              + " got keys "
              + object.keySet());
    }
    Z8Variant variant = Z8Variant.byRustName((String) object.get("type"));
    Object data = object.get("data");
    if (variant.fields().isEmpty()) {
      return data == null
          ? new Z8Message(variant, Map.of())
          : new Z8Refusal(400, variant.rustName() + " is a unit variant: data must be absent");
    }
    if (!(data instanceof Map<?, ?> fields)) {
      return new Z8Refusal(
          400, variant.rustName() + ".data: expected an object, got " + JsonCodec.describe(data));
    }
    Map<String, Object> read = new LinkedHashMap<>();
    for (Z8Variant.Field field : variant.fields()) {
      String what = variant.rustName() + "." + field.name();
      Object value = fields.get(field.name());
      boolean optional =
          field.kind() == Z8Variant.Kind.OPTION_UUID || field.kind() == Z8Variant.Kind.OPTION_VALUE;
      if (!fields.containsKey(field.name()) && !optional) {
        return new Z8Refusal(400, what + " is missing");
      }
      Object converted = convert(field.kind(), value);
      if (converted == INVALID) {
        return new Z8Refusal(
            400, what + ": not a " + field.kind() + ", got " + JsonCodec.describe(value));
      }
      read.put(field.name(), converted);
    }
    return new Z8Message(variant, read);
  }

  private static final Object INVALID = new Object();

  private static Object convert(Z8Variant.Kind kind, Object value) {
    return switch (kind) {
      case BOOL -> value instanceof Boolean ? value : INVALID;
      case U16 -> unsigned(value, 0xFFFFL);
      case U32 -> unsigned(value, 0xFFFF_FFFFL);
      case U64 -> unsigned(value, Long.MAX_VALUE);
      case STRING -> value instanceof String ? value : INVALID;
      case UUID -> uuid(value);
      case OPTION_UUID -> value == null ? null : uuid(value);
      case VALUE, OPTION_VALUE -> value;
    };
  }

  private static Object unsigned(Object value, long max) {
    if (value instanceof Long number && number >= 0 && number <= max) {
      return max == Long.MAX_VALUE ? (Object) number : (Object) number.intValue();
    }
    return INVALID;
  }

  private static Object uuid(Object value) {
    if (!(value instanceof String text)) {
      return INVALID;
    }
    var match = UUID_TEXT.matcher(text);
    if (!match.matches()) {
      return INVALID;
    }
    boolean braced = text.contains("{");
    if (braced != text.endsWith("}")) {
      return INVALID;
    }
    String hex = match.group(1) + match.group(2) + match.group(3) + match.group(4) + match.group(5);
    return new UUID(
        Long.parseUnsignedLong(hex.substring(0, 16), 16),
        Long.parseUnsignedLong(hex.substring(16), 16));
  }

  /** The JSON bytes serde_json writes for {@code message} (field order as declared). */
  public static byte[] encode(Z8Message message) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("type", message.variant().rustName());
    if (!message.variant().fields().isEmpty()) {
      Map<String, Object> data = new LinkedHashMap<>();
      for (Z8Variant.Field field : message.variant().fields()) {
        Object value = message.get(field.name());
        if (value instanceof UUID id) {
          value = id.toString();
        } else if (value instanceof Integer number) {
          value = Integer.toUnsignedLong(number); // u16, u32: Java ints read unsigned
        }
        data.put(field.name(), value);
      }
      out.put("data", data);
    }
    return JsonCodec.write(out);
  }
}
