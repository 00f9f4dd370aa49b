package dev.z8run.api;

import io.helidon.http.Method;
import io.helidon.webserver.http.ErrorHandler;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpFeature;
import io.helidon.webserver.http.HttpRoute;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpSecurity;
import io.helidon.webserver.http.HttpService;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * A routing builder that serves nothing: it writes down {@code "METHOD /path"} for every route
 * registered through it, services included (their {@code routing(rules)} is called with a recorder
 * for their prefix). Helidon patterns become OpenAPI paths: {@code {+path}} and {@code {id:\d+}}
 * are {@code {path}} and {@code {id}}, and a service's {@code "/"} is its prefix. A method-less
 * {@code any(handler)} is the catch-all, counted apart.
 *
 * <p>A registration this class does not know (a {@code PathMatcher}, a prebuilt {@link HttpRoute})
 * fails at once rather than going unrecorded.
 */
final class RouteRecorder implements HttpRouting.Builder {
  private static final Pattern PARAMETER = Pattern.compile("\\{\\+?([A-Za-z0-9_]+)(:[^}]*)?}");

  private final String prefix;
  private final Set<String> routes;
  private final int[] catchAlls;

  RouteRecorder() {
    this("", new TreeSet<>(), new int[1]);
  }

  private RouteRecorder(String prefix, Set<String> routes, int[] catchAlls) {
    this.prefix = prefix;
    this.routes = routes;
    this.catchAlls = catchAlls;
  }

  /** {@code "GET /api/v1/flows/{id}"}, ..., sorted; {@code ANY} for routes of every method. */
  Set<String> routes() {
    return routes;
  }

  /** How many catch-all routes ({@code any(handler)} without a path) were registered. */
  int catchAlls() {
    return catchAlls[0];
  }

  private RouteRecorder record(String method, String pattern) {
    // a service's "/" is its prefix; on the routing itself (no prefix) it is the root
    String path = "/".equals(pattern) ? (prefix.isEmpty() ? "/" : prefix) : prefix + pattern;
    routes.add(method + " " + PARAMETER.matcher(path).replaceAll("{$1}"));
    return this;
  }

  @Override
  public RouteRecorder register(String path, HttpService... services) {
    for (HttpService service : services) {
      service.routing(new RouteRecorder(prefix + path, routes, catchAlls));
    }
    return this;
  }

  @Override
  public RouteRecorder register(HttpService... services) {
    return register("", services);
  }

  @Override
  public RouteRecorder route(HttpRoute route) {
    throw new AssertionError(
        "a route registered without a path pattern under '" + prefix + "': teach RouteRecorder");
  }

  @Override
  public RouteRecorder route(Method method, String pattern, Handler handler) {
    return record(method.text(), pattern);
  }

  @Override
  public RouteRecorder get(String pattern, Handler... handlers) {
    return record("GET", pattern);
  }

  @Override
  public RouteRecorder post(String pattern, Handler... handlers) {
    return record("POST", pattern);
  }

  @Override
  public RouteRecorder put(String pattern, Handler... handlers) {
    return record("PUT", pattern);
  }

  @Override
  public RouteRecorder delete(String pattern, Handler... handlers) {
    return record("DELETE", pattern);
  }

  @Override
  public RouteRecorder patch(String pattern, Handler... handlers) {
    return record("PATCH", pattern);
  }

  @Override
  public RouteRecorder head(String pattern, Handler... handlers) {
    return record("HEAD", pattern);
  }

  @Override
  public RouteRecorder options(String pattern, Handler... handlers) {
    return record("OPTIONS", pattern);
  }

  @Override
  public RouteRecorder trace(String pattern, Handler... handlers) {
    return record("TRACE", pattern);
  }

  @Override
  public RouteRecorder any(String pattern, Handler... handlers) {
    return record("ANY", pattern);
  }

  /**
   * Without a path: at the top level the catch-all; inside a service, everything under the
   * service's prefix ({@code ANY <prefix>/**}).
   */
  @Override
  public RouteRecorder any(Handler... handlers) {
    if (prefix.isEmpty()) {
      catchAlls[0]++;
      return this;
    }
    return record("ANY", "/**");
  }

  @Override
  public RouteRecorder addFilter(Filter filter) {
    return this;
  }

  @Override
  public RouteRecorder addFeature(Supplier<? extends HttpFeature> feature) {
    return this;
  }

  @Override
  public <T extends Throwable> RouteRecorder error(
      Class<T> exceptionClass, ErrorHandler<? super T> handler) {
    return this;
  }

  @Override
  public RouteRecorder maxReRouteCount(int maxReRouteCount) {
    return this;
  }

  @Override
  public RouteRecorder security(HttpSecurity security) {
    return this;
  }

  @Override
  public RouteRecorder copy() {
    throw new UnsupportedOperationException("a recorder is not copied");
  }

  @Override
  public HttpRouting build() {
    throw new UnsupportedOperationException("a recorder builds no routing");
  }
}
