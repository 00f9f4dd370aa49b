package dev.z8run.api.ws;

import dev.z8run.api.auth.InvalidTokenException;
import dev.z8run.api.auth.UserPrincipal;
import dev.z8run.api.http.ApiException;
import dev.z8run.api.http.BodyBudget;
import dev.z8run.api.http.ClientAddresses;
import dev.z8run.api.ws.z8.Z8Encoding;
import dev.z8run.io.frame.FrameDescriptor;
import dev.z8run.io.frame.FrameError;
import dev.z8run.io.frame.FrameFlyweight;
import dev.z8run.io.frame.MessageType;
import dev.z8run.io.json.JsonCodec;
import io.helidon.common.buffers.BufferData;
import io.helidon.websocket.WsCloseCodes;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One editor-socket connection: reads the client's frames on Helidon's connection thread, checks
 * them as docs/protocol.md says (in that order: WebSocket message kind and size, header, rate,
 * authentication, payload), answers each request with exactly one reply carrying its correlation
 * id, and runs the connection's {@link EventPump}.
 */
final class EngineSocket implements WsListener {
  /** The largest WebSocket message a client may send: one frame with the largest payload. */
  static final int MAX_MESSAGE_BYTES =
      FrameDescriptor.HEADER_LENGTH + FrameDescriptor.MAX_PAYLOAD_BYTES;

  /**
   * The largest single WebSocket frame Helidon reads (1009 beyond). It reads a frame whole before
   * handing it on, so this bounds what a connection can make the server hold before anything is
   * checked; a larger protocol message arrives in several frames (continuations).
   */
  static final int MAX_FRAME_BYTES = 1 << 20;

  /** The largest message before the connection has authenticated (1009 beyond). */
  static final int MAX_UNAUTHENTICATED_MESSAGE_BYTES = 64 * 1024;

  static final int PROTOCOL_VERSION = FrameDescriptor.VERSION;
  private static final int MAX_AUTH_FAILURES = 3;
  private static final System.Logger LOG = System.getLogger(EngineSocket.class.getName());

  private final EngineSockets sockets;
  private final SocketSettings settings;
  private final FrameFlyweight frame = new FrameFlyweight();
  private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
  private SocketSender sender;
  private EventPump pump;
  private Thread connectionThread;
  private Thread pumpThread;

  private byte[] message = new byte[INITIAL_MESSAGE_BYTES];
  private int messageLength;
  private boolean oversized;

  /** The message buffer of a connection that has not received a larger one. */
  private static final int INITIAL_MESSAGE_BYTES = 1024;

  /**
   * A buffer grown past this is given up after its message (and its bytes back to the budget): a
   * connection keeps at most this much between messages.
   */
  private static final int KEPT_MESSAGE_BYTES = 64 * 1024;

  /**
   * What {@link #message} holds past its first {@link #INITIAL_MESSAGE_BYTES}, taken from the body
   * budget of the server ({@link BodyBudget}) for this connection's address: a signed-in user's
   * sockets, each sending most of a 16 MiB message in fragments and then nothing, would otherwise
   * hold the heap without bound (1,024 connections per address).
   */
  private final java.util.concurrent.atomic.AtomicLong held =
      new java.util.concurrent.atomic.AtomicLong();

  private volatile BodyBudget budget;
  private volatile Object client;

  private volatile UserPrincipal user;

  /**
   * How this connection's payloads are encoded: null until its first payload-bearing frame says
   * (docs/protocol.md, "z8run's codec"), then fixed.
   */
  private volatile PayloadEncoding encoding;

  private final Z8Requests z8 = new Z8Requests(this);
  private final java.util.concurrent.atomic.AtomicBoolean holdsPreAuthSlot =
      new java.util.concurrent.atomic.AtomicBoolean();
  private volatile long tokenExpiresAtMs = Long.MAX_VALUE;
  private int authFailures;
  private final long openedAtNs = System.nanoTime();
  private volatile long lastReceivedNs = openedAtNs;
  private volatile long closingSinceNs;
  private long rateWindowStartNs = openedAtNs;
  private int requestsInWindow;

  EngineSocket(EngineSockets sockets) {
    this.sockets = sockets;
    this.settings = sockets.settings();
  }

  @Override
  public void onOpen(WsSession session) {
    connectionThread = Thread.currentThread();
    budget = BodyBudget.server();
    client = ClientAddresses.of(session.socketContext().remotePeer().address());
    sender = new SocketSender(session);
    pump = new EventPump(this, sender, sockets.engine(), settings, sockets.redactor());
    sockets.opened(this);
    pumpThread = Thread.ofVirtual().name("z8-ws-events").start(pump);
    if (!sockets.tryTakePreAuthSlot()) {
      closeWith(
          WsCloseCodes.TRY_AGAIN_LATER,
          "too many connections waiting to authenticate; retry shortly");
      return;
    }
    holdsPreAuthSlot.set(true);
  }

  /**
   * Takes {@code bytes} more for the message buffer from the server's body budget, or closes the
   * connection with 1013 (try again later) when the budget, or this address's half of it, is taken:
   * the rest of the message is dropped.
   */
  private boolean holdMore(long bytes) {
    try {
      budget.take(client, bytes);
    } catch (ApiException refused) {
      oversized = true;
      String reason = refused.getMessage();
      closeWith(
          WsCloseCodes.TRY_AGAIN_LATER, reason.length() > 120 ? reason.substring(0, 120) : reason);
      return false;
    }
    held.addAndGet(bytes);
    if (sender.isClosed()) {
      releaseHeld(); // closed meanwhile: its release may have run before this take
    }
    return true;
  }

  /** Gives back what the message buffer holds in the body budget (at the end, and when shrunk). */
  void releaseHeld() {
    long bytes = held.getAndSet(0);
    if (bytes > 0) {
      budget.give(client, bytes);
    }
  }

  /** Gives back this connection's place among those not yet authenticated, once. */
  void releasePreAuthSlot() {
    if (holdsPreAuthSlot.compareAndSet(true, false)) {
      sockets.releasePreAuthSlot();
    }
  }

  @Override
  public void onMessage(WsSession session, String text, boolean last) {
    if (!sender.isClosed()) {
      closeWith(WsCloseCodes.CANNOT_ACCEPT, "binary frames only");
    }
  }

  @Override
  public void onMessage(WsSession session, BufferData buffer, boolean last) {
    lastReceivedNs = System.nanoTime();
    if (sender.isClosed()) {
      return; // after a close, whatever the client sends is dropped
    }
    int length = buffer.available();
    int limit = user == null ? MAX_UNAUTHENTICATED_MESSAGE_BYTES : MAX_MESSAGE_BYTES;
    if (oversized || (long) messageLength + length > limit) {
      oversized = true;
      closeWith(
          WsCloseCodes.TOO_BIG,
          "message larger than "
              + limit
              + " bytes"
              + (user == null ? " before authentication" : ""));
      return;
    }
    if (messageLength + length > message.length) {
      int size = Math.min(MAX_MESSAGE_BYTES, Math.max(messageLength + length, message.length * 2));
      if (!holdMore(size - message.length)) {
        return;
      }
      byte[] grown = new byte[size];
      System.arraycopy(message, 0, grown, 0, messageLength);
      message = grown;
    }
    int read = 0;
    while (read < length) {
      int n = buffer.read(message, messageLength + read, length - read);
      if (n <= 0) {
        break;
      }
      read += n;
    }
    messageLength += read;
    if (!last) {
      return;
    }
    try {
      handle(message, messageLength);
    } finally {
      messageLength = 0;
      if (message.length > KEPT_MESSAGE_BYTES) {
        message = new byte[INITIAL_MESSAGE_BYTES]; // do not hold a large buffer for a lifetime
        releaseHeld();
      }
    }
  }

  /**
   * A control frame's largest payload (RFC 6455 5.5). Helidon reads a ping of any length up to
   * {@link #MAX_FRAME_BYTES} and hands it here without checking; answering it with a pong of the
   * same length would write a control frame no client accepts, so it is refused with 1002 instead.
   */
  static final int MAX_CONTROL_PAYLOAD_BYTES = 125;

  @Override
  public void onPing(WsSession session, BufferData buffer) {
    lastReceivedNs = System.nanoTime();
    if (sender.isClosed()) {
      return;
    }
    int length = buffer.available();
    if (length > MAX_CONTROL_PAYLOAD_BYTES) {
      closeWith(
          WsCloseCodes.PROTOCOL_ERROR,
          "ping payload_len=" + length + " exceeds " + MAX_CONTROL_PAYLOAD_BYTES);
      return;
    }
    sender.pong(buffer);
  }

  @Override
  public void onPong(WsSession session, BufferData buffer) {
    lastReceivedNs = System.nanoTime();
  }

  @Override
  public void onClose(WsSession session, int status, String reason) {
    sender.close(WsCloseCodes.NORMAL_CLOSE, "normal");
    stop();
  }

  @Override
  public void onError(WsSession session, Throwable failure) {
    LOG.log(System.Logger.Level.DEBUG, "socket error: " + failure);
    sender.close(WsCloseCodes.UNEXPECTED_CONDITION, "server error");
    stop();
  }

  /** One complete client message: exactly one frame. */
  private void handle(byte[] bytes, int length) {
    view.wrap(bytes, 0, length);
    frame.wrap(view, 0);
    FrameError problem = frame.validate(length);
    int correlationId = length >= FrameDescriptor.HEADER_LENGTH ? frame.correlationId() : 0;
    if (problem != FrameError.NONE) {
      String reason = frame.reason(problem, length);
      fail(correlationId, problem.errorCode(), reason);
      if (problem.closeCode() != 0) {
        closeWith(problem.closeCode(), reason.length() > 120 ? reason.substring(0, 120) : reason);
      }
      return;
    }
    if (!allowRequest()) {
      fail(
          correlationId,
          429,
          "more than " + settings.requestsPerSecond() + " requests per second on this connection");
      return;
    }
    int type = frame.msgType();
    if (MessageType.isServerToClient(type)) {
      fail(
          correlationId,
          400,
          "msg_type=" + hex(type) + " (" + MessageType.name(type) + ") is sent by the server only");
      return;
    }
    try {
      request(type, correlationId, frame.payloadOffset(), frame.payloadLength());
    } catch (ApiException refused) {
      if (z8Encoding() != null) {
        // z8run's Error has no room for the problem list: it goes into the message
        fail(
            correlationId,
            refused.status().code(),
            refused.problems().isEmpty()
                ? refused.getMessage()
                : refused.getMessage() + " problems=" + JsonCodec.writeString(refused.problems()));
        return;
      }
      Map<String, Object> error = new LinkedHashMap<>();
      error.put("code", refused.status().code());
      error.put("message", refused.getMessage());
      if (!refused.problems().isEmpty()) {
        error.put("problems", refused.problems());
      }
      sender.replyJson(MessageType.ERROR, correlationId, error);
    } catch (SocketCommands.Busy busy) {
      if (z8Encoding() != null) {
        fail(correlationId, 503, busy.getMessage());
        return;
      }
      sender.replyJson(
          MessageType.ERROR,
          correlationId,
          Map.of("code", 503, "message", busy.getMessage(), "retry_after_ms", busy.retryAfterMs));
    } catch (RuntimeException failed) {
      LOG.log(System.Logger.Level.WARNING, "request " + MessageType.name(type) + " failed", failed);
      fail(correlationId, 500, "the server failed: " + failed);
    }
  }

  private void request(int type, int correlationId, int offset, int length) {
    PayloadEncoding current = encoding;
    if (current == null && length > 0) {
      current = PayloadEncoding.detect(view.byteArray(), offset, length);
    }
    if (current != null && current.z8() != null) {
      z8.request(current.z8(), type, correlationId, view.byteArray(), offset, length);
      return;
    }
    switch (type) {
      case MessageType.HELLO -> hello(correlationId, json(offset, length));
      case MessageType.AUTHENTICATE -> authenticate(correlationId, json(offset, length));
      default -> {
        UserPrincipal signedIn = user;
        if (signedIn == null) {
          sender.error(correlationId, 401, "authenticate first");
          return;
        }
        if (type == MessageType.PING) {
          sender.reply(MessageType.PONG, correlationId, new byte[0]);
          return;
        }
        if (MessageType.isUnimplementedRequest(type)) {
          sender.error(
              correlationId,
              501,
              MessageType.name(type) + " is reserved: this server does not implement it");
          return;
        }
        if (length > settings.maxRequestBytes()) {
          sender.error(
              correlationId,
              413,
              "payload_len="
                  + length
                  + " exceeds this server's request limit of "
                  + settings.maxRequestBytes()
                  + " bytes");
          return;
        }
        Map<String, Object> result =
            sockets.commands().run(type, signedIn.userId(), json(offset, length), pump);
        sender.replyJson(MessageType.OK, correlationId, result);
      }
    }
  }

  private void hello(int correlationId, Map<String, Object> request) {
    Object versions = request.get("versions");
    if (!(versions instanceof List<?> list)) {
      throw ApiException.badRequest(
          "versions: expected an array of numbers, got " + JsonCodec.describe(versions));
    }
    for (Object version : list) {
      if (version instanceof Number number && number.longValue() == PROTOCOL_VERSION) {
        sender.replyJson(
            MessageType.HELLO,
            correlationId,
            Map.of(
                "version",
                PROTOCOL_VERSION,
                "server",
                "z8run-jvm",
                "max_payload",
                FrameDescriptor.MAX_PAYLOAD_BYTES));
        return;
      }
    }
    sender.error(
        correlationId, 426, "no common protocol version; server speaks [" + PROTOCOL_VERSION + "]");
    closeWith(WsCloseCodes.PROTOCOL_ERROR, "no common protocol version");
  }

  void authenticate(int correlationId, Map<String, Object> request) {
    Object token = request.get("token");
    if (!(token instanceof String text)) {
      throw ApiException.badRequest(
          "token: expected the JWT from POST /auth/login, got " + JsonCodec.describe(token));
    }
    UserPrincipal verified;
    Instant expiry;
    try {
      verified = sockets.tokens().verify(text);
      expiry = sockets.tokens().expiresAt(text);
    } catch (InvalidTokenException refused) {
      authFailures++;
      if (z8Encoding() != null) {
        z8.authResult(correlationId, null);
      } else {
        sender.replyJson(
            MessageType.AUTH_RESULT,
            correlationId,
            Map.of("ok", false, "code", 401, "message", "invalid or expired token"));
      }
      if (authFailures >= MAX_AUTH_FAILURES) {
        closeWith(WsCloseCodes.VIOLATED_POLICY, "too many failed authentications");
      }
      return;
    }
    UserPrincipal previous = user;
    if (previous != null && !previous.userId().equals(verified.userId())) {
      pump.unsubscribeAll(); // another user's subscriptions do not carry over
    }
    tokenExpiresAtMs = expiry.toEpochMilli();
    user = verified;
    releasePreAuthSlot();
    if (z8Encoding() != null) {
      z8.authResult(correlationId, verified);
      return;
    }
    sender.replyJson(
        MessageType.AUTH_RESULT,
        correlationId,
        Map.of(
            "ok", true, "user", Map.of("id", verified.userId(), "username", verified.username())));
  }

  /**
   * Answers ERROR in this connection's encoding: {@code {"code","message"}}, or z8run's {@code
   * Error} once the connection speaks z8run's codec.
   */
  void fail(int correlationId, int code, String message) {
    Z8Encoding z8Encoding = z8Encoding();
    if (z8Encoding == null) {
      sender.error(correlationId, code, message);
    } else {
      z8.error(z8Encoding, correlationId, code, message);
    }
  }

  /**
   * z8run's encoding when the connection speaks it, else null (this server's JSON, or not yet
   * known).
   */
  Z8Encoding z8Encoding() {
    PayloadEncoding current = encoding;
    return current == null ? null : current.z8();
  }

  /** Fixes the connection's encoding after its first payload-bearing request decoded in it. */
  void lockEncoding(PayloadEncoding detected) {
    if (encoding == null) {
      encoding = detected;
      if (detected.z8() != null) {
        pump.speakZ8(detected.z8());
      }
    }
  }

  UserPrincipal user() {
    return user;
  }

  SocketSender sender() {
    return sender;
  }

  EventPump pump() {
    return pump;
  }

  EngineSockets sockets() {
    return sockets;
  }

  /** A request's payload as a JSON object; an empty payload is {@code {}}. */
  private Map<String, Object> json(int offset, int length) {
    if (length == 0) {
      return new LinkedHashMap<>();
    }
    Object parsed;
    try {
      parsed = JsonCodec.parse(view.byteArray(), offset, length);
    } catch (RuntimeException malformed) {
      throw ApiException.badRequest("payload is not valid JSON: " + malformed.getMessage());
    }
    if (!(parsed instanceof Map<?, ?> map)) {
      throw ApiException.badRequest(
          "payload: expected a JSON object, got " + JsonCodec.describe(parsed));
    }
    lockEncoding(PayloadEncoding.OURS);
    Map<String, Object> object = new LinkedHashMap<>();
    map.forEach((key, value) -> object.put(String.valueOf(key), value));
    return object;
  }

  private boolean allowRequest() {
    long now = System.nanoTime();
    if (now - rateWindowStartNs >= 1_000_000_000L) {
      rateWindowStartNs = now;
      requestsInWindow = 0;
    }
    return ++requestsInWindow <= settings.requestsPerSecond();
  }

  /**
   * Checked by the pump every batch: closes the connection when it stayed unauthenticated too long,
   * its token expired, or the client fell silent.
   *
   * @return false when the connection is closed or gone and the pump should stop
   */
  boolean checkDeadlines(long nowNs) {
    if (sender.isClosed() || (connectionThread != null && !connectionThread.isAlive())) {
      return false;
    }
    if (user == null && nowNs - openedAtNs > settings.authTimeoutMs() * 1_000_000L) {
      closeWith(WsCloseCodes.VIOLATED_POLICY, "authentication timeout");
      return false;
    }
    if (user != null && System.currentTimeMillis() >= tokenExpiresAtMs) {
      closeWith(WsCloseCodes.VIOLATED_POLICY, "token expired");
      return false;
    }
    if (nowNs - lastReceivedNs > settings.idleTimeoutMs() * 1_000_000L) {
      closeWith(
          WsCloseCodes.VIOLATED_POLICY,
          "idle timeout: nothing received for " + settings.idleTimeoutMs() + " ms");
      return false;
    }
    return true;
  }

  /**
   * Checked by the watchdog: a send blocked past the slow-consumer limit drops the connection; a
   * connection that was closed but whose client never answered the close is cut after 5 s.
   */
  void watch(long nowNs) {
    if (sender.dropIfStalled(nowNs, settings.slowConsumerMs() * 1_000_000L)) {
      LOG.log(System.Logger.Level.INFO, "dropped a client that stopped reading (slow consumer)");
      cut();
      return;
    }
    long closing = closingSinceNs;
    if (closing != 0 && nowNs - closing > 5_000_000_000L) {
      cut();
    }
  }

  /**
   * Sends a close frame; the client's answer (or the watchdog) then ends the connection.
   *
   * @param code one of Helidon's {@link WsCloseCodes}
   */
  void closeWith(int code, String reason) {
    if (closingSinceNs == 0) {
      closingSinceNs = System.nanoTime();
    }
    sender.close(code, reason);
  }

  /**
   * Ends the connection now, whatever its threads are doing: the one blocked in a write is
   * interrupted too (the server is stopping and a client stopped reading).
   */
  void abort() {
    sender.interruptWriter();
    cut();
  }

  /** Ends the connection without ceremony: interrupting its threads closes their sockets. */
  private void cut() {
    closingSinceNs = 0;
    Thread reader = connectionThread;
    if (reader != null) {
      reader.interrupt();
    }
    stop();
  }

  private void stop() {
    releasePreAuthSlot();
    releaseHeld();
    Thread thread = pumpThread;
    if (thread != null && thread != Thread.currentThread()) {
      LockSupport.unpark(thread);
    }
  }

  /** Whether Helidon still runs this connection (its thread ends when the connection does). */
  boolean connectionAlive() {
    return connectionThread != null && connectionThread.isAlive();
  }

  private static String hex(int type) {
    return String.format("0x%04X", type);
  }
}
