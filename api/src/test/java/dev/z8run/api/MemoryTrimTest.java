package dev.z8run.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class MemoryTrimTest {
  /**
   * A server under load collects its young generation many times a second: the start-up full
   * collection must not run then (it stops every request and, with the Serial collector, moves each
   * open connection's read buffer into the old generation, where Helidon's reader chain then drags
   * every later request's buffer after it).
   */
  @Test
  void shouldNotCollectWhileTheHeapIsBusy() throws InterruptedException {
    AtomicLong collections = new AtomicLong();
    AtomicInteger collected = new AtomicInteger();
    AtomicLong slept = new AtomicLong();

    boolean ran =
        MemoryTrim.collectWhenQuiet(
            collections::get,
            millis -> {
              slept.addAndGet(millis);
              collections.addAndGet(50); // a loaded second: ~50 young collections
            },
            collected::incrementAndGet,
            5);

    assertFalse(ran);
    assertEquals(0, collected.get());
    assertEquals(5 * MemoryTrim.QUIET_MS, slept.get());
  }

  @Test
  void shouldCollectOnceTheHeapGoesQuiet() throws InterruptedException {
    AtomicLong collections = new AtomicLong();
    AtomicInteger collected = new AtomicInteger();
    AtomicInteger polls = new AtomicInteger();

    boolean ran =
        MemoryTrim.collectWhenQuiet(
            collections::get,
            millis -> {
              if (polls.incrementAndGet() <= 3) {
                collections.incrementAndGet(); // busy for three seconds, then idle
              }
            },
            collected::incrementAndGet,
            MemoryTrim.QUIET_POLLS_MAX);

    assertTrue(ran);
    assertEquals(1, collected.get());
    assertEquals(4, polls.get());
  }
}
