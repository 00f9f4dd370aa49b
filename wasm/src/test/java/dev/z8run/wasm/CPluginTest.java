package dev.z8run.wasm;

import static dev.z8run.testkit.TestPlugins.manifest;
import static dev.z8run.testkit.TestPlugins.wasm;
import static dev.z8run.wasm.PluginFlows.chain;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A plugin written in C (plugins/c/case.c, built with Debian's clang for wasm32): the node's config
 * reaches it through z8_configure, and z8_validate can refuse a node at deploy.
 */
class CPluginTest {
  private static final String MANIFEST =
      manifest(
          "case",
          "[[config]]",
          "name = \"mode\"",
          "type = \"enum\"",
          "options = [\"upper\", \"lower\"]",
          "default = \"upper\"");

  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void shouldChangeTheCaseTheNodesConfigAsks(ExecutionMode mode) throws Exception {
    try (PluginFlows flows = new PluginFlows(mode)) {
      flows.plugins.install(MANIFEST, wasm("c/case"));
      flows.engine.deploy(chain("up", "case", "{}"));
      flows.engine.deploy(chain("down", "case", "{\"mode\":\"lower\"}"));
      flows.inject("up", "in", "{\"payload\":{\"Name\":\"Ada Lovelace\",\"ok\":true}}");
      flows.inject("down", "in", "{\"payload\":\"Hello \\\"World\\\"\"}");

      assertEquals(
          List.of(PluginFlows.json("{\"NAME\":\"ADA LOVELACE\",\"OK\":true}")),
          flows.awaitPayloads("up", "out", 1));
      assertEquals(List.of("hello \"world\""), flows.awaitPayloads("down", "out", 1));
    }
  }

  @ParameterizedTest
  @EnumSource(ExecutionMode.class)
  void shouldFailTheDeployWhenThePluginRefusesTheConfig(ExecutionMode mode) throws Exception {
    try (PluginFlows flows = new PluginFlows(mode)) {
      flows.plugins.install(
          manifest("case", "[[config]]", "name = \"mode\"", "type = \"string\""), wasm("c/case"));
      Exception e =
          assertThrows(
              Exception.class,
              () -> flows.engine.deploy(chain("f", "case", "{\"mode\":\"sideways\"}")));
      assertTrue(
          e.getMessage()
              .contains(
                  "plugin 'case' refused the config of node p:"
                      + " z8_configure/z8_validate returned 2"),
          e.getMessage());
    }
  }
}
