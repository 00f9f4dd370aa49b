package dev.z8run.api.rest;

import dev.z8run.api.http.ApiException;
import dev.z8run.editor.EditorAssets;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerResponse;
import java.util.Set;

/**
 * The browser editor's files, open like any static site (the editor signs in through {@code
 * /auth}): {@code GET /} is the page, {@code GET /editor/{file}} its script, style sheet and source
 * map. The page is never cached (it names the bundle); the bundle is revalidated on each load.
 */
public final class EditorService {
  /** The routes, outside the API document (OpenApiRoutesTest leaves them out). */
  public static final Set<String> ROUTES = Set.of("GET /", "GET /editor/{file}");

  private EditorService() {}

  /** Adds the two routes to {@code routing}. */
  public static void register(HttpRouting.Builder routing) {
    routing.get("/", (request, response) -> send(EditorAssets.INDEX, response));
    routing.get(
        "/editor/{file}",
        (request, response) -> send(request.path().pathParameters().get("file"), response));
  }

  private static void send(String name, ServerResponse response) {
    EditorAssets.Asset asset =
        EditorAssets.find(name)
            .orElseThrow(
                () -> new ApiException(Status.NOT_FOUND_404, "no editor file '" + name + "'"));
    response.headers().set(HeaderNames.CONTENT_TYPE, asset.mediaType());
    response.headers().set(HeaderNames.CACHE_CONTROL, "no-cache");
    response.send(asset.bytes());
  }
}
