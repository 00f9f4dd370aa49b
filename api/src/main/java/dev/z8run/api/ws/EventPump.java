package dev.z8run.api.ws;

import dev.z8run.api.flows.SecretRedactor;
import dev.z8run.api.ws.z8.Z8Encoding;
import dev.z8run.api.ws.z8.Z8Message;
import dev.z8run.api.ws.z8.Z8Variant;
import dev.z8run.core.event.EngineEvent;
import dev.z8run.core.event.EngineEventHandler;
import dev.z8run.core.event.EventDescriptor;
import dev.z8run.core.event.EventSubscription;
import dev.z8run.core.runtime.Engine;
import dev.z8run.core.runtime.FlowMetrics;
import dev.z8run.core.runtime.LatencyHistograms;
import dev.z8run.core.runtime.NodeMetrics;
import dev.z8run.io.frame.CountersEncoder;
import dev.z8run.io.frame.EventEncoder;
import dev.z8run.io.frame.FrameDescriptor;
import dev.z8run.io.frame.FrameEncoder;
import dev.z8run.io.frame.MessageType;
import io.helidon.websocket.WsCloseCodes;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Streams the engine's events to one client, on a virtual thread of its own. Every batch interval
 * it reads the engine's event broadcast at its own pace ({@link EventSubscription}: the engine
 * never waits for it), keeps the events of the flows the client subscribed to, and sends them as
 * one WebSocket message of frames:
 *
 * <ul>
 *   <li>node status coalesced to the latest per node;
 *   <li>debug samples through a token bucket of {@link SocketSettings#debugPerSecond()} per second,
 *       previews cut to {@link SocketSettings#previewBytes()}; what the bucket refuses, and what
 *       the engine dropped at the source, is counted and sent as DEBUG_SKIPPED once a second;
 *   <li>execution events as they come, at most {@link SocketSettings#maxEventsPerBatch()} a batch;
 *   <li>COUNTERS of each subscribed running flow once a second (totals: they repair whatever was
 *       dropped).
 * </ul>
 *
 * <p>A client that stops reading blocks only this thread, in its send; the watchdog then drops the
 * connection.
 */
final class EventPump implements Runnable, EngineEventHandler {
  private static final long SECOND_NS = 1_000_000_000L;
  private static final int FLUSH_BYTES = 256 * 1024;
  private static final int POLL_LIMIT = 50_000;

  private final EngineSocket socket;
  private final SocketSender sender;
  private final Engine engine;
  private final SecretRedactor redactor;
  private final SocketSettings settings;
  private final Set<String> subscribed = ConcurrentHashMap.newKeySet();
  private volatile EventSubscription subscription;
  private volatile boolean countersNow;
  private volatile Z8Encoding z8;

  private final ExpandableArrayBuffer batch = new ExpandableArrayBuffer(64 * 1024);
  private final CountersEncoder counters = new CountersEncoder();
  private int batchLength;
  private int eventsInBatch;
  private final Map<String, String[]> statuses = new LinkedHashMap<>();
  private final Map<String, long[]> skipped = new HashMap<>();
  private final Map<String, LatencyWindow> latencyWindows = new HashMap<>();
  private double debugTokens;
  private long lastRefillNs;
  private long lastSecondNs;
  private long lastLapped;

  EventPump(
      EngineSocket socket,
      SocketSender sender,
      Engine engine,
      SocketSettings settings,
      SecretRedactor redactor) {
    this.redactor = redactor;
    this.socket = socket;
    this.sender = sender;
    this.engine = engine;
    this.settings = settings;
    this.debugTokens = settings.debugPerSecond();
  }

  /** Starts streaming {@code flowId}'s events (the caller checked the client owns it). */
  void subscribe(String flowId) {
    if (subscription == null) {
      synchronized (this) {
        if (subscription == null) {
          subscription = engine.subscribe();
        }
      }
    }
    subscribed.add(flowId);
    countersNow = true;
  }

  /**
   * From now on sends z8run's {@code Exec*} messages in {@code encoding} instead of this server's
   * event layouts, and nothing z8run's enum has no variant for (docs/protocol.md, "z8run's codec").
   */
  void speakZ8(Z8Encoding encoding) {
    z8 = encoding;
  }

  void unsubscribe(String flowId) {
    subscribed.remove(flowId);
  }

  /** Forgets every subscription (the connection signed in as another user). */
  void unsubscribeAll() {
    subscribed.clear();
  }

  /** Events lost because this client fell a whole broadcast buffer behind. */
  long lapped() {
    EventSubscription current = subscription;
    return current == null ? 0 : current.lapped();
  }

  @Override
  public void run() {
    long intervalNs = settings.batchIntervalMs() * 1_000_000L;
    lastRefillNs = System.nanoTime();
    lastSecondNs = lastRefillNs;
    try {
      while (!sender.isClosed()) {
        LockSupport.parkNanos(intervalNs);
        long nowNs = System.nanoTime();
        if (!socket.checkDeadlines(nowNs)) {
          break;
        }
        pump(nowNs);
      }
    } catch (RuntimeException failed) {
      System.getLogger(EventPump.class.getName())
          .log(System.Logger.Level.WARNING, "event stream failed; closing the connection", failed);
      socket.closeWith(WsCloseCodes.UNEXPECTED_CONDITION, "event stream failed");
    }
  }

  /** One batch: read what the engine published since the last one, send it. */
  void pump(long nowNs) {
    EventSubscription current = subscription;
    if (current == null) {
      return;
    }
    refill(nowNs);
    eventsInBatch = 0;
    current.poll(this, POLL_LIMIT, subscribed::contains);
    long lapped = current.lapped();
    if (lapped != lastLapped) {
      lastLapped = lapped;
      countersNow = true; // events were lost: totals repair the client's view
    }
    if (z8 == null && (countersNow || nowNs - lastSecondNs >= SECOND_NS)) {
      countersNow = false;
      lastSecondNs = nowNs;
      writeSkipped();
      writeCounters();
    }
    writeStatuses();
    flush();
  }

  @Override
  public void onEvent(EngineEvent event) {
    Z8Encoding encoding = z8;
    if (encoding != null) {
      z8Execution(encoding, event);
      return;
    }
    switch (event.type()) {
      case EventDescriptor.NODE_STATUS ->
          statuses.put(
              event.flowId() + '\u0000' + event.nodeId(),
              new String[] {event.flowId(), event.nodeId(), event.textString(Integer.MAX_VALUE)});
      case EventDescriptor.NODE_DEBUG -> debug(event);
      case EventDescriptor.NODE_DEBUG_SKIPPED -> skip(event.flowId(), event.value());
      default -> execution(event);
    }
  }

  private void debug(EngineEvent event) {
    String flowId = event.flowId();
    String nodeId = event.nodeId();
    DirectBuffer text = event.text();
    int offset = event.textOffset();
    int length = event.textLength();
    long originalLength = event.value();
    if (debugTokens < 1) {
      skip(flowId, 1);
      return;
    }
    debugTokens -= 1;
    if (redactor.hasSecrets(flowId)) {
      // cold path: only flows deployed with vault values pay for the copy
      byte[] bytes = new byte[length];
      text.getBytes(offset, bytes);
      String shown = new String(bytes, StandardCharsets.UTF_8);
      byte[] masked = redactor.redact(flowId, shown).getBytes(StandardCharsets.UTF_8);
      text = new UnsafeBuffer(masked);
      offset = 0;
      length = masked.length;
    }
    int preview = Math.min(length, settings.previewBytes());
    int original = (int) Math.min(Integer.MAX_VALUE, Math.max(originalLength, length));
    ensure(64 + flowId.length() * 3 + nodeId.length() * 3 + preview);
    batchLength +=
        EventEncoder.debugSample(
            batch,
            batchLength,
            flowId,
            nodeId,
            event.executionId(),
            System.currentTimeMillis(),
            preview < original,
            original,
            text,
            offset,
            preview);
    if (batchLength >= FLUSH_BYTES) {
      flush(); // as for every other event: no batch past 256 KiB, whatever debugPerSecond allows
    }
  }

  private void execution(EngineEvent event) {
    if (eventsInBatch >= settings.maxEventsPerBatch()) {
      countersNow = true;
      return;
    }
    int type = event.type();
    String flowId = event.flowId();
    long executionId = event.executionId();
    long value = event.value();
    String node = event.nodeId() == null ? "" : event.nodeId();
    ensure(128 + (flowId.length() + node.length()) * 3 + event.textLength() * 3);
    int written =
        switch (type) {
          case EventDescriptor.EXECUTION_STARTED ->
              EventEncoder.nodeEvent(
                  batch,
                  batchLength,
                  MessageType.EXECUTION_STARTED,
                  new EventEncoder.Origin(flowId, executionId, node),
                  System.currentTimeMillis());
          case EventDescriptor.NODE_COMPLETED ->
              EventEncoder.nodeEvent(
                  batch,
                  batchLength,
                  MessageType.NODE_COMPLETED,
                  new EventEncoder.Origin(flowId, executionId, node),
                  value);
          case EventDescriptor.EXECUTION_COMPLETED ->
              EventEncoder.executionCompleted(batch, batchLength, flowId, executionId, value);
          case EventDescriptor.EXECUTION_FAILED ->
              EventEncoder.failure(
                  batch,
                  batchLength,
                  MessageType.EXECUTION_FAILED,
                  new EventEncoder.Origin(flowId, executionId, node),
                  "execution failed at node '" + node + "'");
          case EventDescriptor.NODE_ERROR, EventDescriptor.NODE_WARN ->
              EventEncoder.failure(
                  batch,
                  batchLength,
                  type == EventDescriptor.NODE_ERROR
                      ? MessageType.NODE_ERROR
                      : MessageType.NODE_WARN,
                  new EventEncoder.Origin(flowId, executionId, node),
                  event.textString(16_000));
          default -> 0; // an event type this protocol version does not carry
        };
    if (written > 0) {
      batchLength += written;
      eventsInBatch++;
      if (batchLength >= FLUSH_BYTES) {
        flush();
      }
    }
  }

  /** ExecNodeError: a node's error and a failed execution (z8run's enum has no ExecError). */
  private static Z8Message z8NodeError(UUID flow, String nodeId, String error) {
    return Z8Message.of(
        Z8Variant.EXEC_NODE_ERROR,
        "flow_id",
        flow,
        "node_id",
        Z8Requests.uuidFor(nodeId),
        "error",
        error);
  }

  /**
   * One engine event as z8run's message, when its enum has one: EXECUTION_STARTED as ExecStarted,
   * NODE_COMPLETED as ExecNodeCompleted (µs), NODE_ERROR and EXECUTION_FAILED as ExecNodeError,
   * EXECUTION_COMPLETED as ExecCompleted (ms). The trace id is the Uuid whose high 64 bits are 0
   * and low 64 bits the execution id. Allocates: compatibility clients are not the hot path.
   */
  private void z8Execution(Z8Encoding encoding, EngineEvent event) {
    if (eventsInBatch >= settings.maxEventsPerBatch()) {
      return;
    }
    UUID flow = Z8Requests.uuidFor(event.flowId());
    UUID trace = new UUID(0, event.executionId());
    String nodeId = event.nodeId() == null ? "" : event.nodeId();
    Z8Message message =
        switch (event.type()) {
          case EventDescriptor.EXECUTION_STARTED ->
              Z8Message.of(Z8Variant.EXEC_STARTED, "flow_id", flow, "trace_id", trace);
          case EventDescriptor.NODE_COMPLETED ->
              Z8Message.of(
                  Z8Variant.EXEC_NODE_COMPLETED,
                  "flow_id",
                  flow,
                  "node_id",
                  Z8Requests.uuidFor(nodeId),
                  "duration_us",
                  event.value() / 1_000);
          case EventDescriptor.NODE_ERROR -> z8NodeError(flow, nodeId, event.textString(16_000));
          case EventDescriptor.EXECUTION_FAILED ->
              z8NodeError(flow, nodeId, "execution failed at node '" + nodeId + "'");
          case EventDescriptor.EXECUTION_COMPLETED ->
              Z8Message.of(
                  Z8Variant.EXEC_COMPLETED,
                  "flow_id",
                  flow,
                  "trace_id",
                  trace,
                  "duration_ms",
                  event.value() / 1_000_000);
          default -> null; // status, debug, warnings, counters: no variant in z8run's enum
        };
    if (message == null) {
      return;
    }
    byte[] payload = encoding.encode(message);
    ensure(FrameDescriptor.HEADER_LENGTH + payload.length);
    FrameEncoder.encodeHeader(batch, batchLength, message.variant().msgType(), 0, payload.length);
    batch.putBytes(batchLength + FrameDescriptor.HEADER_LENGTH, payload);
    batchLength += FrameDescriptor.HEADER_LENGTH + payload.length;
    eventsInBatch++;
    if (batchLength >= FLUSH_BYTES) {
      flush();
    }
  }

  private void skip(String flowId, long count) {
    skipped.computeIfAbsent(flowId, id -> new long[1])[0] += count;
  }

  private void refill(long nowNs) {
    double rate = settings.debugPerSecond();
    debugTokens = Math.min(rate, debugTokens + (nowNs - lastRefillNs) * rate / SECOND_NS);
    lastRefillNs = nowNs;
  }

  private void writeSkipped() {
    Iterator<Map.Entry<String, long[]>> entries = skipped.entrySet().iterator();
    while (entries.hasNext()) {
      Map.Entry<String, long[]> entry = entries.next();
      long count = entry.getValue()[0];
      entries.remove();
      if (count > 0 && subscribed.contains(entry.getKey())) {
        ensure(64 + entry.getKey().length() * 3);
        batchLength +=
            EventEncoder.debugSkipped(
                batch, batchLength, entry.getKey(), (int) Math.min(count, 0xFFFF_FFFFL));
      }
    }
  }

  private void writeCounters() {
    latencyWindows.keySet().retainAll(subscribed);
    for (String flowId : subscribed) {
      FlowMetrics metrics = engine.metrics(flowId);
      LatencyHistograms histograms = engine.latencies(flowId);
      if (metrics == null || histograms == null) {
        continue;
      }
      LatencyWindow window = latencyWindows.get(flowId);
      if (window == null || window.histograms != histograms) {
        window = new LatencyWindow(histograms);
        latencyWindows.put(flowId, window);
      }
      window.take();
      ensure(64 + flowId.length() * 3 + metrics.nodes().size() * 320);
      counters.wrap(batch, batchLength, flowId);
      int i = 0;
      for (NodeMetrics node : metrics.nodes()) {
        int at = i++ * LatencyHistograms.BUCKETS;
        long samples = LatencyHistograms.samples(window.now, window.before, at);
        counters.addEntry(
            node.nodeId(),
            node.messagesIn(),
            node.messagesOut(),
            node.errors(),
            node.drops(),
            node.queuedBytes(),
            (int) Math.min(samples, 0xFFFF_FFFFL),
            samples == 0 ? 0 : LatencyHistograms.percentile(window.now, window.before, at, 0.5),
            samples == 0 ? 0 : LatencyHistograms.percentile(window.now, window.before, at, 0.99));
      }
      batchLength += counters.finish();
    }
  }

  /**
   * This client's last copy of a flow's latency histograms: each COUNTERS reports the percentiles
   * of what was timed since the previous one (the first, of everything since the deploy).
   */
  private static final class LatencyWindow {
    final LatencyHistograms histograms;
    long[] before;
    long[] now;

    LatencyWindow(LatencyHistograms histograms) {
      this.histograms = histograms;
      this.now = new long[histograms.nodes() * LatencyHistograms.BUCKETS];
    }

    void take() {
      long[] previous = before;
      before = now;
      now = previous == null ? new long[before.length] : previous;
      for (int node = 0; node < histograms.nodes(); node++) {
        histograms.copy(node, now, node * LatencyHistograms.BUCKETS);
      }
    }
  }

  private void writeStatuses() {
    for (String[] status : statuses.values()) {
      if (subscribed.contains(status[0])) {
        ensure(64 + (status[0].length() + status[1].length() + status[2].length()) * 3);
        batchLength += EventEncoder.nodeStatus(batch, batchLength, status[0], status[1], status[2]);
      }
    }
    statuses.clear();
  }

  private void ensure(int bytes) {
    batch.checkLimit(batchLength + bytes);
  }

  private void flush() {
    if (batchLength > 0) {
      sender.send(batch.byteArray(), 0, batchLength);
      batchLength = 0;
    }
  }
}
