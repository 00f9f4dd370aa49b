package dev.z8run.api.flows;

import dev.z8run.core.event.EngineListener;
import dev.z8run.core.event.EventDescriptor;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.store.Store;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Keeps recent executions for {@code GET /api/v1/flows/{id}/executions}: listens to the engine's
 * events (traced executions report their start, each node's time and their end; failed ones report
 * where and why) and writes one JSON record per execution into the store:
 *
 * <pre>
 * {"id":N,"flow_id":"..","status":"completed|failed","trigger":"node","started_at":"ISO-8601",
 *  "duration_ms":1.25,"nodes":[{"node":"id","duration_us":12.5,"input_sample":"{\"payload\":..",
 *  "sample_truncated":false}],"debug":[{"node":"id","preview":"..","truncated":false}],
 *  "failed_node":"id","error":"..."}
 * </pre>
 *
 * Store writes are durable (an fsync each), so at most {@code maxPerSecond} executions per flow are
 * written; the engine's counters still count every one. Runs on the engine's event thread only.
 */
public final class ExecutionRecorder implements EngineListener {
  private static final int MAX_OPEN = 10_000;
  private static final int MAX_DEBUG = 50;

  private final Store store;
  private final LongSupplier clockMs;
  private final int maxPerSecond;
  private final SecretRedactor redactor;
  private final Map<String, Map<String, Object>> open =
      new LinkedHashMap<>(1024, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Map<String, Object>> eldest) {
          return size() > MAX_OPEN;
        }
      };
  private final Map<String, long[]> budget = new HashMap<>();

  public ExecutionRecorder(Store store, LongSupplier clockMs, int maxPerSecond) {
    this(store, clockMs, maxPerSecond, new SecretRedactor());
  }

  /**
   * @param redactor masks vault values in samples, previews and errors before they are stored
   */
  public ExecutionRecorder(
      Store store, LongSupplier clockMs, int maxPerSecond, SecretRedactor redactor) {
    this.redactor = redactor;
    this.store = store;
    this.clockMs = clockMs;
    this.maxPerSecond = maxPerSecond;
  }

  @Override
  public void onExecutionStarted(String flowId, long executionId, String triggerNodeId) {
    Map<String, Object> entry = entry(flowId, executionId);
    entry.put("trigger", triggerNodeId);
    // the clock's reading, formatted in finish: only the records written need the text (at most
    // maxPerSecond a second per flow, of the ~100 traced executions a second a busy flow reports)
    entry.put("started_at", clockMs.getAsLong());
  }

  @Override
  public void onNodeCompleted(
      String flowId, long executionId, String nodeId, long durationNs, String inputSample) {
    @SuppressWarnings("unchecked")
    List<Object> nodes = (List<Object>) entry(flowId, executionId).get("nodes");
    Map<String, Object> node = new LinkedHashMap<>();
    node.put("node", String.valueOf(nodeId));
    node.put("duration_us", durationNs / 1_000.0);
    node.put("input_sample", redactor.redact(flowId, inputSample));
    node.put("sample_truncated", inputSample.length() >= EventDescriptor.SAMPLE_BYTES);
    nodes.add(node);
  }

  @Override
  public void onNodeError(String flowId, String nodeId, long executionId, String message) {
    if (executionId != 0) {
      Map<String, Object> entry = entry(flowId, executionId);
      entry.putIfAbsent("failed_node", nodeId);
      entry.putIfAbsent("error", redactor.redact(flowId, message));
    }
  }

  /**
   * What nodes showed while the execution ran (Debug nodes, the AI agent's steps) goes into its
   * record as {@code "debug":[{"node","preview"}]}, at most {@value #MAX_DEBUG} per execution.
   */
  @Override
  public void onNodeDebug(
      String flowId, String nodeId, long executionId, String preview, long originalLength) {
    if (executionId == 0) {
      return;
    }
    @SuppressWarnings("unchecked")
    List<Object> debug =
        (List<Object>)
            entry(flowId, executionId).computeIfAbsent("debug", key -> new ArrayList<>());
    if (debug.size() < MAX_DEBUG) {
      Map<String, Object> shown = new LinkedHashMap<>();
      shown.put("node", nodeId);
      shown.put("preview", redactor.redact(flowId, preview));
      shown.put("truncated", preview.length() < originalLength);
      debug.add(shown);
    }
  }

  @Override
  public void onExecutionCompleted(String flowId, long executionId, long durationNs) {
    finish(flowId, executionId, "completed", durationNs, null);
  }

  @Override
  public void onExecutionFailed(
      String flowId, long executionId, String failedNodeId, long durationNs) {
    finish(flowId, executionId, "failed", durationNs, failedNodeId);
  }

  private Map<String, Object> entry(String flowId, long executionId) {
    return open.computeIfAbsent(
        flowId + "#" + executionId,
        key -> {
          Map<String, Object> entry = new LinkedHashMap<>();
          entry.put("id", executionId);
          entry.put("flow_id", flowId);
          entry.put("nodes", new ArrayList<>());
          return entry;
        });
  }

  private void finish(
      String flowId, long executionId, String status, long durationNs, String failedNode) {
    Map<String, Object> entry = open.remove(flowId + "#" + executionId);
    if (entry == null) {
      entry = entry(flowId, executionId);
      open.remove(flowId + "#" + executionId);
    }
    if (!allowed(flowId)) {
      return;
    }
    if (entry.get("started_at") instanceof Long startedMs) {
      entry.put("started_at", Instant.ofEpochMilli(startedMs).toString());
    }
    entry.put("status", status);
    entry.put("duration_ms", durationNs / 1_000_000.0);
    if (failedNode != null) {
      entry.put("failed_node", failedNode);
    }
    store.executions().record(flowId, JsonCodec.write(entry));
  }

  /** At most {@code maxPerSecond} records per flow in each second. */
  private boolean allowed(String flowId) {
    long second = clockMs.getAsLong() / 1_000;
    long[] window = budget.computeIfAbsent(flowId, id -> new long[2]);
    if (window[0] != second) {
      window[0] = second;
      window[1] = 0;
    }
    return window[1]++ < maxPerSecond;
  }
}
