package dev.z8run.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a manifest asks for against what the operator's ceiling grants. */
class PluginCeilingTest {
  private final PluginCeiling ceiling =
      new PluginCeiling(
          Path.of("/srv/z8/plugins"),
          List.of("API_REGION", "Z8_JWT_SECRET"),
          h -> PluginCeiling.Admission.allowed(),
          "x");

  private static PluginManifest.Capabilities asking(String files, List<String> env) {
    return new PluginManifest.Capabilities(true, List.of("api.example.com"), files, env, true);
  }

  @Test
  void shouldGrantFilesOnlyInsideTheRoot() {
    assertEquals("/srv/z8/plugins/shout", ceiling.grant(asking("shout", List.of())).fileRoot());
    assertEquals(
        "/srv/z8/plugins/a", ceiling.grant(asking("/srv/z8/plugins/a", List.of())).fileRoot());
    assertNull(ceiling.grant(asking("/", List.of())).fileRoot());
    assertNull(ceiling.grant(asking("../../etc", List.of())).fileRoot());
    assertNull(ceiling.grant(asking("/srv/z8/plugins-other", List.of())).fileRoot());
    PluginCeiling none =
        new PluginCeiling(null, List.of(), h -> PluginCeiling.Admission.allowed(), "x");
    assertNull(none.grant(asking("shout", List.of())).fileRoot());
  }

  @Test
  void shouldNeverGrantAServerVariableEvenWhenBothListIt() {
    PluginManifest.Capabilities granted =
        ceiling.grant(asking(null, List.of("API_REGION", "Z8_JWT_SECRET", "HOME", "z8_lower")));
    assertEquals(List.of("API_REGION"), granted.env());
    assertEquals(
        List.of("HOME"),
        PluginCeiling.asAsked().grant(asking(null, List.of("HOME", "Z8_X"))).env());
  }

  @Test
  void shouldKeepTheOtherCapabilitiesAsAsked() {
    PluginManifest.Capabilities granted = ceiling.grant(asking(null, List.of()));
    assertEquals(List.of("api.example.com"), granted.httpHosts());
    assertEquals(true, granted.log());
    assertEquals(true, granted.context());
  }
}
