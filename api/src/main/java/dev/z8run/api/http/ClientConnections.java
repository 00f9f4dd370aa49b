package dev.z8run.api.http;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ProtocolConfigs;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.spi.ProtocolConfig;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import io.helidon.webserver.spi.ServerConnectionSelectorProvider;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server's HTTP/1 connections, counted per client address (an IPv6 address by its /64): a
 * client that already holds {@code maxPerClient} open connections has a further one answered 503
 * and closed, so one client cannot hold every connection the server allows ({@code
 * Z8_MAX_CONNECTIONS}) and lock other clients out.
 *
 * <p>It is the first connection selector of the listener and hands every connection it lets in to
 * Helidon's own HTTP/1 selector (the editor socket's upgrade included), counting it until that
 * connection's handler returns. A connection is counted from its first bytes: Helidon identifies a
 * connection's protocol only then, and closes one that sends nothing after its socket read timeout
 * (30 s). Thread-safe.
 */
public final class ClientConnections implements ServerConnectionSelector {
  private static final byte[] REFUSAL =
      ErrorResponses.closingAnswer(
          503,
          "Service Unavailable",
          "too many connections from this client address (Z8_MAX_CONNECTIONS_PER_CLIENT)",
          "Retry-After: 1\r\n");

  /** How long a closing connection reads (and drops) what the client still sends. */
  static final Duration LINGER = Duration.ofSeconds(2);

  /** The most a closing connection reads (and drops) of what the client still sends. */
  static final long LINGER_MAX_BYTES = 16L << 20;

  /** Closes lingering sockets at their deadline (a blocked read then ends). */
  private static final ScheduledExecutorService LINGER_DEADLINES =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("z8-linger").factory());

  private final ServerConnectionSelector http1;
  private final RequestFraming framing = new RequestFraming();
  private final int maxPerClient;
  private final RequestDeadlines deadlines;
  private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();

  /**
   * @param maxPerClient the most connections one client address may hold
   * @param protocols the listener's protocol configurations (the editor socket's), as the HTTP/1
   *     selector Helidon would make itself gets them
   */
  public ClientConnections(int maxPerClient, List<ProtocolConfig> protocols) {
    this(
        maxPerClient,
        RequestDeadlines.DEFAULT_HEADERS_TIMEOUT_MS,
        RequestDeadlines.DEFAULT_IDLE_TIMEOUT_MS,
        protocols);
  }

  /**
   * @param maxPerClient the most connections one client address may hold
   * @param headersTimeoutMs how long a request's line and headers may take to arrive ({@link
   *     RequestDeadlines})
   * @param idleTimeoutMs how long a kept-alive connection may wait for its next request
   * @param protocols the listener's protocol configurations (the editor socket's), as the HTTP/1
   *     selector Helidon would make itself gets them
   */
  public ClientConnections(
      int maxPerClient, long headersTimeoutMs, long idleTimeoutMs, List<ProtocolConfig> protocols) {
    this.maxPerClient = maxPerClient;
    this.deadlines = new RequestDeadlines(headersTimeoutMs, idleTimeoutMs);
    this.http1 = http1Selector(ProtocolConfigs.create(protocols), framing);
  }

  /** Helidon's HTTP/1 selector, made by its provider as the listener would make it. */
  @SuppressWarnings("unchecked")
  private static ServerConnectionSelector http1Selector(
      ProtocolConfigs protocols, RequestFraming framing) {
    for (ServerConnectionSelectorProvider<?> provider :
        ServiceLoader.load(
            ServerConnectionSelectorProvider.class, ClientConnections.class.getClassLoader())) {
      if (provider.protocolConfigType() == Http1Config.class) {
        return ((ServerConnectionSelectorProvider<Http1Config>) provider)
            .create("@default", http1Config(framing), protocols);
      }
    }
    throw new IllegalStateException(
        "Helidon's HTTP/1 connection provider is not on the class path");
  }

  /**
   * Helidon's defaults, plus the listener that keeps {@code Content-Length} out of a 204 or 304 and
   * those that keep a request's body from being read as a request ({@link RequestFraming}).
   */
  private static Http1Config http1Config(RequestFraming framing) {
    return Http1Config.builder()
        // one send listener: Helidon 4.2's composite of several calls none of them
        .addSendListener(framing.sendListener(NoContent.LISTENER))
        .addReceiveListener(framing)
        .build();
  }

  /** Connections one client address holds now (for tests and metrics). */
  public int openBy(String clientKey) {
    AtomicInteger count = open.get(clientKey);
    return count == null ? 0 : count.get();
  }

  @Override
  public int bytesToIdentifyConnection() {
    return http1.bytesToIdentifyConnection();
  }

  @Override
  public Support supports(BufferData request) {
    Support support = http1.supports(request);
    // Helidon's HTTP/1 selector claims only a first line that ends in "HTTP/1.1": anything else
    // (HTTP/1.0, which nginx's proxy_pass sends by default, or a malformed line) was closed
    // without a byte. HTTP/1 is this listener's only protocol, so it takes every connection, and
    // its parser answers the rest in the error shape: 505 for HTTP/1.0, else 400
    return support == Support.UNSUPPORTED ? Support.SUPPORTED : support;
  }

  @Override
  public Set<String> supportedApplicationProtocols() {
    return http1.supportedApplicationProtocols();
  }

  @Override
  public ServerConnection connection(ConnectionContext context) {
    String client = ClientAddresses.key(context.remotePeer().address());
    AtomicInteger count = open.computeIfAbsent(client, key -> new AtomicInteger());
    if (count.incrementAndGet() > maxPerClient) {
      release(client, count);
      return new Refused(context);
    }
    try {
      return new Counted(http1.connection(context), context, client, count);
    } catch (RuntimeException failed) {
      release(client, count);
      throw failed;
    }
  }

  private void release(String client, AtomicInteger count) {
    if (count.decrementAndGet() == 0) {
      open.remove(client, count);
    }
  }

  /**
   * A lingering close: before Helidon closes the socket (right after the connection's handler
   * returns), reads and drops what the client still sends, until it closes its side, for at most
   * {@link #LINGER} and {@link #LINGER_MAX_BYTES}. A server that closes a socket with unread bytes
   * in its receive buffer sends a TCP reset, and a client still sending a refused body (a 413 or a
   * 401 answered from the headers alone, without {@code Expect: 100-continue}) would then lose the
   * answer waiting in its own receive buffer before reading it. Bounded both ways, so a refused
   * body is never read without limit (docs/security.md, finding 6).
   */
  static void linger(ConnectionContext context) {
    HelidonSocket socket;
    try {
      socket = context.serverSocket();
    } catch (UnsupportedOperationException none) {
      return;
    }
    if (!socket.isConnected()) {
      return;
    }
    ScheduledFuture<?> deadline =
        LINGER_DEADLINES.schedule(socket::close, LINGER.toMillis(), TimeUnit.MILLISECONDS);
    try {
      long drained = 0;
      while (drained < LINGER_MAX_BYTES) {
        byte[] read = socket.get();
        if (read == null) {
          break; // the client closed its side
        }
        drained += read.length;
      }
    } catch (RuntimeException closed) {
      // the deadline closed the socket, or the client reset it: nothing more to wait for
    } finally {
      deadline.cancel(false);
    }
  }

  /** A connection let in: counted until its handler returns (and its close has lingered). */
  private final class Counted implements ServerConnection {
    private final ServerConnection connection;
    private final ConnectionContext context;
    private final String client;
    private final AtomicInteger count;

    Counted(
        ServerConnection connection,
        ConnectionContext context,
        String client,
        AtomicInteger count) {
      this.connection = connection;
      this.context = context;
      this.client = client;
      this.count = count;
    }

    @Override
    public void handle(Limit limit) throws InterruptedException {
      RequestDeadlines.Watch watch = deadlines.watch(context);
      framing.watch(context, watch);
      try {
        try {
          connection.handle(framing.endingAfterClose(limit, context));
        } catch (CloseConnectionException ended) {
          // the client closed, or RequestFraming ended the connection after an answer that said
          // Connection: close: lingers below unless the client cannot still be sending
        } catch (RuntimeException failed) {
          if (!watch.expired()) {
            throw failed;
          }
          // its deadline answered 408 and closed the socket under the read, and Helidon's answer
          // to the failed read could not be written: the connection has ended as it should
          return;
        }
        if (framing.mayStillSend(context)) {
          linger(context);
        }
      } finally {
        watch.close();
        framing.forget(context);
        release(client, count);
      }
    }

    @Override
    public Duration idleTime() {
      return connection.idleTime();
    }

    @Override
    public void close(boolean interrupt) {
      connection.close(interrupt);
    }
  }

  /** A connection over the client's limit: one 503, then closed (by Helidon, when it returns). */
  private static final class Refused implements ServerConnection {
    private final ConnectionContext context;

    Refused(ConnectionContext context) {
      this.context = context;
    }

    @Override
    public void handle(Limit limit) {
      answer();
      linger(context);
    }

    private void answer() {
      context.dataWriter().writeNow(BufferData.create(REFUSAL));
    }

    @Override
    public Duration idleTime() {
      return Duration.ZERO;
    }

    @Override
    public void close(boolean interrupt) {
      // nothing held: the handler returns at once
    }
  }
}
