package dev.z8run.perf.harness;

import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.node.InjectResult;
import dev.z8run.core.runtime.Engine;
import dev.z8run.core.runtime.NodeCounters;
import dev.z8run.nodes.BuiltinNodes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The Function sandbox's isolation figure (issue 12, finding 7): one engine runs a neighbour flow
 * ({@link Scenario#A_PIPELINE_FN10}, fed as {@link Harness} feeds it) while a hostile flow's
 * Function node runs the two scripts of the finding one after the other, without pause: {@code
 * JSON.stringify} of a graph sharing references 25 levels deep, and {@code 'x'.repeat(1 << 30)}.
 * Windows with and without the hostile flow at work alternate; the line printed gives the
 * neighbour's msgs/s in each, their medians and ratio, and how long each hostile execution took to
 * end as the node's error (its limit: {@code timeoutMs=1000}, {@code memoryLimitMb=64}).
 *
 * <p>{@code java -cp perf/target/z8run-perf.jar dev.z8run.perf.harness.Isolation [rounds=5]
 * [windowMs=3000] [warmMs=3000]}. Measures; decides nothing.
 */
public final class Isolation {
  static final String ATTACK =
      "if (msg.payload === 'graph') { var o = {leaf: 'x'};"
          + " for (var i = 0; i < 25; i++) { o = {a: o, b: o}; } msg.payload = JSON.stringify(o); }"
          + " else { msg.payload = 'x'.repeat(1 << 30); } return msg;";

  private Isolation() {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    long windowMs = args.length > 1 ? Long.parseLong(args[1]) : 3_000;
    long warmMs = args.length > 2 ? Long.parseLong(args[2]) : 3_000;
    Scenario neighbour = Scenario.A_PIPELINE_FN10;
    try (Engine engine = new Engine(EngineConfig.defaults(), BuiltinNodes.registry())) {
      engine.deploy(neighbour.flow());
      engine.deploy(hostileFlow());
      String flowId = neighbour.flow().id();
      Engine.CounterReader sink = engine.counter(flowId, "sink", NodeCounters.MESSAGES_IN);
      Harness.Feeder feeder = new Harness.Feeder(neighbour, engine.trigger(flowId, "src"), sink);
      Attacker attacker =
          new Attacker(
              engine.trigger("hostile", "src"),
              engine.counter("hostile", "fn", NodeCounters.ERRORS),
              engine.counter("hostile", "fn", NodeCounters.MESSAGES_OUT));
      feeder.feedFor(warmMs);
      attacker.runFor(feeder, warmMs); // the hostile scripts warm up as well
      double[] quiet = new double[rounds];
      double[] attacked = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        long before = sink.get();
        long t0 = System.nanoTime();
        feeder.feedFor(windowMs);
        quiet[r] = (sink.get() - before) * 1e9 / (System.nanoTime() - t0);
        attacker.durationsMs.clear();
        before = sink.get();
        t0 = System.nanoTime();
        attacker.runFor(feeder, windowMs);
        attacked[r] = (sink.get() - before) * 1e9 / (System.nanoTime() - t0);
      }
      double quietMedian = median(quiet);
      double attackedMedian = median(attacked);
      System.out.printf(
          Locale.ROOT,
          "isolation quiet_msgs_per_s=%.0f attacked_msgs_per_s=%.0f ratio=%.3f"
              + " quiet=%s attacked=%s hostile_executions=%d hostile_errors=%d"
              + " hostile_outputs=%d hostile_ms_max=%.0f hostile_ms_median=%.0f workers=%d%n",
          quietMedian,
          attackedMedian,
          attackedMedian / quietMedian,
          rates(quiet),
          rates(attacked),
          attacker.executions,
          attacker.errors.get(),
          attacker.outputs.get(),
          attacker.maxMs,
          attacker.medianMs(),
          engine.config().workers());
    }
  }

  private static Flow hostileFlow() {
    List<FlowNode> nodes =
        List.of(
            new FlowNode("src", "inject", "src", 0, 0, false, Map.of()),
            new FlowNode(
                "fn",
                "function",
                "fn",
                0,
                0,
                false,
                Map.of("func", ATTACK, "timeoutMs", 1000L, "memoryLimitMb", 64L)),
            new FlowNode("sink", "counter", "sink", 0, 0, false, Map.of()));
    List<Wire> wires = List.of(new Wire("src", 0, "fn", 0), new Wire("fn", 0, "sink", 0));
    return new Flow("hostile", "hostile", "finding 7's scripts", nodes, wires);
  }

  /** Sends the two scripts' messages one after the other, each when the previous has ended. */
  static final class Attacker {
    private final Engine.Trigger source;
    private final Engine.CounterReader errors;
    private final Engine.CounterReader outputs;
    private final List<Double> durationsMs = new ArrayList<>();
    private long executions;
    private double maxMs;

    Attacker(Engine.Trigger source, Engine.CounterReader errors, Engine.CounterReader outputs) {
      this.source = source;
      this.errors = errors;
      this.outputs = outputs;
    }

    /** Attacks on a thread of its own while {@code feeder} feeds the neighbour for {@code ms}. */
    void runFor(Harness.Feeder feeder, long ms) throws InterruptedException {
      AtomicBoolean running = new AtomicBoolean(true);
      Thread thread = Thread.ofPlatform().name("attacker").start(() -> attack(running));
      feeder.feedFor(ms);
      running.set(false);
      thread.join();
    }

    private void attack(AtomicBoolean running) {
      UnsafeBuffer json = new UnsafeBuffer(new byte[64]);
      while (running.get()) {
        String which = executions % 2 == 0 ? "graph" : "repeat";
        byte[] bytes = ("{\"payload\":\"" + which + "\"}").getBytes(StandardCharsets.UTF_8);
        json.putBytes(0, bytes);
        long ended = errors.get() + outputs.get();
        long t0 = System.nanoTime();
        if (source.tryInject(json, 0, bytes.length) != InjectResult.ACCEPTED) {
          LockSupport.parkNanos(1_000_000);
          continue;
        }
        while (errors.get() + outputs.get() == ended) {
          LockSupport.parkNanos(200_000);
        }
        double tookMs = (System.nanoTime() - t0) / 1e6;
        durationsMs.add(tookMs);
        maxMs = Math.max(maxMs, tookMs);
        executions++;
      }
    }

    double medianMs() {
      return median(durationsMs.stream().mapToDouble(Double::doubleValue).toArray());
    }
  }

  private static double median(double[] values) {
    if (values.length == 0) {
      return 0;
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  private static String rates(double[] values) {
    StringBuilder text = new StringBuilder();
    for (double value : values) {
      text.append(text.isEmpty() ? "" : ",").append(Math.round(value));
    }
    return text.toString();
  }
}
