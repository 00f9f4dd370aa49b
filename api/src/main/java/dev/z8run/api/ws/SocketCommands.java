package dev.z8run.api.ws;

import dev.z8run.api.flows.FlowManager;
import dev.z8run.api.flows.FlowViews;
import dev.z8run.api.http.ApiException;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.node.InjectResult;
import dev.z8run.core.runtime.Engine;
import dev.z8run.core.runtime.StopResult;
import dev.z8run.io.frame.MessageType;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.store.FlowExistsException;
import dev.z8run.store.FlowRecord;
import dev.z8run.store.FlowStatus;
import io.helidon.http.Status;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The flow commands of the editor socket (0x01xx): each takes the request's JSON object and answers
 * the OK payload, or throws {@link ApiException} with the ERROR code and message. They act only on
 * the caller's flows, through the same {@link FlowManager} and shapes ({@link FlowViews}) as the
 * HTTP API.
 */
final class SocketCommands {
  private final FlowManager flows;

  SocketCommands(FlowManager flows) {
    this.flows = flows;
  }

  /** Runs one command; {@code subscriptions} is the connection's (SUBSCRIBE, UNSUBSCRIBE). */
  Map<String, Object> run(
      int msgType, String owner, Map<String, Object> request, EventPump subscriptions) {
    return switch (msgType) {
      case MessageType.FLOW_LIST -> list(owner);
      case MessageType.FLOW_GET -> Map.of("flow", detail(owned(owner, flowId(request))));
      case MessageType.FLOW_CREATE -> create(owner, request);
      case MessageType.FLOW_UPDATE -> update(owner, request);
      case MessageType.FLOW_DELETE -> delete(owner, request);
      case MessageType.FLOW_DEPLOY -> deploy(owner, request);
      case MessageType.FLOW_START -> start(owner, flowId(request));
      case MessageType.FLOW_STOP -> stop(owner, flowId(request));
      case MessageType.SUBSCRIBE -> subscribe(owner, flowId(request), subscriptions);
      case MessageType.UNSUBSCRIBE -> {
        String id = flowId(request);
        subscriptions.unsubscribe(id);
        yield Map.of("flow_id", id);
      }
      case MessageType.INJECT -> inject(owner, request);
      default ->
          throw ApiException.badRequest(
              "msg_type=" + MessageType.name(msgType) + " is not a request this server takes");
    };
  }

  private Map<String, Object> list(String owner) {
    List<Object> items = new ArrayList<>();
    for (FlowRecord record : flows.list(owner)) {
      items.add(FlowViews.listItem(record));
    }
    return Map.of("flows", items, "total", items.size());
  }

  private Map<String, Object> create(String owner, Map<String, Object> document) {
    return FlowViews.created(flows.createDocument(owner, document));
  }

  private Map<String, Object> update(String owner, Map<String, Object> request) {
    String id = flowId(request);
    FlowRecord record = flows.patch(owner, id, flowBody(request)).orElseThrow(() -> missing(id));
    return Map.of("id", record.id(), "revision", record.revision());
  }

  private Map<String, Object> delete(String owner, Map<String, Object> request) {
    String id = flowId(request);
    if (!flows.delete(owner, id)) {
      throw missing(id);
    }
    return Map.of();
  }

  /** Saves the flow when the request carries one (creating it when new), then (re)starts it. */
  private Map<String, Object> deploy(String owner, Map<String, Object> request) {
    String id = flowId(request);
    if (request.get("flow") != null) {
      Flow flow = document(request, id);
      Optional<FlowRecord> current = flows.get(owner, id);
      if (current.isEmpty()) {
        if (!flows.mayNameFlows(owner)) {
          // only an admin names a new flow (FlowManager.createDocument): a user's deploy of an id
          // they do not own is answered like a missing flow, whoever has that id
          throw missing(id);
        }
        try {
          flows.create(owner, flow);
        } catch (FlowExistsException taken) {
          throw missing(id); // another user's flow has this id: answered like a missing one
        }
      } else {
        FlowRecord updated =
            flows.patch(owner, id, flowBody(request)).orElseThrow(() -> missing(id));
        if (updated.status() == FlowStatus.RUNNING) {
          // update redeployed the running flow with the new document
          return Map.of(
              "id", id, "status", updated.status().jsonName(), "revision", updated.revision());
        }
      }
    }
    FlowRecord record = flows.start(owner, id).orElseThrow(() -> missing(id));
    return Map.of(
        "id", record.id(), "status", record.status().jsonName(), "revision", record.revision());
  }

  private Map<String, Object> start(String owner, String id) {
    FlowRecord record = flows.start(owner, id).orElseThrow(() -> missing(id));
    return FlowViews.started(record);
  }

  private Map<String, Object> stop(String owner, String id) {
    StopResult result = flows.stop(owner, id).orElseThrow(() -> missing(id));
    return FlowViews.stopped(id, result);
  }

  private Map<String, Object> subscribe(String owner, String id, EventPump subscriptions) {
    owned(owner, id);
    subscriptions.subscribe(id);
    return Map.of("flow_id", id);
  }

  private Map<String, Object> inject(String owner, Map<String, Object> request) {
    String id = flowId(request);
    String nodeId = string(request, "node_id");
    Object msg = request.get("msg");
    if (!(msg instanceof Map<?, ?>)) {
      throw ApiException.badRequest("msg: expected a JSON object, got " + JsonCodec.describe(msg));
    }
    owned(owner, id);
    Engine engine = flows.engine();
    return switch (engine.injectTraced(id, nodeId, JsonCodec.write(msg))) {
      case Engine.Injection.Started started ->
          Map.of("execution_id", Long.toUnsignedString(started.executionId()));
      case Engine.Injection.Refused refused -> throw refusal(refused.reason(), id, nodeId);
    };
  }

  /** The error an injection the engine refused answers with. */
  private static RuntimeException refusal(InjectResult reason, String id, String nodeId) {
    return switch (reason) {
      case NOT_RUNNING -> new ApiException(Status.CONFLICT_409, "flow '" + id + "' is not running");
      case UNKNOWN_NODE ->
          ApiException.notFound("flow '" + id + "' has no enabled node '" + nodeId + "'");
      case TOO_LARGE ->
          new ApiException(
              Status.REQUEST_ENTITY_TOO_LARGE_413,
              "msg is larger than node '" + nodeId + "' accepts");
      case BACK_PRESSURED -> new Busy("node inbox full", 100);
      case NO_MEMORY ->
          new Busy(
              "no memory for the message body now: the flow owner's memory share or the server's"
                  + " memory budget is held by messages in flight",
              100);
      case ACCEPTED -> throw new IllegalArgumentException("an accepted injection is no refusal");
    };
  }

  /** ERROR 503 with a {@code retry_after_ms} hint. */
  static final class Busy extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final long retryAfterMs;

    Busy(String message, long retryAfterMs) {
      super(message);
      this.retryAfterMs = retryAfterMs;
    }
  }

  private FlowRecord owned(String owner, String id) {
    return flows.get(owner, id).orElseThrow(() -> missing(id));
  }

  private Map<String, Object> detail(FlowRecord record) {
    return FlowViews.detail(record, flows.engine().isRunning(record.id()), flows.documents());
  }

  /** The request's {@code flow} object as it came (a save: whole or partial). */
  private static Map<String, Object> flowBody(Map<String, Object> request) {
    Object flow = request.get("flow");
    if (!(flow instanceof Map<?, ?> map)) {
      throw ApiException.badRequest(
          "flow: expected a flow document (a JSON object), got " + JsonCodec.describe(flow));
    }
    Map<String, Object> body = new LinkedHashMap<>();
    map.forEach((key, value) -> body.put(String.valueOf(key), value));
    return body;
  }

  /** The request's {@code flow} document, its id made {@code id} (a different id is refused). */
  private static Flow document(Map<String, Object> request, String id) {
    Map<String, Object> body = flowBody(request);
    Object bodyId = body.get("id");
    if (bodyId != null && !bodyId.equals(id)) {
      throw ApiException.badRequest(
          "flow.id: " + JsonCodec.describe(bodyId) + " differs from flow_id '" + id + "'");
    }
    body.put("id", id);
    body.putIfAbsent("nodes", List.of());
    return FlowViews.parse(body);
  }

  private static String flowId(Map<String, Object> request) {
    return string(request, "flow_id");
  }

  private static String string(Map<String, Object> request, String field) {
    Object value = request.get(field);
    if (!(value instanceof String text) || text.isBlank()) {
      throw ApiException.badRequest(
          field + ": expected a non-empty string, got " + JsonCodec.describe(value));
    }
    return text;
  }

  private static ApiException missing(String id) {
    return ApiException.notFound("no flow '" + id + "'");
  }
}
