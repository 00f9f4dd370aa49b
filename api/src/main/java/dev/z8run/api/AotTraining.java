package dev.z8run.api;

import dev.z8run.core.flow.FlowCodec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * The training run of the JVM's ahead-of-time cache ({@code bin/z8run} runs {@code java
 * -XX:AOTCacheOutput=... -jar z8run.jar aot-training} after a build): a start like {@code serve}'s
 * and a few requests, then a second start on the same data directory (a restart: the store and the
 * vault found, not created), so that the cache holds the classes, linkage and profiles of a start.
 * It touches nothing of the user's: a fresh data directory in the temporary directory (deleted at
 * the end), port 0 on the loopback address, the user's {@code Z8_*} variables ignored, and no
 * network beyond the loopback.
 */
final class AotTraining {
  static final String COMMAND = "aot-training";

  /** Scenario c's flow: an HTTP hook answering through a change node. */
  private static final String FLOW =
      """
      {"id":"aot-training","name":"aot training","nodes":[
        {"id":"in","type":"http-in","name":"in","x":100,"y":80,"disabled":false,
         "config":{"method":"GET","path":"/hello"}},
        {"id":"set","type":"change","name":"set","x":300,"y":80,"disabled":false,
         "config":{"rules":[{"t":"set","p":"payload","pt":"msg","to":"{\\"hello\\":\\"world\\"}",
                             "tot":"json"}]}},
        {"id":"out","type":"http-out","name":"out","x":500,"y":80,"disabled":false,"config":{}}],
       "wires":[{"from":"in","fromPort":0,"to":"set","toPort":0},
                {"from":"set","fromPort":0,"to":"out","toPort":0}]}
      """;

  /** Requests after the start: enough to load what answering loads, short enough for a build. */
  private static final int HOOK_REQUESTS = 200;

  private AotTraining() {}

  static int run(PrintStream err) {
    return run(err, Path.of(System.getProperty("java.io.tmpdir")));
  }

  /** The training run with its data directory made in {@code tempRoot}. */
  static int run(PrintStream err, Path tempRoot) {
    Path data;
    try {
      data = Files.createTempDirectory(tempRoot, "z8run-aot-training");
    } catch (IOException e) {
      err.println("z8run: aot-training: " + e.getMessage());
      return Main.EXIT_START_FAILED;
    }
    try {
      // as serve starts: LMDB's binding on its own thread, the settings from the process
      // environment (read, so that its classes are in the cache too; the user's Z8_* left out)
      Main.loadLmdbBindingInBackground();
      Z8Server.beginWarmUp();
      Map<String, String> env = new HashMap<>();
      System.getenv()
          .forEach(
              (name, value) -> {
                if (!name.startsWith("Z8_")) {
                  env.put(name, value);
                }
              });
      env.put("Z8_DATA_DIR", data.toString());
      env.put("Z8_PORT", "0");
      env.put("Z8_BIND", "127.0.0.1");
      env.put("Z8_LOG_LEVEL", "warn");
      Settings settings = Settings.resolve(env, new Properties());
      LogSetup.configure(settings.logLevel());
      try (Z8Server server = Main.start(settings)) {
        server.engine().deploy(FlowCodec.read(FLOW.getBytes(StandardCharsets.UTF_8)));
        int port = server.port();
        expect200(port, "/api/v1/health");
        get(port, "/");
        get(port, "/api/v1/nodes");
        get(port, "/api/v1/openapi.json");
        for (int i = 0; i < HOOK_REQUESTS; i++) {
          expect200(port, "/hook/aot-training/hello");
        }
      }
      // and a restart on the same directory: the store and the vault as they are found then
      try (Z8Server again = Main.start(settings)) {
        expect200(again.port(), "/api/v1/health");
      }
      return Main.EXIT_OK;
    } catch (RuntimeException | IOException failed) {
      err.println("z8run: aot-training: " + failed);
      return Main.EXIT_START_FAILED;
    } finally {
      delete(data);
    }
  }

  private static void expect200(int port, String path) throws IOException {
    String status = get(port, path);
    if (!status.startsWith("HTTP/1.1 200 ")) {
      throw new IOException("GET " + path + " answered '" + status + "'");
    }
  }

  /**
   * One HTTP/1.1 GET on its own connection, the answer read to the end of its body (by its {@code
   * Content-Length}: the server does not close first) and dropped; returns the status line.
   */
  private static String get(int port, String path) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      StringBuilder head = new StringBuilder();
      while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          return head.toString();
        }
        head.append((char) b);
      }
      long length = 0;
      for (String line : head.toString().split("\r\n")) {
        if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
          length = Long.parseLong(line.substring(15).trim());
        }
      }
      while (length > 0) {
        long skipped = in.skip(length);
        if (skipped <= 0) {
          if (in.read() < 0) {
            break;
          }
          skipped = 1;
        }
        length -= skipped;
      }
      return head.toString().split("\r\n", 2)[0];
    }
  }

  private static void delete(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths
          .sorted(Comparator.reverseOrder())
          .forEach(
              path -> {
                try {
                  Files.deleteIfExists(path);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (IOException | UncheckedIOException ignored) {
      // a temporary directory left behind is the system's to clean
    }
  }
}
