package dev.z8run.io.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class BodyBlocksTest {
  @Test
  void shouldReturnBlockToPoolOnLastReleaseAndReuseIt() {
    try (BodyBlocks blocks = new BodyBlocks(1 << 20)) {
      long block = blocks.allocate(100_000);
      assertEquals(100_000, BodyBlocks.bodyLength(block));
      BodyBlocks.retain(block);
      assertEquals(2, BodyBlocks.refCount(block));
      blocks.release(block);
      assertEquals(1, blocks.liveBlocks());
      blocks.release(block);
      assertEquals(0, blocks.liveBlocks());
      assertEquals(128 * 1024, blocks.pooledBytes());
      assertEquals(block, blocks.allocate(70_000), "same size class: the pooled block");
      assertEquals(0, blocks.pooledBytes());
    }
  }

  @Test
  void shouldFreeBlocksBeyondThePoolLimit() {
    try (BodyBlocks blocks = new BodyBlocks(0)) {
      long block = blocks.allocate(10);
      blocks.release(block);
      assertEquals(0, blocks.pooledBytes());
      assertEquals(0, blocks.liveBytes());
    }
  }

  @Test
  void shouldRefuseReleaseOfBlockWithoutReferences() {
    try (BodyBlocks blocks = new BodyBlocks(1 << 20)) {
      long block = blocks.allocate(10);
      blocks.release(block);
      assertThrows(IllegalStateException.class, () -> blocks.release(block));
    }
  }
}
