package dev.z8run.api.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.api.auth.LoginRateLimiter.Decision;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class LoginRateLimiterTest {
  private static final String CLIENT = "203.0.113.7";

  /** Starts far from zero so that nothing relies on nanoTime being positive. */
  private final AtomicLong nowNs = new AtomicLong(-5_000_000_000L);

  private final LoginRateLimiter limiter = new LoginRateLimiter(nowNs::get);

  @Test
  void shouldAllowFiveAttemptsThenAskToRetryWhenTheFirstLeavesTheWindow() {
    for (int i = 0; i < 5; i++) {
      assertSame(Decision.ALLOWED, limiter.tryAcquire(CLIENT), "attempt " + (i + 1));
      advance(Duration.ofSeconds(1));
    }

    // the first attempt was 5 s ago: it leaves the 60 s window in 55 s
    assertEquals(new Decision(false, 55), limiter.tryAcquire(CLIENT));
    advance(Duration.ofSeconds(54).plusMillis(500));
    assertEquals(new Decision(false, 1), limiter.tryAcquire(CLIENT));
    advance(Duration.ofMillis(500));
    assertSame(Decision.ALLOWED, limiter.tryAcquire(CLIENT));
    assertEquals(new Decision(false, 1), limiter.tryAcquire(CLIENT));
  }

  @Test
  void shouldNotCountRefusedAttemptsSoWaitingAlwaysWorks() {
    exhaust(CLIENT);
    for (int i = 0; i < 100; i++) {
      assertFalse(limiter.tryAcquire(CLIENT).allowed());
      advance(Duration.ofMillis(500));
    }

    advance(Duration.ofSeconds(10));

    assertTrue(limiter.tryAcquire(CLIENT).allowed());
  }

  @Test
  void shouldStartOverAfterSuccessfulLogin() {
    exhaust(CLIENT);

    limiter.onSuccess(CLIENT);

    assertSame(Decision.ALLOWED, limiter.tryAcquire(CLIENT));
  }

  @Test
  void shouldThrottleEachAddressOnItsOwn() {
    exhaust(CLIENT);

    assertSame(Decision.ALLOWED, limiter.tryAcquire("198.51.100.1"));
    assertFalse(limiter.tryAcquire(CLIENT).allowed());
  }

  @Test
  void shouldHonourConfiguredAttemptsAndWindow() {
    LoginRateLimiter strict = new LoginRateLimiter(2, Duration.ofMinutes(15), 100, nowNs::get);

    assertTrue(strict.tryAcquire(CLIENT).allowed());
    assertTrue(strict.tryAcquire(CLIENT).allowed());

    assertEquals(new Decision(false, 900), strict.tryAcquire(CLIENT));
  }

  @Test
  void shouldStayBoundedUnderOneHundredThousandAddresses() {
    LoginRateLimiter bounded = new LoginRateLimiter(5, Duration.ofSeconds(60), 1_000, nowNs::get);

    for (int i = 0; i < 100_000; i++) {
      assertTrue(
          bounded.tryAcquire("10." + (i >> 16) + "." + (i >> 8 & 255) + "." + (i & 255)).allowed());
      assertTrue(bounded.trackedAddresses() <= 1_000);
    }

    assertEquals(1_000, bounded.trackedAddresses());
  }

  @Test
  void shouldForgetAddressesOnceAllTheirAttemptsLeftTheWindow() {
    for (int i = 0; i < 500; i++) {
      limiter.tryAcquire("192.0.2." + (i & 255) + "/" + i);
    }
    assertEquals(500, limiter.trackedAddresses());

    advance(Duration.ofSeconds(60));
    limiter.tryAcquire(CLIENT);

    assertEquals(1, limiter.trackedAddresses());
  }

  @Test
  void shouldKeepThrottledAddressWhileItsAttemptsAreInTheWindow() {
    exhaust(CLIENT);
    advance(Duration.ofSeconds(30));
    for (int i = 0; i < 100; i++) {
      limiter.tryAcquire("198.51.100." + i);
    }

    assertFalse(limiter.tryAcquire(CLIENT).allowed());
  }

  @Test
  void shouldLetNoMoreThanFiveOfManyConcurrentAttemptsThrough() throws Exception {
    int threads = 64;
    List<Callable<Boolean>> attempts = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      attempts.add(() -> limiter.tryAcquire(CLIENT).allowed());
    }

    int allowed = 0;
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (Future<Boolean> result : pool.invokeAll(attempts, 30, TimeUnit.SECONDS)) {
        allowed += result.get() ? 1 : 0;
      }
    }

    assertEquals(5, allowed);
  }

  @Test
  void shouldKeyIpv4ByAddressAndIpv6ByItsSlash64() throws UnknownHostException {
    assertEquals("203.0.113.7", LoginRateLimiter.clientKey(InetAddress.getByName("203.0.113.7")));
    assertEquals(
        "2001:db8:1:2:0:0:0:0/64",
        LoginRateLimiter.clientKey(InetAddress.getByName("2001:db8:1:2:aaaa:bbbb:cccc:dddd")));
    assertEquals(
        LoginRateLimiter.clientKey(InetAddress.getByName("2001:db8:1:2::1")),
        LoginRateLimiter.clientKey(InetAddress.getByName("2001:db8:1:2:ffff::9")));
    assertEquals(
        "192.0.2.1", LoginRateLimiter.clientKey(InetAddress.getByName("::ffff:192.0.2.1")));
  }

  @Test
  void shouldRefuseNonsenseSettings() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new LoginRateLimiter(0, Duration.ofSeconds(60), 10, nowNs::get));
    assertThrows(
        IllegalArgumentException.class,
        () -> new LoginRateLimiter(5, Duration.ZERO, 10, nowNs::get));
    assertThrows(
        IllegalArgumentException.class,
        () -> new LoginRateLimiter(5, Duration.ofSeconds(60), 0, nowNs::get));
  }

  private void exhaust(String address) {
    for (int i = 0; i < LoginRateLimiter.DEFAULT_MAX_ATTEMPTS; i++) {
      assertTrue(limiter.tryAcquire(address).allowed());
    }
    assertFalse(limiter.tryAcquire(address).allowed());
  }

  private void advance(Duration duration) {
    nowNs.addAndGet(duration.toNanos());
  }
}
