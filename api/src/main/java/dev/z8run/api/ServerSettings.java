package dev.z8run.api;

import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Level;

/**
 * Where and how the server runs, read once at start-up. Each setting comes from a system property
 * if set ({@code -Dz8.port=0}, handy in tests), else from its environment variable, else from its
 * default.
 *
 * @param bind host name or address to listen on ({@code Z8_BIND}, default {@code 127.0.0.1})
 * @param port TCP port, 0 for an ephemeral one ({@code Z8_PORT}, default 7700)
 * @param logLevel root log level ({@code Z8_LOG_LEVEL}: trace, debug, info, warn, error or off)
 */
public record ServerSettings(String bind, int port, Level logLevel) {
  public static final String DEFAULT_BIND = "127.0.0.1";
  public static final int DEFAULT_PORT = 7700;
  private static final int MAX_PORT = 65_535;

  public ServerSettings {
    if (bind == null || bind.isBlank()) {
      throw new IllegalArgumentException("bind address is empty");
    }
    if (port < 0 || port > MAX_PORT) {
      throw new IllegalArgumentException("port=" + port + " is outside 0.." + MAX_PORT);
    }
  }

  /**
   * Resolves the settings.
   *
   * @param env the environment, usually {@link System#getenv()}
   * @param systemProperties usually {@link System#getProperties()}; they win over {@code env}
   * @throws IllegalArgumentException naming the variable whose value is not usable
   */
  public static ServerSettings resolve(Map<String, String> env, Properties systemProperties) {
    String bind = lookup(env, systemProperties, "Z8_BIND", "z8.bind", DEFAULT_BIND);
    String port =
        lookup(env, systemProperties, "Z8_PORT", "z8.port", Integer.toString(DEFAULT_PORT));
    String level = lookup(env, systemProperties, "Z8_LOG_LEVEL", "z8.log.level", "info");
    return new ServerSettings(bind.strip(), parsePort(port), parseLevel(level));
  }

  /** The base URL clients use, with IPv6 literals in brackets. */
  public String baseUrl(int boundPort) {
    String host = bind.indexOf(':') >= 0 ? "[" + bind + "]" : bind;
    return "http://" + host + ":" + boundPort;
  }

  private static String lookup(
      Map<String, String> env,
      Properties systemProperties,
      String envName,
      String propertyName,
      String defaultValue) {
    String value = systemProperties.getProperty(propertyName);
    if (value == null || value.isBlank()) {
      value = env.get(envName);
    }
    return value == null || value.isBlank() ? defaultValue : value;
  }

  private static int parsePort(String text) {
    try {
      int port = Integer.parseInt(text.strip());
      if (port >= 0 && port <= MAX_PORT) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below with the variable's name
    }
    throw new IllegalArgumentException(
        "Z8_PORT=" + text + " is not a port number (0.." + MAX_PORT + ", 0 = any free port)");
  }

  static Level parseLevel(String text) {
    return switch (text.strip().toLowerCase(Locale.ROOT)) {
      case "trace" -> Level.FINEST;
      case "debug" -> Level.FINE;
      case "info" -> Level.INFO;
      case "warn", "warning" -> Level.WARNING;
      case "error" -> Level.SEVERE;
      case "off" -> Level.OFF;
      default ->
          throw new IllegalArgumentException(
              "Z8_LOG_LEVEL=" + text + " is not one of trace, debug, info, warn, error, off");
    };
  }
}
