package dev.z8run.api.http;

import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerRequest;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Reads a request body within a deadline: a client that announces a body and then sends it slowly,
 * or not at all, gets 408 and its connection closed when the deadline passes, however it paces its
 * bytes (a per-read socket timeout would let a byte every few seconds through).
 *
 * <p>How: an alarm interrupts the reading (virtual) thread at the deadline; blocking socket I/O on
 * a virtual thread is interruptible, and the interrupt closes the socket. The alarm and the end of
 * the read are serialised, so no interrupt escapes past {@link #read}.
 */
public final class BodyDeadline {
  /**
   * One alarm per request with a body, cancelled when the body is in; a cancelled alarm leaves the
   * queue at once. A scheduler's default keeps it queued until its time (the body deadline, 10 s by
   * default): under a stream of POST hooks that was ~400,000 dead alarms (24 MB, each holding its
   * request's thread) in the queue, promoted to the old generation. A no-op every {@link
   * #KEEPER_MS} keeps an earlier task at the queue's head, so that scheduling an alarm does not
   * wake the alarm thread (the queue signals it whenever a new task becomes the earliest, which
   * with dead alarms gone would be nearly every request's).
   */
  private static final ScheduledThreadPoolExecutor ALARMS = alarms();

  static final long KEEPER_MS = 1_000;

  /** A request without a body's (nothing can be written into an empty array: one for all). */
  private static final byte[] NO_BODY = new byte[0];

  /** {@code Z8_BODY_TIMEOUT_MS}'s default: what any body may take, before its size counts. */
  public static final long DEFAULT_TIMEOUT_MS = 30_000;

  /** {@code Z8_BODY_MIN_BYTES_PER_S}'s default: 16 KiB/s, a slow mobile link's upload. */
  public static final int DEFAULT_MIN_BYTES_PER_S = 16 << 10;

  private static volatile long timeoutMs = DEFAULT_TIMEOUT_MS;
  private static volatile int minBytesPerSecond = DEFAULT_MIN_BYTES_PER_S;

  private BodyDeadline() {}

  /** Sets the deadline of bodies read outside {@code /hook} (at the server's start). */
  public static void configure(long bodyTimeoutMs, int bodyMinBytesPerSecond) {
    timeoutMs = bodyTimeoutMs;
    minBytesPerSecond = bodyMinBytesPerSecond;
  }

  /**
   * How long a body of {@code bytes} may take: {@code Z8_BODY_TIMEOUT_MS} plus a second for each
   * {@code Z8_BODY_MIN_BYTES_PER_S} of it.
   */
  static long deadlineMs(long bytes) {
    return timeoutMs + bytes * 1000 / minBytesPerSecond;
  }

  /**
   * {@link RequestBodies#read} within the deadline of its size ({@link #deadlineMs}): the announced
   * length, or {@code maxBytes} for a chunked body.
   */
  static byte[] read(ServerRequest request, int maxBytes) {
    if (!request.content().hasEntity()) {
      return NO_BODY;
    }
    long declared = request.headers().contentLength().orElse(maxBytes);
    return read(request, maxBytes, deadlineMs(Math.min(declared, maxBytes)));
  }

  private static ScheduledThreadPoolExecutor alarms() {
    ScheduledThreadPoolExecutor alarms =
        new ScheduledThreadPoolExecutor(
            1, Thread.ofPlatform().daemon().name("z8-body-deadline").factory());
    alarms.setRemoveOnCancelPolicy(true);
    alarms.scheduleAtFixedRate(() -> {}, KEEPER_MS, KEEPER_MS, TimeUnit.MILLISECONDS);
    return alarms;
  }

  /** Alarms waiting: the bodies being read right now (for tests; the keeper not counted). */
  static int pendingAlarms() {
    return ALARMS.getQueue().size() - 1;
  }

  /**
   * {@link RequestBodies#read} within {@code deadlineMs}.
   *
   * @throws ApiException 408 when the body did not arrive in time, 413 beyond {@code maxBytes}
   */
  public static byte[] read(ServerRequest request, int maxBytes, long deadlineMs) {
    if (!request.content().hasEntity()) {
      return NO_BODY;
    }
    Alarm alarm = new Alarm(Thread.currentThread(), deadlineMs);
    ScheduledFuture<?> scheduled = ALARMS.schedule(alarm, deadlineMs, TimeUnit.MILLISECONDS);
    try {
      return RequestBodies.readNow(request, maxBytes);
    } catch (RuntimeException e) {
      if (alarm.finish()) {
        if (alarm.answered) {
          // the 408 is written and the socket closed: nothing more can be sent
          throw new CloseConnectionException(alarm.message(), e);
        }
        throw timedOut(deadlineMs);
      }
      throw e;
    } finally {
      scheduled.cancel(false);
      alarm.finish();
      Thread.interrupted(); // an alarm that fired is answered above; the flag must not leak
    }
  }

  private static ApiException timedOut(long deadlineMs) {
    return new ApiException(
        Status.REQUEST_TIMEOUT_408, "the request body did not arrive within " + deadlineMs + " ms");
  }

  /** Interrupts its thread once, unless the read finished first. */
  private static final class Alarm implements Runnable {
    private final Thread reader;
    private final long deadlineMs;
    private boolean finished;
    private boolean fired;

    /** Whether the 408 was written, by the connection's {@link RequestDeadlines}, when it fired. */
    private volatile boolean answered;

    Alarm(Thread reader, long deadlineMs) {
      this.reader = reader;
      this.deadlineMs = deadlineMs;
    }

    @Override
    public synchronized void run() {
      if (!finished) {
        fired = true;
        // the connection answered 408 and closed, which ends the read; else (no watched
        // connection) an interrupt, which closes the socket without an answer
        answered = RequestDeadlines.expire(reader, message());
        if (!answered) {
          reader.interrupt();
        }
      }
    }

    private String message() {
      return "the request body did not arrive within " + deadlineMs + " ms";
    }

    /** Ends the alarm; returns whether it fired. */
    synchronized boolean finish() {
      finished = true;
      return fired;
    }
  }
}
