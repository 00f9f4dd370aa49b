package dev.z8run.testkit;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The programs tests run. Each path is one setting: a system property, else an environment variable
 * (which {@code bin/prereqs} reads too), else the Debian default.
 *
 * <pre>
 * tool          property          variable          default
 * chromium      z8.chromium       Z8_CHROMIUM       /usr/bin/chromium
 * chromedriver  z8.chromedriver   Z8_CHROMEDRIVER   /usr/bin/chromedriver
 * wat2wasm      -                 -                 wat2wasm on the PATH
 * </pre>
 */
public final class TestTools {
  private TestTools() {}

  /** Chromium's executable, once it exists. */
  public static Path chromium() {
    return requireFile(setting("z8.chromium", "Z8_CHROMIUM", "chromium"), "chromium");
  }

  /** Chromium's WebDriver server, once it exists. */
  public static Path chromedriver() {
    return requireFile(
        setting("z8.chromedriver", "Z8_CHROMEDRIVER", "chromedriver"), "chromium-driver");
  }

  /** {@code wat2wasm} from Debian's wabt, once it is on the PATH. */
  public static Path wat2wasm() {
    Optional<Path> found = onPath("wat2wasm");
    if (found.isEmpty()) {
      Requirement.unmet("wat2wasm is not on the PATH; install it with bin/prereqs wasm (wabt)");
    }
    return found.orElseThrow();
  }

  /** The first executable called {@code name} on the PATH. */
  public static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  private static String setting(String property, String variable, String program) {
    String value = System.getProperty(property);
    if (value == null || value.isBlank()) {
      value = System.getenv(variable);
    }
    if (value != null && !value.isBlank()) {
      return value.trim();
    }
    return onPath(program).map(Path::toString).orElse("/usr/bin/" + program);
  }

  private static Path requireFile(String location, String debianPackage) {
    Path path = Path.of(location);
    if (!Files.isExecutable(path)) {
      Requirement.unmet(
          location
              + " is missing; install it with bin/prereqs browser (Debian's "
              + debianPackage
              + ")");
    }
    return path;
  }
}
