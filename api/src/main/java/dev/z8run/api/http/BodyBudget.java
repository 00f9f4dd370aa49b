package dev.z8run.api.http;

import io.helidon.http.Status;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The heap that request bodies take while the server reads them, every request of every route
 * together ({@code /hook}, the API, sign-in). Each body's limit bounds one request, and the
 * per-address limits bound how many requests one address holds open, but not their sum: a thousand
 * connections from four addresses, each sending a megabyte of a hook body and then nothing, filled
 * a 512 MiB heap and the server ended with {@code OutOfMemoryError} (exit 3). A body takes its
 * bytes from this budget as they arrive (an announced length reserves nothing: a client pays with
 * bytes it has sent), and gives them back when it has been read; a body that finds no room is
 * refused with 503 and {@code Retry-After}, and the connection is closed.
 */
public final class BodyBudget {
  private static volatile BodyBudget server = new BodyBudget(defaultBytes());

  private final long limit;
  private final AtomicLong used = new AtomicLong();

  public BodyBudget(long limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("body budget " + limit + " must be positive");
    }
    this.limit = limit;
  }

  /**
   * An eighth of the JVM's maximum heap: 64 MiB under the launcher's {@code -Xmx512m}. A hook's
   * body is in the heap three or four times while its flow holds it (the bytes read, the message's
   * JSON as it is built, a Delay's copy for a flush): with a quarter, 129 bodies of 1 MB held by a
   * delay filled the heap (measured against the jar); with an eighth, 67 were answered and the rest
   * refused, the server unharmed.
   */
  public static long defaultBytes() {
    return Runtime.getRuntime().maxMemory() / 8;
  }

  /** The budget the server's routes read bodies from. */
  public static BodyBudget server() {
    return server;
  }

  /**
   * Sets the server's budget ({@code Z8_BODY_BUDGET_MB}); bodies being read keep the one they took
   * from.
   */
  public static void configure(BodyBudget budget) {
    server = budget;
  }

  public long limit() {
    return limit;
  }

  /** Bytes taken now. */
  public long used() {
    return used.get();
  }

  /** Takes {@code bytes}, or throws 503 when they would pass the limit (nothing taken then). */
  void take(long bytes) {
    long now;
    do {
      now = used.get();
      if (now + bytes > limit) {
        throw new ApiException(
            Status.SERVICE_UNAVAILABLE_503,
            "the server is reading as many request bodies as it holds at once ("
                + limit
                + " bytes, Z8_BODY_BUDGET_MB); try again shortly");
      }
    } while (!used.compareAndSet(now, now + bytes));
  }

  /**
   * Takes {@code bytes} even past the limit: a body already read (its copy, or the body a request
   * holds until it ends), given back with {@link #give}. Bodies read after it find less room.
   */
  public void takeAnyway(long bytes) {
    used.addAndGet(bytes);
  }

  public void give(long bytes) {
    used.addAndGet(-bytes);
  }
}
