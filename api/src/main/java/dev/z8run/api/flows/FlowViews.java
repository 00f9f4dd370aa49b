package dev.z8run.api.flows;

import dev.z8run.api.http.ApiException;
import dev.z8run.core.flow.Canvas;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowCodec;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.runtime.StopResult;
import dev.z8run.store.FlowRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The JSON shapes of flows that both the HTTP API ({@link FlowService}) and the editor socket
 * answer with, so that a client sees one shape whichever way it asks (see docs/api.md).
 */
public final class FlowViews {
  private FlowViews() {}

  /** A flow list item: id, name, description, status, node and edge counts, times. */
  public static Map<String, Object> listItem(FlowRecord record) {
    Map<String, Object> item = new LinkedHashMap<>();
    item.put("id", record.id());
    item.put("name", record.flow().name());
    item.put("description", record.flow().description());
    item.put("status", record.status().jsonName());
    item.put("nodes", record.flow().nodes().size());
    item.put("edges", record.flow().wires().size());
    item.put("revision", record.revision());
    item.put("created_at", time(record.createdAtMs()));
    item.put("updated_at", time(record.updatedAtMs()));
    return item;
  }

  /**
   * The whole flow document with its status, revision and times, and z8run's view of it ({@code
   * canvas_nodes}, {@code canvas_edges}, {@code viewport}, {@code version}: what z8run's {@code GET
   * /flows/{id}} answers, {@code crates/z8run-api/src/routes.rs}, {@code get_flow}).
   */
  public static Map<String, Object> detail(
      FlowRecord record, boolean running, FlowDocuments documents) {
    Map<String, Object> body = new LinkedHashMap<>(FlowCodec.toMap(record.flow()));
    Canvas canvas = documents.canvas(record.flow());
    body.put("canvas_nodes", new ArrayList<>(canvas.nodes()));
    body.put("canvas_edges", new ArrayList<>(canvas.edges()));
    body.put("viewport", FlowDocuments.viewport(record.flow()));
    body.put("version", String.valueOf(record.revision()));
    body.put("status", record.status().jsonName());
    body.put("revision", record.revision());
    body.put("running", running);
    body.put("created_at", time(record.createdAtMs()));
    body.put("updated_at", time(record.updatedAtMs()));
    return body;
  }

  /** What creating a flow answers. */
  public static Map<String, Object> created(FlowRecord record) {
    Map<String, Object> created = new LinkedHashMap<>();
    created.put("id", record.id());
    created.put("name", record.flow().name());
    created.put("description", record.flow().description());
    created.put("status", record.status().jsonName());
    created.put("revision", record.revision());
    created.put("created_at", time(record.createdAtMs()));
    return created;
  }

  /**
   * What starting a flow answers: z8run's shape ({@code flow_id}, {@code status}, {@code trace_id},
   * {@code node_map}: canvas id to engine id, here the same; {@code routes}: the hook URLs its HTTP
   * In and Webhook nodes answer) and ours ({@code id}, {@code revision}). {@code trace_id} names
   * this start; the executions it leads to have their own ids.
   */
  public static Map<String, Object> started(FlowRecord record) {
    Map<String, Object> node = new LinkedHashMap<>();
    List<Object> routes = new ArrayList<>();
    for (FlowNode flowNode : record.flow().nodes()) {
      if (flowNode.disabled()) {
        continue;
      }
      node.put(flowNode.id(), flowNode.id());
      if (flowNode.type().equals("http-in") || flowNode.type().equals("webhook")) {
        String path = flowNode.config().get("path") instanceof String text ? text : "/";
        String method =
            flowNode.config().get("method") instanceof String text
                ? text.toUpperCase(Locale.ROOT)
                : flowNode.type().equals("webhook") ? "POST" : "GET";
        String clean = path.startsWith("/") ? path.substring(1) : path;
        routes.add(
            Map.of(
                "method",
                method,
                "path",
                "/hook/" + record.id() + (clean.isEmpty() ? "" : "/" + clean)));
      }
    }
    Map<String, Object> started = new LinkedHashMap<>();
    started.put("flow_id", record.id());
    started.put("id", record.id());
    started.put("status", record.status().jsonName());
    started.put("trace_id", UUID.randomUUID().toString());
    started.put("node_map", node);
    started.put("routes", routes);
    started.put("revision", record.revision());
    return started;
  }

  /** What stopping a flow answers: z8run's {@code {flow_id, status:"stopped"}} and our counts. */
  public static Map<String, Object> stopped(String id, StopResult result) {
    Map<String, Object> stopped = new LinkedHashMap<>();
    stopped.put("flow_id", id);
    stopped.put("id", id);
    stopped.put("status", "stopped");
    stopped.put("drained", result.drained());
    stopped.put("abandoned_executions", result.abandonedExecutions());
    stopped.put("abandoned_messages", result.abandonedMessages());
    return stopped;
  }

  /**
   * Reads a flow document, answering 400 with the reason when it is not one (a viewport that is not
   * finite included, {@link FlowDocuments#checkViewport}).
   */
  public static Flow parse(Map<String, Object> body) {
    Flow flow;
    try {
      flow = FlowCodec.fromMap(body);
    } catch (RuntimeException invalid) {
      throw ApiException.badRequest(invalid.getMessage());
    }
    return FlowDocuments.checkViewport(flow, "");
  }

  /** A time as ISO-8601 UTC. */
  public static String time(long epochMs) {
    return Instant.ofEpochMilli(epochMs).toString();
  }
}
