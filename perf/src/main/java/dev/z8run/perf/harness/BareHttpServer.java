package dev.z8run.perf.harness;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.webserver.WebServer;
import java.nio.charset.StandardCharsets;

/**
 * The ceiling for scenario c: a bare Helidon route answering the same small JSON document as the
 * scenario's flow, with no engine behind it. {@code BareHttpServer <port>} serves {@code GET
 * /hello} until killed.
 */
public final class BareHttpServer {
  private static final byte[] BODY =
      "{\"hello\":\"world\",\"n\":0}".getBytes(StandardCharsets.UTF_8);

  private BareHttpServer() {}

  public static void main(String[] args) {
    WebServer server = start(args.length > 0 ? Integer.parseInt(args[0]) : 18812);
    System.out.println("bare Helidon route on http://127.0.0.1:" + server.port() + "/hello");
  }

  /** Starts the route on {@code port} of 127.0.0.1 (0: any free port); the caller stops it. */
  static WebServer start(int port) {
    return WebServer.builder()
        .host("127.0.0.1")
        .port(port)
        .connectionOptions(options -> options.tcpNoDelay(true)) // as our server (Z8Server)
        .routing(
            routing ->
                routing.get(
                    "/hello",
                    (request, response) -> {
                      response.headers().contentType(MediaTypes.APPLICATION_JSON);
                      response.send(BODY);
                    }))
        .build()
        .start();
  }
}
