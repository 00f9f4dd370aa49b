package dev.z8run.api.rest;

import dev.z8run.io.json.JsonCodec;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Objects;

/**
 * {@code GET /api/v1/openapi.json}: the OpenAPI 3.1 document of every route, from the {@value
 * #RESOURCE} resource with {@code info.version} set to the server's. Open, like health: the
 * document describes the API, not anybody's data.
 *
 * <p>The resource is read and the answer built once, at the first request (not at the server's
 * start, which it would slow); a missing or malformed resource is a packaging bug and answers 500.
 * {@code OpenApiRoutesTest} keeps the document and the registered routes equal.
 */
public final class OpenApiService implements HttpService {
  /** Where the document lives on the class path. */
  public static final String RESOURCE = "/openapi.json";

  private final String version;
  private volatile byte[] body;

  /**
   * @param version the server's version, reported as {@code info.version}
   */
  public OpenApiService(String version) {
    this.version = Objects.requireNonNull(version, "version");
  }

  /** The document with this server's version; built once (two first requests may both build it). */
  byte[] body() {
    byte[] built = body;
    if (built == null) {
      built = build(version);
      body = built;
    }
    return built;
  }

  private static byte[] build(String version) {
    Map<String, Object> document = read();
    if (!(document.get("info") instanceof Map<?, ?> info)) {
      throw new IllegalStateException(RESOURCE + " has no 'info' object");
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> writableInfo = (Map<String, Object>) info;
    writableInfo.put("version", version);
    return JsonCodec.write(document);
  }

  @Override
  public void routing(HttpRules rules) {
    rules.get("/", this::document);
  }

  private void document(ServerRequest request, ServerResponse response) {
    response.headers().contentType(MediaTypes.APPLICATION_JSON);
    response.send(body());
  }

  private static Map<String, Object> read() {
    try (InputStream in = OpenApiService.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(RESOURCE + " is not on the class path");
      }
      if (!(JsonCodec.parse(in.readAllBytes()) instanceof Map<?, ?> map)) {
        throw new IllegalStateException(RESOURCE + " is not a JSON object");
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> document = (Map<String, Object>) map;
      return document;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + RESOURCE, e);
    }
  }
}
