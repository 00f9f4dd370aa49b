package dev.z8run.api.hook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PendingRepliesTest {
  private final PendingReplies pending = new PendingReplies();

  @Test
  void shouldFindAWaiterByItsRefUntilItIsRemoved() {
    PendingReplies.Waiter<String> waiter = new PendingReplies.Waiter<>();
    long ref = pending.add(waiter, 7);
    assertNotEquals(0, ref);
    assertEquals(ref, waiter.ref);
    assertSame(waiter, pending.find(ref));
    assertEquals(1, pending.size());
    pending.remove(waiter);
    assertNull(pending.find(ref));
    assertEquals(0, pending.size());
  }

  @Test
  void shouldGiveASlotANewRefEachTimeItIsClaimedSoALateAnswerIsIgnored() {
    PendingReplies.Waiter<String> first = new PendingReplies.Waiter<>();
    long firstRef = pending.add(first, 7);
    pending.remove(first); // timed out; its answer may still come
    PendingReplies.Waiter<String> second = new PendingReplies.Waiter<>();
    long secondRef = pending.add(second, 7);
    assertNotEquals(firstRef, secondRef);
    assertNull(pending.find(firstRef));
    assertSame(second, pending.find(secondRef));
  }

  @Test
  void shouldWaitInTheOverflowMapWhenTheProbedSlotsAreTaken() {
    List<PendingReplies.Waiter<String>> waiters = new ArrayList<>();
    Set<Long> refs = new HashSet<>();
    for (int i = 0; i < PendingReplies.PROBES + 3; i++) { // one hint: the same slots each time
      PendingReplies.Waiter<String> waiter = new PendingReplies.Waiter<>();
      waiters.add(waiter);
      assertTrue(refs.add(pending.add(waiter, 42)));
    }
    assertEquals(waiters.size(), pending.size());
    for (PendingReplies.Waiter<String> waiter : waiters) {
      assertSame(waiter, pending.find(waiter.ref));
    }
    List<PendingReplies.Waiter<?>> seen = new ArrayList<>();
    pending.forEach(seen::add);
    assertEquals(waiters.size(), seen.size());
    waiters.forEach(pending::remove);
    assertEquals(0, pending.size());
    for (long ref : refs) {
      assertNull(pending.find(ref));
    }
  }

  @Test
  void shouldNeverFindAnotherThreadsWaiterUnderManyConcurrentRequests() throws Exception {
    int threads = 8;
    int rounds = 20_000;
    AtomicLong wrong = new AtomicLong();
    List<Thread> running = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      long hint = t % 3; // some threads share a starting slot
      running.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    for (int i = 0; i < rounds; i++) {
                      PendingReplies.Waiter<String> waiter = new PendingReplies.Waiter<>();
                      long ref = pending.add(waiter, hint);
                      if (pending.find(ref) != waiter) {
                        wrong.incrementAndGet();
                      }
                      pending.remove(waiter);
                      if (pending.find(ref) != null) {
                        wrong.incrementAndGet();
                      }
                    }
                  }));
    }
    for (Thread thread : running) {
      thread.join();
    }
    assertEquals(0, wrong.get());
    assertEquals(0, pending.size());
  }
}
