package dev.z8run.wasm;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The test plugins: WAT under src/test/resources/plugins, compiled to .wasm by the build. */
final class TestPlugins {
  private TestPlugins() {}

  /** The module bytes of {@code plugins/<name>.wasm}. */
  static byte[] wasm(String name) {
    try (InputStream in = TestPlugins.class.getResourceAsStream("/plugins/" + name + ".wasm")) {
      if (in == null) {
        throw new IllegalStateException("plugins/" + name + ".wasm is missing: run the build");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A TOML manifest for plugin {@code name} with extra TOML lines appended. */
  static String manifest(String name, String... extra) {
    return "name = \""
        + name
        + "\"\nversion = \"1.0.0\"\ndescription = \"test plugin\"\n"
        + String.join("\n", extra)
        + "\n";
  }
}
