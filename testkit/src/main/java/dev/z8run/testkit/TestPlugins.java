package dev.z8run.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * The test plugins: WebAssembly modules under {@code testkit/src/main/resources/plugins}, each
 * {@code .wasm} committed beside its {@code .wat} (or C) source so that building z8run needs no
 * WebAssembly toolchain; the wasm module's {@code WatSourcesTest} keeps them in step.
 */
public final class TestPlugins {
  private TestPlugins() {}

  /** The module bytes of {@code plugins/<name>.wasm}. */
  public static byte[] wasm(String name) {
    try (InputStream in = TestPlugins.class.getResourceAsStream("/plugins/" + name + ".wasm")) {
      if (in == null) {
        throw new IllegalStateException("plugins/" + name + ".wasm is not on the class path");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A TOML manifest for plugin {@code name} with extra TOML lines appended. */
  public static String manifest(String name, String... extra) {
    return "name = \""
        + name
        + "\"\nversion = \"1.0.0\"\ndescription = \"test plugin\"\n"
        + String.join("\n", extra)
        + "\n";
  }

  /**
   * The source folder of the plugins, for tests that read or rebuild the sources.
   *
   * @param repoRoot the repository's root directory
   */
  public static Path sourceDir(Path repoRoot) {
    return repoRoot.resolve("testkit/src/main/resources/plugins");
  }
}
