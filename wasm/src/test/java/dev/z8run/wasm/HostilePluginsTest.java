package dev.z8run.wasm;

import static dev.z8run.testkit.TestPlugins.manifest;
import static dev.z8run.testkit.TestPlugins.wasm;
import static dev.z8run.wasm.PluginFlows.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.Wire;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The hostile set. Each runs in a deployed flow beside a well-behaved branch; each must end as an
 * error on its own node with the reason, twice in a row (the broken instance is replaced), while
 * the other branch of the same flow keeps delivering.
 */
class HostilePluginsTest {
  private static final String LIMITS =
      "[limits]\ntimeout_ms = 200\nmemory_pages = 4\nmax_result_bytes = 4096";

  @ParameterizedTest(name = "{0} in {1}")
  @CsvSource({
    "infinite-loop, COMPILED, ran past its time limit timeout_ms = 200 in z8_process",
    "infinite-loop, INTERPRETED, ran past its time limit timeout_ms = 200 in z8_process",
    "memory-bomb, COMPILED, its memory is at its limit memory_pages = 4; memory.grow was refused",
    "memory-bomb, INTERPRETED, its memory is at its limit memory_pages = 4",
    "oversized-result, COMPILED, returned a result of 60000 bytes, more than its limit"
        + " max_result_bytes = 4096",
    "trap, COMPILED, trapped in z8_process",
    "trap, INTERPRETED, trapped in z8_process",
    "out-of-bounds-result, COMPILED, z8_process returned result pointer 0x7fffff00 (+4 bytes),"
        + " outside its memory of 65536 bytes",
    "out-of-bounds-load, COMPILED, trapped in z8_process: out of bounds memory access",
    "out-of-bounds-load, INTERPRETED, trapped in z8_process: out of bounds memory access",
    "stack-bomb, COMPILED, trapped in z8_process: call stack exhausted",
    "stack-bomb, INTERPRETED, trapped in z8_process: call stack exhausted",
  })
  void shouldStopTheCallWithAnErrorOnItsNodeOnly(String plugin, ExecutionMode mode, String reason)
      throws Exception {
    try (PluginFlows flows = new PluginFlows(mode)) {
      // the time limit is under test only for the loop: the other cases get one that a loaded
      // machine cannot reach first (a 60000-byte result took 200 ms of wall time at load 8)
      String limits = plugin.equals("infinite-loop") ? LIMITS : LIMITS.replace("= 200", "= 10000");
      flows.plugins.install(manifest("hostile", limits), wasm(plugin));
      flows.plugins.install(manifest("echo"), wasm("echo"));
      flows.engine.deploy(
          new Flow(
              "f",
              "f",
              "",
              List.of(
                  node("in", "source", "{}"),
                  node("bad", "hostile", "{}"),
                  node("badOut", "capture", "{}"),
                  node("in2", "source", "{}"),
                  node("good", "echo", "{}"),
                  node("goodOut", "capture", "{}")),
              List.of(
                  new Wire("in", 0, "bad", 0),
                  new Wire("bad", 0, "badOut", 0),
                  new Wire("in2", 0, "good", 0),
                  new Wire("good", 0, "goodOut", 0))));

      flows.inject("f", "in", "{\"payload\":\"x\"}");
      flows.inject("f", "in", "{\"payload\":\"y\"}");
      List<String> errors = flows.awaitErrors("bad", 2);
      for (String error : errors) {
        assertTrue(error.contains("plugin 'hostile'"), error);
        assertTrue(error.toLowerCase().contains(reason.toLowerCase()), error);
      }
      flows.inject("f", "in2", "{\"payload\":\"still here\"}");
      assertEquals(List.of("still here"), flows.awaitPayloads("goodOut", 1));
      assertEquals(List.of(), flows.captured("badOut"));
      assertTrue(flows.engine.isRunning("f"));
    }
  }

  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void shouldRefuseAnImportTheManifestDoesNotGrant(ExecutionMode mode) {
    try (PluginFlows flows = new PluginFlows(mode)) {
      PluginException e =
          assertThrows(
              PluginException.class,
              () ->
                  flows.plugins.install(
                      manifest("sneaky", "[capabilities]\nlog = true"), wasm("not-granted")));
      assertEquals(
          "plugin 'sneaky' imports z8.http_request, which needs capability 'http' that its"
              + " manifest does not grant",
          e.getMessage());
      assertEquals(null, flows.engine.registry().find("sneaky"));
    }
  }

  @Test
  void shouldRefuseBytesThatAreNotWasm() {
    try (PluginFlows flows = new PluginFlows()) {
      PluginException e =
          assertThrows(
              PluginException.class,
              () -> flows.plugins.install(manifest("junk"), wasm("not-wasm")));
      assertTrue(
          e.getMessage().startsWith("plugin 'junk' is not a WebAssembly module"), e.getMessage());
      byte[] truncated = java.util.Arrays.copyOf(wasm("echo"), 40);
      e =
          assertThrows(
              PluginException.class, () -> flows.plugins.install(manifest("cut"), truncated));
      assertTrue(
          e.getMessage().startsWith("plugin 'cut' is not a valid WebAssembly module"),
          e.getMessage());
    }
  }

  @Test
  void shouldRefuseAModuleWhoseMemoryStartsAboveItsLimit() {
    try (PluginFlows flows = new PluginFlows()) {
      PluginException e =
          assertThrows(
              PluginException.class,
              () -> flows.plugins.install(manifest("big", LIMITS), wasm("big-memory")));
      assertEquals(
          "plugin 'big' starts with 100 memory pages, more than its limit memory_pages = 4",
          e.getMessage());
    }
  }

  @Test
  void shouldRefuseANameTakenByAnotherNodeType() throws Exception {
    try (PluginFlows flows = new PluginFlows()) {
      PluginException e =
          assertThrows(
              PluginException.class,
              () -> flows.plugins.install(manifest("capture"), wasm("echo")));
      assertTrue(e.getMessage().contains("already registered"), e.getMessage());
    }
  }
}
