package dev.z8run.api.http;

import io.helidon.http.Status;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import java.util.concurrent.ConcurrentHashMap;
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
 *
 * <p>One client address (an IPv6 /64) holds at most half of the budget: without that, one client
 * that sent 64 MiB of bodies and stalled them held all of it, and every other client's body, a
 * sign-in's included, was refused with 503 until the stalled ones timed out. Past its half a body
 * is refused with 429 and {@code Retry-After}, and the connection is closed.
 */
public final class BodyBudget {
  private static volatile BodyBudget server = new BodyBudget(defaultBytes());

  private final long limit;
  private final long clientLimit;
  private final AtomicLong used = new AtomicLong();

  /**
   * What each client holds, by {@link #client}; an entry leaves when its client holds nothing (it
   * is retired first, so that a client taking bytes meanwhile makes a new one).
   */
  private final ConcurrentHashMap<Object, AtomicLong> byClient = new ConcurrentHashMap<>();

  /** The value of a retired entry of {@link #byClient}: below anything a client can hold. */
  private static final long RETIRED = Long.MIN_VALUE / 2;

  public BodyBudget(long limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("body budget " + limit + " must be positive");
    }
    this.limit = limit;
    this.clientLimit = Math.max(1, limit / 2);
  }

  /** The client a request's bytes are counted to ({@link ClientAddresses#of}). */
  public static Object client(ServerRequest request) {
    return ClientAddresses.of(request.remotePeer().address());
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

  /** Bytes {@code client} holds now. */
  public long usedBy(Object client) {
    AtomicLong held = byClient.get(client);
    return held == null ? 0 : Math.max(0, held.get());
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
    Object client;
    long bytes;
  }

  /**
   * Takes {@code bytes} for {@code client} until the request running on this thread ends (given
   * back by {@link #requestScope}'s filter), or throws 503 when they would pass the limit (429 past
   * the client's half).
   */
  public void holdUntilRequestEnds(Object client, long bytes) {
    take(client, bytes);
    Held held = HELD.get();
    if (held == null) {
      held = new Held();
      HELD.set(held);
    }
    if (held.bytes > 0 && (held.budget != this || !held.client.equals(client))) {
      held.budget.give(held.client, held.bytes);
      held.bytes = 0;
    }
    held.budget = this;
    held.client = client;
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
        held.budget.give(held.client, held.bytes);
        held.bytes = 0;
        held.client = null;
      }
    }
  }

  /**
   * Takes {@code bytes} for {@code client}, or throws (nothing taken then) 503 when they would pass
   * the limit, 429 when they would pass the client's half of it.
   */
  public void take(Object client, long bytes) {
    if (bytes == 0) {
      return; // a request without a body (most hooks' GETs): no entry made for its client
    }
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
    if (!takeForClient(client, bytes, true)) {
      used.addAndGet(-bytes);
      throw new ApiException(
          Status.TOO_MANY_REQUESTS_429,
          "this address is sending as many request bodies as one address may at once ("
              + clientLimit
              + " bytes, half of Z8_BODY_BUDGET_MB); try again shortly");
    }
  }

  /**
   * Adds {@code bytes} to what {@code client} holds, unless {@code bounded} and that would pass its
   * half of the budget.
   *
   * @return whether they were added
   */
  private boolean takeForClient(Object client, long bytes, boolean bounded) {
    while (true) {
      AtomicLong held = byClient.computeIfAbsent(client, key -> new AtomicLong());
      long now = held.get();
      if (now < 0) {
        byClient.remove(client, held); // retired by a give meanwhile: make a new one
        continue;
      }
      if (bounded && now + bytes > clientLimit) {
        return false;
      }
      if (held.compareAndSet(now, now + bytes)) {
        return true;
      }
    }
  }

  /**
   * Takes {@code bytes} for {@code client} even past the limits: a body already read (its copy, or
   * the body a request holds until it ends), given back with {@link #give}. Bodies read after it
   * find less room.
   */
  public void takeAnyway(Object client, long bytes) {
    if (bytes == 0) {
      return;
    }
    used.addAndGet(bytes);
    takeForClient(client, bytes, false);
  }

  /** Gives back {@code bytes} that {@code client} took. */
  public void give(Object client, long bytes) {
    if (bytes == 0) {
      return;
    }
    used.addAndGet(-bytes);
    AtomicLong held = byClient.get(client);
    if (held != null && held.addAndGet(-bytes) == 0 && held.compareAndSet(0, RETIRED)) {
      byClient.remove(client, held);
    }
  }
}
