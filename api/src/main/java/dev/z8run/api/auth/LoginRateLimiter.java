package dev.z8run.api.auth;

import dev.z8run.api.http.ClientAddresses;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Throttles login attempts per client address: at most {@code maxAttempts} in any sliding {@code
 * window} (by default 5 per 60 s), after which {@link #tryAcquire} answers how many seconds to wait
 * (the login route's 429 {@code Retry-After}).
 *
 * <p>Every acquired attempt counts until the caller reports it successful with {@link #onSuccess},
 * which forgets the address. Counting at acquisition, not after the password check, means a burst
 * of parallel requests cannot all slip past the limit while their (slow, argon2) checks run.
 * Refused attempts are not counted, so waiting out {@code Retry-After} always works.
 *
 * <p>Memory is bounded: at most {@code maxAddresses} addresses are tracked (by default 10,000, each
 * a few dozen bytes plus one {@code long} per attempt). Addresses whose attempts have all left the
 * window are dropped as calls come in; past the bound the least recently seen address is forgotten.
 * A flood from many addresses can therefore push a throttled address out early, but a per-address
 * limit cannot stop an attacker who owns that many addresses anyway; it stops one host guessing
 * passwords. Key IPv6 clients by their /64 with {@link #clientKey(InetAddress)}, since one host
 * usually owns a whole /64.
 *
 * <p>Thread-safe; one short lock per call (logins are rare next to everything else the server
 * does). Time comes from the injected monotonic nanosecond clock ({@code System::nanoTime} in
 * production), which tests advance by hand.
 */
public final class LoginRateLimiter {
  public static final int DEFAULT_MAX_ATTEMPTS = 5;
  public static final Duration DEFAULT_WINDOW = Duration.ofSeconds(60);
  public static final int DEFAULT_MAX_ADDRESSES = 10_000;

  /**
   * The answer to one attempt.
   *
   * @param allowed whether the attempt may go ahead
   * @param retryAfterSeconds when refused, whole seconds (at least 1) until an attempt will be
   *     allowed again; 0 when allowed
   */
  public record Decision(boolean allowed, long retryAfterSeconds) {
    public static final Decision ALLOWED = new Decision(true, 0);

    public Decision {
      if (allowed ? retryAfterSeconds != 0 : retryAfterSeconds < 1) {
        throw new IllegalArgumentException(
            "allowed=" + allowed + " with retryAfterSeconds=" + retryAfterSeconds);
      }
    }

    static Decision retryAfter(long seconds) {
      return new Decision(false, seconds);
    }
  }

  private final int maxAttempts;
  private final long windowNs;
  private final int maxAddresses;
  private final LongSupplier nanoClock;
  private final ReentrantLock lock = new ReentrantLock();
  private final Map<String, Attempts> byAddress;

  /** 5 attempts per 60 s, 10,000 addresses. */
  public LoginRateLimiter(LongSupplier nanoClock) {
    this(DEFAULT_MAX_ATTEMPTS, DEFAULT_WINDOW, DEFAULT_MAX_ADDRESSES, nanoClock);
  }

  /**
   * @param maxAttempts attempts allowed per address within any {@code window}, at least 1
   * @param window the sliding window, at least one millisecond
   * @param maxAddresses how many addresses to track at most, at least 1
   * @param nanoClock monotonic time in nanoseconds, {@code System::nanoTime} in production
   */
  public LoginRateLimiter(
      int maxAttempts, Duration window, int maxAddresses, LongSupplier nanoClock) {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts=" + maxAttempts + " must be at least 1");
    }
    if (window.toMillis() < 1) {
      throw new IllegalArgumentException("window=" + window + " must be at least 1 ms");
    }
    if (maxAddresses < 1) {
      throw new IllegalArgumentException("maxAddresses=" + maxAddresses + " must be at least 1");
    }
    this.maxAttempts = maxAttempts;
    this.windowNs = window.toNanos();
    this.maxAddresses = maxAddresses;
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    // access order: iteration runs from the least recently seen address
    this.byAddress = new LinkedHashMap<>(16, 0.75f, true);
  }

  /**
   * Asks to make one login attempt from {@code address}, and counts it if allowed.
   *
   * @param address the client's key, e.g. {@link #clientKey(InetAddress)}
   * @return {@link Decision#ALLOWED}, or a refusal with the seconds to wait
   */
  public Decision tryAcquire(String address) {
    Objects.requireNonNull(address, "address");
    lock.lock();
    try {
      long nowNs = nanoClock.getAsLong();
      dropExpired(nowNs);
      Attempts attempts = byAddress.get(address);
      if (attempts == null) {
        if (byAddress.size() == maxAddresses) {
          forgetLeastRecentlySeen();
        }
        attempts = new Attempts(maxAttempts);
        byAddress.put(address, attempts);
      }
      attempts.forgetOlderThan(nowNs - windowNs);
      if (attempts.count < maxAttempts) {
        attempts.add(nowNs);
        return Decision.ALLOWED;
      }
      long waitNs = attempts.oldest() + windowNs - nowNs;
      return Decision.retryAfter(Math.max(1, ceilSeconds(waitNs)));
    } finally {
      lock.unlock();
    }
  }

  /** Reports that the last attempt from {@code address} logged in: its count starts over. */
  public void onSuccess(String address) {
    lock.lock();
    try {
      byAddress.remove(address);
    } finally {
      lock.unlock();
    }
  }

  /** How many addresses are tracked now (never more than {@code maxAddresses}). */
  public int trackedAddresses() {
    lock.lock();
    try {
      return byAddress.size();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The key to throttle a client by: an IPv4 address as itself, an IPv6 address by its /64 prefix
   * (e.g. {@code "2001:db8:1:2:0:0:0:0/64"}), since one host or home network usually holds a whole
   * /64 and could otherwise rotate through billions of addresses.
   */
  public static String clientKey(InetAddress address) {
    return ClientAddresses.key(address);
  }

  @Override
  public String toString() {
    return "LoginRateLimiter["
        + maxAttempts
        + " attempts per "
        + Duration.ofNanos(windowNs)
        + ", at most "
        + maxAddresses
        + " addresses]";
  }

  /**
   * Drops addresses from the least recently seen end while all their attempts are out of the
   * window. Amortised O(1): each address is dropped once, and the walk stops at the first live one.
   */
  private void dropExpired(long nowNs) {
    Iterator<Attempts> oldestFirst = byAddress.values().iterator();
    while (oldestFirst.hasNext()) {
      if (nowNs - oldestFirst.next().newest() < windowNs) {
        return;
      }
      oldestFirst.remove();
    }
  }

  private void forgetLeastRecentlySeen() {
    Iterator<Attempts> oldestFirst = byAddress.values().iterator();
    oldestFirst.next();
    oldestFirst.remove();
  }

  private static long ceilSeconds(long nanos) {
    long perSecond = TimeUnit.SECONDS.toNanos(1);
    return (nanos + perSecond - 1) / perSecond;
  }

  /** The times of an address's recent attempts: a ring, oldest at {@code head}. */
  private static final class Attempts {
    private final long[] timesNs;
    private int head;
    private int count;

    Attempts(int capacity) {
      timesNs = new long[capacity];
    }

    void forgetOlderThan(long cutoffNs) {
      while (count > 0 && timesNs[head] - cutoffNs <= 0) {
        head = (head + 1) % timesNs.length;
        count--;
      }
    }

    void add(long nowNs) {
      timesNs[(head + count) % timesNs.length] = nowNs;
      count++;
    }

    long oldest() {
      return timesNs[head];
    }

    long newest() {
      return timesNs[(head + count - 1 + timesNs.length) % timesNs.length];
    }
  }
}
