package dev.z8run.api.ws.z8;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code ProtocolMessage} as z8run's {@code Z8Codec} writes it when not in debug mode: {@code
 * bincode::serialize} of bincode 1.3.3 (message.rs line 192, codec.rs line 46; version from z8run's
 * Cargo.lock), whose top-level functions use fixed-width integers, little endian, no size limit.
 * serde's data model then gives:
 *
 * <pre>
 *   enum variant      u32 index (declaration order, {@link Z8Variant}), then the fields in order
 *   bool              u8 0 or 1 (anything else is an error)
 *   u16 / u32 / u64   2 / 4 / 8 bytes little endian
 *   String            u64 byte count, UTF-8 bytes
 *   Uuid              serialize_bytes (uuid's serde impl, not human readable): u64 count = 16,
 *                     then the 16 bytes, most significant first
 *   Option&lt;T&gt;         u8 0 (None) or u8 1 then T
 *   serde_json::Value unit (nothing) / bool / u64, i64 or f64 (8 bytes) / str / seq (u64 count,
 *                     elements) / map (u64 count, key str and value per entry, keys in byte order:
 *                     serde_json's Map is a BTreeMap without "preserve_order")
 * </pre>
 *
 * For example {@code Authenticate { token: "ab" }} is {@code 02 00 00 00 | 02 00 00 00 00 00 00 00
 * | 61 62} and {@code Pong} is {@code 01 00 00 00}.
 *
 * <p>A {@code serde_json::Value} carries no type tags in bincode, so it cannot be read back:
 * bincode 1.3 refuses {@code deserialize_any}, which Value's Deserialize needs. The crate itself
 * cannot decode a bincode FlowCreate, FlowUpdate, DebugInspectResult or an {@code Ok} whose data is
 * Some. {@link #decode} refuses those variants (415); {@link #encode} writes them as serde would.
 *
 * <p>Decoding is bounded: every length is checked against the bytes that remain before anything is
 * allocated, and trailing bytes after the message are refused (bincode would ignore them; a client
 * of the crate never sends any, and a length that lies shows up as trailing bytes).
 */
public final class Z8Bincode {
  private static final int UUID_BYTES = 16;

  private Z8Bincode() {}

  /** Decodes one message from {@code length} bytes at {@code offset}; never throws on input. */
  public static Z8Decoded decode(byte[] bytes, int offset, int length) {
    Reader in = new Reader(bytes, offset, length);
    try {
      long index = in.u32();
      Z8Variant variant = Z8Variant.byIndex(index);
      if (variant == null) {
        return new Z8Refusal(
            400,
            "bincode variant index "
                + index
                + " is unknown: ProtocolMessage has "
                + Z8Variant.count()
                + " variants");
      }
      if (variant.carriesValue()) {
        return new Z8Refusal(
            415,
            variant.rustName()
                + " carries a serde_json::Value, which bincode cannot decode (not self-describing);"
                + " send it in z8run's debug JSON encoding");
      }
      Map<String, Object> fields = new LinkedHashMap<>();
      for (Z8Variant.Field field : variant.fields()) {
        fields.put(field.name(), in.field(variant, field));
      }
      if (in.remaining() != 0) {
        return new Z8Refusal(
            400, in.remaining() + " trailing bytes after a bincode " + variant.rustName());
      }
      return new Z8Message(variant, fields);
    } catch (Malformed malformed) {
      return new Z8Refusal(400, "malformed bincode ProtocolMessage: " + malformed.getMessage());
    }
  }

  /** The bincode bytes of {@code message}. */
  public static byte[] encode(Z8Message message) {
    Writer out = new Writer();
    out.u32(message.variant().ordinal());
    for (Z8Variant.Field field : message.variant().fields()) {
      Object value = message.get(field.name());
      switch (field.kind()) {
        case BOOL -> out.u8(Boolean.TRUE.equals(value) ? 1 : 0);
        case U16 -> out.le(((Number) value).longValue(), 2);
        case U32 -> out.le(((Number) value).longValue(), 4);
        case U64 -> out.le(((Number) value).longValue(), 8);
        case STRING -> out.str((String) value);
        case UUID -> out.uuid((UUID) value);
        case OPTION_UUID -> {
          out.u8(value == null ? 0 : 1);
          if (value != null) {
            out.uuid((UUID) value);
          }
        }
        case VALUE -> out.value(value, 0);
        case OPTION_VALUE -> {
          // a None and a Some(Value::Null) differ: the socket passes None as null
          out.u8(value == null ? 0 : 1);
          if (value != null) {
            out.value(value, 0);
          }
        }
      }
    }
    return out.toByteArray();
  }

  /** Thrown inside the reader only; {@link #decode} turns it into a refusal. */
  private static final class Malformed extends Exception {
    private static final long serialVersionUID = 1L;

    Malformed(String message) {
      super(message, null, false, false);
    }
  }

  private static final class Reader {
    private final byte[] bytes;
    private final int end;
    private int position;

    Reader(byte[] bytes, int offset, int length) {
      this.bytes = bytes;
      this.position = offset;
      this.end = offset + length;
    }

    int remaining() {
      return end - position;
    }

    private void need(long count, String what) throws Malformed {
      if (count > remaining()) {
        throw new Malformed(
            what + " needs " + count + " bytes but " + remaining() + " remain (truncated)");
      }
    }

    long le(int size, String what) throws Malformed {
      need(size, what);
      long value = 0;
      for (int i = 0; i < size; i++) {
        value |= (bytes[position + i] & 0xFFL) << (8 * i);
      }
      position += size;
      return value;
    }

    long u32() throws Malformed {
      return le(4, "variant index");
    }

    Object field(Z8Variant variant, Z8Variant.Field field) throws Malformed {
      String what = variant.rustName() + "." + field.name();
      return switch (field.kind()) {
        case BOOL -> bool(what);
        case U16 -> (int) le(2, what);
        case U32 -> (int) le(4, what);
        case U64 -> le(8, what);
        case STRING -> string(what);
        case UUID -> uuid(what);
        case OPTION_UUID -> tag(what) ? uuid(what) : null;
        case VALUE, OPTION_VALUE -> throw new Malformed(what + " is a serde_json::Value");
      };
    }

    boolean bool(String what) throws Malformed {
      int b = (int) le(1, what);
      if (b > 1) {
        throw new Malformed(what + ": bool byte " + b + " is neither 0 nor 1");
      }
      return b == 1;
    }

    boolean tag(String what) throws Malformed {
      int b = (int) le(1, what);
      if (b > 1) {
        throw new Malformed(what + ": Option tag " + b + " is neither 0 nor 1");
      }
      return b == 1;
    }

    /** A u64 byte count, checked against what remains before it is trusted. */
    int length(String what) throws Malformed {
      long count = le(8, what + " length");
      if (count < 0 || count > remaining()) {
        throw new Malformed(
            what
                + " length="
                + Long.toUnsignedString(count)
                + " exceeds the "
                + remaining()
                + " bytes that remain");
      }
      return (int) count;
    }

    String string(String what) throws Malformed {
      int count = length(what);
      try {
        String text =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes, position, count))
                .toString();
        position += count;
        return text;
      } catch (CharacterCodingException invalid) {
        throw new Malformed(what + " is not valid UTF-8");
      }
    }

    UUID uuid(String what) throws Malformed {
      int count = length(what);
      if (count != UUID_BYTES) {
        throw new Malformed(what + ": a Uuid is 16 bytes, got " + count);
      }
      long high = 0;
      long low = 0;
      for (int i = 0; i < 8; i++) {
        high = (high << 8) | (bytes[position + i] & 0xFF);
        low = (low << 8) | (bytes[position + 8 + i] & 0xFF);
      }
      position += UUID_BYTES;
      return new UUID(high, low);
    }
  }

  private static final class Writer {
    private byte[] bytes = new byte[64];
    private int length;

    private void ensure(int more) {
      if (length + more > bytes.length) {
        bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more));
      }
    }

    void u8(int value) {
      ensure(1);
      bytes[length++] = (byte) value;
    }

    void le(long value, int size) {
      ensure(size);
      for (int i = 0; i < size; i++) {
        bytes[length++] = (byte) (value >>> (8 * i));
      }
    }

    void u32(long value) {
      le(value, 4);
    }

    void raw(byte[] data) {
      ensure(data.length);
      System.arraycopy(data, 0, bytes, length, data.length);
      length += data.length;
    }

    void str(String text) {
      byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
      le(utf8.length, 8);
      raw(utf8);
    }

    void uuid(UUID id) {
      le(UUID_BYTES, 8);
      long high = id.getMostSignificantBits();
      long low = id.getLeastSignificantBits();
      ensure(UUID_BYTES);
      for (int i = 7; i >= 0; i--) {
        bytes[length++] = (byte) (high >>> (8 * i));
      }
      for (int i = 7; i >= 0; i--) {
        bytes[length++] = (byte) (low >>> (8 * i));
      }
    }

    /** serde_json::Value's Serialize (serde_json/src/value/ser.rs) into bincode. */
    void value(Object value, int depth) {
      if (depth > dev.z8run.io.json.JsonCodec.MAX_DEPTH) {
        throw new IllegalArgumentException("value nests deeper than the JSON codec allows");
      }
      switch (value) {
        case null -> {} // Value::Null: serialize_unit, no bytes
        case Boolean b -> u8(b ? 1 : 0);
        case String s -> str(s);
        case Double d -> le(Double.doubleToRawLongBits(d), 8);
        case Float f -> le(Double.doubleToRawLongBits(f.doubleValue()), 8);
        case BigDecimal d -> le(Double.doubleToRawLongBits(d.doubleValue()), 8);
        case BigInteger i -> {
          // serde_json reads an integer above u64::MAX as a float
          if (i.signum() >= 0 && i.bitLength() <= 64) {
            le(i.longValue(), 8);
          } else if (i.bitLength() <= 63) {
            le(i.longValue(), 8);
          } else {
            le(Double.doubleToRawLongBits(i.doubleValue()), 8);
          }
        }
        case Number n -> le(n.longValue(), 8); // PosInt as u64, NegInt as i64: same 8 bytes
        case List<?> list -> {
          le(list.size(), 8);
          for (Object element : list) {
            value(element, depth + 1);
          }
        }
        case Map<?, ?> map -> {
          List<Map.Entry<byte[], Object>> entries = new ArrayList<>(map.size());
          map.forEach(
              (key, entry) ->
                  entries.add(
                      new AbstractMap.SimpleImmutableEntry<>(
                          String.valueOf(key).getBytes(StandardCharsets.UTF_8), entry)));
          entries.sort((a, b) -> Arrays.compareUnsigned(a.getKey(), b.getKey()));
          le(entries.size(), 8);
          for (Map.Entry<byte[], Object> entry : entries) {
            le(entry.getKey().length, 8);
            raw(entry.getKey());
            value(entry.getValue(), depth + 1);
          }
        }
        default ->
            throw new IllegalArgumentException(
                "not a JSON value: " + value.getClass().getSimpleName());
      }
    }

    byte[] toByteArray() {
      return Arrays.copyOf(bytes, length);
    }
  }
}
