package dev.z8run.wasm;

import static dev.z8run.testkit.TestPlugins.manifest;
import static dev.z8run.testkit.TestPlugins.wasm;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.runtime.Engine;
import dev.z8run.core.runtime.NodeCounters;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A plugin's calls work the CPU, so they run on the engine's compute threads, not on virtual
 * threads: a virtual thread that computes keeps its carrier until it ends, and the carriers (one
 * per core) also serve every web request and every I/O node of every user. Plugins running away
 * until their time limit, one more than there are carriers, must leave the virtual threads running,
 * and a well-behaved plugin beside them must still answer.
 */
class PluginCarriersTest {
  private static final long TIMEOUT_MS = 6_000;

  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void shouldLeaveTheVirtualThreadsTheirCarriersWhileCallsRunAway(ExecutionMode mode)
      throws Exception {
    // the default scheduler of virtual threads has one carrier per available processor
    int calls = Runtime.getRuntime().availableProcessors() + 1;
    String limits =
        "[limits]\ntimeout_ms = " + TIMEOUT_MS + "\nmemory_pages = 4\nmax_in_flight = " + calls;
    try (PluginFlows flows = new PluginFlows(mode)) {
      flows.plugins.install(manifest("spinner", limits), wasm("infinite-loop"));
      flows.plugins.install(manifest("echo"), wasm("echo"));
      flows.engine.deploy(PluginFlows.chain("f", "spinner", "{}"));
      flows.engine.deploy(PluginFlows.chain("g", "echo", "{}"));
      Engine.CounterReader started = flows.engine.counter("f", "p", NodeCounters.MESSAGES_IN);
      for (int i = 0; i < calls; i++) {
        flows.inject("f", "in", "{\"payload\":" + i + "}");
      }
      PluginFlows.await("every runaway call handed to a thread", () -> started.get() == calls);
      // nothing says when a call has entered its loop: a grace for the last thread to start it
      Thread.sleep(200);

      AtomicReference<Boolean> ran = new AtomicReference<>(false);
      Thread probe = Thread.ofVirtual().start(() -> ran.set(true));
      // the calls run for TIMEOUT_MS: a probe still waiting at half of it waits for a carrier
      assertTrue(
          probe.join(Duration.ofMillis(TIMEOUT_MS / 2)),
          "a virtual thread got no carrier while " + calls + " plugin calls ran away");
      assertTrue(ran.get());
      flows.inject("g", "in", "{\"payload\":\"still here\"}");
      assertEquals(List.of("still here"), flows.awaitPayloads("g", "out", 1));
      // and the runaway calls still end at their limit, each an error on its node
      for (String error : flows.awaitErrors("p", calls)) {
        assertTrue(error.contains("ran past its time limit"), error);
      }
    }
  }
}
