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
 * and prints {@code label msgs_per_s p50_ms p99_ms received sent cpu_us broker_us load_us} for the
 * measured window (latency from publish to receipt, through the broker twice and the engine once;
 * {@code cpu_us}: the CPU microseconds the process {@code pid}, when given, used per message
 * received; {@code broker_us} the same for the process {@code MQTT_BROKER_PID}, {@code load_us} for
 * this generator). On 2 cores the three share the CPU, so their sum per message bounds msgs/s. The
 * window is refilled when an eighth of it has come back (the receiving thread wakes the publishing
 * one), and publishes are written 16 frames at a time ({@link RawMqtt}).
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

  /**
   * The generator's client: MQTT 3.1.1 framed by hand on two sockets ({@link RawMqtt}), unless
   * {@code MQTT_GEN=hivemq} (the HiveMQ client it used before, which cost more CPU per message than
   * the engines it measured; on 2 cores the generator's CPU is taken from the engine's).
   */
  private static final boolean HIVEMQ = "hivemq".equals(System.getenv("MQTT_GEN"));

  /** The broker's process ({@code MQTT_BROKER_PID}), whose CPU per message is printed too; or 0. */
  private static final long BROKER_PID = brokerPid();

  private RawMqtt rawPub;
  private RawMqtt rawSub;
  private byte[] rawPubTopic;

  private static long brokerPid() {
    String pid = System.getenv("MQTT_BROKER_PID");
    try {
      return pid == null || pid.isBlank() ? 0 : Long.parseLong(pid.strip());
    } catch (NumberFormatException notPid) {
      return 0;
    }
  }

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
    String topic = prefix + "/in";
    String filter = prefix + (label.equals("broker") ? "/in" : "/out");
    Mqtt3AsyncClient subscriber = null;
    Mqtt3AsyncClient publisher = null;
    if (HIVEMQ) {
      subscriber = client(host, port, "sub");
      publisher = client(host, port, "pub");
      // publishes go through one reactive stream (the async API's publish-per-call costs a flow of
      // its own per message, which made the generator the limit)
      outgoing = UnicastProcessor.create();
      publisher.toRx().publish(outgoing).subscribe();
      subscriber
          .subscribeWith()
          .topicFilter(filter)
          .qos(qos)
          .callback(p -> onReceived(p.getPayloadAsBytes()))
          .send()
          .get(10, TimeUnit.SECONDS);
    } else {
      rawSub = new RawMqtt(host, port, "sub", qos.getCode(), this::onReceived);
      rawSub.subscribe(filter);
      rawPub = new RawMqtt(host, port, "pub", qos.getCode(), null);
      rawPubTopic = topic.getBytes(StandardCharsets.UTF_8);
    }
    // wait for the flow: a probe goes round until it comes back
    long probeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (received.get() == 0) {
      publish(publisher, topic, qos, 0);
      flush();
      LockSupport.parkNanos(50_000_000);
      if (System.nanoTime() > probeDeadline) {
        throw new IllegalStateException("no message came back from " + prefix + "/out");
      }
    }
    feeder = Thread.currentThread();
    long[] sent = {0};
    feed(publisher, topic, qos, window, sent, warmMs);
    long received0 = received.get();
    long sent0 = sent[0];
    samples.set(0);
    measuring = true;
    long cpu0 = cpuTicks(pid);
    long broker0 = cpuTicks(BROKER_PID);
    long self0 = cpuTicks(ProcessHandle.current().pid());
    long t0 = System.nanoTime();
    feed(publisher, topic, qos, window, sent, durMs);
    long elapsed = System.nanoTime() - t0;
    long cpu1 = cpuTicks(pid);
    long broker1 = cpuTicks(BROKER_PID);
    long self1 = cpuTicks(ProcessHandle.current().pid());
    measuring = false;
    long count = received.get() - received0;
    int n = (int) Math.min(samples.get(), MAX_SAMPLES);
    long[] sorted = Arrays.copyOf(latencies, n);
    Arrays.sort(sorted);
    double p50 = n == 0 ? 0 : sorted[(int) (n * 0.50)] / 1e6;
    double p99 = n == 0 ? 0 : sorted[Math.min(n - 1, (int) (n * 0.99))] / 1e6;
    System.out.printf(
        Locale.ROOT,
        "%s %.0f %.2f %.2f received=%d sent=%d cpu_us=%.1f broker_us=%.1f load_us=%.1f%n",
        label,
        count * 1e9 / elapsed,
        p50,
        p99,
        count,
        sent[0] - sent0,
        count == 0 || pid == 0 ? 0.0 : (cpu1 - cpu0) * 1e6 / TICKS_PER_SECOND / count,
        count == 0 || BROKER_PID == 0 ? 0.0 : (broker1 - broker0) * 1e6 / TICKS_PER_SECOND / count,
        count == 0 ? 0.0 : (self1 - self0) * 1e6 / TICKS_PER_SECOND / count);
    if (HIVEMQ) {
      outgoing.onComplete();
      publisher.disconnect().join();
      subscriber.disconnect().join();
    } else {
      rawPub.close();
      rawSub.close();
    }
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
        flush();
        // sleep until an eighth of the window came back (the receiver wakes this thread), rather
        // than poll: on 2 cores a polling generator takes CPU from the engine it measures
        resumeAt = sent[0] - base - window + Math.max(1, window / 8);
        feederWaiting = true;
        if (received.get() < resumeAt) {
          LockSupport.parkNanos(1_000_000);
        }
        feederWaiting = false;
        continue;
      }
      publish(publisher, topic, qos, ++sent[0]);
    }
    flush();
  }

  private volatile boolean feederWaiting;
  private volatile long resumeAt;
  private volatile Thread feeder;

  private void flush() {
    if (!HIVEMQ) {
      rawPub.flush();
    }
  }

  private void publish(Mqtt3AsyncClient publisher, String topic, MqttQos qos, long n) {
    byte[] payload =
        ("{\"t\":" + System.nanoTime() + ",\"n\":" + n + "}").getBytes(StandardCharsets.UTF_8);
    if (HIVEMQ) {
      outgoing.onNext(Mqtt3Publish.builder().topic(topic).qos(qos).payload(payload).build());
    } else {
      rawPub.publish(rawPubTopic, payload);
    }
  }

  private void onReceived(byte[] payload) {
    long now = System.nanoTime();
    long count = received.incrementAndGet();
    if (feederWaiting && count >= resumeAt) {
      feederWaiting = false;
      LockSupport.unpark(feeder);
    }
    if (!measuring) {
      return;
    }
    long t = sentAt(payload);
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
