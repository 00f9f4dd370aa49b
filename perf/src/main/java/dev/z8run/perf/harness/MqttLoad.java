package dev.z8run.perf.harness;

import com.hivemq.client.mqtt.MqttClient;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3AsyncClient;
import com.hivemq.client.mqtt.mqtt3.message.publish.Mqtt3Publish;
import io.reactivex.processors.UnicastProcessor;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Scenario e's load and meter, the same for both engines: publishes {@code {"t":<nanos>,"n":<seq>}}
 * to {@code <prefix>/in} with at most {@code window} messages between sent and received, receives
 * what the engine's flow ({@code mqtt-in -> change -> mqtt-out}) publishes to {@code <prefix>/out},
 * and prints {@code label msgs_per_s p50_ms p99_ms received sent cpu_us} for the measured window
 * (latency from publish to receipt, through the broker twice and the engine once; {@code cpu_us}:
 * the CPU microseconds the process {@code pid}, when given, used per message received).
 *
 * <p>{@code java -cp perf/target/z8run-perf.jar dev.z8run.perf.harness.MqttLoad label host port qos
 * durMs warmMs window prefix [pid]}
 *
 * <p>With the label {@code broker} it receives {@code <prefix>/in} itself: the generator and the
 * broker alone, no engine (the generator must not be what limits the other runs).
 */
public final class MqttLoad {
  private static final int MAX_SAMPLES = 4_000_000;

  private final AtomicLong received = new AtomicLong();
  private final long[] latencies = new long[MAX_SAMPLES];
  private final AtomicLong samples = new AtomicLong();
  private volatile boolean measuring;
  private UnicastProcessor<Mqtt3Publish> outgoing;

  private MqttLoad() {}

  public static void main(String[] args) throws Exception {
    String label = args[0];
    String host = args[1];
    int port = Integer.parseInt(args[2]);
    int qos = Integer.parseInt(args[3]);
    long durMs = Long.parseLong(args[4]);
    long warmMs = Long.parseLong(args[5]);
    int window = Integer.parseInt(args[6]);
    String prefix = args[7];
    long pid = args.length > 8 ? Long.parseLong(args[8]) : 0;
    new MqttLoad()
        .run(label, host, port, MqttQos.fromCode(qos), durMs, warmMs, window, prefix, pid);
    System.exit(0); // the client's event loops are not daemon threads
  }

  private Mqtt3AsyncClient client(String host, int port, String role) {
    Mqtt3AsyncClient client =
        MqttClient.builder()
            .useMqttVersion3()
            .identifier("z8bench-" + role + "-" + UUID.randomUUID().toString().substring(0, 6))
            .serverHost(host)
            .serverPort(port)
            .buildAsync();
    client.connect().join();
    return client;
  }

  private void run(
      String label,
      String host,
      int port,
      MqttQos qos,
      long durMs,
      long warmMs,
      int window,
      String prefix,
      long pid)
      throws Exception {
    Mqtt3AsyncClient subscriber = client(host, port, "sub");
    Mqtt3AsyncClient publisher = client(host, port, "pub");
    // publishes go through one reactive stream (the async API's publish-per-call costs a flow of
    // its own per message, which made the generator the limit)
    outgoing = UnicastProcessor.create();
    publisher.toRx().publish(outgoing).subscribe();
    subscriber
        .subscribeWith()
        .topicFilter(prefix + (label.equals("broker") ? "/in" : "/out"))
        .qos(qos)
        .callback(this::onReceived)
        .send()
        .get(10, TimeUnit.SECONDS);
    String topic = prefix + "/in";
    // wait for the flow: a probe goes round until it comes back
    long probeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (received.get() == 0) {
      publish(publisher, topic, qos, 0);
      LockSupport.parkNanos(50_000_000);
      if (System.nanoTime() > probeDeadline) {
        throw new IllegalStateException("no message came back from " + prefix + "/out");
      }
    }
    long[] sent = {0};
    feed(publisher, topic, qos, window, sent, warmMs);
    long received0 = received.get();
    long sent0 = sent[0];
    samples.set(0);
    measuring = true;
    long cpu0 = cpuTicks(pid);
    long t0 = System.nanoTime();
    feed(publisher, topic, qos, window, sent, durMs);
    long elapsed = System.nanoTime() - t0;
    long cpu1 = cpuTicks(pid);
    measuring = false;
    long count = received.get() - received0;
    int n = (int) Math.min(samples.get(), MAX_SAMPLES);
    long[] sorted = Arrays.copyOf(latencies, n);
    Arrays.sort(sorted);
    double p50 = n == 0 ? 0 : sorted[(int) (n * 0.50)] / 1e6;
    double p99 = n == 0 ? 0 : sorted[Math.min(n - 1, (int) (n * 0.99))] / 1e6;
    System.out.printf(
        Locale.ROOT,
        "%s %.0f %.2f %.2f received=%d sent=%d cpu_us=%.1f%n",
        label,
        count * 1e9 / elapsed,
        p50,
        p99,
        count,
        sent[0] - sent0,
        count == 0 || pid == 0 ? 0.0 : (cpu1 - cpu0) * 1e6 / TICKS_PER_SECOND / count);
    outgoing.onComplete();
    publisher.disconnect().join();
    subscriber.disconnect().join();
  }

  /** Clock ticks a second in /proc (USER_HZ, 100 on Linux). */
  private static final double TICKS_PER_SECOND = 100;

  /**
   * CPU time (user + system, clock ticks) process {@code pid} has used so far, from {@code
   * /proc/<pid>/stat}; 0 without a pid or /proc. The engine's CPU per message is the figure the
   * load of a shared machine disturbs least.
   */
  private static long cpuTicks(long pid) {
    if (pid == 0) {
      return 0;
    }
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // fields after the command name (in parentheses, which may hold spaces): state is field 3
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime (14), stime (15)
    } catch (IOException | RuntimeException noProc) {
      return 0;
    }
  }

  private void feed(
      Mqtt3AsyncClient publisher, String topic, MqttQos qos, int window, long[] sent, long ms) {
    long end = System.nanoTime() + ms * 1_000_000L;
    long base = sent[0] - received.get();
    while (System.nanoTime() < end) {
      long inFlight = sent[0] - received.get() - base;
      if (inFlight >= window) {
        LockSupport.parkNanos(20_000);
        continue;
      }
      publish(publisher, topic, qos, ++sent[0]);
    }
  }

  private void publish(Mqtt3AsyncClient publisher, String topic, MqttQos qos, long n) {
    byte[] payload =
        ("{\"t\":" + System.nanoTime() + ",\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8);
    outgoing.onNext(Mqtt3Publish.builder().topic(topic).qos(qos).payload(payload).build());
  }

  private void onReceived(Mqtt3Publish publish) {
    long now = System.nanoTime();
    received.incrementAndGet();
    if (!measuring) {
      return;
    }
    long t = sentAt(publish.getPayloadAsBytes());
    if (t > 0) {
      long i = samples.getAndIncrement();
      if (i < MAX_SAMPLES) {
        latencies[(int) i] = now - t;
      }
    }
  }

  /** The number after {@code "t":} in the payload, or 0. */
  private static long sentAt(byte[] payload) {
    for (int i = 0; i + 4 < payload.length; i++) {
      if (payload[i] == '"'
          && payload[i + 1] == 't'
          && payload[i + 2] == '"'
          && payload[i + 3] == ':') {
        long value = 0;
        int j = i + 4;
        while (j < payload.length && payload[j] == ' ') {
          j++;
        }
        boolean negative = j < payload.length && payload[j] == '-';
        if (negative) {
          j++;
        }
        while (j < payload.length && payload[j] >= '0' && payload[j] <= '9') {
          value = value * 10 + (payload[j++] - '0');
        }
        return negative ? -value : value;
      }
    }
    return 0;
  }
}
