package dev.z8run.api;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.z8run.api.auth.Tokens;
import dev.z8run.api.auth.UserPrincipal;
import dev.z8run.io.json.JsonCodec;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the real server while clients write: the runnable jar runs as a child process,
 * {@value #WRITERS} client threads create flows and update them as fast as it answers, and at a
 * random moment the child gets SIGKILL. Restarted on the same data directory, the server must hold
 * every write whose 2xx response arrived, at most one more write per client (the one in flight), no
 * flow whose content disagrees with its revision history, and the flow that was running must run
 * again. {@value #CYCLES} kills in a row, each restart starting from the last killed store.
 *
 * <p>Each client owns its flow ids ({@code c<cycle>-w<client>-<n>}) and sends one request at a
 * time, so its writes to one flow are ordered and the revision each response reports is known in
 * advance. Revision {@code r} of flow {@code id} is named {@code "<id> r<r>"}: a flow whose current
 * content is not its latest revision's shows up by name. The seed ({@code -Dz8.crash.seed=N}) picks
 * the kill moments and the number of updates per flow; it is printed with the summary.
 */
class ServerCrashIT {
  private static final String SECRET = "a-crash-test-secret-that-is-long-enough-for-hs256";
  private static final String KEEPER = "keeper";
  private static final int CYCLES = 3;
  private static final int WRITERS = 4;
  private static final int MAX_UPDATES_PER_FLOW = 3;
  private static final int MIN_KILL_DELAY_MS = 300;
  private static final int MAX_KILL_DELAY_MS = 1_500;

  /** Bounds a load whose kill never came; the kill normally ends it within 1.5 s. */
  private static final long LOAD_DEADLINE_MS = 10_000;

  private static final long HEALTHY_DEADLINE_MS = 15_000;
  private static final long EXIT_DEADLINE_MS = 10_000;
  private static final long POLL_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(5);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
  private static final int SIGKILL_EXIT = 128 + 9;
  private static final int SIGTERM_EXIT = 128 + 15;

  @TempDir Path tempDir;

  private final String token = Tokens.withSecret(SECRET).issue(new UserPrincipal("u1", "alice"));
  private final List<Process> started = new ArrayList<>();

  /** A failed assertion leaves no server behind. */
  @AfterEach
  void killLeftovers() {
    for (Process process : started) {
      process.destroyForcibly();
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void shouldKeepEveryAcknowledgedWriteAndRestartRunningFlowsAfterEachKill() throws Exception {
    long seed = Long.getLong("z8.crash.seed", System.nanoTime());
    Random random = new Random(seed);
    Map<String, Integer> expected = new HashMap<>(); // flow id -> lowest revision it may have
    List<String> summary = new ArrayList<>();

    Child child = start();
    assertEquals(201, child.call("POST", "/api/v1/flows", flowJson(KEEPER, 1)).statusCode());
    assertEquals(200, child.call("POST", "/api/v1/flows/keeper/start", null).statusCode());
    assertEquals(200, child.call("GET", "/hook/keeper/p", null).statusCode());
    expected.put(KEEPER, 1);

    for (int cycle = 1; cycle <= CYCLES; cycle++) {
      long killDelayMs = MIN_KILL_DELAY_MS + random.nextInt(MAX_KILL_DELAY_MS - MIN_KILL_DELAY_MS);
      Load load = new Load(child, cycle, random.nextLong());
      String killed = load.runAndKill(killDelayMs);
      long restartNs = System.nanoTime();
      child = start();
      long healthyMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restartNs);
      Found found = verify(child, cycle, expected, load.acknowledged);
      summary.add(
          "cycle "
              + cycle
              + ": "
              + killed
              + "; "
              + load.writes()
              + " writes acknowledged"
              + "; healthy again in "
              + healthyMs
              + " ms with "
              + found.flows
              + " flows ("
              + found.unacknowledged
              + " unacknowledged write(s) applied), keeper running");
    }

    int exit = stop(child);
    System.out.println(
        "ServerCrashIT seed=" + seed + "\n  " + String.join("\n  ", summary) + "\n  exit " + exit);
  }

  /** SIGTERM: the server stops cleanly (0) or the JVM exits on the signal after its hooks (143). */
  private static int stop(Child child) throws InterruptedException {
    child.process.destroy();
    assertTrue(
        child.process.waitFor(EXIT_DEADLINE_MS, TimeUnit.MILLISECONDS),
        () -> "still running after SIGTERM:\n" + read(child.log));
    int exit = child.process.exitValue();
    assertTrue(exit == 0 || exit == SIGTERM_EXIT, () -> "exit " + exit + ":\n" + read(child.log));
    child.client.close();
    return exit;
  }

  /**
   * Checks the restarted store against what was acknowledged, then folds what it found into {@code
   * expected}: a revision read back after a restart is durable, the next kill may not lose it
   * either.
   */
  private static Found verify(
      Child child, int cycle, Map<String, Integer> expected, Map<String, Integer> acknowledged)
      throws Exception {
    acknowledged.forEach((id, revision) -> expected.merge(id, revision, Math::max));
    Map<?, ?> list = json(child.call("GET", "/api/v1/flows", null), 200);
    List<?> items = (List<?>) list.get("flows");
    assertEquals((long) items.size(), list.get("total"));

    Map<String, Integer> found = new HashMap<>();
    for (Object item : items) {
      Map<?, ?> flow = (Map<?, ?>) item;
      found.put((String) flow.get("id"), ((Long) flow.get("revision")).intValue());
    }
    int ahead = 0; // writes that took effect without their response arriving
    for (Map.Entry<String, Integer> want : expected.entrySet()) {
      String id = want.getKey();
      int acked = want.getValue();
      Integer revision = found.get(id);
      assertTrue(revision != null, () -> "acknowledged flow " + id + " is missing");
      assertTrue(
          revision == acked || revision == acked + 1,
          () -> id + " at revision " + revision + ", acknowledged " + acked);
      ahead += revision - acked;
    }
    for (Map.Entry<String, Integer> extra : found.entrySet()) {
      if (!expected.containsKey(extra.getKey())) {
        assertTrue(extra.getKey().startsWith("c" + cycle + "-"), "unknown flow " + extra);
        assertEquals(1, extra.getValue(), () -> "unacknowledged create " + extra);
        ahead++;
      }
    }
    int aheadWrites = ahead;
    assertTrue(aheadWrites <= WRITERS, () -> aheadWrites + " unacknowledged writes took effect");

    for (Map.Entry<String, Integer> flow : found.entrySet()) {
      checkWhole(child, flow.getKey(), flow.getValue());
    }
    Map<?, ?> keeper = json(child.call("GET", "/api/v1/flows/keeper", null), 200);
    assertEquals("running", keeper.get("status"));
    assertEquals(Boolean.TRUE, keeper.get("running"));
    assertEquals(200, child.call("GET", "/hook/keeper/p", null).statusCode());
    expected.putAll(found);
    return new Found(found.size(), aheadWrites);
  }

  /** What a restart found: flows, and writes that took effect though no response arrived. */
  private record Found(int flows, int unacknowledged) {}

  /** The flow parses, its content is its latest revision's, and its revisions are 1..N. */
  private static void checkWhole(Child child, String id, int revision) throws Exception {
    Map<?, ?> flow = json(child.call("GET", "/api/v1/flows/" + id, null), 200);
    assertEquals((long) revision, flow.get("revision"), id);
    assertEquals(id + " r" + revision, flow.get("name"), id);
    assertEquals(2, ((List<?>) flow.get("nodes")).size(), id);
    assertEquals(1, ((List<?>) flow.get("wires")).size(), id);

    Map<?, ?> revisions = json(child.call("GET", "/api/v1/flows/" + id + "/revisions", null), 200);
    assertEquals((long) revision, revisions.get("total"), id);
    Set<Long> numbers = new HashSet<>();
    for (Object info : (List<?>) revisions.get("revisions")) {
      numbers.add((Long) ((Map<?, ?>) info).get("revision"));
      assertEquals(2L, ((Map<?, ?>) info).get("nodes"), id);
    }
    for (long n = 1; n <= revision; n++) {
      assertTrue(numbers.contains(n), id + " lacks revision " + n + ": " + numbers);
    }
  }

  /** One cycle's writers against one child, and the kill that ends them. */
  private static final class Load {
    private final Child child;
    private final int cycle;
    private final long seed;
    private final Map<String, Integer> acknowledged = new ConcurrentHashMap<>();
    private final AtomicInteger acks = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    private volatile boolean killed;

    Load(Child child, int cycle, long seed) {
      this.child = child;
      this.cycle = cycle;
      this.seed = seed;
    }

    int writes() {
      return acks.get();
    }

    /** Runs the writers, kills the child {@code killDelayMs} in, waits for all to end. */
    String runAndKill(long killDelayMs) throws Exception {
      long startNs = System.nanoTime();
      long deadlineNs = startNs + TimeUnit.MILLISECONDS.toNanos(LOAD_DEADLINE_MS);
      List<Thread> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int writer = w;
        Random random = new Random(seed + w);
        writers.add(
            Thread.ofVirtual().start(() -> writeRecordingFailures(writer, random, deadlineNs)));
      }
      long killNs = startNs + TimeUnit.MILLISECONDS.toNanos(killDelayMs);
      await("the kill time, with a write acknowledged")
          .atMost(Duration.ofMillis(LOAD_DEADLINE_MS))
          .pollInterval(Duration.ofNanos(POLL_INTERVAL_NS))
          .until(() -> System.nanoTime() - killNs >= 0 && acks.get() > 0);
      killed = true;
      int inFlightAtKill = inFlight.get();
      long killedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
      child.process.destroyForcibly(); // SIGKILL
      assertTrue(child.process.waitFor(EXIT_DEADLINE_MS, TimeUnit.MILLISECONDS), "not dead");
      assertEquals(SIGKILL_EXIT, child.process.exitValue(), () -> read(child.log));
      for (Thread writer : writers) {
        assertTrue(writer.join(Duration.ofMillis(LOAD_DEADLINE_MS)), "writer still running");
      }
      child.client.close();
      assertTrue(errors.isEmpty(), () -> "cycle " + cycle + ": " + errors);
      return "killed " + killedAfterMs + " ms in, " + inFlightAtKill + " write(s) in flight";
    }

    private void writeRecordingFailures(int writer, Random random, long deadlineNs) {
      try {
        write(writer, random, deadlineNs);
      } catch (RuntimeException unexpected) {
        errors.add("writer " + writer + ": " + unexpected);
      }
    }

    /** Creates flows and updates each 0..3 times until a request finds the server gone. */
    private void write(int writer, Random random, long deadlineNs) {
      for (int n = 0; System.nanoTime() - deadlineNs < 0; n++) {
        String id = "c" + cycle + "-w" + writer + "-" + n;
        if (!acknowledged("POST", "/api/v1/flows", id, 1, 201)) {
          return;
        }
        int revisions = 1 + random.nextInt(MAX_UPDATES_PER_FLOW + 1);
        for (int revision = 2; revision <= revisions; revision++) {
          if (!acknowledged("PUT", "/api/v1/flows/" + id, id, revision, 200)) {
            return;
          }
        }
      }
    }

    /** Sends one write; records it when its response arrived. False once the server is gone. */
    private boolean acknowledged(String method, String path, String id, int revision, int status) {
      HttpResponse<String> response;
      inFlight.incrementAndGet();
      try {
        response = child.call(method, path, flowJson(id, revision));
      } catch (IOException gone) {
        if (!killed) {
          errors.add(method + " " + id + " failed before the kill: " + gone);
        }
        return false;
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        return false;
      } finally {
        inFlight.decrementAndGet();
      }
      Object answered = response.statusCode() == status ? parse(response).get("revision") : null;
      if (!Long.valueOf(revision).equals(answered)) {
        errors.add(
            method
                + " "
                + id
                + " r"
                + revision
                + " -> "
                + response.statusCode()
                + " "
                + response.body());
        return false;
      }
      acknowledged.put(id, revision);
      acks.incrementAndGet();
      return true;
    }
  }

  /** {@code java -jar z8run.jar serve} in a child process, its port, its log and a client. */
  private record Child(Process process, int port, Path log, HttpClient client, String token) {
    HttpResponse<String> call(String method, String path, String body)
        throws IOException, InterruptedException {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
              .timeout(REQUEST_TIMEOUT)
              .header("Authorization", "Bearer " + token)
              .header("Content-Type", "application/json")
              .method(
                  method,
                  body == null
                      ? HttpRequest.BodyPublishers.noBody()
                      : HttpRequest.BodyPublishers.ofString(body))
              .build();
      return client.send(request, HttpResponse.BodyHandlers.ofString());
    }
  }

  /** Starts the jar on the data directory and returns once it answers health. */
  private Child start() throws Exception {
    int port = freePort();
    Path log = tempDir.resolve("server-" + (started.size() + 1) + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(javaCommand(), "-jar", jar().toString(), "serve")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().put("Z8_PORT", Integer.toString(port));
    builder.environment().put("Z8_BIND", "127.0.0.1");
    builder.environment().put("Z8_DATA_DIR", tempDir.resolve("data").toString());
    builder.environment().put("Z8_JWT_SECRET", SECRET);
    builder.environment().remove("Z8_LOG_LEVEL");
    builder.environment().remove("Z8_VAULT_SECRET");
    Process process = builder.start();
    started.add(process);
    // a client per child: nothing it pooled or retries can reach the next one
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Child child = new Child(process, port, log, client, token);
    awaitHealth(child);
    return child;
  }

  private static void awaitHealth(Child child) throws Exception {
    await("the child's health answer")
        .atMost(Duration.ofMillis(HEALTHY_DEADLINE_MS))
        .pollInterval(Duration.ofNanos(POLL_INTERVAL_NS))
        .ignoreException(ConnectException.class)
        .until(
            () -> {
              if (!child.process.isAlive()) {
                fail("z8run exited with " + child.process.exitValue() + ":\n" + read(child.log));
              }
              return child.call("GET", "/api/v1/health", null).statusCode() == 200;
            });
  }

  private static String flowJson(String id, int revision) {
    return """
        {"id":"%s","name":"%s r%d","nodes":[
          {"id":"in","type":"http-in","config":{"method":"GET","path":"/p"}},
          {"id":"out","type":"http-out","config":{}}],
         "wires":[{"from":"in","to":"out"}]}
        """
        .formatted(id, id, revision);
  }

  private static Map<?, ?> json(HttpResponse<String> response, int status) {
    assertEquals(status, response.statusCode(), response::body);
    return parse(response);
  }

  private static Map<?, ?> parse(HttpResponse<String> response) {
    return (Map<?, ?>) JsonCodec.parse(response.body());
  }

  private static Path jar() {
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

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static String read(Path log) {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read " + log + ": " + e + ")";
    }
  }
}
