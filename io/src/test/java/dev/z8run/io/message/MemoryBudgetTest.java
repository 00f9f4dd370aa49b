package dev.z8run.io.message;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MemoryBudgetTest {
  private static final long MIB = 1024 * 1024;

  @Test
  void shouldHoldAnAccountToItsShareAndAllToTheBudget() {
    MemoryBudget budget = new MemoryBudget(10 * MIB, 6 * MIB);
    MemoryBudget.Account mallory = budget.account("mallory", false);
    MemoryBudget.Account bob = budget.account("bob", false);

    assertTrue(mallory.tryReserve(6 * MIB));
    assertFalse(mallory.tryReserve(1), "past the share");
    assertTrue(bob.tryReserve(4 * MIB));
    assertFalse(bob.tryReserve(1), "past the budget, though within bob's share");

    assertEquals(6 * MIB, mallory.reservedBytes());
    assertEquals(10 * MIB, budget.reservedBytes());
    assertTrue(mallory.refusal("x", 1).contains("owner 'mallory' past its share"));
    assertTrue(bob.refusal("x", 1).contains("past its off-heap memory budget"));
    mallory.release(6 * MIB);
    bob.release(4 * MIB);
    assertEquals(0, budget.reservedBytes());
  }

  @Test
  void shouldLimitAnExemptAccountByTheBudgetOnly() {
    MemoryBudget budget = new MemoryBudget(10 * MIB, 2 * MIB);
    MemoryBudget.Account admin = budget.account("admin", true);

    assertTrue(admin.tryReserve(10 * MIB));
    assertEquals(10 * MIB, admin.limitBytes());
    assertSame(admin, budget.account("admin", false));
    assertEquals(2 * MIB, admin.limitBytes(), "the role is read again at every call");
  }

  @Test
  void shouldCountBlocksInTheirAccountUntilTheLastRelease() {
    MemoryBudget budget = new MemoryBudget(4 * MIB, 4 * MIB);
    MemoryBudget.Account owner = budget.account("o", false);
    try (BodyBlocks blocks = new BodyBlocks(0, budget)) {
      long first = blocks.allocate(600 * 1024, owner); // a 1 MiB block
      BodyBlocks.retain(first);
      long second = blocks.tryAllocate(2 * 1024 * 1024, owner); // 4 MiB: no room
      assertEquals(0, second);
      assertEquals(MIB, owner.blockBytes());
      MemoryBudget.ExceededException refused =
          assertThrows(
              MemoryBudget.ExceededException.class, () -> blocks.allocate(2 * 1024 * 1024, owner));
      assertTrue(refused.getMessage().contains("a message body of 2.0 MiB"), refused.getMessage());

      blocks.release(first);
      assertEquals(MIB, owner.blockBytes(), "one reference left");
      blocks.release(first);
      assertEquals(0, owner.blockBytes());
      assertEquals(0, budget.reservedBytes());
      assertEquals(0, blocks.liveBlocks());
    }
  }

  @Test
  void shouldStayBalancedUnderManyThreadsReservingAndReleasing() throws Exception {
    MemoryBudget budget = new MemoryBudget(64 * MIB, 16 * MIB);
    int threads = 8;
    CountDownLatch go = new CountDownLatch(1);
    AtomicLong refused = new AtomicLong();
    AtomicLong overdrawn = new AtomicLong();
    List<Thread> running = new ArrayList<>();
    try (BodyBlocks blocks = new BodyBlocks(8 * MIB, budget)) {
      for (int t = 0; t < threads; t++) {
        MemoryBudget.Account account = budget.account("o" + (t % 4), t % 4 == 0);
        running.add(
            Thread.ofPlatform()
                .start(
                    () -> {
                      try {
                        go.await();
                      } catch (InterruptedException e) {
                        return;
                      }
                      long[] held = new long[16];
                      for (int i = 0; i < 20_000; i++) {
                        int slot = i & 15;
                        if (held[slot] != 0) {
                          blocks.release(held[slot]);
                          held[slot] = 0;
                        }
                        long block = blocks.tryAllocate(200_000 + (i % 7) * 150_000, account);
                        if (block == 0) {
                          refused.incrementAndGet();
                        } else {
                          held[slot] = block;
                        }
                        if (budget.reservedBytes() > 64 * MIB
                            || account.reservedBytes() > account.limitBytes()) {
                          overdrawn.incrementAndGet();
                        }
                      }
                      for (long block : held) {
                        if (block != 0) {
                          blocks.release(block);
                        }
                      }
                    }));
      }
      go.countDown();
      for (Thread thread : running) {
        thread.join();
      }
      assertEquals(0, overdrawn.get(), "seen past a limit");
      assertTrue(refused.get() > 0, "the test reached the limits");
      assertEquals(0, budget.reservedBytes());
      for (MemoryBudget.Account account : budget.accounts()) {
        assertEquals(0, account.reservedBytes(), account.owner());
        assertEquals(0, account.blockBytes(), account.owner());
      }
      assertEquals(0, blocks.liveBlocks());
    }
  }
}
