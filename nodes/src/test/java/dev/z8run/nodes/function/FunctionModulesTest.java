package dev.z8run.nodes.function;

import static dev.z8run.nodes.FlowHarness.chain;
import static dev.z8run.nodes.FlowHarness.node;
import static dev.z8run.nodes.function.FunctionNodeTest.config;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.nodes.FlowHarness;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Node-RED's {@code functionGlobalContext} modules (example {@code function/function/08 - Using
 * external modules.json}: {@code global.get("os")}), offered only when the operator lists them.
 */
class FunctionModulesTest {
  private static final String USE_OS =
      "var os = global.get('os');\n"
          + "if (!os) { msg.payload = 'no os'; return msg; }\n"
          + "msg.payload = {hostname: os.hostname(), arch: os.arch(), platform: os.platform(),"
          + " release: os.release(), free: os.freemem(), type: os.type()};\n"
          + "return msg;";

  private FlowHarness harness;

  @BeforeEach
  void setUp() {
    harness = new FlowHarness();
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private Object payload(String body) {
    harness.engine.deploy(
        chain(
            "f",
            node("src", "source"),
            node("fn", "function", config(body)),
            node("out", "capture")));
    harness.inject("f", "src", "{}");
    return ((Map<?, ?>) harness.awaitCaptured("out", 1).get(0).parsed()).get("payload");
  }

  @Test
  void shouldOfferNoModuleUnlessTheOperatorListsIt() {
    assertEquals("no os", payload(USE_OS));
  }

  @Test
  void shouldOfferNodesOsModuleWhenListed() {
    harness.engine.registerService(FunctionModules.class, new FunctionModules(Set.of("os")));
    Map<?, ?> os = (Map<?, ?>) payload(USE_OS);
    assertEquals(System.getProperty("os.version"), os.get("release"));
    assertTrue(List.of("x64", "arm64").contains(os.get("arch")), os.toString());
    assertEquals("linux", os.get("platform"));
    assertEquals("Linux", os.get("type"));
    assertTrue(((Number) os.get("free")).doubleValue() > 0, os.toString());
    assertTrue(!((String) os.get("hostname")).isBlank(), os.toString());
  }

  @Test
  void shouldLetAValueAFlowStoredWinOverTheModule() {
    harness.engine.registerService(FunctionModules.class, new FunctionModules(Set.of("os")));
    assertEquals(
        "mine", payload("global.set('os', 'mine'); msg.payload = global.get('os'); return msg;"));
  }

  @Test
  void shouldRefuseAModuleThatIsNotBundled() {
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class, () -> new FunctionModules(Set.of("child_process")));
    assertTrue(refused.getMessage().contains("'child_process'"), refused.getMessage());
  }
}
