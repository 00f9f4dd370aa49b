package dev.z8run.io.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/** Blocks that read as zeroes, aligned as asked, and counted while reachable. */
class LazyZeroedMemoryTest {
  @Test
  void shouldGiveAlignedZeroedBlocks() {
    for (int round = 0; round < 50; round++) {
      // blocks freed and allocated again must still read as zeroes (calloc clears reused memory)
      UnsafeBuffer buffer = LazyZeroedMemory.allocate(1 << 20, 64);
      assertEquals(1 << 20, buffer.capacity());
      assertEquals(0, buffer.addressOffset() % 64);
      for (int i = 0; i < buffer.capacity(); i += 512) {
        assertEquals(0L, buffer.getLong(i), "byte " + i + " in round " + round);
      }
      buffer.setMemory(0, buffer.capacity(), (byte) 0x5a);
      UnsafeBuffer small = LazyZeroedMemory.allocate(200, 8);
      assertEquals(0, small.addressOffset() % 8);
      assertEquals(0L, small.getLong(192));
      small.putLong(0, -1L);
      assertTrue(LazyZeroedMemory.reserved() >= (1 << 20) + 200);
      System.gc();
    }
  }

  @Test
  void shouldReserveItsBlocksInTheJvmsDirectMemoryAccount() {
    // the test JVMs open java.nio, as the launcher does
    assertTrue(LazyZeroedMemory.inJvmAccount());
    BufferPoolMXBean direct =
        ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
            .filter(pool -> pool.getName().equals("direct"))
            .findFirst()
            .orElseThrow();
    long before = direct.getMemoryUsed();

    UnsafeBuffer block = LazyZeroedMemory.allocate(8 << 20, 64);

    // other tests' buffers may be freed meanwhile, but not 8 MiB of them in this one thread
    assertTrue(
        direct.getMemoryUsed() - before > (7 << 20),
        "the direct pool grew by " + (direct.getMemoryUsed() - before));
    assertEquals(8 << 20, block.capacity());
  }

  @Test
  void shouldRefuseABlockBeyondTheDirectMemoryLimit() {
    assumeTrue(LazyZeroedMemory.limit() < Integer.MAX_VALUE - 64, "a limit a block can pass");
    // the block and its alignment padding: 64 bytes over the limit
    int length = (int) LazyZeroedMemory.limit();
    OutOfMemoryError refused =
        assertThrows(OutOfMemoryError.class, () -> LazyZeroedMemory.allocate(length, 64));
    assertTrue(refused.getMessage().contains("direct buffer memory"), refused.getMessage());
  }
}
