package dev.z8run.api.http;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.Method;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The slow-request deadline of every HTTP/1 connection (slowloris): a request's line and headers
 * must arrive within {@code headersTimeoutMs} of its first bytes, however the client paces them;
 * past it the connection is answered 408 in the API's error shape and closed. A connection waiting
 * between requests (keep-alive) is closed, without an answer, once it has waited {@code
 * idleTimeoutMs} (as Node.js's and nginx's keep-alive timeouts close theirs); one upgraded to the
 * editor's WebSocket has no deadline here.
 *
 * <p>How: each connection has a {@link Watch} whose state the connection's own thread sets at the
 * request's first line and headers ({@link RequestFraming}'s listener calls, O(1), no allocation),
 * and one shared sweeper thread looks at every watch each {@link #SWEEP_MS} and ends those past
 * their deadline: it writes the 408 and closes the socket, which ends the connection thread's
 * blocked read. No timer per request or per connection. The request's first bytes are known exactly
 * for a connection's first request (they identified it) and, for a later request on a kept-alive
 * connection, when its line is read, or earlier when a sweep finds its bytes waiting unread; so a
 * deadline is met at most {@link #SWEEP_MS} late.
 *
 * <p>Bodies have their own deadline on the thread that reads them ({@link BodyDeadline}), which
 * ends the connection through {@link #expire} so that the 408 is written before the close.
 */
public final class RequestDeadlines {
  /** {@code Z8_HEADERS_TIMEOUT_MS}'s default. */
  public static final long DEFAULT_HEADERS_TIMEOUT_MS = 20_000;

  /**
   * {@code Z8_IDLE_TIMEOUT_MS}'s default: how long a kept-alive connection may wait for a request.
   */
  public static final long DEFAULT_IDLE_TIMEOUT_MS = 60_000;

  /** How often the sweeper looks at the connections. */
  static final long SWEEP_MS = 250;

  /** A watch's state between requests. */
  private static final long IDLE = 0;

  /** A watch's state while a request is routed (its headers are in) or the connection upgraded. */
  private static final long BUSY = -1;

  /** A watch's state once its deadline passed: the connection is ending. */
  private static final long EXPIRED = -2;

  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(Watch.class, "state", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Every connection's watch, by the thread that handles it (a body deadline finds it so). */
  private static final Map<Thread, Watch> WATCHES = new ConcurrentHashMap<>();

  private static final ScheduledExecutorService SWEEPER = sweeper();

  private final long headersTimeoutNs;
  private final long idleTimeoutNs;

  /**
   * @param headersTimeoutMs how long a request's line and headers may take to arrive
   * @param idleTimeoutMs how long a kept-alive connection may wait for its next request
   */
  public RequestDeadlines(long headersTimeoutMs, long idleTimeoutMs) {
    this.headersTimeoutNs = TimeUnit.MILLISECONDS.toNanos(headersTimeoutMs);
    this.idleTimeoutNs = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMs);
  }

  private static ScheduledExecutorService sweeper() {
    ScheduledExecutorService sweeper =
        Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("z8-request-deadlines").factory());
    sweeper.scheduleWithFixedDelay(
        RequestDeadlines::sweep, SWEEP_MS, SWEEP_MS, TimeUnit.MILLISECONDS);
    return sweeper;
  }

  /**
   * Watches {@code context}, handled on the calling thread, whose first request's bytes arrived
   * just now; {@link Watch#close} ends it.
   */
  Watch watch(ConnectionContext context) {
    Watch watch =
        new Watch(
            context, headersTimeoutNs, idleTimeoutNs, Thread.currentThread(), System.nanoTime());
    WATCHES.put(watch.reader, watch);
    return watch;
  }

  /**
   * Ends the connection handled by {@code reader} with a 408 saying {@code message} (written unless
   * its answer has begun) and closes its socket; returns false, doing nothing, when that thread
   * handles no watched connection or the connection is ending already.
   */
  static boolean expire(Thread reader, String message) {
    Watch watch = WATCHES.get(reader);
    if (watch == null) {
      return false;
    }
    long state = watch.state;
    if (state == EXPIRED || !STATE.compareAndSet(watch, state, EXPIRED)) {
      return false;
    }
    watch.end(message);
    return true;
  }

  private static void sweep() {
    long now = System.nanoTime();
    for (Watch watch : WATCHES.values()) {
      try {
        watch.check(now);
      } catch (RuntimeException ignored) {
        // a socket that failed while it was ended: nothing more to do for it
      }
    }
  }

  /** The watch of the connection {@code reader} handles, or null. */
  static Watch watchOf(Thread reader) {
    return WATCHES.get(reader);
  }

  /** Connections watched now (for tests). */
  static int watched() {
    return WATCHES.size();
  }

  /**
   * One connection's request deadline. Its state is {@link #IDLE}, {@link #BUSY}, {@link #EXPIRED}
   * or, while a request's line and headers arrive, the {@link System#nanoTime} of its first bytes.
   * The connection thread moves it; the sweeper only starts a request's clock (from idle) or
   * expires it, each by compare-and-set, so a connection is never answered twice.
   */
  static final class Watch {
    private final ConnectionContext context;
    private final long timeoutNs;
    private final long idleTimeoutNs;
    private final Thread reader;

    /** When the connection last began to wait for a request (its last answer). */
    private volatile long idleSinceNs;

    @SuppressWarnings("unused") // through STATE
    private volatile long state;

    /** Written and read on the connection's thread only. */
    private Method method = Method.GET;

    /** The dropped body of the {@code HEAD} request being answered, or null. */
    private volatile HeadRequests.Body head;

    Watch(
        ConnectionContext context,
        long timeoutNs,
        long idleTimeoutNs,
        Thread reader,
        long firstBytesNs) {
      this.context = context;
      this.timeoutNs = timeoutNs;
      this.idleTimeoutNs = idleTimeoutNs;
      this.reader = reader;
      this.state = firstBytesNs;
    }

    /** The method of the request being read (or last read). */
    Method method() {
      return method;
    }

    /** A request's line was read: its clock runs from its first bytes, if a sweep saw them. */
    void onPrologue(Method method) {
      this.method = method;
      long state = this.state;
      if (state <= IDLE && state != EXPIRED) {
        STATE.compareAndSet(this, state, System.nanoTime());
      }
    }

    /** A request's headers are in: no deadline until it is answered. */
    void onHeaders() {
      long state = this.state;
      if (state == EXPIRED || !STATE.compareAndSet(this, state, BUSY)) {
        throw new CloseConnectionException("the request's headers came past their deadline");
      }
    }

    /** A request was answered: the connection waits for the next one. */
    void onAnswered() {
      long state = this.state;
      if (state == BUSY) {
        idleSinceNs = System.nanoTime(); // before the state: a sweep that sees IDLE sees this
        STATE.compareAndSet(this, BUSY, IDLE);
      }
    }

    /** The connection is upgraded (the editor's WebSocket): never timed out here. */
    void onUpgraded() {
      this.state = BUSY;
    }

    /** The request being answered is a {@code HEAD}: {@code body} counts its dropped body. */
    void onHeadBody(HeadRequests.Body body) {
      head = body;
    }

    /** The dropped body of the {@code HEAD} request being answered, once; else null. */
    HeadRequests.Body takeHeadBody() {
      HeadRequests.Body body = head;
      if (body != null) {
        head = null;
      }
      return body;
    }

    /** Whether the deadline ended the connection. */
    boolean expired() {
      return state == EXPIRED;
    }

    /** The connection ended. */
    void close() {
      WATCHES.remove(reader, this);
    }

    private void check(long now) {
      long state = this.state;
      if (state == IDLE) {
        // a request's bytes waiting unread between requests: its clock starts now (a racy look at
        // the reader's buffer, which only moves the start; the thread confirms it at the line)
        if (context.dataReader().available() > 0) {
          STATE.compareAndSet(this, IDLE, now);
        } else if (now - idleSinceNs > idleTimeoutNs && STATE.compareAndSet(this, IDLE, EXPIRED)) {
          // waited too long for a next request: closed without an answer, as a keep-alive
          // timeout closes (a client sending one just now retries it on a new connection)
          context.serverSocket().close();
        }
      } else if (state > 0
          && now - state > timeoutNs
          && STATE.compareAndSet(this, state, EXPIRED)) {
        end(
            "the request's headers did not arrive within "
                + TimeUnit.NANOSECONDS.toMillis(timeoutNs)
                + " ms (Z8_HEADERS_TIMEOUT_MS)");
      }
    }

    private void end(String message) {
      try {
        context
            .dataWriter()
            .writeNow(
                BufferData.create(
                    ErrorResponses.closingAnswer(408, "Request Timeout", message, "")));
      } finally {
        context.serverSocket().close();
      }
    }
  }
}
