package dev.z8run.api.hook;

import dev.z8run.api.rest.ErrorResponses;
import dev.z8run.core.node.Replies;
import dev.z8run.core.plan.ExecutionPlan;
import dev.z8run.core.plan.ExecutionPlan.PlannedNode;
import dev.z8run.core.runtime.Engine;
import dev.z8run.core.runtime.InjectResult;
import dev.z8run.io.json.JsonCodec;
import io.helidon.http.Header;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code ANY /hook/{flowId}/{path...}}: turns an HTTP request into an execution of the flow's
 * matching {@code http-in} node and holds the request open until an {@code http-out} node of that
 * execution answers through {@link Replies}.
 *
 * <p>Answers: 404 (no such deployed flow, or no node for the path), 405 (a node has the path but
 * not the method; {@code Allow} lists the methods), 413 (body over the limit), 503 + {@code
 * Retry-After} (the flow already holds its maximum of requests, or the engine pushes back), 504 (no
 * answer within the timeout). Handlers run on Helidon's virtual threads and may block.
 */
public final class HookService implements HttpService, Replies {
  /** A reply an {@code http-out} node produced. */
  private record Reply(byte[] json, byte[] binary) {}

  private final Engine engine;
  private final HookSettings settings;
  private final Map<Long, CompletableFuture<Reply>> waiting = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
  private final AtomicLong refs = new AtomicLong();

  public HookService(Engine engine, HookSettings settings) {
    this.engine = engine;
    this.settings = settings;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.any("/{flowId}", this::handle).any("/{flowId}/{+path}", this::handle);
  }

  @Override
  public boolean reply(long ref, byte[] json, byte[] binary) {
    CompletableFuture<Reply> future = waiting.get(ref);
    return future != null && future.complete(new Reply(json, binary));
  }

  /** Requests waiting for their flow's answer right now. */
  public int waiting() {
    return waiting.size();
  }

  private void handle(ServerRequest request, ServerResponse response) throws IOException {
    String flowId = request.path().pathParameters().get("flowId");
    String path = "/" + request.path().pathParameters().first("path").orElse("");
    String method = request.prologue().method().text();
    ExecutionPlan plan = engine.plan(flowId);
    if (plan == null) {
      ErrorResponses.send(response, Status.NOT_FOUND_404, "no deployed flow '" + flowId + "'");
      return;
    }
    List<String> allowed = new ArrayList<>();
    PlannedNode target = null;
    Map<String, String> params = null;
    for (PlannedNode node : plan.nodes()) {
      if (!node.type().name().equals("http-in")) {
        continue;
      }
      Map<String, String> matched =
          new HookRoute(String.valueOf(node.config().get("path"))).match(path);
      if (matched == null) {
        continue;
      }
      String nodeMethod = String.valueOf(node.config().getOrDefault("method", "GET"));
      if (nodeMethod.equals("ANY") || nodeMethod.equalsIgnoreCase(method)) {
        target = node;
        params = matched;
        break;
      }
      allowed.add(nodeMethod);
    }
    if (target == null) {
      if (allowed.isEmpty()) {
        ErrorResponses.send(
            response,
            Status.NOT_FOUND_404,
            "flow '" + flowId + "' has no http-in node for " + method + " " + path);
      } else {
        response.header(HeaderNames.ALLOW, String.join(", ", allowed));
        ErrorResponses.send(
            response,
            Status.METHOD_NOT_ALLOWED_405,
            "flow '" + flowId + "' answers " + path + " only to " + String.join(", ", allowed));
      }
      return;
    }
    AtomicInteger flowInFlight = inFlight.computeIfAbsent(flowId, id -> new AtomicInteger());
    if (flowInFlight.incrementAndGet() > settings.maxInFlightPerFlow()) {
      flowInFlight.decrementAndGet();
      busy(response, "flow '" + flowId + "' is answering its maximum of requests; retry shortly");
      return;
    }
    try {
      byte[] body = readBody(request);
      if (body == null) {
        ErrorResponses.send(
            response,
            Status.REQUEST_ENTITY_TOO_LARGE_413,
            "request body exceeds the limit of " + settings.maxBodyBytes() + " bytes");
        return;
      }
      run(request, response, flowId, target, path, params, body);
    } finally {
      flowInFlight.decrementAndGet();
    }
  }

  private void run(
      ServerRequest request,
      ServerResponse response,
      String flowId,
      PlannedNode target,
      String path,
      Map<String, String> params,
      byte[] body) {
    Map<String, Object> req = new LinkedHashMap<>();
    req.put("method", request.prologue().method().text());
    req.put("path", path);
    req.put("headers", headers(request));
    req.put("query", query(request));
    req.put("params", params);
    req.put("body", parseBody(request, body));
    Map<String, Object> message = new LinkedHashMap<>();
    message.put("payload", Map.of("req", req));
    message.put("req", req);
    long ref = refs.incrementAndGet();
    CompletableFuture<Reply> future = new CompletableFuture<>();
    waiting.put(ref, future);
    try {
      InjectResult result =
          engine.inject(flowId, target.node().id(), JsonCodec.write(message), ref);
      switch (result) {
        case ACCEPTED -> answer(response, future, flowId);
        case BACK_PRESSURED -> busy(response, "flow '" + flowId + "' is saturated; retry shortly");
        case TOO_LARGE ->
            ErrorResponses.send(
                response,
                Status.REQUEST_ENTITY_TOO_LARGE_413,
                "request too large for flow '" + flowId + "'s inbox");
        case NOT_RUNNING, UNKNOWN_NODE ->
            ErrorResponses.send(
                response, Status.NOT_FOUND_404, "no deployed flow '" + flowId + "'");
      }
    } finally {
      waiting.remove(ref);
    }
  }

  private void answer(ServerResponse response, CompletableFuture<Reply> future, String flowId) {
    Reply reply;
    try {
      reply = future.get(settings.timeoutMs(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException late) {
      ErrorResponses.send(
          response,
          Status.GATEWAY_TIMEOUT_504,
          "flow '"
              + flowId
              + "' did not answer within "
              + settings.timeoutMs()
              + " ms (does an http-out node follow the http-in node?)");
      return;
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
      ErrorResponses.send(response, Status.SERVICE_UNAVAILABLE_503, "server is stopping");
      return;
    } catch (ExecutionException impossible) {
      throw new IllegalStateException(impossible);
    }
    HookReply.write(response, reply.json(), reply.binary());
  }

  private static void busy(ServerResponse response, String message) {
    response.header(HeaderNames.RETRY_AFTER, "1");
    ErrorResponses.send(response, Status.SERVICE_UNAVAILABLE_503, message);
  }

  /** The body, or null when it is longer than the limit. */
  private byte[] readBody(ServerRequest request) throws IOException {
    if (!request.content().hasEntity()) {
      return new byte[0];
    }
    try (InputStream in = request.content().inputStream()) {
      byte[] body = in.readNBytes(settings.maxBodyBytes() + 1);
      return body.length > settings.maxBodyBytes() ? null : body;
    }
  }

  private static Map<String, Object> headers(ServerRequest request) {
    Map<String, Object> headers = new LinkedHashMap<>();
    for (Header header : request.headers()) {
      headers.put(header.name().toLowerCase(Locale.ROOT), header.values());
    }
    return headers;
  }

  private static Map<String, Object> query(ServerRequest request) {
    Map<String, Object> query = new LinkedHashMap<>();
    for (String name : request.query().names()) {
      List<String> values = request.query().all(name);
      query.put(name, values.size() == 1 ? values.get(0) : values);
    }
    return query;
  }

  /** JSON bodies parsed (when they parse), other bodies as text, an empty body as null. */
  private static Object parseBody(ServerRequest request, byte[] body) {
    if (body.length == 0) {
      return null;
    }
    String contentType =
        request.headers().first(HeaderNames.CONTENT_TYPE).orElse("").toLowerCase(Locale.ROOT);
    if (contentType.contains("json")) {
      try {
        return JsonCodec.parse(body);
      } catch (RuntimeException notJson) {
        // fall through: the flow gets the text and can decide
      }
    }
    return new String(body, StandardCharsets.UTF_8);
  }
}
