package dev.z8run.wasm;

import static dev.z8run.testkit.TestPlugins.manifest;
import static dev.z8run.testkit.TestPlugins.wasm;
import static dev.z8run.wasm.PluginFlows.chain;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each host capability, granted in the manifest and used by a plugin in a deployed flow. */
class CapabilitiesTest {
  @Test
  void shouldLogThroughThePluginLog() throws Exception {
    try (PluginFlows flows = new PluginFlows()) {
      flows.plugins.install(manifest("logger", "[capabilities]\nlog = true"), wasm("log"));
      flows.engine.deploy(chain("f", "logger", "{}"));
      flows.inject("f", "in", "{\"payload\":\"hi there\"}");
      flows.awaitPayloads("out", 1);
      assertEquals(List.of("p logger: \"hi there\""), List.copyOf(flows.logLines));
    }
  }

  @Test
  void shouldReadOnlyTheGrantedEnvironmentVariables() throws Exception {
    try (PluginFlows flows = new PluginFlows()) {
      flows.plugins.install(
          manifest("env", "[capabilities]\nenv = [\"PATH\", \"Z8_SURELY_UNSET\"]"), wasm("env"));
      flows.engine.deploy(chain("f", "env", "{}"));
      flows.inject("f", "in", "{\"payload\":\"PATH\"}");
      assertEquals(List.of("/usr/bin"), flows.awaitPayloads("out", 1));
      flows.inject("f", "in", "{\"payload\":\"Z8_SURELY_UNSET\"}");
      String serverName = flows.awaitErrors("p", 1).get(0);
      assertTrue(
          serverName.contains(
              "z8.env_get('Z8_SURELY_UNSET') refused: the plugin is granted only" + " [PATH]"),
          serverName);

      flows.inject("f", "in", "{\"payload\":\"HOME\"}");
      String error = flows.awaitErrors("p", 2).get(1);
      assertTrue(
          error.contains("z8.env_get('HOME') refused: the plugin is granted only [PATH]"), error);
    }
  }

  @Test
  void shouldReadAndWriteFilesOnlyUnderTheRoot(@TempDir Path dir) throws Exception {
    Path root = dir.resolve("root");
    try (PluginFlows flows = new PluginFlows()) {
      flows.plugins.install(
          manifest("files", "[capabilities]\nfiles = \"" + root + "\""), wasm("file"));
      flows.engine.deploy(chain("f", "files", "{}"));
      flows.inject("f", "in", "{\"payload\":\"notes/a.txt\"}");
      assertEquals(List.of("written by a plugin"), flows.awaitPayloads("out", 1));
      assertEquals("written by a plugin", Files.readString(root.resolve("notes/a.txt")));

      flows.inject("f", "in", "{\"payload\":\"../escaped.txt\"}");
      String error = flows.awaitErrors("p", 1).get(0);
      assertTrue(error.contains("z8.file_write('../escaped.txt') refused: outside"), error);
      assertTrue(Files.notExists(dir.resolve("escaped.txt")));

      Files.createSymbolicLink(root.resolve("link"), dir);
      flows.inject("f", "in", "{\"payload\":\"link/through.txt\"}");
      assertTrue(flows.awaitErrors("p", 2).get(1).contains("refused: outside"));
      assertTrue(Files.notExists(dir.resolve("through.txt")));
    }
  }

  @Test
  void shouldCallOnlyGrantedHosts() throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/hello",
        exchange -> {
          byte[] body =
              ("hello "
                      + new String(
                          exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8))
                  .getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(201, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    try (PluginFlows flows = new PluginFlows()) {
      flows.plugins.install(
          manifest("http", "[capabilities]\nhttp = [\"127.0.0.1\"]"), wasm("http"));
      flows.engine.deploy(chain("f", "http", "{}"));
      flows.inject(
          "f",
          "in",
          "{\"payload\":{\"method\":\"POST\",\"url\":\"" + base + "/hello\",\"body\":\"plugin\"}}");
      Map<?, ?> response = (Map<?, ?>) flows.awaitPayloads("out", 1).get(0);
      assertEquals(201L, response.get("status"));
      assertEquals("hello plugin", response.get("body"));

      String other = "http://localhost:" + server.getAddress().getPort() + "/hello";
      flows.inject("f", "in", "{\"payload\":{\"url\":\"" + other + "\"}}");
      String error = flows.awaitErrors("p", 1).get(0);
      assertTrue(error.contains("z8.http_request to '" + other + "' refused"), error);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void shouldKeepTheNodeContextBetweenMessages() throws Exception {
    try (PluginFlows flows = new PluginFlows()) {
      flows.plugins.install(manifest("ctx", "[capabilities]\ncontext = true"), wasm("context"));
      flows.engine.deploy(chain("f", "ctx", "{}"));
      flows.inject("f", "in", "{\"payload\":\"a\"}");
      flows.awaitPayloads("out", 1);
      flows.inject("f", "in", "{\"payload\":{\"b\":2}}");
      assertEquals(java.util.Arrays.asList(null, "a"), flows.awaitPayloads("out", 2));
      assertArrayEquals(
          "{\"b\":2}".getBytes(StandardCharsets.UTF_8), flows.contexts.get("f", "p", "last"));
    }
  }
}
