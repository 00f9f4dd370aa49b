package dev.z8run.perf.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small HTTP/1.1 server for {@link OpenLoopHttpTest} whose answers a test scripts: each request
 * (a GET: headers only) is numbered from 1 in the order requests arrive over all connections, and
 * {@link Script#answer} gives the bytes to write back, after sleeping if it wants a stall. Each
 * connection has a virtual thread of its own that answers its requests in order, pipelined or not.
 */
final class ScriptedHttpServer implements AutoCloseable {
  static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

  /** What to answer request {@code n} (from 1). May sleep. */
  interface Script {
    String answer(long n) throws InterruptedException;
  }

  private final ServerSocket server;
  private final Script script;
  private final boolean nagle;
  private final AtomicLong requests = new AtomicLong();

  ScriptedHttpServer(Script script) throws IOException {
    this(script, false);
  }

  /**
   * With {@code nagle}, the connections keep Nagle's algorithm on (Helidon's default: {@code
   * tcpNoDelay} false) and each answer goes out in two writes, headers then body, so the body waits
   * until the client has acknowledged the headers.
   */
  ScriptedHttpServer(Script script, boolean nagle) throws IOException {
    this.script = script;
    this.nagle = nagle;
    server = new ServerSocket(0, 128, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().name("scripted-accept").start(this::accept);
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/x");
  }

  long requests() {
    return requests.get();
  }

  private void accept() {
    try {
      while (true) {
        Socket socket = server.accept();
        socket.setTcpNoDelay(!nagle);
        Thread.ofVirtual().name("scripted-connection").start(() -> serve(socket));
      }
    } catch (IOException closed) {
      // close() ends the accept loop
    }
  }

  private void serve(Socket socket) {
    try (socket;
        InputStream in = socket.getInputStream();
        OutputStream out = socket.getOutputStream()) {
      byte[] buffer = new byte[8192];
      int matched = 0; // how much of CRLFCRLF the bytes so far end with
      int read;
      while ((read = in.read(buffer)) > 0) {
        for (int i = 0; i < read; i++) {
          byte b = buffer[i];
          matched = b == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : (b == '\r' ? 1 : 0);
          if (matched == 4) {
            matched = 0;
            byte[] answer =
                script.answer(requests.incrementAndGet()).getBytes(StandardCharsets.US_ASCII);
            int split = nagle ? answer.length / 2 : answer.length;
            out.write(answer, 0, split);
            out.write(answer, split, answer.length - split);
          }
        }
        out.flush();
      }
    } catch (IOException | InterruptedException e) {
      // the client went away, or the test ended
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
