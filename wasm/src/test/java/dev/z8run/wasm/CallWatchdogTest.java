package dev.z8run.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The watchdog's interrupts, on a thread that runs past its deadline. */
class CallWatchdogTest {
  /**
   * A call whose first interrupt is consumed before its loop sees it (a library that clears the
   * flag) is interrupted again: it cannot keep its thread past the deadline.
   */
  @Test
  void shouldInterruptAgainACallThatSwallowedItsFirstInterrupt() throws Exception {
    CallWatchdog.Slot slot = new CallWatchdog.Slot();
    AtomicInteger seen = new AtomicInteger();
    AtomicBoolean expired = new AtomicBoolean();
    CompletableFuture<Void> done = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              slot.begin(20);
              // a runaway call that swallows the first interrupt and stops at the second (or,
              // without one, after 5 s, so that a failing run does not keep a carrier busy)
              long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
              while (seen.get() < 2 && System.nanoTime() < giveUp) {
                if (Thread.interrupted()) {
                  seen.incrementAndGet();
                }
                Thread.onSpinWait();
              }
              expired.set(slot.end());
              done.complete(null);
            });
    done.get(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
    assertEquals(2, seen.get(), "interrupted again after the first was swallowed");
    assertTrue(expired.get(), "the call ran out of time");
  }

  /** A call that ends in time is never interrupted, not even by a timer that fires late. */
  @Test
  void shouldNotInterruptTheThreadAfterItsCallEnded() throws Exception {
    CallWatchdog.Slot slot = new CallWatchdog.Slot();
    slot.begin(30);
    boolean expired = slot.end();
    Thread.sleep(30 + 3 * CallWatchdog.REPEAT_MS);
    assertFalse(expired);
    assertFalse(Thread.interrupted(), "no interrupt after the call ended");
  }
}
