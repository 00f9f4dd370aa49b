package dev.z8run.api.rest;

import static dev.z8run.api.rest.RestServer.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.z8run.api.auth.Tokens;
import dev.z8run.api.auth.UserPrincipal;
import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.flow.FlowCodec;
import dev.z8run.core.runtime.Engine;
import dev.z8run.nodes.BuiltinNodes;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link InfoService} through real HTTP, over a real engine. */
class InfoServiceTest {
  private static final String FLOW =
      """
      {"id": "f1", "nodes": [{"id": "in", "type": "inject"}, {"id": "sink", "type": "counter"}],
       "wires": [{"from": "in", "to": "sink"}]}
      """;

  @TempDir Path dataDir;

  private final Tokens tokens = Tokens.withRandomSecret();
  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2025-01-01T00:00:00Z"));
  private Engine engine;
  private RestServer server;

  @BeforeEach
  void start() {
    engine =
        new Engine(
            EngineConfig.builder().workers(3).manualWorkers(new SystemNanoClock()).build(),
            BuiltinNodes.registry());
    InstantSource clock = now::get;
    InfoService info = new InfoService("1.2.3", engine, dataDir, () -> 7700, clock);
    server = new RestServer(tokens, routing -> routing.register("/api/v1/info", info));
  }

  @AfterEach
  void stop() {
    server.close();
    engine.close();
  }

  @Test
  void shouldDescribeTheRunningServerWithoutATokenButHideTheDataDirectory() throws Exception {
    engine.deploy(FlowCodec.read(FLOW.getBytes(StandardCharsets.UTF_8)));
    now.set(now.get().plus(Duration.ofSeconds(90)));

    HttpResponse<String> response = server.send("GET", "/api/v1/info", null, null);

    assertEquals(200, response.statusCode());
    Map<String, Object> body = json(response);
    assertEquals(
        List.of(
            "service",
            "version",
            "port",
            "active_flows",
            "java",
            "workers",
            "flows_running",
            "uptime_s"),
        List.copyOf(body.keySet()));
    assertEquals("z8run", body.get("service"));
    assertEquals("1.2.3", body.get("version"));
    assertEquals(7700L, body.get("port"), "z8run's port");
    assertEquals(1L, body.get("active_flows"), "z8run's count of running flows");
    assertEquals(Runtime.version().toString(), body.get("java"));
    assertEquals(3L, body.get("workers"));
    assertEquals(1L, body.get("flows_running"));
    assertEquals(90L, body.get("uptime_s"));
    assertFalse(response.body().contains(dataDir.toString()));
  }

  @Test
  void shouldNameTheDataDirectoryToASignedInUser() throws Exception {
    String token = tokens.issue(new UserPrincipal("u1", "alice"));

    Map<String, Object> body = json(server.send("GET", "/api/v1/info", null, token));

    assertEquals(dataDir.toAbsolutePath().toString(), body.get("data_dir"));
    assertEquals(0L, body.get("flows_running"));
    assertEquals(0L, body.get("uptime_s"));
  }

  @Test
  void shouldTreatAnInvalidTokenAsNoToken() throws Exception {
    HttpResponse<String> response = server.send("GET", "/api/v1/info", null, "not-a-jwt");

    assertEquals(200, response.statusCode());
    assertFalse(json(response).containsKey("data_dir"));
  }
}
