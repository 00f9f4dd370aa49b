package dev.z8run.perf.jmh;

import dev.z8run.core.flow.Flow;
import dev.z8run.perf.harness.Scenario;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The flows of {@link FunctionBenchmarks} and {@link EngineBenchmarks}'s a2 chain, timed by the
 * measuring thread's CPU clock instead of the wall clock: on a machine shared with other builds
 * (load far above its cores) JMH's wall-clock ns/op mostly measures the time the thread waited for
 * a core, while CPU time per message stays close to what a quiet machine gives. The flows run
 * interleaved, round after round, and the median per flow is printed. Not a replacement for JMH on
 * a quiet machine: a companion for a busy one.
 *
 * <pre>
 * java @perf/target/classes/z8run-jvm.flags -Dagrona.disable.bounds.checks=true \
 *   -cp perf/target/z8run-perf.jar dev.z8run.perf.jmh.HopCpuTime [cpuMsPerRound=1000] [rounds=7] \
 *   [flowNameRegex]
 * </pre>
 *
 * <p>With a regular expression, only the flows whose names it matches run (for a profiler).
 */
public final class HopCpuTime {
  private HopCpuTime() {}

  public static void main(String[] args) {
    long cpuMs = args.length > 0 ? Long.parseLong(args[0]) : 1000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    Map<String, Flow> flows = new LinkedHashMap<>();
    flows.put("junctionHop", EngineBenchmarks.chain("junction", 1, false));
    flows.put("functionReturnsMsg", FunctionBenchmarks.oneFunction("return msg;"));
    flows.put(
        "functionSetsPayload", FunctionBenchmarks.oneFunction(FunctionBenchmarks.SET_PAYLOAD));
    flows.put(
        "functionSetsPayloadWhole",
        FunctionBenchmarks.oneFunction(FunctionBenchmarks.WHOLE + FunctionBenchmarks.SET_PAYLOAD));
    flows.put("functionSetsTopic", FunctionBenchmarks.oneFunction(FunctionBenchmarks.SET_TOPIC));
    flows.put("chainOfTenJunctions", EngineBenchmarks.chain("junction", 10, false));
    flows.put(
        "chainOfTenSettingTopic", FunctionBenchmarks.functions(10, FunctionBenchmarks.SET_TOPIC));
    flows.put(
        "chainOfTenSettingTopicWhole",
        FunctionBenchmarks.functions(10, FunctionBenchmarks.WHOLE + FunctionBenchmarks.SET_TOPIC));
    flows.put("chainOfTenChangeNodes", Scenario.A2_PIPELINE_CHANGE10.flow());
    // the same chain on one worker: no ring crossing in the middle (a2 with workers=1)
    flows.put("chainOfTenChangeNodesOneWorker", Scenario.A2_PIPELINE_CHANGE10.flow());
    if (args.length > 2) {
      java.util.regex.Pattern only = java.util.regex.Pattern.compile(args[2]);
      flows.keySet().removeIf(name -> !only.matcher(name).matches());
    }
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    List<ManualEngine> engines = new ArrayList<>();
    for (Map.Entry<String, Flow> flow : flows.entrySet()) {
      int workers = flow.getKey().endsWith("OneWorker") ? 1 : 2;
      engines.add(
          new ManualEngine(
              flow.getValue(),
              ManualEngine.SMALL,
              0,
              dev.z8run.core.config.EngineConfig.builder().build().latencySampleEvery(),
              workers));
    }
    try {
      for (ManualEngine engine : engines) {
        measure(threads, engine, cpuMs * 2, new long[1]); // warm-up
      }
      double[][] nsPerOp = new double[engines.size()][rounds];
      double[][] injectNsPerOp = new double[engines.size()][rounds];
      double[] bytesPerOp = new double[engines.size()];
      for (int round = 0; round < rounds; round++) {
        for (int i = 0; i < engines.size(); i++) {
          long allocated = threads.getCurrentThreadAllocatedBytes();
          long[] messages = new long[2];
          nsPerOp[i][round] = measure(threads, engines.get(i), cpuMs, messages);
          injectNsPerOp[i][round] = (double) messages[1] / messages[0];
          double bytes = (double) (threads.getCurrentThreadAllocatedBytes() - allocated);
          bytesPerOp[i] =
              round == 0 ? bytes / messages[0] : Math.min(bytesPerOp[i], bytes / messages[0]);
        }
      }
      System.out.printf(
          "%-30s %14s   (CPU ns per message, median of %d; inject: of it, the trigger's loop;"
              + " B/op: the fewest bytes allocated per message in a round)%n",
          "flow", "cpu_ns/op", rounds);
      List<String> names = new ArrayList<>(flows.keySet());
      for (int i = 0; i < names.size(); i++) {
        double[] sorted = nsPerOp[i].clone();
        Arrays.sort(sorted);
        double[] inject = injectNsPerOp[i].clone();
        Arrays.sort(inject);
        System.out.printf(
            "%-30s %14.1f   min %.1f max %.1f inject %.1f B/op %.1f%n",
            names.get(i),
            sorted[rounds / 2],
            sorted[0],
            sorted[rounds - 1],
            inject[rounds / 2],
            bytesPerOp[i]);
      }
    } finally {
      engines.forEach(ManualEngine::close);
    }
  }

  /**
   * Pumps batches until {@code cpuMs} of this thread's CPU time went by; CPU ns per message. {@code
   * messagesOut} receives the messages and, second, the CPU ns spent injecting them.
   */
  private static double measure(
      ThreadMXBean threads, ManualEngine engine, long cpuMs, long[] messagesOut) {
    long start = threads.getCurrentThreadCpuTime();
    long end = start + cpuMs * 1_000_000;
    long messages = 0;
    long[] injectNs = new long[1];
    long now;
    do {
      engine.pump(FunctionBenchmarks.BATCH, threads, injectNs);
      messages += FunctionBenchmarks.BATCH;
      now = threads.getCurrentThreadCpuTime();
    } while (now < end);
    messagesOut[0] = messages;
    if (messagesOut.length > 1) {
      messagesOut[1] = injectNs[0];
    }
    return (double) (now - start) / messages;
  }
}
