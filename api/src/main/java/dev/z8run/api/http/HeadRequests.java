package dev.z8run.api.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Method;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.io.OutputStream;

/**
 * {@code HEAD} answered as {@code GET} would be, headers included, without the body (RFC 9110
 * §9.3.2): Helidon 4.2 routes a {@code HEAD} only to routes registered for it, so every API route
 * and editor asset answered 404, and uptime monitors, which use {@code HEAD}, saw the server down.
 *
 * <p>A filter, first on every route: a {@code HEAD} request is routed as a {@code GET} (under
 * {@code /hook} it stays a {@code HEAD}, which the hook routes answer with a flow's {@code HEAD} or
 * {@code GET} route, as express does), and its response's body goes to a {@link Body} that counts
 * and drops it; the connection's send listener ({@link RequestFraming}) then writes the count as
 * the answer's {@code Content-Length} in place of the 0 Helidon would write for an empty body. A
 * request of any other method costs one comparison.
 */
public final class HeadRequests {
  private HeadRequests() {}

  /** The filter; register it before any other. */
  public static Filter filter() {
    return HeadRequests::filter;
  }

  private static void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
    HttpPrologue prologue = request.prologue();
    if (prologue.method() != Method.HEAD) {
      chain.proceed();
      return;
    }
    RequestDeadlines.Watch watch = RequestDeadlines.watchOf(Thread.currentThread());
    if (watch != null) {
      Body body = new Body();
      watch.onHeadBody(body);
      response.streamFilter(body::over);
    }
    if (!prologue.uriPath().rawPath().startsWith("/hook/")) {
      request.prologue(
          HttpPrologue.create(
              prologue.rawProtocol(),
              prologue.protocol(),
              prologue.protocolVersion(),
              Method.GET,
              prologue.uriPath(),
              prologue.query(),
              prologue.fragment()));
    }
    chain.proceed();
  }

  /**
   * Sets the {@code Content-Length} of a {@code HEAD} answer to the length of the body its {@code
   * GET} would have had ({@code body}'s count), where Helidon wrote 0 for the dropped body.
   */
  static void onHeaders(Headers headers, Body body) {
    if (headers.contains(HeaderValues.CONTENT_LENGTH_ZERO)
        && body.bytes > 0
        && headers instanceof WritableHeaders<?> writable) {
      writable.set(HeaderNames.CONTENT_LENGTH, String.valueOf(body.bytes));
    }
  }

  /** A {@code HEAD} answer's body: counted, never sent. */
  static final class Body extends OutputStream {
    private volatile long bytes;
    private OutputStream response;

    /** This body in place of {@code response}'s stream, which is closed with it. */
    Body over(OutputStream response) {
      this.response = response;
      return this;
    }

    @Override
    public void close() throws java.io.IOException {
      if (response != null) {
        response.close();
      }
    }

    @Override
    public void write(int b) {
      bytes++;
    }

    @Override
    public void write(byte[] b, int off, int len) {
      bytes += len;
    }
  }
}
