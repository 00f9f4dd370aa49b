package dev.z8run.api.http;

import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.http1.Http1ConnectionListener;

/**
 * Answers with status 204 or 304 go out without {@code Content-Length} and without a body. RFC 9110
 * §8.6 forbids the header in a 204 (and a 1xx), and allows it in a 304 only as the length the 200
 * would have had, which a 304 with {@code Content-Length: 0} misstates.
 *
 * <p>Helidon 4.2 writes {@code Content-Length: 0} into every 204, 205 and 304 itself ({@code
 * status(...)} sets it, and {@code send()} sets a length whenever none is set), so leaving it out
 * at the call site is not possible. {@link #send} marks the answer with a {@code Content-Length}
 * header object of this class's own; this class, installed as the HTTP/1 connections' send listener
 * ({@link ClientConnections}), sees the answer's headers just before they are written and removes a
 * header that is that object, and no other. A server without the listener (a test's bare {@code
 * WebServer}) sends {@code Content-Length: 0} as Helidon does. A 205 keeps its {@code
 * Content-Length: 0}: RFC 9110 §15.3.6 asks for it.
 *
 * <p>Thread-safe and stateless: one instance serves every connection.
 */
public final class NoContent implements Http1ConnectionListener {
  /** The send listener that removes the marked header. */
  public static final NoContent LISTENER = new NoContent();

  /** Compared by identity: only an answer {@link #send} wrote carries this object. */
  private static final Header MARK = HeaderValues.createCached(HeaderNames.CONTENT_LENGTH, "0");

  private NoContent() {}

  /**
   * Sends {@code response}, whose status (204 or 304) is already set, with no body and marked for
   * its {@code Content-Length} to be removed; a {@code Content-Length} set before is replaced.
   */
  public static void send(ServerResponse response) {
    response.header(MARK);
    response.send();
  }

  /** Called on the connection's thread with the answer's headers, just before they are written. */
  @Override
  public void headers(ConnectionContext context, Headers headers) {
    // one lookup by a known name per answer; the identity check keeps every other length
    if (headers.contains(HeaderNames.CONTENT_LENGTH)
        && headers.get(HeaderNames.CONTENT_LENGTH) == MARK
        && headers instanceof WritableHeaders<?> writable) {
      writable.remove(HeaderNames.CONTENT_LENGTH);
    }
  }
}
