package dev.z8run.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.config.EngineConfig;
import org.junit.jupiter.api.Test;

class Z8ServerTest {
  @Test
  void shouldUseOneWorkerPerCoreUnlessZ8WorkersSaysOtherwise() {
    assertEquals(EngineConfig.defaults().workers(), Z8Server.engineConfig(null).workers());
    assertEquals(EngineConfig.defaults().workers(), Z8Server.engineConfig(" ").workers());
    assertEquals(3, Z8Server.engineConfig("3").workers());
  }

  @Test
  void shouldRefuseWorkerCountsThatAreNotSensible() {
    for (String bad : new String[] {"0", "-1", "257", "two"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Z8Server.engineConfig(bad));
      assertTrue(e.getMessage().contains("Z8_WORKERS"), e.getMessage());
      assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
    }
  }

  @Test
  void shouldReadLimitsFromTheEnvironmentAndNameTheVariableAtFault() {
    assertEquals(7L, Z8Server.number("Z8_X", null, 7, 1, 10));
    assertEquals(3L, Z8Server.number("Z8_X", " 3 ", 7, 1, 10));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Z8Server.number("Z8_X", "11", 7, 1, 10));
    assertEquals("Z8_X must be a whole number from 1 to 10, got '11'", e.getMessage());
  }
}
