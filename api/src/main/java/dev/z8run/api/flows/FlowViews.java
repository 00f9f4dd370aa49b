package dev.z8run.api.flows;

import dev.z8run.api.http.ApiException;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowCodec;
import dev.z8run.core.runtime.StopResult;
import dev.z8run.store.FlowRecord;
import dev.z8run.store.FlowStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

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

  /** The whole flow document with its status, revision and times. */
  public static Map<String, Object> detail(FlowRecord record, boolean running) {
    Map<String, Object> body = new LinkedHashMap<>(FlowCodec.toMap(record.flow()));
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

  /** What stopping a flow answers. */
  public static Map<String, Object> stopped(String id, StopResult result) {
    Map<String, Object> stopped = new LinkedHashMap<>();
    stopped.put("id", id);
    stopped.put("status", FlowStatus.IDLE.jsonName());
    stopped.put("drained", result.drained());
    stopped.put("abandoned_executions", result.abandonedExecutions());
    stopped.put("abandoned_messages", result.abandonedMessages());
    return stopped;
  }

  /** Reads a flow document, answering 400 with the reason when it is not one. */
  public static Flow parse(Map<String, Object> body) {
    try {
      return FlowCodec.fromMap(body);
    } catch (RuntimeException invalid) {
      throw ApiException.badRequest(invalid.getMessage());
    }
  }

  /** A time as ISO-8601 UTC. */
  public static String time(long epochMs) {
    return Instant.ofEpochMilli(epochMs).toString();
  }
}
