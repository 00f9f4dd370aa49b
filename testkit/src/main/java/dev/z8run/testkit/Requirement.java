package dev.z8run.testkit;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test does when something it needs is missing: with {@code CI=true} it fails, elsewhere it
 * is skipped; either way with the same one-line reason, which names what is missing and the command
 * that provides it.
 */
final class Requirement {
  private Requirement() {}

  static boolean isCi() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }

  static void unmet(String reason) {
    if (isCi()) {
      Assertions.fail(reason + " (CI=true: a missing requirement fails the test)");
    }
    Assumptions.abort(reason);
  }
}
