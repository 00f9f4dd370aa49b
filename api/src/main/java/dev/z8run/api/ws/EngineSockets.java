package dev.z8run.api.ws;

import dev.z8run.api.auth.Tokens;
import dev.z8run.api.flows.FlowManager;
import dev.z8run.core.runtime.Engine;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsCloseCodes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The editor socket endpoint {@code /ws/engine} (docs/protocol.md): one {@link EngineSocket} per
 * connection, and a watchdog thread that drops clients that stopped reading and connections that
 * ended without a word.
 */
public final class EngineSockets implements AutoCloseable {
  public static final String PATH = "/ws/engine";
  private static final long WATCH_INTERVAL_MS = 250;

  private final Tokens tokens;
  private final FlowManager flows;
  private final SocketSettings settings;
  private final SocketCommands commands;
  private final Set<EngineSocket> open = ConcurrentHashMap.newKeySet();

  /**
   * Connections not yet authenticated, at most {@link #MAX_UNAUTHENTICATED}: with {@link
   * EngineSocket#MAX_FRAME_BYTES} per connection, what strangers can make the server hold is
   * bounded (64 MiB), whatever they open.
   */
  static final int MAX_UNAUTHENTICATED = 64;

  private final java.util.concurrent.atomic.AtomicInteger unauthenticated =
      new java.util.concurrent.atomic.AtomicInteger();
  private final Thread watchdog;
  private volatile boolean running = true;

  public EngineSockets(Tokens tokens, FlowManager flows, SocketSettings settings) {
    this.tokens = tokens;
    this.flows = flows;
    this.settings = settings;
    this.commands = new SocketCommands(flows);
    this.watchdog = Thread.ofPlatform().daemon().name("z8-ws-watchdog").start(this::watch);
  }

  /** The WebSocket routing to add to the server. */
  public WsRouting.Builder routing() {
    return WsRouting.builder().endpoint(PATH, () -> new EngineSocket(this));
  }

  /**
   * The WebSocket protocol settings: a frame may carry one protocol frame of the largest payload
   * (Helidon's default limit is 1 MiB); larger ones are refused with close 1009.
   */
  public static WsConfig protocolConfig() {
    return WsConfig.builder()
        .name("websocket")
        .maxFrameLength(EngineSocket.MAX_FRAME_BYTES)
        .build();
  }

  /** Connections open now. */
  public int openConnections() {
    return open.size();
  }

  SocketSettings settings() {
    return settings;
  }

  Tokens tokens() {
    return tokens;
  }

  dev.z8run.api.flows.SecretRedactor redactor() {
    return flows.redactor();
  }

  Engine engine() {
    return flows.engine();
  }

  SocketCommands commands() {
    return commands;
  }

  void opened(EngineSocket socket) {
    open.add(socket);
  }

  boolean tryTakePreAuthSlot() {
    if (unauthenticated.incrementAndGet() > MAX_UNAUTHENTICATED) {
      unauthenticated.decrementAndGet();
      return false;
    }
    return true;
  }

  void releasePreAuthSlot() {
    unauthenticated.decrementAndGet();
  }

  private void watch() {
    while (running) {
      try {
        Thread.sleep(WATCH_INTERVAL_MS);
      } catch (InterruptedException stopping) {
        return;
      }
      long now = System.nanoTime();
      for (EngineSocket socket : open) {
        try {
          socket.watch(now);
        } catch (RuntimeException failed) {
          System.getLogger(EngineSockets.class.getName())
              .log(System.Logger.Level.WARNING, "socket watchdog failed", failed);
        }
        if (!socket.connectionAlive()) {
          socket.releasePreAuthSlot();
          socket.releaseHeld();
          open.remove(socket);
        }
      }
    }
  }

  /** How long {@link #close} waits for the close frames before it cuts the connections. */
  private static final long CLOSE_WAIT_MS = 1000;

  /**
   * Tells every client the server is going away (close 1001) and stops the watchdog. Each close
   * frame is written on a thread of its own: a client that stopped reading blocks its write (or the
   * write before it, which holds the connection's sender), and the server's stop must not wait for
   * it; whatever is not written after {@link #CLOSE_WAIT_MS} is cut.
   */
  @Override
  public void close() {
    running = false;
    watchdog.interrupt();
    java.util.Map<EngineSocket, Thread> closing = new java.util.HashMap<>();
    for (EngineSocket socket : open) {
      closing.put(
          socket,
          Thread.ofVirtual()
              .name("z8-ws-close")
              .start(() -> socket.closeWith(WsCloseCodes.GOING_AWAY, "server stopping")));
    }
    long deadline = System.nanoTime() + CLOSE_WAIT_MS * 1_000_000L;
    boolean interrupted = false;
    for (java.util.Map.Entry<EngineSocket, Thread> entry : closing.entrySet()) {
      long leftMs = Math.max(1, (deadline - System.nanoTime()) / 1_000_000L);
      try {
        if (!entry.getValue().join(java.time.Duration.ofMillis(leftMs))) {
          entry.getKey().abort();
        }
      } catch (InterruptedException stop) {
        interrupted = true;
        entry.getKey().abort();
      }
    }
    open.clear();
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
