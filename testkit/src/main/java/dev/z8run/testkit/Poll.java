package dev.z8run.testkit;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * The tests' one way of waiting for a condition: Awaitility, configured once. It polls every
 * millisecond from the start (Awaitility's default first waits 100 ms, which hundreds of short
 * waits would feel), on the waiting thread (the default starts a thread per wait), and fails after
 * the deadline naming what it waited for.
 *
 * <pre>{@code
 * Poll.eventually("3 messages at out").until(() -> captured("out").size() >= 3);
 * }</pre>
 */
public final class Poll {
  /** How long a test waits for something that should happen at once on an idle machine. */
  public static final Duration TIMEOUT = Duration.ofSeconds(10);

  private Poll() {}

  /** Waits up to {@link #TIMEOUT}, failing with {@code what}. */
  public static ConditionFactory eventually(String what) {
    return eventually(what, TIMEOUT);
  }

  /** Waits up to {@code atMost}, failing with {@code what}. */
  public static ConditionFactory eventually(String what, Duration atMost) {
    return Awaitility.await(what)
        .atMost(atMost)
        .pollInSameThread()
        .pollDelay(Duration.ZERO)
        .pollInterval(Duration.ofMillis(1));
  }
}
