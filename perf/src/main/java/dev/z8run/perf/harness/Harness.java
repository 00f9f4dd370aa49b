package dev.z8run.perf.harness;

import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.node.InjectResult;
import dev.z8run.core.runtime.Engine;
import dev.z8run.core.runtime.NodeCounters;
import dev.z8run.io.json.FieldIndex;
import dev.z8run.io.message.MessageBodyView;
import dev.z8run.io.message.MessageDescriptor;
import dev.z8run.nodes.BuiltinNodes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The end-to-end load harness: deploys a {@link Scenario} on a real engine, feeds its source from a
 * thread of its own as fast as the flow absorbs messages with at most {@code window} source
 * messages in flight (the Node-RED peer's credit rule: sent - received / fan), warms up, measures,
 * and prints one line: {@code scenario msgs_per_s rss_mb key=value...}, msgs_per_s counted at the
 * sink.
 *
 * <p>Run one scenario per JVM (the compare script does) so that scenarios do not warm each other
 * up: {@code java -cp perf/target/z8run-perf.jar dev.z8run.perf.harness.Harness a2 [durMs]
 * [warmMs]}.
 */
public final class Harness {
  private static final byte[] PREFIX = "{\"payload\":{\"n\":".getBytes(StandardCharsets.UTF_8);
  private static final long PARK_NS = 20_000;
  private static final byte[] SUFFIX = "}}".getBytes(StandardCharsets.UTF_8);

  /** What one measured window produced. */
  public record Result(
      Scenario scenario,
      long sinkMessages,
      long sourceMessages,
      long elapsedNs,
      long rejected,
      long cpuNs,
      long blocks,
      long blockBodyBytes,
      java.util.Map<String, Long> threadCpuNs) {
    public double msgsPerSecond() {
      return sinkMessages * 1e9 / elapsedNs;
    }

    /**
     * CPU time of the whole process (workers, feeder, JIT, GC) per message at the sink: what a
     * message costs, which a machine loaded by others disturbs far less than the wall clock.
     */
    public double cpuNsPerMessage() {
      return sinkMessages == 0 ? 0 : (double) cpuNs / sinkMessages;
    }

    /**
     * CPU ns per message at the sink of the feeder (this thread, {@code main}), of each engine
     * worker, and of every other thread together (JIT, GC, timers): which thread a message's CPU
     * goes to, e.g. {@code main:310,z8-worker-0:640,z8-worker-1:590,other:12}.
     */
    public String cpuSplit() {
      StringBuilder out = new StringBuilder();
      long other = 0;
      for (var entry : new java.util.TreeMap<>(threadCpuNs).entrySet()) {
        String name = entry.getKey();
        if (name.equals("main") || name.startsWith("z8-worker-")) {
          out.append(name)
              .append(':')
              .append(entry.getValue() / Math.max(1, sinkMessages))
              .append(',');
        } else {
          other += entry.getValue();
        }
      }
      return out.append("other:").append(other / Math.max(1, sinkMessages)).toString();
    }

    public double sourceMessagesPerSecond() {
      return sourceMessages * 1e9 / elapsedNs;
    }
  }

  private Harness() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("usage: Harness <a|a2|b|d> [durMs=10000] [warmMs=2000] [workers=cores]");
      System.exit(2);
    }
    if (args[0].equals("idle")) {
      idle(args.length > 1 ? Long.parseLong(args[1]) : 10_000);
      return;
    }
    Scenario scenario = Scenario.find(args[0]);
    long durMs = args.length > 1 ? Long.parseLong(args[1]) : 10_000;
    long warmMs = args.length > 2 ? Long.parseLong(args[2]) : 2_000;
    int workers = args.length > 3 ? Integer.parseInt(args[3]) : EngineConfig.defaults().workers();
    Result result = run(scenario, EngineConfig.builder().workers(workers).build(), warmMs, durMs);
    // large bodies: every copy of one goes into a new off-heap block (a forward shares it), so
    // blocks per source message is 1 when the body is written once, at the trigger, and never
    // again; each block beyond that is a copy of the body, spread over the flow's hops. A hop of a
    // body by reference moves one record of this many bytes through a ring.
    double sent = Math.max(1, result.sourceMessages());
    double blocksPerMsg = result.blocks() / sent;
    double blockBytes =
        result.blocks() == 0 ? 0 : (double) result.blockBodyBytes() / result.blocks();
    double copiedPerHop = Math.max(0, blocksPerMsg - 1) * blockBytes / scenario.hops();
    System.out.printf(
        Locale.ROOT,
        "%s %.0f %.1f src_msgs_per_s=%.0f count=%d rejected=%d workers=%d cpu_ns_per_msg=%.0f"
            + " blocks_per_msg=%.3f block_body_bytes=%.0f body_bytes_copied_per_hop=%.0f"
            + " ref_record_bytes=%d cpu_split=%s%n",
        scenario.id(),
        result.msgsPerSecond(),
        rssMb(),
        result.sourceMessagesPerSecond(),
        result.sinkMessages(),
        result.rejected(),
        workers,
        result.cpuNsPerMessage(),
        blocksPerMsg,
        blockBytes,
        copiedPerHop,
        MessageDescriptor.HEADER_LENGTH + MessageDescriptor.REF_BODY_LENGTH,
        result.cpuSplit());
  }

  /** Deploys the scenario, warms up for {@code warmMs}, measures for {@code durMs}. */
  public static Result run(Scenario scenario, EngineConfig config, long warmMs, long durMs) {
    try (Engine engine = new Engine(config, BuiltinNodes.registry())) {
      engine.deploy(scenario.flow());
      String flowId = scenario.flow().id();
      Engine.Trigger source = engine.trigger(flowId, "src");
      Engine.CounterReader sink = engine.counter(flowId, "sink", NodeCounters.MESSAGES_IN);
      Feeder feeder = new Feeder(scenario, source, sink);
      feeder.feedFor(warmMs);
      long sink0 = sink.get();
      long sent0 = feeder.sent;
      long rejected0 = feeder.rejected;
      long cpu0 = cpuNs();
      java.util.Map<String, Long> threads0 = threadCpuNs();
      long blocks0 = engine.bodyBlocks().allocations();
      long blockBytes0 = engine.bodyBlocks().allocatedBodyBytes();
      long t0 = System.nanoTime();
      feeder.feedFor(durMs);
      long elapsed = System.nanoTime() - t0;
      long cpu = cpuNs() - cpu0;
      java.util.Map<String, Long> threads1 = threadCpuNs();
      threads1.replaceAll((name, ns) -> ns - threads0.getOrDefault(name, 0L));
      return new Result(
          scenario,
          sink.get() - sink0,
          feeder.sent - sent0,
          elapsed,
          feeder.rejected - rejected0,
          cpu,
          engine.bodyBlocks().allocations() - blocks0,
          engine.bodyBlocks().allocatedBodyBytes() - blockBytes0,
          threads1);
    }
  }

  /** Feeds the source with the peer's window rule. */
  static final class Feeder {
    private final int fan;
    private final int window;
    private final int binaryBytes;
    private final Engine.Trigger source;
    private final Engine.CounterReader sink;
    private final UnsafeBuffer json = new UnsafeBuffer(new byte[64]);
    private final UnsafeBuffer binary;
    private final MessageBodyView body = new MessageBodyView();

    /**
     * The field index of each message: its one member, {@code payload}, lies where the feeder wrote
     * it, so the feeder says where (as HTTP In's messages do) and the flow's first change node does
     * not scan the body for it.
     */
    private final UnsafeBuffer index = new UnsafeBuffer(new byte[FieldIndex.lengthFor(1)]);

    long sent;
    long rejected;

    Feeder(Scenario scenario, Engine.Trigger source, Engine.CounterReader sink) {
      this(scenario.fan(), scenario.window(), scenario.binaryBytes(), source, sink);
    }

    Feeder(int fan, int window, int binaryBytes, Engine.Trigger source, Engine.CounterReader sink) {
      this.fan = fan;
      this.window = window;
      this.binaryBytes = binaryBytes;
      this.source = source;
      this.sink = sink;
      this.binary = new UnsafeBuffer(new byte[Math.max(1, binaryBytes)]);
      json.putBytes(0, PREFIX);
    }

    /**
     * Writes the field index of a message of {@code length} bytes as the feeder writes them ({@code
     * {"payload":{"n":...}}}) into {@code index}: {@code payload}'s key at 2 (7 bytes), its value
     * from after the colon to the last brace; its key plain and the JSON compact, as a scan finds.
     *
     * @return the index's length
     */
    static int writeIndex(int length, MutableDirectBuffer index) {
      FieldIndex.putEntry(index, 0, 0, 2, 7, PREFIX.length - 5, length - 1);
      return FieldIndex.putCount(index, 0, 1, true, true);
    }

    void feedFor(long ms) {
      long endNs = System.nanoTime() + ms * 1_000_000L;
      while (System.nanoTime() < endNs) {
        long room = window - (sent - sink.get() / fan);
        if (room < window / 4) {
          LockSupport.parkNanos(PARK_NS);
          continue;
        }
        boolean progressed = false;
        while (room-- > 0) {
          int length = PREFIX.length + json.putLongAscii(PREFIX.length, sent);
          json.putBytes(length, SUFFIX);
          length += SUFFIX.length;
          body.json(json, 0, length).index(index, 0, writeIndex(length, index));
          if (binaryBytes > 0) {
            body.binary(binary, 0, binaryBytes);
          }
          InjectResult result = source.tryInject(body);
          if (result != InjectResult.ACCEPTED) {
            rejected++;
            break;
          }
          sent++;
          progressed = true;
        }
        if (!progressed) {
          // like the peer's source (setTimeout), refill later instead of spinning on a core the
          // workers need: with `window` messages in flight there is ample work queued
          LockSupport.parkNanos(PARK_NS);
        }
      }
    }
  }

  /**
   * Deploys every scenario's flow, sends nothing for {@code ms}, and prints the process's CPU use
   * in that window: what an idle server costs.
   */
  static void idle(long ms) throws Exception {
    try (Engine engine = new Engine(EngineConfig.defaults(), BuiltinNodes.registry())) {
      for (Scenario scenario : Scenario.values()) {
        engine.deploy(scenario.flow());
      }
      Thread.sleep(1_000); // let start-up work (JIT, class loading) settle before measuring
      long cpu0 = cpuNs();
      long t0 = System.nanoTime();
      Thread.sleep(ms);
      double percent = 100.0 * (cpuNs() - cpu0) / (System.nanoTime() - t0);
      System.out.printf(
          Locale.ROOT,
          "idle %.2f %.1f cpu_pct_of_one_core=%.2f flows=%d workers=%d%n",
          percent,
          rssMb(),
          percent,
          Scenario.values().length,
          engine.config().workers());
    }
  }

  static long cpuNs() {
    return ((com.sun.management.OperatingSystemMXBean)
            java.lang.management.ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** CPU time per live thread, by name (threads of one name added up). */
  private static java.util.Map<String, Long> threadCpuNs() {
    java.lang.management.ThreadMXBean bean =
        java.lang.management.ManagementFactory.getThreadMXBean();
    java.util.Map<String, Long> byName = new java.util.HashMap<>();
    for (java.lang.management.ThreadInfo info : bean.getThreadInfo(bean.getAllThreadIds())) {
      if (info != null) {
        long ns = bean.getThreadCpuTime(info.getThreadId());
        if (ns > 0) {
          byName.merge(info.getThreadName(), ns, Long::sum);
        }
      }
    }
    return byName;
  }

  /** Resident set size of this process in MB, from /proc (0 where there is no /proc). */
  public static double rssMb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | NumberFormatException unreadable) {
      return 0;
    }
    return 0;
  }
}
