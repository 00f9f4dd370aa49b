package dev.z8run.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Properties;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

class ServerSettingsTest {
  @Test
  void shouldDefaultToLoopbackPort7700AndInfo() {
    ServerSettings settings = ServerSettings.resolve(Map.of(), new Properties());

    assertEquals(new ServerSettings("127.0.0.1", 7700, Level.INFO), settings);
  }

  @Test
  void shouldReadEnvironmentVariables() {
    Map<String, String> env =
        Map.of("Z8_BIND", "0.0.0.0", "Z8_PORT", "8080", "Z8_LOG_LEVEL", "warn");

    ServerSettings settings = ServerSettings.resolve(env, new Properties());

    assertEquals(new ServerSettings("0.0.0.0", 8080, Level.WARNING), settings);
  }

  @Test
  void shouldLetSystemPropertiesOverrideEnvironment() {
    Properties properties = new Properties();
    properties.setProperty("z8.port", "0");
    properties.setProperty("z8.bind", "localhost");

    ServerSettings settings =
        ServerSettings.resolve(Map.of("Z8_PORT", "8080", "Z8_BIND", "0.0.0.0"), properties);

    assertEquals(0, settings.port());
    assertEquals("localhost", settings.bind());
  }

  @Test
  void shouldRejectPortThatIsNotANumberNamingTheVariable() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ServerSettings.resolve(Map.of("Z8_PORT", "http"), new Properties()));

    assertEquals("Z8_PORT=http is not a port number (0..65535, 0 = any free port)", e.getMessage());
  }

  @Test
  void shouldRejectPortAbove65535() {
    assertThrows(
        IllegalArgumentException.class,
        () -> ServerSettings.resolve(Map.of("Z8_PORT", "65536"), new Properties()));
  }

  @Test
  void shouldRejectUnknownLogLevel() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ServerSettings.resolve(Map.of("Z8_LOG_LEVEL", "loud"), new Properties()));

    assertEquals(
        "Z8_LOG_LEVEL=loud is not one of trace, debug, info, warn, error, off", e.getMessage());
  }

  @Test
  void shouldBracketIpv6LiteralsInTheBaseUrl() {
    assertEquals("http://[::1]:7700", new ServerSettings("::1", 7700, Level.INFO).baseUrl(7700));
    assertEquals(
        "http://127.0.0.1:41234", new ServerSettings("127.0.0.1", 0, Level.INFO).baseUrl(41234));
  }
}
