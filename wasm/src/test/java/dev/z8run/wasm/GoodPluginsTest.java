package dev.z8run.wasm;

import static dev.z8run.testkit.TestPlugins.manifest;
import static dev.z8run.testkit.TestPlugins.wasm;
import static dev.z8run.wasm.PluginFlows.chain;
import static dev.z8run.wasm.PluginFlows.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.registry.NodeType;
import dev.z8run.io.json.JsonCodec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Well-behaved plugins installed into a real engine and run in deployed flows. */
class GoodPluginsTest {
  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void shouldUppercaseStringsOfThePayloadAndKeepTheRestOfTheMessage(ExecutionMode mode)
      throws Exception {
    try (PluginFlows flows = new PluginFlows(mode)) {
      flows.plugins.install(manifest("uppercase"), wasm("uppercase"));
      flows.engine.deploy(chain("f", "uppercase", "{}"));
      flows.inject("f", "in", "{\"payload\":\"hello \\\"world\\\"\\n\",\"topic\":\"t\"}");
      flows.inject("f", "in", "{\"payload\":{\"city\":\"zürich\",\"n\":[1,\"ab\",null,true]}}");

      // a blocking node handles messages concurrently: their order is not kept
      List<Object> payloads = flows.awaitPayloads("out", 2);
      assertTrue(payloads.contains("HELLO \"WORLD\"\n"), payloads::toString);
      assertTrue(
          payloads.contains(JsonCodec.parse("{\"CITY\":\"ZüRICH\",\"N\":[1,\"AB\",null,true]}")),
          payloads::toString);
      for (String json : flows.captured("out")) {
        Map<?, ?> message = (Map<?, ?>) JsonCodec.parse(json);
        if (message.get("payload") instanceof String) {
          assertEquals("t", message.get("topic"));
        }
      }
    }
  }

  @Test
  void shouldRouteToTheOutputThePluginNames() throws Exception {
    try (PluginFlows flows = new PluginFlows()) {
      flows.plugins.install(
          manifest(
              "router",
              "[[outputs]]\nname = \"positive\"\ntype = \"number\"",
              "[[outputs]]\nname = \"negative\"\ntype = \"number\""),
          wasm("router"));
      NodeType type = flows.engine.registry().find("router");
      assertEquals(2, type.outputs().size());
      assertTrue(type.blocking());
      Flow flow =
          new Flow(
              "f",
              "f",
              "",
              List.of(
                  node("in", "source", "{}"),
                  node("p", "router", "{}"),
                  node("pos", "capture", "{}"),
                  node("neg", "capture", "{}")),
              List.of(
                  new Wire("in", 0, "p", 0),
                  new Wire("p", 0, "pos", 0),
                  new Wire("p", 1, "neg", 0)));
      flows.engine.deploy(flow);
      for (String n : List.of("3", "-2", "0", "-7.5")) {
        flows.inject("f", "in", "{\"payload\":" + n + "}");
      }
      assertEquals(Set.of(3L, 0L), Set.copyOf(flows.awaitPayloads("pos", 2)));
      assertEquals(Set.of(-2L, -7.5), Set.copyOf(flows.awaitPayloads("neg", 2)));
    }
  }

  @Test
  void shouldReuseOneInstanceForManyMessages() throws Exception {
    try (PluginFlows flows = new PluginFlows()) {
      PluginModule echo =
          flows.plugins.install(manifest("echo", "[limits]\nmax_in_flight = 1"), wasm("echo"));
      flows.engine.deploy(chain("f", "echo", "{}"));
      for (int i = 0; i < 200; i++) {
        flows.inject("f", "in", "{\"payload\":" + i + "}");
      }
      List<Object> payloads = flows.awaitPayloads("out", 200);
      assertEquals(200, payloads.size());
      assertEquals(2, echo.instancesBuilt(), "one at install, one for the node, reused");
    }
  }

  @Test
  void shouldRunAtMostMaxInFlightCallsOfANodeAtOnce() throws Exception {
    AtomicInteger inside = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    try (PluginFlows flows = new PluginFlows()) {
      // the log plugin calls z8.log inside z8_process: count the calls inside at once, linger there
      flows.engine.registerService(
          PluginLog.class,
          (flowId, nodeId, plugin, line) -> {
            most.accumulateAndGet(inside.incrementAndGet(), Math::max);
            LockSupport.parkNanos(5_000_000);
            inside.decrementAndGet();
          });
      flows.plugins.install(
          manifest("logger", "[capabilities]\nlog = true", "[limits]\nmax_in_flight = 2"),
          wasm("log"));
      flows.engine.deploy(chain("f", "logger", "{}"));
      for (int i = 0; i < 40; i++) {
        flows.inject("f", "in", "{\"payload\":" + i + "}");
      }
      assertEquals(40, flows.awaitPayloads("out", 40).size());
      assertEquals(2, most.get(), "calls inside the plugin at once");
    }
  }

  @Test
  void shouldAppearInTheCatalogueAndLeaveItWhenRemoved() throws Exception {
    try (PluginFlows flows = new PluginFlows()) {
      flows.plugins.install(
          manifest(
              "echo",
              "category = \"text\"",
              "[[config]]",
              "name = \"prefix\"",
              "type = \"string\"",
              "default = \"\"",
              "description = \"Text put in front.\""),
          wasm("echo"));
      NodeType type = flows.engine.registry().find("echo");
      assertEquals("text", type.category());
      assertEquals("prefix", type.config().get(0).name());
      assertTrue(flows.plugins.remove("echo"));
      assertEquals(null, flows.engine.registry().find("echo"));
      assertEquals(List.of(), flows.plugins.list());
    }
  }
}
