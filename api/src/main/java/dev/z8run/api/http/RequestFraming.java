package dev.z8run.api.http;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.http.Header;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.Http1ConnectionListener;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where one request ends and the next begins on an HTTP/1.1 connection: the checks that keep a
 * request's body from being read as a request of its own (request smuggling, RFC 9112 §6.3 and
 * §11.2). Helidon 4.2 leaves three holes, and this class closes them:
 *
 * <ul>
 *   <li><b>Ambiguous framing.</b> A request whose length two parties could read differently is
 *       refused with 400 and the connection closed before it is routed: more than one {@code
 *       Content-Length} value, one that is not digits only ({@code -1}, {@code +2}), {@code
 *       Content-Length} beside {@code Transfer-Encoding}, and a {@code Transfer-Encoding} other
 *       than {@code chunked} alone ({@code gzip, chunked}, which Helidon took for a request without
 *       a body and then read the body as the next request).
 *   <li><b>A close it announced.</b> After an answer that says {@code Connection: close} (a refusal
 *       whose body was not read, or a request that asked for it), Helidon goes on reading requests
 *       from the connection, so a refused body ran as a request; and with nothing more sent it
 *       waits for the next request instead of closing, so a client that reads to the end of the
 *       connection hangs. Here the connection ends as soon as such an answer is sent ({@link
 *       #endingAfterClose}), and a request line that arrives on it is never read; {@link
 *       ClientConnections} lingers when the client may still be sending, so that it reads the
 *       answer before the close.
 * </ul>
 *
 * <p>Installed as the receive listener, and through {@link #sendListener} the send listener, of the
 * HTTP/1 connections ({@link ClientConnections}). It remembers the connections that announced a
 * close until {@link #forget} (when their handler returns). Thread-safe: each connection is handled
 * on one thread.
 */
public final class RequestFraming implements Http1ConnectionListener {
  /** Why a connection ends after its current answer. */
  enum Close {
    /** The request said {@code Connection: close}; its body, if any, was read. */
    ASKED,
    /** The answer said it: a refusal that left the body unread, which the client may still send. */
    REFUSED
  }

  private final Map<ConnectionContext, Close> closing = new ConcurrentHashMap<>();

  /**
   * Connections upgraded to another protocol (the editor's WebSocket): no HTTP answer fits them.
   */
  private final Set<ConnectionContext> upgraded = ConcurrentHashMap.newKeySet();

  /** The request deadline of each connection ({@link RequestDeadlines}). */
  private final Map<ConnectionContext, RequestDeadlines.Watch> watches = new ConcurrentHashMap<>();

  /**
   * What an upgraded connection gets instead of Helidon's HTTP 500 when its protocol fails with an
   * exception Helidon does not handle (a WebSocket frame with a reserved opcode): close 1002.
   */
  private static final byte[] WS_PROTOCOL_ERROR = wsClose(1002, "malformed frame");

  /** The receive listener; {@link #sendListener} makes its pair, sharing its state. */
  public RequestFraming() {}

  /**
   * The send listener that tells this receive listener which answers announced a close, after
   * {@code first} has seen the answer's headers (Helidon 4.2 calls only the first of several send
   * listeners, so this one calls the other).
   */
  public Http1ConnectionListener sendListener(Http1ConnectionListener first) {
    return new SendSide(this, first);
  }

  /** Drops what is remembered of {@code context}: its handler has returned. */
  public void forget(ConnectionContext context) {
    closing.remove(context);
    upgraded.remove(context);
    watches.remove(context);
  }

  /** Keeps {@code context}'s requests to {@code watch}'s deadline, until {@link #forget}. */
  void watch(ConnectionContext context, RequestDeadlines.Watch watch) {
    watches.put(context, watch);
  }

  /**
   * Whether the client may still be sending on {@code context}, which ends after its answer: a
   * refused body, or bytes already received past the last request. The close should then linger.
   */
  public boolean mayStillSend(ConnectionContext context) {
    return closing.get(context) != Close.ASKED || context.dataReader().available() > 0;
  }

  /**
   * {@code limit}, whose permits end {@code context}'s connection as soon as an answer that said
   * {@code Connection: close} is sent (Helidon would read another request, or wait for one).
   */
  public Limit endingAfterClose(Limit limit, ConnectionContext context) {
    return new EndingLimit(limit, context, this, watches.get(context));
  }

  @Override
  public void prologue(ConnectionContext context, HttpPrologue prologue) {
    if (closing.containsKey(context)) {
      throw new CloseConnectionException(
          "a request after an answer that said 'Connection: close' is not read");
    }
    RequestDeadlines.Watch watch = watches.get(context);
    if (watch != null) {
      watch.onPrologue(prologue.method());
    }
  }

  @Override
  public void headers(ConnectionContext context, Headers headers) {
    String refusal = framingProblem(headers);
    if (refusal != null) {
      closing.put(context, Close.REFUSED);
      context
          .dataWriter()
          .writeNow(
              BufferData.create(ErrorResponses.closingAnswer(400, "Bad Request", refusal, "")));
      throw new CloseConnectionException(refusal);
    }
    if (hasToken(headers, HeaderNames.CONNECTION, "close")) {
      // Helidon answers with Connection: close, but would read a request after it
      closing.putIfAbsent(context, Close.ASKED);
    }
    RequestDeadlines.Watch watch = watches.get(context);
    if (watch != null) {
      watch.onHeaders();
      if (watch.method() != Method.GET
          && headers.contains(HeaderNames.UPGRADE)
          && headers instanceof WritableHeaders<?> writable) {
        // RFC 6455 §4.1: an upgrade to a WebSocket is a GET; Helidon upgraded any method. Another
        // method is routed as itself (404 or 405), as it would be without the header
        writable.remove(HeaderNames.UPGRADE);
      }
    }
  }

  /**
   * What is ambiguous about the request's length, or null when nothing is; a {@code
   * Transfer-Encoding: Chunked} (any case) is rewritten to the {@code chunked} Helidon reads.
   */
  static String framingProblem(Headers headers) {
    boolean hasLength = headers.contains(HeaderNames.CONTENT_LENGTH);
    boolean hasCoding = headers.contains(HeaderNames.TRANSFER_ENCODING);
    if (hasLength) {
      List<String> lengths = values(headers.get(HeaderNames.CONTENT_LENGTH));
      if (lengths.size() != 1) {
        return "Content-Length must be given once, got " + lengths.size() + " values " + lengths;
      }
      String length = lengths.get(0);
      if (length.isEmpty() || length.length() > 18 || !digitsOnly(length)) {
        return "Content-Length must be a non-negative decimal number, got '"
            + printable(length)
            + "'";
      }
      if (hasCoding) {
        return "a request may carry Content-Length or Transfer-Encoding, not both";
      }
    }
    if (hasCoding) {
      List<String> codings = values(headers.get(HeaderNames.TRANSFER_ENCODING));
      if (codings.size() != 1 || !codings.get(0).equalsIgnoreCase("chunked")) {
        return "Transfer-Encoding must be 'chunked' alone, got '"
            + printable(String.join(", ", codings))
            + "'";
      }
      if (!headers.contains(HeaderValues.TRANSFER_ENCODING_CHUNKED)) {
        // Helidon reads a body as chunked only when the value is exactly "chunked"; a coding's
        // name is case-insensitive (RFC 9112 §7), so "Chunked" is written the way Helidon reads it
        if (!(headers instanceof WritableHeaders<?> writable)) {
          return "Transfer-Encoding must be written 'chunked'";
        }
        writable.set(HeaderValues.TRANSFER_ENCODING_CHUNKED);
      }
    }
    return null;
  }

  private static List<String> values(Header header) {
    return header.allValues(true).stream().map(String::strip).toList();
  }

  private static boolean hasToken(Headers headers, HeaderName name, String token) {
    if (!headers.contains(name)) {
      return false;
    }
    for (String value : values(headers.get(name))) {
      if (value.toLowerCase(Locale.ROOT).equals(token)) {
        return true;
      }
    }
    return false;
  }

  private static boolean digitsOnly(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    return true;
  }

  /** At most 64 characters of {@code value}, every one outside printable ASCII as {@code ?}. */
  private static String printable(String value) {
    StringBuilder out = new StringBuilder(Math.min(value.length(), 64));
    for (int i = 0; i < value.length() && i < 64; i++) {
      char c = value.charAt(i);
      out.append(c >= 0x20 && c < 0x7f ? c : '?');
    }
    return out.toString();
  }

  /**
   * A WebSocket close frame, as a server sends it (unmasked), with {@code code} and an ASCII
   * reason.
   */
  private static byte[] wsClose(int code, String reason) {
    byte[] text = reason.getBytes(StandardCharsets.US_ASCII);
    byte[] frame = new byte[4 + text.length];
    frame[0] = (byte) 0x88; // FIN + close
    frame[1] = (byte) (2 + text.length);
    frame[2] = (byte) (code >>> 8);
    frame[3] = (byte) code;
    System.arraycopy(text, 0, frame, 4, text.length);
    return frame;
  }

  /** Marks the connections whose answer says {@code Connection: close}. */
  private static final class SendSide implements Http1ConnectionListener {
    private final RequestFraming framing;
    private final Http1ConnectionListener first;

    SendSide(RequestFraming framing, Http1ConnectionListener first) {
      this.framing = framing;
      this.first = first;
    }

    /**
     * Helidon 4.2 answers an exception that escapes an upgraded connection (a WebSocket frame with
     * a reserved opcode) with an HTTP 500 written into the WebSocket stream; such a connection gets
     * a WebSocket close 1002 instead, and ends.
     */
    @Override
    public void status(ConnectionContext context, Status status) {
      first.status(context, status);
      if (framing.upgraded.contains(context)) {
        context.dataWriter().writeNow(BufferData.create(WS_PROTOCOL_ERROR));
        throw new CloseConnectionException("the upgraded connection failed");
      }
    }

    @Override
    public void headers(ConnectionContext context, Headers headers) {
      first.headers(context, headers);
      if (headers.contains(HeaderValues.CONTENT_LENGTH_ZERO)) {
        // perhaps a HEAD answer, whose body was dropped: its length is the GET's
        RequestDeadlines.Watch watch = framing.watches.get(context);
        HeadRequests.Body body = watch == null ? null : watch.takeHeadBody();
        if (body != null) {
          HeadRequests.onHeaders(headers, body);
        }
      }
      if (hasToken(headers, HeaderNames.CONNECTION, "close")) {
        framing.closing.put(context, Close.REFUSED);
      }
    }
  }

  /** A request limit whose permits end the connection once an answer announced its close. */
  private static final class EndingLimit implements Limit {
    private final Limit limit;
    private final ConnectionContext context;
    private final RequestFraming framing;
    private final RequestDeadlines.Watch watch;

    EndingLimit(
        Limit limit,
        ConnectionContext context,
        RequestFraming framing,
        RequestDeadlines.Watch watch) {
      this.limit = limit;
      this.context = context;
      this.framing = framing;
      this.watch = watch;
    }

    @Override
    public Optional<Token> tryAcquire(boolean wait) {
      Optional<Token> token = limit.tryAcquire(wait);
      return token.isEmpty() ? token : Optional.of(new EndingToken(token.get()));
    }

    /** Only an upgraded connection (the editor's WebSocket) runs its work through invoke. */
    @Override
    public <T> T invoke(Callable<T> callable) throws Exception {
      upgrade();
      return limit.invoke(callable);
    }

    @Override
    public void invoke(Runnable runnable) throws Exception {
      upgrade();
      limit.invoke(runnable);
    }

    private void upgrade() {
      framing.upgraded.add(context);
      if (watch != null) {
        watch.onUpgraded();
      }
    }

    @Override
    public Limit copy() {
      return new EndingLimit(limit.copy(), context, framing, watch);
    }

    @Override
    public String name() {
      return limit.name();
    }

    @Override
    public String type() {
      return limit.type();
    }

    /** Helidon calls success() once the request is answered, and dropped() when it failed. */
    private final class EndingToken implements Token {
      private final Token token;
      private boolean released;

      EndingToken(Token token) {
        this.token = token;
      }

      @Override
      public void success() {
        token.success();
        released = true;
        if (watch != null) {
          watch.onAnswered();
        }
        if (framing.closing.containsKey(context)) {
          throw new CloseConnectionException("the answer said 'Connection: close'");
        }
      }

      @Override
      public void dropped() {
        if (!released) {
          released = true;
          token.dropped();
        }
      }

      @Override
      public void ignore() {
        if (!released) {
          released = true;
          token.ignore();
        }
      }
    }
  }
}
