package dev.z8run.api.hook;

import dev.z8run.api.http.ApiException;
import dev.z8run.api.http.BodyBudget;
import dev.z8run.api.http.BodyDeadline;
import dev.z8run.api.http.ErrorResponses;
import dev.z8run.api.http.NoContent;
import dev.z8run.core.node.InjectResult;
import dev.z8run.core.node.Replies;
import dev.z8run.core.plan.ExecutionPlan;
import dev.z8run.core.plan.ExecutionPlan.PlannedNode;
import dev.z8run.core.runtime.Engine;
import dev.z8run.io.message.MessageBodyView;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * {@code ANY /hook/{flowId}/{path...}}: turns an HTTP request into an execution of the flow's
 * matching {@code http-in} node and holds the request open until an {@code http-out} node of that
 * execution answers through {@link Replies}.
 *
 * <p>A request to a {@code webhook} node is checked first ({@link WebhookGate}: signature over the
 * raw body, event), its verdict added to the message, and it is answered as soon as the engine has
 * taken the message: 401 when the signature was refused, 202 otherwise. It does not wait for an
 * {@code http-out} node.
 *
 * <p>Answers: 404 (no such deployed flow, or no node for the path), 405 (a node has the path but
 * not the method; {@code Allow} lists the methods), 204 with {@code Allow} for such an OPTIONS (as
 * express), 400 (a Node-RED-mode http-in node's JSON body that Node-RED's strict parser refuses),
 * 413 (body over the limit), 503 + {@code Retry-After} (the flow already holds its maximum of
 * requests, or the engine pushes back), 504 (no answer within the timeout). Handlers run on
 * Helidon's virtual threads and may block.
 *
 * <p>Every answer, the flow's and these, is sandboxed ({@link HookSandbox}) unless {@link
 * HookSettings#sandbox()} is off: a flow's page shares the editor's origin.
 */
public final class HookService implements Replies, AutoCloseable {
  /** The paths this service answers under its prefix, as the API documents them. */
  public static final List<String> PATHS = List.of("/{flowId}", "/{flowId}/{path}");

  private final Engine engine;
  private final HookSettings settings;
  private final PendingReplies waiting = new PendingReplies();
  private final HookScratch.Pool scratches = new HookScratch.Pool();
  private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();

  /**
   * Each client's requests in flight. A counter stays in the map at 0 (a request per client at a
   * time would otherwise remove and insert it each time: two map writes and a node per request);
   * the timeout sweeper retires idle ones beyond {@link #IDLE_CLIENTS_KEPT} clients ({@link
   * #retireIdleClients}).
   */
  private final Map<Object, AtomicInteger> perClient = new ConcurrentHashMap<>();

  /** A retired client counter's value: far below 0, so that a late increment stays negative. */
  private static final int RETIRED = Integer.MIN_VALUE / 2;

  /** Weak keys: a redeployed flow's old plan and its routes go with it. */
  private final Map<String, PlanRoutes> routesByFlow = new ConcurrentHashMap<>();

  /**
   * The routes built for one deployed plan (compared by identity: a redeploy makes a new plan), and
   * the flow's count of requests in flight (the flow's, kept across its plans): found once per plan
   * rather than looked up per request.
   */
  private record PlanRoutes(ExecutionPlan plan, List<HookRoute> routes, AtomicInteger inFlight) {}

  private final Thread timeouts;
  private volatile boolean closed;

  public HookService(Engine engine, HookSettings settings) {
    this.engine = engine;
    this.settings = settings;
    this.timeouts =
        Thread.ofPlatform().daemon().name("z8-hook-timeouts").start(this::sweepTimeouts);
  }

  /**
   * Adds the hook route to {@code routing}: {@code ANY /hook/*}, a prefix route of the top-level
   * routing; {@link #handle} cuts the flow id and path ({@link #PATHS}) from the request path
   * itself. Helidon's pattern routes and nested services cost a regex match and a service-registry
   * lookup per request, a large share of a hook's cost.
   */
  public void register(HttpRouting.Builder routing) {
    routing.any("/hook/*", this::handle);
  }

  /** Stops the timeout sweeper. */
  @Override
  public void close() {
    closed = true;
    timeouts.interrupt();
  }

  /**
   * Fails the requests whose flow has not answered within the timeout (504), and retires the
   * counters of clients with nothing in flight.
   */
  private void sweepTimeouts() {
    long periodMs = Math.max(5, Math.min(100, settings.timeoutMs() / 10));
    while (!closed) {
      try {
        Thread.sleep(periodMs);
      } catch (InterruptedException interrupted) {
        return;
      }
      retireIdleClients();
      long nowNs = System.nanoTime();
      waiting.forEach(
          waiter -> {
            if (waiter instanceof Deadline deadline && nowNs - deadline.deadlineNs >= 0) {
              deadline.completeExceptionally(new TimeoutException());
            }
          });
    }
  }

  /**
   * Clients whose counters stay in the map when idle: up to this many clients, none is retired. A
   * retired counter costs the client's next request a map write and a new counter, and the first
   * request ever to find one retired (a client that paused, as a benchmark's client between its
   * rounds) sent the compiled hook path back to the interpreter: the branch was one C2 had never
   * seen taken ({@code -Xlog:deoptimization}, perf/README.md).
   */
  static final int IDLE_CLIENTS_KEPT = 64;

  /**
   * Removes the counters of clients with no request in flight once more than {@link
   * #IDLE_CLIENTS_KEPT} clients have one: a counter at 0 is marked {@link #RETIRED} first, so a
   * request that found it just before counts itself into a negative value and takes a fresh counter
   * instead.
   */
  private void retireIdleClients() {
    if (perClient.size() <= IDLE_CLIENTS_KEPT) {
      return;
    }
    for (Map.Entry<Object, AtomicInteger> client : perClient.entrySet()) {
      AtomicInteger open = client.getValue();
      if (open.get() == 0 && open.compareAndSet(0, RETIRED)) {
        perClient.remove(client.getKey(), open);
      }
    }
  }

  /** The counter of {@code client}'s requests in flight (possibly one just retired). */
  private AtomicInteger clientCounter(Object client) {
    AtomicInteger open = perClient.get(client);
    return open != null ? open : perClient.computeIfAbsent(client, key -> new AtomicInteger());
  }

  /** A waiting request's future, with the time after which it is answered 504. */
  private static final class Deadline extends PendingReplies.Waiter<HookReply> {
    final long deadlineNs;

    Deadline(long deadlineNs) {
      this.deadlineNs = deadlineNs;
    }
  }

  @Override
  public boolean reply(
      long ref, int statusCode, Map<String, String> headers, byte[] payloadJson, byte[] binary) {
    return waiting.find(ref) instanceof Deadline future
        && future.complete(new HookReply(statusCode, headers, payloadJson, binary));
  }

  /** Requests waiting for their flow's answer right now. */
  public int waiting() {
    return waiting.size();
  }

  /** Clients with a counter of their requests in flight, idle ones kept included (for tests). */
  int clientCounters() {
    return perClient.size();
  }

  private void handle(ServerRequest request, ServerResponse response) throws IOException {
    if (!settings.sandbox()) {
      route(request, response);
      return;
    }
    HookSandbox.onRequest(response);
    try {
      route(request, response);
    } catch (ApiException refused) { // 408, 413: the routing's error handler drops our headers
      ErrorResponses.onApiException(request, response, refused);
    }
  }

  private void route(ServerRequest request, ServerResponse response) throws IOException {
    String full = request.path().absolute().path();
    int start = full.startsWith("/hook/") ? "/hook/".length() : full.length();
    int slash = full.indexOf('/', start);
    String flowId = slash < 0 ? full.substring(start) : full.substring(start, slash);
    String path = slash < 0 ? "/" : full.substring(slash);
    String method = request.prologue().method().text();
    ExecutionPlan plan = engine.plan(flowId);
    if (plan == null) {
      ErrorResponses.closeIfBodyUnread(request, response);
      ErrorResponses.send(response, Status.NOT_FOUND_404, "no deployed flow '" + flowId + "'");
      return;
    }
    List<String> allowed = null; // the methods of the routes with this path, for a 405
    HookRoute target = null;
    Map<String, String> params = null;
    boolean head = method.equals("HEAD");
    PlanRoutes planRoutes = routes(flowId, plan);
    for (HookRoute route : planRoutes.routes()) {
      Map<String, String> matched = route.match(path);
      if (matched == null) {
        continue;
      }
      if (route.method().equals("ANY") || route.method().equalsIgnoreCase(method)) {
        target = route;
        params = matched;
        break;
      }
      if (head && target == null && route.method().equals("GET")) {
        params = matched; // HEAD runs a GET route when no route answers HEAD itself (as express)
        target = route;
        continue;
      }
      if (allowed == null) {
        allowed = new ArrayList<>();
      }
      allowed.add(route.method());
    }
    if (target == null) {
      if (allowed == null) {
        ErrorResponses.closeIfBodyUnread(request, response);
        ErrorResponses.send(
            response,
            Status.NOT_FOUND_404,
            "flow '" + flowId + "' has no http-in node for " + method + " " + path);
      } else if (method.equals("OPTIONS")) {
        options(request, response, allowed);
      } else {
        response.header(HeaderNames.ALLOW, String.join(", ", allowed));
        ErrorResponses.closeIfBodyUnread(request, response);
        ErrorResponses.send(
            response,
            Status.METHOD_NOT_ALLOWED_405,
            "flow '" + flowId + "' answers " + path + " only to " + String.join(", ", allowed));
      }
      return;
    }
    Object client = BodyBudget.client(request);
    AtomicInteger fromClient;
    int open;
    do {
      fromClient = clientCounter(client);
      open = fromClient.incrementAndGet();
      if (open <= 0) { // retired meanwhile (left behind, never counted out): take a fresh one
        perClient.remove(client, fromClient);
      }
    } while (open <= 0);
    try {
      if (open > settings.maxPerClient()) {
        response.header(HeaderNames.RETRY_AFTER, "1");
        ErrorResponses.closeIfBodyUnread(request, response);
        ErrorResponses.send(
            response,
            Status.TOO_MANY_REQUESTS_429,
            "this address has its maximum of "
                + settings.maxPerClient()
                + " hook requests open; retry shortly");
        return;
      }
      // the body first, under its deadline: a slow sender holds no slot of the flow
      byte[] body = BodyDeadline.read(request, settings.maxBodyBytes(), settings.bodyTimeoutMs());
      // and it stays in the server's body budget until the request ends: a flow that answers
      // slowly (a delay, a model's answer) holds every request's body and its copies in the
      // nodes, and a thousand 1 MB bodies to such a flow filled the heap (SecurityAttackTest)
      BodyBudget budget = BodyBudget.server();
      budget.takeAnyway(client, body.length);
      try {
        handle(
            new Matched(request, flowId, target, path, params),
            planRoutes.inFlight(),
            response,
            body);
      } finally {
        budget.give(client, body.length);
      }
    } finally {
      fromClient.decrementAndGet();
    }
  }

  /**
   * OPTIONS on a path whose nodes answer other methods: 204 with {@code Allow} naming them (and
   * HEAD beside GET, OPTIONS itself), as express answers an OPTIONS it has no route for, where
   * z8run answered 405.
   */
  private static void options(
      ServerRequest request, ServerResponse response, List<String> allowed) {
    List<String> methods = new ArrayList<>();
    for (String method : allowed) {
      if (!methods.contains(method)) {
        methods.add(method);
      }
      if (method.equals("GET") && !allowed.contains("HEAD") && !methods.contains("HEAD")) {
        methods.add("HEAD");
      }
    }
    methods.add("OPTIONS");
    response.header(HeaderNames.ALLOW, String.join(", ", methods));
    ErrorResponses.closeIfBodyUnread(request, response);
    response.status(Status.NO_CONTENT_204);
    NoContent.send(response);
  }

  private void handle(
      Matched hook, AtomicInteger flowInFlight, ServerResponse response, byte[] body) {
    String flowId = hook.flowId();
    if (flowInFlight.incrementAndGet() > settings.maxInFlightPerFlow()) {
      flowInFlight.decrementAndGet();
      busy(response, "flow '" + flowId + "' is answering its maximum of requests; retry shortly");
      return;
    }
    try {
      if (hook.target().webhook() == null) {
        run(hook, response, body);
      } else {
        deliver(hook, response, body);
      }
    } finally {
      flowInFlight.decrementAndGet();
    }
  }

  private void run(Matched hook, ServerResponse response, byte[] body) {
    ServerRequest request = hook.request();
    String flowId = hook.flowId();
    String malformed =
        hook.target().nodeRed() ? HookMessage.strictJsonProblem(request, body) : null;
    if (malformed != null) {
      ErrorResponses.send(response, Status.BAD_REQUEST_400, malformed);
      return;
    }
    Deadline future =
        new Deadline(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(settings.timeoutMs()));
    long thread = Thread.currentThread().threadId();
    long ref = waiting.add(future, thread);
    try {
      InjectResult result;
      if (hook.target().nodeRed()) {
        HookMessage.Encoded message =
            HookMessage.encodeNodeRed(request, hook.path(), hook.params(), body);
        MessageBodyView first =
            new MessageBodyView()
                .json(new UnsafeBuffer(message.json()), 0, message.jsonLength())
                .binary(new UnsafeBuffer(message.binary()), 0, message.binary().length)
                .ref(ref);
        result = engine.injectAndRun(flowId, hook.nodeId(), first);
      } else {
        // written into a reused scratch: the engine copies it before injectAndRun returns
        HookScratch scratch = scratches.take(thread);
        result =
            engine.injectAndRun(
                flowId,
                hook.nodeId(),
                scratch.encode(request, hook.path(), hook.params(), body, ref));
        scratches.giveBack(scratch, thread);
      }
      if (result == InjectResult.ACCEPTED) {
        answer(response, future, flowId, hook.target().nodeRed());
      } else {
        refused(response, result, flowId);
      }
    } finally {
      waiting.remove(future);
    }
  }

  /**
   * A delivery to a {@code webhook} node: checked, injected with its verdict (no ref: nothing waits
   * for a reply), answered once the engine has taken it.
   */
  private void deliver(Matched hook, ServerResponse response, byte[] body) {
    ServerRequest request = hook.request();
    WebhookGate.Delivery delivery = hook.target().webhook().check(request, body);
    byte[] message =
        HookMessage.encode(request, hook.path(), hook.params(), body, "webhook", delivery.json());
    InjectResult result = engine.inject(hook.flowId(), hook.nodeId(), message);
    if (result == InjectResult.ACCEPTED) {
      delivery.answer(response);
    } else {
      refused(response, result, hook.flowId());
    }
  }

  /** A request matched to the http-in or webhook node {@code target} of flow {@code flowId}. */
  private record Matched(
      ServerRequest request,
      String flowId,
      HookRoute target,
      String path,
      Map<String, String> params) {
    String nodeId() {
      return target.node().node().id();
    }
  }

  /** The answer when the engine did not take the message. */
  private static void refused(ServerResponse response, InjectResult result, String flowId) {
    switch (result) {
      case BACK_PRESSURED -> busy(response, "flow '" + flowId + "' is saturated; retry shortly");
      case NO_MEMORY ->
          busy(
              response,
              "flow '"
                  + flowId
                  + "' has no memory for the request body now (its owner's memory share or the"
                  + " server's memory budget is held by messages in flight); retry shortly");
      case TOO_LARGE ->
          ErrorResponses.send(
              response,
              Status.REQUEST_ENTITY_TOO_LARGE_413,
              "request too large for flow '" + flowId + "'s inbox");
      case NOT_RUNNING, UNKNOWN_NODE ->
          ErrorResponses.send(response, Status.NOT_FOUND_404, "no deployed flow '" + flowId + "'");
      case ACCEPTED -> throw new IllegalArgumentException("the engine took the message");
    }
  }

  private void answer(
      ServerResponse response,
      CompletableFuture<HookReply> future,
      String flowId,
      boolean nodeRed) {
    HookReply reply;
    try {
      reply = future.get();
    } catch (ExecutionException late) {
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
    }
    reply.write(response, settings.sandbox(), nodeRed);
  }

  /** The http-in and webhook routes of a plan, built once per deployed plan. */
  private PlanRoutes routes(String flowId, ExecutionPlan plan) {
    PlanRoutes cached = routesByFlow.get(flowId);
    if (cached == null || cached.plan() != plan) {
      List<HookRoute> built = new ArrayList<>();
      for (PlannedNode node : plan.nodes()) {
        if (HookRoute.routes(node)) {
          built.add(new HookRoute(node));
        }
      }
      AtomicInteger flowInFlight = inFlight.computeIfAbsent(flowId, id -> new AtomicInteger());
      cached = new PlanRoutes(plan, List.copyOf(built), flowInFlight);
      routesByFlow.put(flowId, cached);
    }
    return cached;
  }

  private static void busy(ServerResponse response, String message) {
    response.header(HeaderNames.RETRY_AFTER, "1");
    ErrorResponses.send(response, Status.SERVICE_UNAVAILABLE_503, message);
  }
}
