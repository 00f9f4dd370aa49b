package dev.z8run.testkit;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Mosquitto broker of a test's own, on a free port, for tests that stop and restart their broker
 * (the shared one on 1883 is never restarted). Persistence is on, in a temporary directory, so a
 * restart keeps persistent sessions and their queued QoS 1/2 messages; optional TLS and a password
 * file. Killed by its PID, never by name.
 */
public final class PrivateMosquitto implements AutoCloseable {
  private final Path dir;
  private final int port;
  private final List<String> extraConfig;
  private Process process;

  private PrivateMosquitto(Path dir, int port, List<String> extraConfig) {
    this.dir = dir;
    this.port = port;
    this.extraConfig = extraConfig;
  }

  /** A plain broker, anonymous clients allowed. */
  public static PrivateMosquitto start() throws IOException {
    return start(List.of("allow_anonymous true"));
  }

  /**
   * A broker with {@code listenerConfig} lines after its {@code listener <port>} line (TLS
   * certificates, {@code password_file}, {@code allow_anonymous}).
   */
  public static PrivateMosquitto start(List<String> listenerConfig) throws IOException {
    Path dir = Files.createTempDirectory("z8-mosquitto");
    PrivateMosquitto broker = new PrivateMosquitto(dir, freePort(), listenerConfig);
    broker.startProcess();
    return broker;
  }

  public Path dir() {
    return dir;
  }

  public int port() {
    return port;
  }

  /** Stops the broker (SIGTERM: it saves its persistence file) and waits for it. */
  public void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    process = null;
  }

  /** Starts the broker again on the same port with the same persistence. */
  public void restart() throws IOException, InterruptedException {
    stop();
    startProcess();
  }

  private void startProcess() throws IOException {
    List<String> lines = new ArrayList<>();
    // run as whoever runs the test: as root, mosquitto would otherwise switch to user mosquitto,
    // who may read neither the temporary directory nor the test's certificates
    lines.add("user " + System.getProperty("user.name"));
    lines.add("persistence true");
    lines.add("persistence_location " + dir + "/");
    lines.add("autosave_interval 1");
    lines.add("max_queued_messages 100000");
    lines.add("listener " + port + " 127.0.0.1");
    lines.addAll(extraConfig);
    Path conf = dir.resolve("mosquitto.conf");
    Files.write(conf, lines);
    process =
        new ProcessBuilder("mosquitto", "-c", conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("mosquitto.log").toFile())
            .start();
    Poll.eventually("mosquitto on port " + port).until(this::answers);
  }

  private boolean answers() {
    try {
      new Socket("127.0.0.1", port).close();
      return true;
    } catch (IOException notYet) {
      if (!process.isAlive()) {
        throw new IllegalStateException("mosquitto exited with " + process.exitValue(), notYet);
      }
      return false;
    }
  }

  @Override
  public void close() {
    try {
      stop();
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** A TCP port nobody listens on right now. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
