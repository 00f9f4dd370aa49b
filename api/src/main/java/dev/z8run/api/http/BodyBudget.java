package dev.z8run.api.http;

import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
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

  /**
   * How many times its size a JSON body takes in the heap once parsed and while its request uses it
   * (the object tree, the flow built from it, its stored copy), as the budget counts it: sixteen
   * concurrent 8 MB flow creates by one signed-in user, each body read within the budget, filled
   * the 512 MiB heap while they were parsed and stored, and the server ended (exit 3).
   */
  public static final int PARSED_FACTOR = 4;

  /** What the request running on this thread holds until it ends ({@link #requestScope}). */
  private static final ThreadLocal<Held> HELD = new ThreadLocal<>();

  private static final class Held {
    BodyBudget budget;
    long bytes;
  }

  /**
   * Takes {@code bytes} until the request running on this thread ends (given back by {@link
   * #requestScope}'s filter), or throws 503 when they would pass the limit.
   */
  public void holdUntilRequestEnds(long bytes) {
    take(bytes);
    Held held = HELD.get();
    if (held == null) {
      held = new Held();
      HELD.set(held);
    }
    if (held.budget != null && held.budget != this) {
      held.budget.give(held.bytes);
      held.bytes = 0;
    }
    held.budget = this;
    held.bytes += bytes;
  }

  /**
   * The filter that gives back, when each request ends, what its parsed body held ({@link
   * #holdUntilRequestEnds}): every route of the server runs inside it.
   */
  public static Filter requestScope() {
    return BodyBudget::scope;
  }

  private static void scope(FilterChain chain, RoutingRequest request, RoutingResponse response) {
    try {
      chain.proceed();
    } finally {
      Held held = HELD.get();
      if (held != null && held.bytes > 0) {
        held.budget.give(held.bytes);
        held.bytes = 0;
      }
    }
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
