package dev.z8run.perf.harness;

import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.node.InjectResult;
import dev.z8run.core.runtime.Engine;
import dev.z8run.core.runtime.NodeCounters;
import dev.z8run.nodes.BuiltinNodes;
import dev.z8run.testkit.TestPlugins;
import dev.z8run.wasm.ExecutionMode;
import dev.z8run.wasm.PluginContextStore;
import dev.z8run.wasm.Plugins;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * A plugin node through the engine: inject -> the echo plugin (compiled) -> counter, fed with at
 * most {@code window} messages in flight, as the {@link Harness} feeds its scenarios. Prints {@code
 * plugin_echo msgs_per_s cpu_ns_per_msg=...}: what a plugin hop costs end to end, the hand-over to
 * the thread that runs the call included.
 *
 * <pre>
 * java @perf/target/classes/z8run-jvm.flags -cp perf/target/z8run-perf.jar \
 *   dev.z8run.perf.harness.PluginFlow [durMs=5000] [warmMs=2000] [window=256] [blockingConcurrency]
 * </pre>
 */
public final class PluginFlow {
  private PluginFlow() {}

  public static void main(String[] args) throws Exception {
    long durMs = args.length > 0 ? Long.parseLong(args[0]) : 5_000;
    long warmMs = args.length > 1 ? Long.parseLong(args[1]) : 2_000;
    int window = args.length > 2 ? Integer.parseInt(args[2]) : 256;
    EngineConfig config =
        args.length > 3
            ? EngineConfig.builder().blockingConcurrency(Integer.parseInt(args[3])).build()
            : EngineConfig.defaults();
    try (Engine engine = new Engine(config, BuiltinNodes.registry())) {
      Plugins plugins =
          new Plugins(engine.registry(), ExecutionMode.COMPILED, PluginContextStore.inMemory());
      plugins.install("name = \"echo\"\n[limits]\nmax_in_flight = 64", TestPlugins.wasm("echo"));
      engine.deploy(
          new Flow(
              "plugin",
              "plugin",
              "",
              List.of(node("src", "inject"), node("p", "echo"), node("sink", "counter")),
              List.of(new Wire("src", 0, "p", 0), new Wire("p", 0, "sink", 0))));
      Engine.Trigger source = engine.trigger("plugin", "src");
      Engine.CounterReader sink = engine.counter("plugin", "sink", NodeCounters.MESSAGES_IN);
      byte[] body = "{\"payload\":\"hello\"}".getBytes(StandardCharsets.UTF_8);
      long[] sent = {0};
      feed(source, sink, body, window, warmMs, sent);
      long sink0 = sink.get();
      long cpu0 = Harness.cpuNs();
      long t0 = System.nanoTime();
      feed(source, sink, body, window, durMs, sent);
      long elapsed = System.nanoTime() - t0;
      long messages = sink.get() - sink0;
      System.out.printf(
          Locale.ROOT,
          "plugin_echo %.0f %.1f cpu_ns_per_msg=%.0f window=%d%n",
          messages * 1e9 / elapsed,
          Harness.rssMb(),
          (double) (Harness.cpuNs() - cpu0) / Math.max(1, messages),
          window);
    }
  }

  private static void feed(
      Engine.Trigger source,
      Engine.CounterReader sink,
      byte[] body,
      int window,
      long ms,
      long[] sent) {
    org.agrona.concurrent.UnsafeBuffer buffer = new org.agrona.concurrent.UnsafeBuffer(body);
    long endNs = System.nanoTime() + ms * 1_000_000L;
    while (System.nanoTime() < endNs) {
      if (sent[0] - sink.get() >= window
          || source.tryInject(buffer, 0, body.length) != InjectResult.ACCEPTED) {
        LockSupport.parkNanos(20_000);
        continue;
      }
      sent[0]++;
    }
  }

  private static FlowNode node(String id, String type) {
    return new FlowNode(id, type, id, 0, 0, false, Map.of());
  }
}
