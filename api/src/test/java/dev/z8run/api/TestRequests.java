package dev.z8run.api;

import java.net.URI;
import java.net.http.HttpRequest;

/** The HTTP requests the API tests send. */
public final class TestRequests {
  private TestRequests() {}

  /**
   * A {@code method} request to {@code url} with {@code body} (null for none) as JSON, and a bearer
   * {@code token} unless null.
   */
  public static HttpRequest.Builder json(String method, String url, String body, String token) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    if (token != null) {
      request.header("Authorization", "Bearer " + token);
    }
    return request;
  }
}
