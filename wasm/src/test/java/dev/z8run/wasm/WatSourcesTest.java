package dev.z8run.wasm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.testkit.TestPlugins;
import dev.z8run.testkit.TestTools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test plugins are committed twice: as WebAssembly text (the source) and as the module built
 * from it, so that building z8run needs no WebAssembly toolchain. This keeps the two in step.
 */
class WatSourcesTest {
  private static final Path PLUGINS =
      TestPlugins.sourceDir(Path.of(System.getProperty("user.dir")).getParent());

  private static List<Path> sources() throws IOException {
    try (Stream<Path> files = Files.list(PLUGINS)) {
      return files.filter(f -> f.toString().endsWith(".wat")).sorted().toList();
    }
  }

  private static Path module(Path source) {
    String name = source.getFileName().toString();
    return source.resolveSibling(name.substring(0, name.length() - 4) + ".wasm");
  }

  @Test
  void shouldCommitAModuleBesideEverySource() throws IOException {
    List<Path> sources = sources();
    assertTrue(sources.size() >= 17, "the test plugins are there: " + sources);
    for (Path source : sources) {
      assertTrue(Files.exists(module(source)), module(source) + " is committed beside " + source);
    }
  }

  /** Needs Debian's wabt ({@code bin/prereqs wasm}); after editing a .wat, run wat2wasm. */
  @Test
  void shouldMatchWhatWat2WasmBuildsFromTheSource(@TempDir Path out) throws Exception {
    String wat2wasm = TestTools.wat2wasm().toString();
    for (Path source : sources()) {
      Path built = out.resolve(module(source).getFileName());
      Process process =
          new ProcessBuilder(wat2wasm, source.toString(), "-o", built.toString())
              .redirectErrorStream(true)
              .start();
      String output = new String(process.getInputStream().readAllBytes());
      assertEquals(0, process.waitFor(), source + ": " + output);
      assertArrayEquals(
          Files.readAllBytes(built),
          Files.readAllBytes(module(source)),
          module(source)
              + " is stale: run wat2wasm "
              + source
              + " -o "
              + module(source)
              + " and commit it");
    }
  }
}
