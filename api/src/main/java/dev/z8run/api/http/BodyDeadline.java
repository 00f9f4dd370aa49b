package dev.z8run.api.http;

import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
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
  private static final ScheduledExecutorService ALARMS =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("z8-body-deadline").factory());

  private BodyDeadline() {}

  /**
   * {@link RequestBodies#read} within {@code deadlineMs}.
   *
   * @throws ApiException 408 when the body did not arrive in time, 413 beyond {@code maxBytes}
   */
  public static byte[] read(ServerRequest request, int maxBytes, long deadlineMs) {
    if (!request.content().hasEntity()) {
      return new byte[0];
    }
    Alarm alarm = new Alarm(Thread.currentThread());
    ScheduledFuture<?> scheduled = ALARMS.schedule(alarm, deadlineMs, TimeUnit.MILLISECONDS);
    try {
      return RequestBodies.read(request, maxBytes);
    } catch (RuntimeException e) {
      if (alarm.finish()) {
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
    private boolean finished;
    private boolean fired;

    Alarm(Thread reader) {
      this.reader = reader;
    }

    @Override
    public synchronized void run() {
      if (!finished) {
        fired = true;
        reader.interrupt();
      }
    }

    /** Ends the alarm; returns whether it fired. */
    synchronized boolean finish() {
      finished = true;
      return fired;
    }
  }
}
