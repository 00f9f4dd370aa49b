package dev.z8run.perf.cluster;

import dev.z8run.api.auth.Tokens;
import dev.z8run.api.auth.UserPrincipal;
import dev.z8run.io.json.JsonCodec;
import io.nats.client.Connection;
import io.nats.client.JetStream;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.MessageConsumer;
import io.nats.client.Nats;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.PublishAck;
import io.nats.client.api.RetentionPolicy;
import io.nats.client.api.StorageType;
import io.nats.client.api.StreamConfiguration;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Distributed-flow throughput and latency: starts {@code members} processes of the runnable jar as
 * one cluster (a prefix of its own on the NATS server), deploys {@code work-in(jobs) ->
 * work-out(done)} (with {@code hops=2}: {@code jobs -> mid -> done}, two distributed hops),
 * publishes messages onto {@code jobs} and takes them from {@code done}. Throughput: {@code
 * messages} published as fast as JetStream acknowledges them (a window of async publishes), timed
 * from the first publish to the last arrival. Latency: {@code messages / 4} at a fixed 500/s,
 * publish to arrival (one process's clock). Prints one table row.
 *
 * <p>{@code java -cp z8run-perf.jar dev.z8run.perf.cluster.ClusterBench <jar> <nats-url> <members>
 * <hops> <messages>}
 */
public final class ClusterBench {
  private static final String SECRET = "a-cluster-bench-secret-that-is-long-enough-for-hs256";
  private static final int WINDOW = 2_000;

  private ClusterBench() {}

  public static void main(String[] args) throws Exception {
    Path jar = Path.of(args[0]);
    String natsUrl = args[1];
    int members = Integer.parseInt(args[2]);
    int hops = Integer.parseInt(args[3]);
    int messages = Integer.parseInt(args[4]);
    String prefix = "bench" + Integer.toHexString(ThreadLocalRandom.current().nextInt(1 << 20));
    Path dir = Files.createTempDirectory("z8-cluster-bench");
    List<Process> processes = new ArrayList<>();
    Connection nats = Nats.connect(natsUrl);
    try {
      try {
        ensureWorkStream(nats, prefix);
        List<Integer> ports = new ArrayList<>();
        for (int i = 1; i <= members; i++) {
          int port = freePort();
          ports.add(port);
          processes.add(startMember(jar, natsUrl, prefix, "b" + i, port, dir));
        }
        String token = Tokens.withSecret(SECRET).issue(new UserPrincipal("u1", "bench"));
        HttpClient http = HttpClient.newHttpClient();
        for (int port : ports) {
          awaitHealth(http, port);
        }
        deploy(http, token, ports, hops);
        Sink sink = new Sink(nats, prefix);
        run(nats, prefix, sink, 2_000, 0); // warm-up
        Result throughput = run(nats, prefix, sink, messages, 0);
        Result latency = run(nats, prefix, sink, messages / 4, 500);
        System.out.printf(
            "| %d | %d | %,.0f | %.2f | %.2f | %.2f |%n",
            members,
            hops,
            throughput.perSecond(),
            throughput.p99Ms(),
            latency.p50Ms(),
            latency.p99Ms());
        sink.close();
      } finally {
        for (Process process : processes) {
          process.destroyForcibly().waitFor();
        }
        for (String stream : List.of(prefix + "_STATE", prefix + "_WORK")) {
          try {
            nats.jetStreamManagement().deleteStream(stream);
          } catch (JetStreamApiException gone) {
            // not created
          }
        }
        try {
          nats.keyValueManagement().delete(prefix + "_LEASES");
        } catch (JetStreamApiException gone) {
          // not created
        }
      }
    } finally {
      nats.close();
    }
  }

  private record Result(double perSecond, double p50Ms, double p99Ms) {}

  private static Result run(Connection nats, String prefix, Sink sink, int count, int perSecond)
      throws Exception {
    sink.reset(count);
    JetStream js = nats.jetStream();
    ArrayDeque<CompletableFuture<PublishAck>> window = new ArrayDeque<>();
    long startNs = System.nanoTime();
    for (int i = 0; i < count; i++) {
      byte[] body =
          ("{\"payload\":{\"i\":" + i + ",\"t\":" + System.nanoTime() + "}}")
              .getBytes(StandardCharsets.UTF_8);
      window.add(js.publishAsync(prefix + ".work.jobs", body));
      if (window.size() >= WINDOW) {
        window.poll().get(30, TimeUnit.SECONDS);
      }
      if (perSecond > 0) {
        long waitNs = startNs + (long) (i + 1) * 1_000_000_000L / perSecond - System.nanoTime();
        if (waitNs > 0) {
          LockSupport.parkNanos(waitNs);
        }
      }
    }
    for (CompletableFuture<PublishAck> pending : window) {
      pending.get(30, TimeUnit.SECONDS);
    }
    long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (sink.received.get() < count) {
      if (System.nanoTime() > deadlineNs) {
        throw new IllegalStateException("only " + sink.received.get() + " of " + count + " came");
      }
      LockSupport.parkNanos(1_000_000);
    }
    double seconds = (sink.lastNs - startNs) / 1e9;
    long[] latencies = Arrays.copyOf(sink.latenciesNs, count);
    Arrays.sort(latencies);
    return new Result(
        count / seconds,
        latencies[(int) (count * 0.50)] / 1e6,
        latencies[Math.min(count - 1, (int) (count * 0.99))] / 1e6);
  }

  /** Takes {@code done}, recording each message's latency. */
  private static final class Sink implements AutoCloseable {
    final AtomicInteger received = new AtomicInteger();
    volatile long[] latenciesNs = new long[0];
    volatile long lastNs;
    private final MessageConsumer consumer;

    Sink(Connection nats, String prefix) throws IOException, JetStreamApiException {
      consumer =
          nats.getStreamContext(prefix + "_WORK")
              .createOrUpdateConsumer(
                  ConsumerConfiguration.builder()
                      .durable("bench-sink")
                      .filterSubject(prefix + ".work.done")
                      .ackPolicy(AckPolicy.Explicit)
                      .maxAckPending(20_000)
                      .build())
              .consume(this::onMessage);
    }

    void reset(int count) {
      latenciesNs = new long[count];
      received.set(0);
    }

    private void onMessage(Message message) {
      long now = System.nanoTime();
      Map<?, ?> body = (Map<?, ?>) JsonCodec.parse(message.getData());
      Map<?, ?> payload = (Map<?, ?>) body.get("payload");
      int n = received.getAndIncrement();
      long[] into = latenciesNs;
      if (n < into.length) {
        into[n] = now - ((Number) payload.get("t")).longValue();
      }
      lastNs = now;
      message.ack();
    }

    @Override
    public void close() {
      try {
        consumer.close();
      } catch (Exception ignored) {
        // the stream is deleted next
      }
    }
  }

  private static void deploy(HttpClient http, String token, List<Integer> ports, int hops)
      throws Exception {
    String nodes =
        hops == 1
            ? """
              {"id":"in","type":"work-in","config":{"queue":"jobs"}},
              {"id":"out","type":"work-out","config":{"queue":"done"}}],
             "wires":[{"from":"in","to":"out"}]}"""
            : """
              {"id":"in","type":"work-in","config":{"queue":"jobs"}},
              {"id":"o1","type":"work-out","config":{"queue":"mid"}},
              {"id":"i2","type":"work-in","config":{"queue":"mid"}},
              {"id":"out","type":"work-out","config":{"queue":"done"}}],
             "wires":[{"from":"in","to":"o1"},{"from":"i2","to":"out"}]}""";
    int first = ports.get(0);
    expect(
        http, token, first, "POST", "/api/v1/flows", "{\"id\":\"bench\",\"nodes\":[" + nodes, 201);
    expect(http, token, first, "POST", "/api/v1/flows/bench/start", null, 200);
    for (int port : ports) {
      long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!call(http, token, port, "GET", "/api/v1/flows/bench", null)
          .body()
          .contains("\"running\":true")) {
        if (System.nanoTime() > deadlineNs) {
          throw new IllegalStateException("member on " + port + " does not run the flow");
        }
        Thread.sleep(20);
      }
    }
  }

  private static void expect(
      HttpClient http, String token, int port, String method, String path, String body, int status)
      throws Exception {
    HttpResponse<String> response = call(http, token, port, method, path, body);
    if (response.statusCode() != status) {
      throw new IllegalStateException(method + " " + path + ": " + response.body());
    }
  }

  private static HttpResponse<String> call(
      HttpClient http, String token, int port, String method, String path, String body)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static void awaitHealth(HttpClient http, int port) throws Exception {
    long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        if (http.send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + port + "/api/v1/health"))
                        .build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) {
          return;
        }
      } catch (IOException notYet) {
        if (System.nanoTime() > deadlineNs) {
          throw notYet;
        }
      }
      Thread.sleep(100);
    }
  }

  private static Process startMember(
      Path jar, String natsUrl, String prefix, String name, int port, Path dir) throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-jar",
                jar.toString(),
                "serve")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(name + ".log").toFile());
    Map<String, String> env = builder.environment();
    env.put("Z8_PORT", Integer.toString(port));
    env.put("Z8_BIND", "127.0.0.1");
    env.put("Z8_DATA_DIR", dir.resolve("data-" + name).toString());
    env.put("Z8_JWT_SECRET", SECRET);
    env.put("Z8_CLUSTER_NATS", natsUrl);
    env.put("Z8_CLUSTER_PREFIX", prefix);
    env.put("Z8_CLUSTER_MEMBER", name);
    env.put("Z8_LOG_LEVEL", "warn");
    return builder.start();
  }

  private static void ensureWorkStream(Connection nats, String prefix)
      throws IOException, JetStreamApiException {
    nats.jetStreamManagement()
        .addStream(
            StreamConfiguration.builder()
                .name(prefix + "_WORK")
                .subjects(prefix + ".work.>")
                .retentionPolicy(RetentionPolicy.WorkQueue)
                .storageType(StorageType.File)
                .duplicateWindow(Duration.ofMinutes(2))
                .build());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
