package dev.z8run.perf.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.z8run.io.json.FieldIndex;
import java.nio.charset.StandardCharsets;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** The field index the feeder writes beside each message is the one a scan of it builds. */
class HarnessFeederTest {
  @Test
  void shouldWriteTheIndexAScanOfTheMessageBuilds() {
    for (long n : new long[] {0, 7, 42, 123_456, Long.MAX_VALUE}) {
      byte[] json = ("{\"payload\":{\"n\":" + n + "}}").getBytes(StandardCharsets.UTF_8);
      UnsafeBuffer written = new UnsafeBuffer(new byte[FieldIndex.MAX_INDEX_BYTES]);
      UnsafeBuffer scanned = new UnsafeBuffer(new byte[FieldIndex.MAX_INDEX_BYTES]);
      int length = Harness.Feeder.writeIndex(json.length, written);
      assertEquals(
          FieldIndex.build(new UnsafeBuffer(json), 0, json.length, scanned, 0), length, "n=" + n);
      for (int i = 0; i < length; i += Integer.BYTES) {
        assertEquals(scanned.getInt(i), written.getInt(i), "n=" + n + " index byte " + i);
      }
    }
  }
}
