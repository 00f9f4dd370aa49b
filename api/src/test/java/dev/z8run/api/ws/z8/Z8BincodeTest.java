package dev.z8run.api.ws.z8;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * z8run's bincode: byte vectors derived by hand from crates/z8run-protocol/src/message.rs (the
 * enum's order, lines 100-187) and bincode 1.3's fixint little-endian encoding; round trips of
 * every variant bincode can read back; and hostile bytes, which give a refusal, never an exception.
 */
class Z8BincodeTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final UUID ID = UUID.fromString("00112233-4455-6677-8899-aabbccddeeff");

  @Test
  void shouldWriteErrorAsTheCrateDoes() {
    // Error { correlation_id: 7, code: 404, message: "no" }: variant 21, u32, u16, u64 len, bytes
    byte[] bytes =
        Z8Bincode.encode(
            Z8Message.of(Z8Variant.ERROR, "correlation_id", 7, "code", 404, "message", "no"));
    assertEquals(
        "15000000" + "07000000" + "9401" + "0200000000000000" + "6e6f", HEX.formatHex(bytes));
  }

  @Test
  void shouldWriteAValueAsSerdeJsonSerializesIt() {
    // Ok { correlation_id: 1, data: Some({"b":[true,null],"a":-1,"c":1.5}) }: keys sorted
    // (BTreeMap),
    // null writes nothing, -1 as i64, 1.5 as f64
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("b", Arrays.asList(true, null));
    data.put("a", -1L);
    data.put("c", 1.5);
    byte[] bytes = Z8Bincode.encode(Z8Message.of(Z8Variant.OK, "correlation_id", 1, "data", data));
    assertEquals(
        "14000000"
            + "01000000"
            + "01"
            + "0300000000000000"
            + "0100000000000000"
            + "61"
            + "ffffffffffffffff"
            + "0100000000000000"
            + "62"
            + "0200000000000000"
            + "01"
            + "0100000000000000"
            + "63"
            + "000000000000f83f",
        HEX.formatHex(bytes));
  }

  @Test
  void shouldRoundTripEveryVariantWithoutAValue() {
    for (Z8Variant variant : Z8Variant.values()) {
      if (variant.carriesValue()) {
        continue;
      }
      Object[] fields = new Object[variant.fields().size() * 2];
      for (int i = 0; i < variant.fields().size(); i++) {
        Z8Variant.Field field = variant.fields().get(i);
        fields[2 * i] = field.name();
        fields[2 * i + 1] =
            switch (field.kind()) {
              case BOOL -> true;
              case U16 -> 65535;
              case U32 -> 123456;
              case U64 -> 1L << 40;
              case STRING -> "héllo";
              case UUID, OPTION_UUID -> ID;
              case VALUE, OPTION_VALUE -> throw new AssertionError();
            };
      }
      Z8Message message = Z8Message.of(variant, fields);
      byte[] bytes = Z8Bincode.encode(message);
      assertEquals(variant.ordinal(), bytes[0], variant.rustName());
      assertEquals(message, Z8Bincode.decode(bytes, 0, bytes.length), variant.rustName());
      assertEquals(
          message,
          Z8Encoding.DEBUG_JSON.decode(
              Z8DebugJson.encode(message), 0, Z8DebugJson.encode(message).length),
          variant.rustName());
    }
  }

  @Test
  void shouldRefuseLyingLengthsWithoutAllocatingThem() {
    byte[] huge = HEX.parseHex("02000000" + "ffffffffffffff7f" + "61");
    Z8Refusal refusal = assertInstanceOf(Z8Refusal.class, Z8Bincode.decode(huge, 0, huge.length));
    assertEquals(400, refusal.code());
    assertTrue(refusal.reason().contains("exceeds the 1 bytes that remain"), refusal.reason());
    byte[] valueInBincode = HEX.parseHex("04000000" + "00");
    assertEquals(415, ((Z8Refusal) Z8Bincode.decode(valueInBincode, 0, 2 + 3)).code());
  }

  @Test
  void shouldNeverThrowOnHostileBytes() {
    Random random = new Random(19);
    List<byte[]> seeds =
        List.of(
            Z8Bincode.encode(Z8Message.of(Z8Variant.AUTHENTICATE, "token", "abc")),
            Z8Bincode.encode(Z8Message.of(Z8Variant.FLOW_GET, "flow_id", ID)),
            Z8Bincode.encode(Z8Message.of(Z8Variant.AUTH_RESULT, "success", true, "user_id", ID)));
    for (int i = 0; i < 200_000; i++) {
      byte[] bytes = seeds.get(i % seeds.size()).clone();
      int length = random.nextInt(bytes.length + 1);
      for (int flips = random.nextInt(4); flips > 0; flips--) {
        bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
      }
      Z8Decoded decoded = Z8Bincode.decode(bytes, 0, length);
      assertTrue(decoded instanceof Z8Message || decoded instanceof Z8Refusal);
    }
  }
}
