package dev.z8run.perf.harness;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import jdk.net.ExtendedSocketOptions;

/**
 * An open-loop HTTP/1.1 load generator: GET requests at a fixed rate, each timed from the moment it
 * was <em>scheduled</em>, so a server that stalls is charged for every request that should have
 * been sent during the stall (no coordinated omission, as in wrk2 or HdrHistogram's corrected mode;
 * wrk is closed-loop: it sends the next request on a connection only after the answer).
 *
 * <pre>
 *   OpenLoopHttp url rate_per_s duration_ms warm_ms [connections=50] [spin_us=0]
 *   -> url rate_target rate_achieved p50_ms p90_ms p99_ms p999_ms max_ms errors
 * </pre>
 *
 * <p>Request {@code i} is scheduled at {@code t0 + i / rate} and goes to connection {@code i mod
 * C}. One sender thread (the caller's) sleeps to the next slot ({@code parkNanos}, overshooting by
 * the timer slack, ~50-60 us on Linux; it spins the last {@code spin_us} instead if asked, at the
 * cost of a core) and writes every request then due, several to a connection in one write when they
 * pile up. A connection gets its next request at its time even while earlier ones are unanswered
 * (HTTP/1.1 pipelining; the server answers in order), and a connection whose socket is full is
 * retried without holding up the others. One reader thread with a selector parses each connection's
 * responses in order ({@link Http1Responses}): the k-th answer on connection c is request {@code c
 * + k * C}, and its latency is the time its last byte was read minus its scheduled time. A sender
 * that falls behind sends late; the latency still counts from the schedule.
 *
 * <p>The reader acknowledges what it read at once ({@code TCP_QUICKACK}, set again after every
 * read: Linux clears it). Helidon's connections keep Nagle's algorithm on ({@code tcpNoDelay} is
 * false by default), and with requests pipelined an answer written while the one before is not yet
 * acknowledged waits for the acknowledgement, which a client delaying its acks sends with its next
 * request: every answer then waited for the next request on its connection (p50 = the connection's
 * interval, ~1 ms at 1,000/s on one connection), a trap a client that waits for each answer (wrk,
 * browsers) never falls into. With the quick acks the same run's p50 is ~0.15 ms.
 *
 * <p>Requests scheduled in the first {@code warm_ms} are sent and checked but not timed; {@code
 * rate_achieved} is the timed requests answered 200 per second of the window (up to the last
 * answer). {@code errors} counts every request of the run answered with another status, refused or
 * cut off with its connection, or unanswered {@link #DRAIN_MS} after the last was scheduled. The
 * latencies are kept exactly (a {@code long[]} of the timed requests, sorted at the end). What the
 * client itself did (how late the sender was, the CPU it used) goes to stderr.
 */
public final class OpenLoopHttp {
  /** Connections when the command line gives none: wrk's {@code -c50} in perf/compare.sh. */
  public static final int DEFAULT_CONNECTIONS = 50;

  /** How long the reader waits for answers after the last request's scheduled time. */
  static final long DRAIN_MS = 3_000;

  private static final int BATCH_REQUESTS = 64;
  private static final int READ_BUFFER_BYTES = 64 * 1024;
  private static final int MAX_READ_BUFFER_BYTES = 16 << 20;
  private static final long START_DELAY_NS = TimeUnit.MILLISECONDS.toNanos(20);
  private static final long BACKLOG_RETRY_NS = TimeUnit.MICROSECONDS.toNanos(50);
  private static final long NOT_ANSWERED = Long.MIN_VALUE;

  /**
   * What to load and how hard.
   *
   * @param url an {@code http://host:port/path} URL
   * @param ratePerS requests a second, over all connections
   * @param durationMs the timed window, after the warm-up
   * @param warmMs the warm-up at the same rate, sent but not timed
   * @param connections the connections the requests go round
   * @param spinUs how long before a slot the sender stops sleeping and spins (0: never spins)
   */
  public record Plan(
      URI url, double ratePerS, long durationMs, long warmMs, int connections, long spinUs) {
    public Plan {
      if (!"http".equals(url.getScheme()) || url.getHost() == null) {
        throw new IllegalArgumentException("url=" + url + " is not http://host[:port]/path");
      }
      if (!(ratePerS > 0) || durationMs <= 0 || warmMs < 0 || connections <= 0 || spinUs < 0) {
        throw new IllegalArgumentException(
            "rate="
                + ratePerS
                + " duration_ms="
                + durationMs
                + " warm_ms="
                + warmMs
                + " connections="
                + connections
                + " spin_us="
                + spinUs
                + ": rate, duration and connections must be positive, the others not negative");
      }
    }

    long totalRequests() {
      return (long) Math.floor(ratePerS * (warmMs + durationMs) / 1000.0);
    }

    long firstTimed() {
      return Math.min(totalRequests(), (long) Math.ceil(ratePerS * warmMs / 1000.0));
    }
  }

  /**
   * One run's figures.
   *
   * @param latenciesNs the timed requests answered 200, from schedule to the answer's last byte,
   *     sorted
   * @param errors requests of the run (warm-up included) not answered 200
   * @param firstError what went wrong first, or null
   * @param sendLagMeanNs how late the sender wrote a request after its scheduled time, on average
   * @param sendLagMaxNs the same, at worst
   * @param clientCpuCores the process's CPU time over the run's wall time (1.0: one core busy)
   */
  public record Result(
      Plan plan,
      double rateAchieved,
      long[] latenciesNs,
      long errors,
      String firstError,
      long sendLagMeanNs,
      long sendLagMaxNs,
      double clientCpuCores) {

    /** The latency at quantile {@code q} (0..1], nearest rank; 0 if nothing was timed. */
    public long percentileNs(double q) {
      if (latenciesNs.length == 0) {
        return 0;
      }
      int rank = (int) Math.ceil(q * latenciesNs.length);
      return latenciesNs[Math.max(0, Math.min(latenciesNs.length, rank) - 1)];
    }

    /** {@code url rate_target rate_achieved p50_ms p90_ms p99_ms p999_ms max_ms errors}. */
    public String line() {
      return String.format(
          Locale.ROOT,
          "%s %.0f %.0f %.3f %.3f %.3f %.3f %.3f %d",
          plan.url(),
          plan.ratePerS(),
          rateAchieved,
          percentileNs(0.50) / 1e6,
          percentileNs(0.90) / 1e6,
          percentileNs(0.99) / 1e6,
          percentileNs(0.999) / 1e6,
          percentileNs(1.0) / 1e6,
          errors);
    }
  }

  /** One connection: written by the sender, read by the reader. */
  private static final class Connection {
    final int index;
    final ByteBuffer out;
    ByteBuffer in = ByteBuffer.allocate(READ_BUFFER_BYTES);
    SocketChannel channel;
    long pending; // sender only: requests due but not yet copied into out
    long answered; // reader only
    volatile boolean dead;

    Connection(int index, byte[] request) {
      this.index = index;
      out = ByteBuffer.allocateDirect(request.length * BATCH_REQUESTS);
      for (int i = 0; i < BATCH_REQUESTS; i++) {
        out.put(request);
      }
      out.flip().limit(0);
    }
  }

  private final Plan plan;
  private final LongSupplier clock;
  private final byte[] request;
  private final int requestBytes;
  private final double periodNs;
  private final long total;
  private final long firstTimed;
  private final long[] latencies;
  private long t0;
  private volatile boolean senderDone;
  private volatile boolean quickAck;
  private volatile String firstError;
  // reader's state
  private long answered;
  private long notOk;
  private long lastTimedAnswerNs;

  /** A generator for {@code plan} timed by {@link System#nanoTime}. */
  public OpenLoopHttp(Plan plan) {
    this(plan, System::nanoTime);
  }

  /** A generator whose sender and reader both read {@code clock} (tests make it jump). */
  OpenLoopHttp(Plan plan, LongSupplier clock) {
    this.plan = plan;
    this.clock = clock;
    String path =
        plan.url().getRawPath() == null || plan.url().getRawPath().isEmpty()
            ? "/"
            : plan.url().getRawPath();
    if (plan.url().getRawQuery() != null) {
      path += "?" + plan.url().getRawQuery();
    }
    request =
        ("GET " + path + " HTTP/1.1\r\nHost: " + plan.url().getHost() + ":" + port() + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);
    requestBytes = request.length;
    periodNs = 1e9 / plan.ratePerS();
    total = plan.totalRequests();
    firstTimed = plan.firstTimed();
    latencies = new long[Math.toIntExact(total - firstTimed)];
  }

  public static void main(String[] args) throws Exception {
    if (args.length < 4) {
      System.err.println(
          "usage: OpenLoopHttp url rate_per_s duration_ms warm_ms [connections=50] [spin_us=0]");
      System.exit(2);
    }
    Plan plan =
        new Plan(
            URI.create(args[0]),
            Double.parseDouble(args[1]),
            Long.parseLong(args[2]),
            Long.parseLong(args[3]),
            args.length > 4 ? Integer.parseInt(args[4]) : DEFAULT_CONNECTIONS,
            args.length > 5 ? Long.parseLong(args[5]) : 0);
    Result result = new OpenLoopHttp(plan).run();
    System.err.printf(
        Locale.ROOT,
        "# client: send lag mean %.1f us, max %.1f us; CPU %.2f cores%s%n",
        result.sendLagMeanNs() / 1e3,
        result.sendLagMaxNs() / 1e3,
        result.clientCpuCores(),
        result.firstError() == null ? "" : "; first error: " + result.firstError());
    System.out.println(result.line());
  }

  /** Opens the connections, sends every request on its schedule, waits for the answers. */
  public Result run() throws IOException, InterruptedException {
    Connection[] connections = new Connection[plan.connections()];
    long cpuStart = processCpuNs();
    long wallStart = System.nanoTime();
    try (Selector selector = Selector.open()) {
      InetSocketAddress address = new InetSocketAddress(plan.url().getHost(), port());
      for (int c = 0; c < connections.length; c++) {
        connections[c] = open(c, address, selector);
      }
      Arrays.fill(latencies, NOT_ANSWERED);
      t0 = clock.getAsLong() + START_DELAY_NS;
      Thread reader =
          Thread.ofPlatform().name("openloop-reader").start(() -> read(selector, connections));
      long[] lag = send(connections);
      senderDone = true;
      selector.wakeup();
      reader.join();
      for (Connection connection : connections) {
        if (connection.channel != null) {
          connection.channel.close();
        }
      }
      double cores =
          (processCpuNs() - cpuStart) / (double) Math.max(1, System.nanoTime() - wallStart);
      return result(lag[0], lag[1], cores);
    }
  }

  private Connection open(int index, InetSocketAddress address, Selector selector) {
    Connection connection = new Connection(index, request);
    try {
      SocketChannel channel = SocketChannel.open(address);
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      quickAck = channel.supportedOptions().contains(ExtendedSocketOptions.TCP_QUICKACK);
      channel.configureBlocking(false);
      channel.register(selector, SelectionKey.OP_READ, connection);
      connection.channel = channel;
    } catch (IOException e) {
      fail(connection, "connect to " + address + ": " + e);
    }
    return connection;
  }

  /** The sender's loop. Returns {total lag ns / requests, max lag ns}. */
  private long[] send(Connection[] connections) {
    long next = 0;
    long lagSum = 0;
    long lagMax = 0;
    long drainEnd = scheduledNs(total) + TimeUnit.MILLISECONDS.toNanos(DRAIN_MS);
    while (true) {
      long now = clock.getAsLong();
      if (next < total && scheduledNs(next) <= now) {
        long last = Math.min(total - 1, Math.max(next, (long) ((now - t0) / periodNs)));
        while (last > next && scheduledNs(last) > now) {
          last--;
        }
        for (long i = next; i <= last; i++) {
          long lag = now - scheduledNs(i);
          lagSum += lag;
          lagMax = Math.max(lagMax, lag);
          connections[(int) (i % connections.length)].pending++;
        }
        next = last + 1;
      }
      boolean backlog = false;
      for (Connection connection : connections) {
        backlog |= flush(connection);
      }
      if (next >= total) {
        if (!backlog || clock.getAsLong() > drainEnd) {
          return new long[] {lagSum / Math.max(1, total), lagMax};
        }
        LockSupport.parkNanos(BACKLOG_RETRY_NS);
        continue;
      }
      long waitNs = scheduledNs(next) - clock.getAsLong();
      if (waitNs > 0) {
        pause(backlog ? Math.min(waitNs, BACKLOG_RETRY_NS) : waitNs);
      }
    }
  }

  private void pause(long waitNs) {
    long spinNs = TimeUnit.MICROSECONDS.toNanos(plan.spinUs());
    if (waitNs > spinNs) {
      LockSupport.parkNanos(waitNs - spinNs);
    } else {
      Thread.onSpinWait();
    }
  }

  /** Writes what {@code connection} has due. Returns whether some is left (its socket is full). */
  private boolean flush(Connection connection) {
    if (connection.dead) {
      return false;
    }
    ByteBuffer out = connection.out;
    try {
      while (true) {
        if (!out.hasRemaining()) {
          if (connection.pending == 0) {
            return false;
          }
          int batch = (int) Math.min(connection.pending, BATCH_REQUESTS);
          connection.pending -= batch;
          out.limit(batch * requestBytes).position(0);
        }
        connection.channel.write(out);
        if (out.hasRemaining()) {
          return true;
        }
      }
    } catch (IOException e) {
      fail(connection, "write: " + e);
      return false;
    }
  }

  /** The reader's loop: until every request is answered, or the drain time is over. */
  private void read(Selector selector, Connection[] connections) {
    long drainEnd = scheduledNs(total) + TimeUnit.MILLISECONDS.toNanos(DRAIN_MS);
    try {
      while (answered < total && !allDead(connections)) {
        if (senderDone && clock.getAsLong() > drainEnd) {
          return;
        }
        selector.select(key -> onReadable(key, connections.length), 100);
      }
    } catch (IOException e) {
      firstError(e.toString());
    }
  }

  private void onReadable(SelectionKey key, int connectionCount) {
    Connection connection = (Connection) key.attachment();
    if (connection.dead) {
      key.cancel();
      return;
    }
    try {
      int read = connection.channel.read(connection.in);
      if (read < 0) {
        fail(connection, "the server closed connection " + connection.index);
        key.cancel();
        return;
      }
      long now = clock.getAsLong();
      if (quickAck) {
        // acknowledge at once what was read: see the class's javadoc (Linux clears it again)
        connection.channel.setOption(ExtendedSocketOptions.TCP_QUICKACK, true);
      }
      ByteBuffer in = connection.in.flip();
      int status;
      while ((status = Http1Responses.next(in)) != Http1Responses.INCOMPLETE) {
        long i = connection.index + connection.answered * connectionCount;
        connection.answered++;
        answered++;
        if (status != 200) {
          notOk++;
          firstError("status " + status + " for request " + i);
        } else if (i >= firstTimed) {
          latencies[(int) (i - firstTimed)] = now - scheduledNs(i);
          lastTimedAnswerNs = now;
        }
      }
      in.compact();
      if (!in.hasRemaining()) {
        if (in.capacity() >= MAX_READ_BUFFER_BYTES) {
          throw new IllegalStateException("a response above " + MAX_READ_BUFFER_BYTES + " bytes");
        }
        connection.in = ByteBuffer.allocate(in.capacity() * 2).put(in.flip());
      }
    } catch (IOException | RuntimeException e) {
      fail(connection, "read: " + e);
      key.cancel();
    }
  }

  private static boolean allDead(Connection[] connections) {
    for (Connection connection : connections) {
      if (!connection.dead) {
        return false;
      }
    }
    return true;
  }

  private void fail(Connection connection, String what) {
    connection.dead = true;
    firstError(what);
    if (connection.channel != null) {
      try {
        connection.channel.close();
      } catch (IOException e) {
        firstError("close: " + e);
      }
    }
  }

  private void firstError(String what) {
    if (firstError == null) {
      firstError = what;
    }
  }

  private Result result(long lagMeanNs, long lagMaxNs, double cores) {
    long[] timed = new long[latencies.length];
    int n = 0;
    for (long latency : latencies) {
      if (latency != NOT_ANSWERED) {
        timed[n++] = latency;
      }
    }
    timed = Arrays.copyOf(timed, n);
    Arrays.sort(timed);
    long windowStart = scheduledNs(firstTimed);
    // the window is the timed schedule's length, or longer if the last answer came after its end
    double windowNs =
        Math.max(TimeUnit.MILLISECONDS.toNanos(plan.durationMs()), lastTimedAnswerNs - windowStart);
    long errors = notOk + (total - answered);
    return new Result(
        plan, n / (windowNs / 1e9), timed, errors, firstError, lagMeanNs, lagMaxNs, cores);
  }

  private long scheduledNs(long i) {
    return t0 + (long) (i * periodNs);
  }

  private int port() {
    return plan.url().getPort() > 0 ? plan.url().getPort() : 80;
  }

  private static long processCpuNs() {
    return ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime()
        : 0;
  }
}
