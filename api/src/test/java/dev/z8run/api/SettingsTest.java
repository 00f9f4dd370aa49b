package dev.z8run.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.cluster.ClusterConfig;
import dev.z8run.core.config.EngineConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;

/** The one settings model: defaults, sources, validation of everything at once, the README. */
class SettingsTest {
  private static final String TABLE_START = "<!-- settings table: Settings.markdownTable() -->\n";
  private static final String TABLE_END = "<!-- end of settings table -->";

  @Test
  void shouldDefaultToLoopbackPort7700AndInfo() {
    Settings settings = Settings.of(Map.of());

    assertEquals("127.0.0.1", settings.bind());
    assertEquals(7700, settings.port());
    assertEquals(Level.INFO, settings.logLevel());
    assertEquals(EngineConfig.defaults().workers(), settings.engineConfig().workers());
    assertEquals(Path.of("data"), settings.get(Settings.DATA_DIR));
    assertNull(settings.get(Settings.JWT_SECRET));
    assertFalse(settings.get(Settings.OPEN_REGISTRATION));
  }

  @Test
  void shouldBeASingleProcessWithoutClusterNats() {
    assertNull(Settings.of(Map.of()).clusterConfig());
    assertNull(Settings.of(Map.of("Z8_CLUSTER_PREFIX", "other")).clusterConfig());
  }

  @Test
  void shouldJoinAClusterWithClusterNats() {
    ClusterConfig config =
        Settings.of(
                Map.of(
                    "Z8_CLUSTER_NATS", "nats://10.0.0.1:4222",
                    "Z8_CLUSTER_PREFIX", "blue",
                    "Z8_CLUSTER_MEMBER", "m7",
                    "Z8_CLUSTER_LEASE_MS", "1500"))
            .clusterConfig();

    assertEquals("nats://10.0.0.1:4222", config.natsUrl());
    assertEquals("blue", config.prefix());
    assertEquals("m7", config.memberId());
    assertEquals(1500, config.leaseMs());
    assertEquals(30_000, config.ackWaitMs());
    assertNotEquals(
        Settings.of(Map.of("Z8_CLUSTER_NATS", "nats://x")).clusterConfig().memberId(),
        Settings.of(Map.of("Z8_CLUSTER_NATS", "nats://x")).clusterConfig().memberId());
  }

  @Test
  void shouldRefuseALeaseShorterThan300Ms() {
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () -> Settings.of(Map.of("Z8_CLUSTER_LEASE_MS", "100")));
    assertTrue(refused.getMessage().contains("Z8_CLUSTER_LEASE_MS"), refused.getMessage());
  }

  @Test
  void shouldReadEnvironmentVariables() {
    Settings settings =
        Settings.of(
            Map.of(
                "Z8_BIND", "0.0.0.0",
                "Z8_PORT", "8080",
                "Z8_LOG_LEVEL", "warn",
                "Z8_WORKERS", " 3 ",
                "Z8_HOOK_TIMEOUT_MS", "500",
                "Z8_WS_PREVIEW_BYTES", "64",
                "Z8_OPEN_REGISTRATION", "TRUE"));

    assertEquals("0.0.0.0", settings.bind());
    assertEquals(8080, settings.port());
    assertEquals(Level.WARNING, settings.logLevel());
    assertEquals(3, settings.engineConfig().workers());
    assertEquals(500, settings.hookSettings().timeoutMs());
    assertEquals(64, settings.socketSettings().previewBytes());
    assertTrue(settings.get(Settings.OPEN_REGISTRATION));
  }

  @Test
  void shouldReadTheSqliteDirectoriesAsAbsolutePathsAndRefuseARelativeOne() {
    assertEquals(
        List.of(Path.of("/srv/plant"), Path.of("/mnt/data")),
        Settings.of(Map.of("Z8_SQLITE_ALLOW", "/srv/plant/, /mnt/x/../data,"))
            .get(Settings.SQLITE_ALLOW));
    assertNull(Settings.of(Map.of()).get(Settings.SQLITE_ALLOW));
    IllegalArgumentException refused =
        assertThrows(
            IllegalArgumentException.class,
            () -> Settings.of(Map.of("Z8_SQLITE_ALLOW", "/srv/plant,db")));
    assertTrue(
        refused
            .getMessage()
            .contains("Z8_SQLITE_ALLOW='/srv/plant,db' 'db' is not an absolute path"),
        refused.getMessage());
  }

  @Test
  void shouldLetSystemPropertiesOverrideEnvironment() {
    Properties properties = new Properties();
    properties.setProperty("z8.port", "0");
    properties.setProperty("z8.bind", "localhost");

    Settings settings =
        Settings.resolve(Map.of("Z8_PORT", "8080", "Z8_BIND", "0.0.0.0"), properties);

    assertEquals(0, settings.port());
    assertEquals("localhost", settings.bind());
  }

  @Test
  void shouldRefuseEveryBadValueAtOnceNamingEachVariable() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                Settings.of(
                    Map.of(
                        "Z8_PORT", "http",
                        "Z8_WORKERS", "257",
                        "Z8_LOG_LEVEL", "loud",
                        "Z8_OPEN_REGISTRATION", "yes",
                        "Z8_HTTP_ALLOW", "10.0.0.0/33")));

    assertEquals(
        "Z8_PORT='http' is not a whole number (accepts 0 to 65535); "
            + "Z8_LOG_LEVEL='loud' is not a log level (accepts trace, debug, info, warn, error,"
            + " off); "
            + "Z8_WORKERS='257' is outside 1 to 256 (accepts 1 to 256); "
            + "Z8_OPEN_REGISTRATION='yes' is neither true nor false (accepts true, false); "
            + "Z8_HTTP_ALLOW='10.0.0.0/33' '10.0.0.0/33' has a prefix length outside 0..32"
            + " (accepts `public`, `*`, host names, `*.domain`, addresses, networks;"
            + " comma-separated)",
        e.getMessage());
  }

  @Test
  void shouldNeverPrintASecretsValue() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> Settings.of(Map.of("Z8_JWT_SECRET", "s3cr3t-but-short")));

    assertEquals(
        "Z8_JWT_SECRET=(secret) is 16 bytes; it must be at least 32 (accepts a secret of 32 bytes"
            + " or more)",
        e.getMessage());
  }

  @Test
  void shouldLeaveTheServersSettingsOutOfWhatFlowsMayRead() {
    Settings settings =
        Settings.of(
            Map.of("Z8_JWT_SECRET", "x".repeat(32), "Z8_ENV_GREETING", "hello", "HOME", "/home"));

    assertNull(settings.nodeEnvironment().get("Z8_JWT_SECRET"));
    assertEquals("hello", settings.nodeEnvironment().get("Z8_ENV_GREETING"));
    assertEquals("/home", settings.nodeEnvironment().get("HOME"));
  }

  @Test
  void shouldBracketIpv6LiteralsInTheBaseUrl() {
    assertEquals("http://[::1]:7700", Settings.of(Map.of("Z8_BIND", "::1")).baseUrl(7700));
    assertEquals("http://127.0.0.1:41234", Settings.of(Map.of()).baseUrl(41234));
  }

  @Test
  void shouldSetTheJvmPropertiesOnlyWhereTheyAreAbsent() {
    Properties properties = new Properties();
    properties.setProperty("agrona.disable.bounds.checks", "false");

    Settings.applyJvmDefaults(properties);

    assertEquals("false", properties.getProperty("agrona.disable.bounds.checks"));
    assertEquals(
        ShutdownSafeLogManager.class.getName(),
        properties.getProperty("java.util.logging.manager"));
  }

  @Test
  void shouldDeclareEachSettingOnce() {
    Set<String> names = new HashSet<>();
    for (Setting<?> setting : Settings.ALL) {
      assertTrue(names.add(setting.name()), "declared twice: " + setting.name());
    }
  }

  @Test
  void shouldDocumentEverySettingInTheReadmeAsTheModelDeclaresIt() throws IOException {
    String readme = Files.readString(Path.of("..", "README.md"), StandardCharsets.UTF_8);
    int start = readme.indexOf(TABLE_START);
    int end = readme.indexOf(TABLE_END);
    assertTrue(start >= 0 && end > start, "README.md has no settings table between markers");
    assertEquals(
        Settings.markdownTable(),
        readme.substring(start + TABLE_START.length(), end),
        "README.md's configuration table differs from Settings.markdownTable(); paste the"
            + " expected text between the markers");
  }
}
