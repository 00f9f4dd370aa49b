package dev.z8run.api.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.z8run.api.auth.Tokens;
import dev.z8run.api.auth.UserPrincipal;
import dev.z8run.testkit.Poll;
import java.io.IOException;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cluster members as real processes (or, without a NATS address, single processes): the runnable
 * jar started with {@code Z8_CLUSTER_NATS}, each on a free port with its own data directory, all
 * with one JWT secret (so one token works on every member). Closing kills whatever is still
 * running.
 */
final class Members implements AutoCloseable {
  static final String SECRET = "a-cluster-test-secret-that-is-long-enough-for-hs256";

  private final String natsUrl;
  private final String prefix;
  private final Path dir;
  private final Map<String, String> extraEnv;
  private final List<Member> started = new ArrayList<>();

  /**
   * The token every call sends: at first one for a user no store knows, then, once the first member
   * answers health, that of alice, registered there as the first user and so an admin (the per-flow
   * figures of {@code /metrics} are an admin's); a cluster replicates her to every member.
   */
  volatile String token = Tokens.withSecret(SECRET).issue(new UserPrincipal("u1", "alice"));

  private boolean registered;

  Members(String natsUrl, String prefix, Path dir, Map<String, String> extraEnv) {
    this.natsUrl = natsUrl;
    this.prefix = prefix;
    this.dir = dir;
    this.extraEnv = new LinkedHashMap<>(extraEnv);
  }

  /** A running member process. */
  final class Member {
    final String name;
    final Process process;
    final int port;
    final Path log;
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    Member(String name, Process process, int port, Path log) {
      this.name = name;
      this.process = process;
      this.port = port;
      this.log = log;
    }

    HttpResponse<String> call(String method, String path, String body) throws Exception {
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
              .timeout(Duration.ofSeconds(10))
              .header("Authorization", "Bearer " + token);
      if (body == null) {
        request.method(method, HttpRequest.BodyPublishers.noBody());
      } else {
        request
            .header("Content-Type", "application/json")
            .method(method, HttpRequest.BodyPublishers.ofString(body));
      }
      return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** SIGKILL: no shutdown hook runs, nothing is given up or acknowledged. */
    void kill9() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor();
    }

    String log() {
      try {
        return Files.readString(log, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "(cannot read " + log + ": " + e + ")";
      }
    }
  }

  /** Starts member {@code name} and returns once it answers health (it has caught up by then). */
  Member start(String name) throws Exception {
    int port = freePort();
    Path log = dir.resolve(name + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(javaCommand(), "-Xmx256m", "-jar", jar().toString(), "serve")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    Map<String, String> env = builder.environment();
    env.put("Z8_PORT", Integer.toString(port));
    env.put("Z8_BIND", "127.0.0.1");
    env.put("Z8_DATA_DIR", dir.resolve("data-" + name).toString());
    env.put("Z8_JWT_SECRET", SECRET);
    env.put("Z8_WORKERS", "1");
    env.keySet().removeIf(variable -> variable.startsWith("Z8_CLUSTER_"));
    if (natsUrl != null) {
      env.put("Z8_CLUSTER_NATS", natsUrl);
      env.put("Z8_CLUSTER_PREFIX", prefix);
      env.put("Z8_CLUSTER_MEMBER", name);
    }
    env.remove("Z8_LOG_LEVEL");
    env.remove("Z8_VAULT_SECRET");
    env.put("Z8_OPEN_REGISTRATION", "true"); // alice first (an admin), then the tests' own users
    env.putAll(extraEnv);
    Member member = new Member(name, builder.start(), port, log);
    started.add(member);
    Poll.eventually(name + " answers health", Duration.ofSeconds(60))
        .ignoreException(ConnectException.class)
        .until(
            () -> {
              if (!member.process.isAlive()) {
                fail(name + " exited with " + member.process.exitValue() + ":\n" + member.log());
              }
              return member.call("GET", "/api/v1/health", null).statusCode() == 200;
            });
    if (!registered) {
      String alice = "{\"username\":\"alice\",\"password\":\"a long test password\"}";
      HttpResponse<String> answer = member.call("POST", "/auth/register", alice);
      Matcher issued = Pattern.compile("\"token\":\"([^\"]+)\"").matcher(answer.body());
      if (answer.statusCode() != 201 || !issued.find()) {
        fail("alice not registered on " + name + ": " + answer.statusCode() + " " + answer.body());
      }
      token = issued.group(1);
      registered = true;
    }
    return member;
  }

  @Override
  public void close() {
    for (Member member : started) {
      member.process.destroyForcibly();
    }
    for (Member member : started) {
      try {
        member.process.waitFor();
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  static Path jar() {
    Path jar = Path.of(System.getProperty("z8.jar", "target/z8run.jar"));
    assertTrue(Files.isRegularFile(jar), jar + " is missing: run this test through mvn verify");
    return jar;
  }

  private static String javaCommand() {
    return ProcessHandle.current()
        .info()
        .command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
