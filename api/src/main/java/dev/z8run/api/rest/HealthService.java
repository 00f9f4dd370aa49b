package dev.z8run.api.rest;

import dev.z8run.api.http.Json;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /api/v1/health}: {@code {"status":"ok","service":"z8run","version":"..."}}, the same
 * answer z8run gives, so its probes and scripts keep working. It says the process serves HTTP; it
 * does not probe the engine or the store.
 */
public final class HealthService implements HttpService {
  private final byte[] body;

  /**
   * @param version the version the answer reports
   */
  public HealthService(String version) {
    this.body =
        Json.bytes(
            json -> {
              json.writeStartObject();
              json.writeStringField("status", "ok");
              json.writeStringField("service", "z8run");
              json.writeStringField("version", version);
              json.writeEndObject();
            });
  }

  @Override
  public void routing(HttpRules rules) {
    rules.get("/", this::health);
  }

  private void health(ServerRequest request, ServerResponse response) {
    response.headers().contentType(MediaTypes.APPLICATION_JSON);
    response.send(body);
  }
}
