package dev.z8run.nodes.support;

import dev.z8run.core.node.NodeEnvironment;
import java.util.Locale;

/**
 * Environment variables as values in node configs (Node-RED's {@code env} type), read from the
 * {@link NodeEnvironment} the server installed. Naming one of the server's own settings ({@code
 * Z8_*}: JWT and vault secrets among them) is refused when the node is built, so that a flow says
 * at deploy why it cannot have one.
 */
public final class EnvValues {
  private EnvValues() {}

  /**
   * The value of variable {@code name}, or "" when it is not set.
   *
   * @throws IllegalArgumentException (naming {@code where}) for a server setting or a blank name
   */
  public static String lookup(String where, String name, NodeEnvironment env) {
    String trimmed = name == null ? "" : name.strip();
    if (trimmed.isEmpty()) {
      throw new IllegalArgumentException(where + ": an environment variable name is required");
    }
    if (trimmed.toUpperCase(Locale.ROOT).startsWith("Z8_")) {
      throw new IllegalArgumentException(
          where
              + ": '"
              + trimmed
              + "' is a server setting; Z8_* variables cannot be read by flows");
    }
    String value = env.get(trimmed);
    return value == null ? "" : value;
  }
}
