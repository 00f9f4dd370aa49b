package dev.z8run.wasm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.core.registry.PortType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Manifests in TOML (z8run's manifest.toml) and JSON. */
class PluginManifestTest {
  @Test
  void shouldReadZ8runsManifestToml() throws Exception {
    PluginManifest m =
        PluginManifest.parse(
            """
            [plugin]
            name = "csv-parser"
            version = "1.0.0"
            description = "Parse CSV data into JSON"
            category = "data"
            wasm_file = "csv_parser.wasm"

            [[inputs]]
            name = "in"
            type = "String"

            [[outputs]]
            name = "out"
            type = "Object"

            [capabilities]
            memory_limit_mb = 2
            """);
    assertEquals("csv-parser", m.name());
    assertEquals("data", m.category());
    assertEquals(List.of(new PortSpec("in", PortType.STRING)), m.inputs());
    assertEquals(List.of(new PortSpec("out", PortType.OBJECT)), m.outputs());
    assertEquals(32, m.limits().memoryPages());
    assertEquals(PluginManifest.Limits.defaults().timeoutMs(), m.limits().timeoutMs());
    assertEquals(false, m.capabilities().grants("http"));
  }

  @Test
  void shouldReadTheSameManifestInJson() throws Exception {
    PluginManifest m =
        PluginManifest.parse(
            """
            {"name": "fetch", "version": "0.2.0",
             "capabilities": {"log": true, "http": ["api.example.com", "*.example.org"],
                              "files": "/srv/z8", "env": ["TOKEN"], "context": true},
             "limits": {"memory_pages": 8, "timeout_ms": 250, "max_result_bytes": 1024,
                        "max_in_flight": 2},
             "config": [{"name": "mode", "type": "enum", "options": ["a", "b"], "default": "a"},
                        {"name": "count", "type": "integer", "required": true}]}
            """);
    assertEquals(List.of("api.example.com", "*.example.org"), m.capabilities().httpHosts());
    assertEquals("/srv/z8", m.capabilities().fileRoot());
    assertEquals(new PluginManifest.Limits(8, 250, 1024, 2), m.limits());
    assertEquals(FieldType.ENUM, m.config().get(0).type());
    assertEquals(List.of("a", "b"), m.config().get(0).options());
    assertEquals(true, m.config().get(1).required());
    assertNull(m.config().get(1).defaultValue());
    assertEquals(List.of(PortSpec.any("output")), m.outputs());
  }

  @Test
  void shouldNameTheFieldAtFault() {
    assertEquals(
        "manifest field 'name' must be 1 to 64 of a-z 0-9 - _ starting with a letter or digit,"
            + " got 'Bad Name'",
        message("name = \"Bad Name\""));
    assertEquals(
        "manifest limit 'timeout_ms' must be 1..60000, got 0",
        message("name = \"a\"\n[limits]\ntimeout_ms = 0"));
    assertEquals(
        "manifest field 'capabilities.http' must be an array of strings",
        message("name = \"a\"\n[capabilities]\nhttp = true"));
    assertEquals(
        "manifest field 'capabilities.clock' is not a capability; known: log, http, files, env,"
            + " context",
        message("name = \"a\"\n[capabilities]\nclock = true"));
    assertEquals(
        "manifest capabilities 'network'/'filesystem' grant too much; name them: http ="
            + " [\"host\"], files = \"/root/dir\"",
        message("name = \"a\"\n[capabilities]\nnetwork = true"));
    assertEquals(
        "manifest field 'config[0].type' is not a field type: \"colour\"",
        message("{\"name\":\"a\",\"config\":[{\"name\":\"c\",\"type\":\"colour\"}]}"));
    String notJson = message("{\"name\": \"a\"");
    assertTrue(notJson.startsWith("manifest is not valid JSON: Unexpected end-of-input"), notJson);
    String notToml = message("name = ");
    assertTrue(notToml.startsWith("manifest is not valid TOML: "), notToml);
  }

  private static String message(String manifest) {
    return assertThrows(PluginException.class, () -> PluginManifest.parse(manifest)).getMessage();
  }
}
