package dev.z8run.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A PostgreSQL server of a test's own ({@code initdb} in a temporary directory, on a free port),
 * for tests that stop and restart their database; the shared server is never restarted. When the
 * JVM runs as root the server runs as user {@code postgres} (PostgreSQL refuses root). Trust
 * authentication for user {@code postgres} on 127.0.0.1.
 */
public final class PrivatePostgres implements AutoCloseable {
  private final Path dir;
  private final int port;
  private final boolean root;

  private PrivatePostgres(Path dir, int port, boolean root) {
    this.dir = dir;
    this.port = port;
    this.root = root;
  }

  /** Whether {@code initdb} and {@code pg_ctl} are on the path. */
  public static boolean available() {
    return TestTools.onPath("initdb").isPresent() && TestTools.onPath("pg_ctl").isPresent();
  }

  /**
   * Starts one; without {@code initdb} it fails under {@code CI=true} and skips the test elsewhere,
   * as {@link TestServices#require} does.
   */
  public static PrivatePostgres start() throws IOException, InterruptedException {
    if (!available()) {
      Requirement.unmet("a private PostgreSQL needs initdb and pg_ctl on the PATH");
    }
    Path dir = Files.createTempDirectory("z8-postgres");
    boolean root = "root".equals(System.getProperty("user.name"));
    PrivatePostgres server = new PrivatePostgres(dir, PrivateMosquitto.freePort(), root);
    if (root) {
      run(List.of("chown", "-R", "postgres", dir.toString()));
    }
    server.run("initdb", "-D", dir.resolve("data").toString(), "-U", "postgres", "-A", "trust");
    server.startServer();
    return server;
  }

  public int port() {
    return port;
  }

  /** {@code jdbc:postgresql://127.0.0.1:<port>/postgres}. */
  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  /** Stops the server at once ({@code pg_ctl stop -m immediate}): clients lose their sockets. */
  public void stop() throws IOException, InterruptedException {
    run("pg_ctl", "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
  }

  public void startServer() throws IOException, InterruptedException {
    run(
        "pg_ctl",
        "-D",
        dir.resolve("data").toString(),
        "-l",
        dir.resolve("log").toString(),
        "-o",
        "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1",
        "-w",
        "start");
  }

  private void run(String... command) throws IOException, InterruptedException {
    List<String> line = new ArrayList<>();
    if (root) {
      line.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    line.addAll(List.of(command));
    run(line);
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + new String(output));
    }
  }

  @Override
  public void close() throws IOException {
    try {
      stop();
    } catch (IOException alreadyStopped) {
      // stopped by the test
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
