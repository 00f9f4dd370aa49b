package dev.z8run.api;

import java.util.HashMap;
import java.util.Map;

/** Settings for servers started by tests: an ephemeral port unless {@code env} names one. */
public final class TestSettings {
  private TestSettings() {}

  /** {@link Settings#of} {@code env}, with {@code Z8_PORT=0} when it has no port. */
  public static Settings ephemeral(Map<String, String> env) {
    Map<String, String> withPort = new HashMap<>(env);
    withPort.putIfAbsent(Settings.PORT.variable(), "0");
    return Settings.of(withPort);
  }
}
