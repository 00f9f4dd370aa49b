package dev.z8run.core.timer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.node.Cancellable;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ManualClockTest {
  private final ManualClock clock = new ManualClock(1_000_000L);
  private final EngineTimers timers = EngineTimers.on(clock);
  private final List<String> ran = new CopyOnWriteArrayList<>();
  private volatile boolean active = true;
  private final EngineTimers.Owner flow = () -> active;

  @AfterEach
  void close() {
    timers.close();
  }

  @Test
  void shouldHoldTasksUntilTheClockReachesTheirDueTime() {
    timers.schedule(flow, () -> ran.add("a"), 100);
    assertEquals(Duration.ofMillis(100).toNanos(), clock.nextDueNs());
    assertFalse(clock.runNext(Duration.ofMillis(99).toNanos()), "not due by the limit");
    assertEquals(0, clock.nanoTime());
    assertEquals(List.of(), ran);

    assertTrue(clock.runNext(Long.MAX_VALUE));
    assertEquals(List.of("a"), ran);
    assertEquals(Duration.ofMillis(100).toNanos(), clock.nanoTime(), "time moved to the due time");
    assertEquals(1_000_100L, clock.time(), "the epoch time moves with it");
    assertEquals(-1, clock.nextDueNs());
    assertFalse(clock.runNext(Long.MAX_VALUE));
  }

  @Test
  void shouldRunTasksInDueOrderAndThoseTheyScheduleWithinAnAdvance() {
    timers.schedule(flow, () -> ran.add("300"), 300);
    timers.schedule(
        flow,
        () -> {
          ran.add("100");
          timers.schedule(flow, () -> ran.add("100+150"), 150);
        },
        100);
    timers.schedule(flow, () -> ran.add("100 second"), 100);
    timers.schedule(flow, () -> ran.add("900"), 900);

    clock.advance(Duration.ofMillis(500));

    assertEquals(List.of("100", "100 second", "100+150", "300"), ran);
    assertEquals(Duration.ofMillis(500).toNanos(), clock.nanoTime());
    assertEquals(Duration.ofMillis(900).toNanos(), clock.nextDueNs());
  }

  @Test
  void shouldSkipCancelledTasksAndThoseOfAnInactiveFlow() {
    Cancellable cancelled = timers.schedule(flow, () -> ran.add("cancelled"), 50);
    timers.schedule(flow, () -> ran.add("kept"), 200);
    assertTrue(cancelled.cancel());
    assertEquals(Duration.ofMillis(200).toNanos(), clock.nextDueNs(), "a cancelled task is gone");

    EngineTimers.Owner stopped = () -> false;
    timers.schedule(stopped, () -> ran.add("stopped"), 10);
    clock.advance(Duration.ofSeconds(1));
    assertEquals(List.of("kept"), ran);

    timers.schedule(flow, () -> ran.add("of a cancelled flow"), 10);
    timers.cancel(flow);
    clock.advance(Duration.ofSeconds(1));
    assertEquals(List.of("kept"), ran);
  }

  @Test
  void shouldNeverMoveTimeBackForATaskAlreadyDue() {
    clock.advance(Duration.ofMillis(50));
    timers.schedule(flow, () -> ran.add("now"), 0);
    assertTrue(clock.runNext(clock.nanoTime()));
    assertEquals(List.of("now"), ran);
    assertEquals(Duration.ofMillis(50).toNanos(), clock.nanoTime());
  }

  @Test
  void shouldForgetTheTimersOfAClosedEngine() {
    timers.schedule(flow, () -> ran.add("late"), 10);
    timers.close();
    assertEquals(-1, clock.nextDueNs());
    clock.advance(Duration.ofSeconds(1));
    assertEquals(List.of(), ran);
  }

  @Test
  void shouldKeepTheSystemTimersForAnyOtherClock() throws Exception {
    EngineTimers system = EngineTimers.on(new org.agrona.concurrent.SystemNanoClock());
    try {
      java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
      system.schedule(flow, done::countDown, 1);
      assertTrue(done.await(10, java.util.concurrent.TimeUnit.SECONDS));
      assertEquals(-1, clock.nextDueNs(), "nothing was queued on the manual clock");
    } finally {
      system.close();
    }
  }
}
