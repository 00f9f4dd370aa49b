package dev.z8run.core.node;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The environment variables flows may read (Node-RED's {@code env}: a config value of type {@code
 * env}, {@code env.get} in a function, a plugin's granted variables). The server builds it from its
 * environment once and installs it as a service; nodes reach it through {@link
 * NodeContext#environment()}, never through {@link System#getenv()}.
 *
 * <p>The server's own settings ({@code Z8_*}, JWT and vault secrets among them) are left out, so a
 * flow author cannot copy them into a message; {@code Z8_ENV_*} variables, meant for flows, stay.
 * Immutable and thread-safe.
 */
public final class NodeEnvironment {
  /** No variables: what nodes see when the host installed none (tests, tools). */
  public static final NodeEnvironment EMPTY = new NodeEnvironment(Map.of());

  /** The prefix of variables set aside for flows; other {@code Z8_} variables are settings. */
  public static final String FLOW_PREFIX = "Z8_ENV_";

  private final Map<String, String> variables;

  private NodeEnvironment(Map<String, String> variables) {
    this.variables = variables;
  }

  /** The variables of {@code environment} flows may read: all but the server's settings. */
  public static NodeEnvironment of(Map<String, String> environment) {
    Map<String, String> readable = new HashMap<>();
    environment.forEach(
        (name, value) -> {
          if (!isServerSetting(name)) {
            readable.put(name, value);
          }
        });
    return new NodeEnvironment(Map.copyOf(readable));
  }

  /** Whether {@code name} is one of the server's settings, which flows may never read. */
  public static boolean isServerSetting(String name) {
    String upper = name.toUpperCase(Locale.ROOT);
    return upper.startsWith("Z8_") && !upper.startsWith(FLOW_PREFIX);
  }

  /** The value of variable {@code name}, or null when it is unset or a server setting. */
  public String get(String name) {
    return variables.get(name);
  }
}
