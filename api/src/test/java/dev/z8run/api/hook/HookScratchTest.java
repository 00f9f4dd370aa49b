package dev.z8run.api.hook;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** The pool of hook scratches; what a scratch writes is checked through HookServiceTest. */
class HookScratchTest {
  @Test
  void shouldGiveARequestBackTheScratchItsThreadGaveBack() {
    HookScratch.Pool pool = new HookScratch.Pool();
    HookScratch first = pool.take(42);
    pool.giveBack(first, 42);
    assertSame(first, pool.take(42));
  }

  @Test
  void shouldGiveTwoRequestsInFlightTwoScratches() {
    HookScratch.Pool pool = new HookScratch.Pool();
    HookScratch first = pool.take(7);
    pool.giveBack(first, 7);
    HookScratch taken = pool.take(7);
    assertNotSame(taken, pool.take(7), "the slot is empty while its scratch is in use");
  }
}
