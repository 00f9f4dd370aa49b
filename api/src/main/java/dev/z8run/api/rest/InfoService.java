package dev.z8run.api.rest;

import dev.z8run.api.auth.UserPrincipal;
import dev.z8run.api.http.Json;
import dev.z8run.core.runtime.Engine;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.function.IntSupplier;

/**
 * {@code GET /api/v1/info}: what is running.
 *
 * <pre>
 *   {"service":"z8run","version":"0.1.0","port":7700,"active_flows":2,"java":"21.0.5+11",
 *    "workers":8,"flows_running":2,"uptime_s":3600,"data_dir":"/srv/z8run/data"}
 * </pre>
 *
 * <p>{@code service}, {@code version}, {@code port} and {@code active_flows} are z8run's fields
 * ({@code crates/z8run-api/src/routes.rs}, {@code server_info}); {@code active_flows} and {@code
 * flows_running} are the same count.
 *
 * <p>The route is open, like health, for probes and dashboards. {@code data_dir} tells where the
 * server keeps its files, which is nobody's business but its users': it is present only when the
 * request carries a valid bearer token (the {@link dev.z8run.api.auth.Authenticator} filter
 * registers the user of a valid token on open routes too).
 *
 * <p>{@code uptime_s} counts whole seconds since this service was made (at server start), on the
 * injected clock. {@code flows_running} counts deployed flows in the running state; draining ones
 * are not.
 */
public final class InfoService implements HttpService {
  private final String version;
  private final Engine engine;
  private final String dataDir;
  private final IntSupplier port;
  private final InstantSource clock;
  private final Instant startedAt;

  /**
   * @param version the server's version
   * @param engine whose workers and flows are reported
   * @param dataDir the data directory, reported absolute
   * @param port the port the server listens on (known once it listens)
   * @param clock uptime is measured on it, from now
   */
  public InfoService(
      String version, Engine engine, Path dataDir, IntSupplier port, InstantSource clock) {
    this.version = Objects.requireNonNull(version, "version");
    this.engine = Objects.requireNonNull(engine, "engine");
    this.dataDir = dataDir.toAbsolutePath().toString();
    this.port = Objects.requireNonNull(port, "port");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.startedAt = clock.instant();
  }

  @Override
  public void routing(HttpRules rules) {
    rules.get("/", this::info);
  }

  private void info(ServerRequest request, ServerResponse response) {
    boolean signedIn = request.context().get(UserPrincipal.class).isPresent();
    long uptimeSeconds = Math.max(0, Duration.between(startedAt, clock.instant()).toSeconds());
    int running = 0;
    for (String flowId : engine.flowIds()) {
      if (engine.isRunning(flowId)) {
        running++;
      }
    }
    int flowsRunning = running;
    response.headers().contentType(MediaTypes.APPLICATION_JSON);
    response.send(
        Json.bytes(
            json -> {
              json.writeStartObject();
              json.writeStringField("service", "z8run");
              json.writeStringField("version", version);
              json.writeNumberField("port", port.getAsInt());
              json.writeNumberField("active_flows", flowsRunning);
              json.writeStringField("java", Runtime.version().toString());
              json.writeNumberField("workers", engine.config().workers());
              json.writeNumberField("flows_running", flowsRunning);
              json.writeNumberField("uptime_s", uptimeSeconds);
              if (signedIn) {
                json.writeStringField("data_dir", dataDir);
              }
              json.writeEndObject();
            }));
  }
}
