package dev.z8run.wasm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
  private static final Path PLUGINS = Path.of("src/test/resources/plugins");

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

  /** Needs Debian's wabt ({@code .ci/run} installs it); after editing a .wat, run wat2wasm. */
  @Test
  void shouldMatchWhatWat2WasmBuildsFromTheSource(@TempDir Path out) throws Exception {
    assumeTrue(onPath("wat2wasm"), "wat2wasm is not installed (apt-get install wabt)");
    for (Path source : sources()) {
      Path built = out.resolve(module(source).getFileName());
      Process process =
          new ProcessBuilder("wat2wasm", source.toString(), "-o", built.toString())
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

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }
}
