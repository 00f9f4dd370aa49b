package dev.z8run.api.http;

import io.helidon.http.Status;
import java.util.List;
import java.util.Map;

/**
 * A request the API refuses, with the status and the sentence to answer it with, and optionally a
 * list of problems (validation) added to the error object: {@code {"error":{"code":422,
 * "message":"...","problems":[...]}}}. Thrown by handlers, answered by {@link
 * ErrorResponses#onApiException}.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Status status;
  private final transient List<Map<String, Object>> problems;

  public ApiException(Status status, String message) {
    this(status, message, List.of());
  }

  public ApiException(Status status, String message, List<Map<String, Object>> problems) {
    super(message);
    this.status = status;
    this.problems = List.copyOf(problems);
  }

  public Status status() {
    return status;
  }

  public List<Map<String, Object>> problems() {
    return problems;
  }

  public static ApiException badRequest(String message) {
    return new ApiException(Status.BAD_REQUEST_400, message);
  }

  public static ApiException notFound(String message) {
    return new ApiException(Status.NOT_FOUND_404, message);
  }
}
