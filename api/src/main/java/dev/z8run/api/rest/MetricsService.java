package dev.z8run.api.rest;

import dev.z8run.core.runtime.Engine;
import dev.z8run.core.runtime.FlowMetrics;
import dev.z8run.core.runtime.NodeMetrics;
import dev.z8run.core.runtime.OwnerMemory;
import dev.z8run.io.message.LazyZeroedMemory;
import dev.z8run.nodes.ai.provider.AiUsage;
import dev.z8run.store.UserStore;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadMXBean;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * {@code GET /metrics}: the engine's counters and the JVM's memory in Prometheus' text exposition
 * format 0.0.4, for a scraper. The route is open (outside {@code /api/v1}), as scrapers expect, but
 * only an admin's bearer token gets the per-flow, per-node and AI families with samples: flow ids
 * are other users' {@code /hook} URLs. Everyone else gets the server-wide families (engine, JVM),
 * and the others' two comment lines. Never messages or configs.
 *
 * <pre>
 *   per node   {flow, node, type}  z8_node_messages_in_total, z8_node_messages_out_total,
 *                                  z8_node_errors_total, z8_node_drops_total,
 *                                  z8_node_busy_seconds_total, z8_node_blocked_total (counters),
 *                                  z8_node_queue_bytes (gauge)
 *   per flow   {flow}              z8_flow_executions_started_total, _completed_total,
 *                                  _failed_total, z8_flow_triggers_rejected_total,
 *                                  z8_flow_triggers_inline_queued_total (counters),
 *                                  z8_flow_executions_live (gauge)
 *   AI calls   {flow, provider, model}  z8_ai_requests_total, z8_ai_request_failures_total,
 *                                  z8_ai_retries_total (counters), z8_ai_requests_in_flight (gauge);
 *              {flow, provider, model, kind=prompt|completion}  z8_ai_tokens_total (counter)
 *   engine                         z8_events_dropped_total (counter)
 *   memory     {owner}             z8_owner_memory_reserved_bytes, z8_owner_memory_block_bytes,
 *                                  z8_owner_memory_limit_bytes (gauges): an admin sees every
 *                                  owner (user id; "" for flows deployed without one), a signed-in
 *                                  user only their own line, an anonymous scraper none
 *              (server-wide)       z8_engine_memory_reserved_bytes, _block_bytes, _budget_bytes,
 *                                  _share_bytes (gauges)
 *   JVM        {area=heap|nonheap} z8_jvm_memory_used_bytes, z8_jvm_direct_memory_used_bytes,
 *                                  z8_jvm_threads (gauges)
 * </pre>
 *
 * <p>Every family has its {@code # HELP} and {@code # TYPE} lines, followed by all its samples;
 * families without samples (no flow deployed) keep their two comment lines. Label values are
 * escaped as the format requires ({@code \\}, {@code \"}, {@code \n}). Counters start over when a
 * flow is redeployed, which Prometheus reads as a counter reset. Each flow's numbers come from one
 * {@link Engine#metrics} snapshot, taken once per scrape.
 *
 * <p>{@code z8_jvm_threads} counts live platform threads; virtual threads are not included.
 */
public final class MetricsService implements HttpService {
  /** The exposition format's media type. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private static final String COUNTER = "counter";
  private static final String GAUGE = "gauge";

  private final Engine engine;
  private final AiUsage aiUsage;
  private final UserStore users;
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final BufferPoolMXBean directPool = directBufferPool();

  public MetricsService(Engine engine) {
    this(engine, new AiUsage());
  }

  /** With the AI nodes' usage counters the server installed for its engine. */
  public MetricsService(Engine engine, AiUsage aiUsage) {
    this(engine, aiUsage, null);
  }

  /**
   * @param users who is an admin; null shows every family to everyone (embedding, tests)
   */
  public MetricsService(Engine engine, AiUsage aiUsage, UserStore users) {
    this.engine = Objects.requireNonNull(engine, "engine");
    this.aiUsage = Objects.requireNonNull(aiUsage, "aiUsage");
    this.users = users;
  }

  @Override
  public void routing(HttpRules rules) {
    rules.get("/", this::scrape);
  }

  private void scrape(ServerRequest request, ServerResponse response) {
    response.header(HeaderNames.CONTENT_TYPE, CONTENT_TYPE);
    boolean detail = users == null || Admins.isAdmin(request, users);
    String viewer =
        request
            .context()
            .get(dev.z8run.api.auth.UserPrincipal.class)
            .map(p -> p.userId())
            .orElse(null);
    response.send(render(detail, viewer).getBytes(StandardCharsets.UTF_8));
  }

  /** The whole exposition, as of now. */
  public String render() {
    return render(true);
  }

  /**
   * The exposition; without {@code detail}, the per-flow, per-node and AI families are empty, and
   * the per-owner memory families hold no owner's line.
   */
  public String render(boolean detail) {
    return render(detail, null);
  }

  /**
   * As {@link #render(boolean)}; without {@code detail} the per-owner memory families hold only
   * {@code viewer}'s line (the signed-in user; null: nobody's), so a user sees their own use and
   * limit and never another user's id.
   */
  public String render(boolean detail, String viewer) {
    List<FlowMetrics> flows = new ArrayList<>();
    for (String flowId : detail ? engine.flowIds() : List.<String>of()) {
      FlowMetrics metrics = engine.metrics(flowId);
      if (metrics != null) { // undeployed since flowIds()
        flows.add(metrics);
      }
    }
    StringBuilder out = new StringBuilder(1024 + flows.size() * 2048);
    nodeFamily(
        out,
        flows,
        "z8_node_messages_in_total",
        COUNTER,
        "Messages a node has taken from its inbox.",
        node -> Long.toString(node.messagesIn()));
    nodeFamily(
        out,
        flows,
        "z8_node_messages_out_total",
        COUNTER,
        "Messages a node has sent to its outputs.",
        node -> Long.toString(node.messagesOut()));
    nodeFamily(
        out,
        flows,
        "z8_node_errors_total",
        COUNTER,
        "Errors a node has raised while handling messages.",
        node -> Long.toString(node.errors()));
    nodeFamily(
        out,
        flows,
        "z8_node_drops_total",
        COUNTER,
        "Messages dropped at a node (counted, never silent).",
        node -> Long.toString(node.drops()));
    nodeFamily(
        out,
        flows,
        "z8_node_busy_seconds_total",
        COUNTER,
        "Time a node has spent handling messages, in seconds.",
        node -> seconds(node.busyNs()));
    nodeFamily(
        out,
        flows,
        "z8_node_blocked_total",
        COUNTER,
        "Times a node's output found a full inbox downstream and had to wait.",
        node -> Long.toString(node.blocked()));
    nodeFamily(
        out,
        flows,
        "z8_node_queue_bytes",
        GAUGE,
        "Bytes waiting in a node's inbox.",
        node -> Integer.toString(node.queuedBytes()));
    flowFamily(
        out,
        flows,
        "z8_flow_executions_started_total",
        COUNTER,
        "Executions a flow has started.",
        flow -> Long.toString(flow.started()));
    flowFamily(
        out,
        flows,
        "z8_flow_executions_completed_total",
        COUNTER,
        "Executions of a flow that completed.",
        flow -> Long.toString(flow.completed()));
    flowFamily(
        out,
        flows,
        "z8_flow_executions_failed_total",
        COUNTER,
        "Executions of a flow that failed.",
        flow -> Long.toString(flow.failed()));
    flowFamily(
        out,
        flows,
        "z8_flow_triggers_rejected_total",
        COUNTER,
        "Triggers a flow refused under back-pressure.",
        flow -> Long.toString(flow.rejected()));
    flowFamily(
        out,
        flows,
        "z8_flow_triggers_inline_queued_total",
        COUNTER,
        "Requests whose execution could have run on the request's thread and was queued instead:"
            + " another thread held the worker's nodes, or earlier messages waited.",
        flow -> Long.toString(flow.inlineQueued()));
    flowFamily(
        out,
        flows,
        "z8_flow_executions_live",
        GAUGE,
        "Executions of a flow in flight.",
        flow -> Integer.toString(flow.live()));
    header(
        out,
        "z8_events_dropped_total",
        COUNTER,
        "Engine events (status, debug, execution) dropped because the event ring was full.");
    sample(out, "z8_events_dropped_total", Long.toString(engine.droppedEvents()));
    ai(out, detail);
    jvm(out);
    owners(out, detail, viewer);
    return out.toString();
  }

  private void owners(StringBuilder out, boolean detail, String viewer) {
    List<OwnerMemory> owners = new ArrayList<>();
    for (OwnerMemory owner : engine.memoryByOwner()) {
      String id = owner.owner() == null ? "" : owner.owner();
      if (detail || id.equals(viewer)) {
        owners.add(owner);
      }
    }
    Function<OwnerMemory, String[]> labels =
        owner -> new String[] {"owner", owner.owner() == null ? "" : owner.owner()};
    family(
        out,
        owners,
        "z8_owner_memory_reserved_bytes",
        GAUGE,
        "Off-heap memory an owner's flows hold: inboxes, execution tables and large message bodies"
            + " in flight.",
        labels,
        owner -> Long.toString(owner.reservedBytes()));
    family(
        out,
        owners,
        "z8_owner_memory_block_bytes",
        GAUGE,
        "The part of z8_owner_memory_reserved_bytes that large message bodies in flight hold.",
        labels,
        owner -> Long.toString(owner.blockBytes()));
    family(
        out,
        owners,
        "z8_owner_memory_limit_bytes",
        GAUGE,
        "The most an owner's flows may hold (Z8_MEMORY_SHARE_PERCENT of Z8_MEMORY_BUDGET_MB; the"
            + " whole budget for admins).",
        labels,
        owner -> Long.toString(owner.limitBytes()));
  }

  private void ai(StringBuilder out, boolean detail) {
    List<AiUsage.Snapshot> usage = detail ? aiUsage.snapshot() : List.of();
    aiFamily(
        out,
        usage,
        "z8_ai_requests_total",
        COUNTER,
        "Provider calls AI nodes made (retries are one call).",
        s -> Long.toString(s.requests()));
    aiFamily(
        out,
        usage,
        "z8_ai_request_failures_total",
        COUNTER,
        "Provider calls that failed for good.",
        s -> Long.toString(s.failures()));
    aiFamily(
        out,
        usage,
        "z8_ai_retries_total",
        COUNTER,
        "Retries of provider calls (429, 5xx, failed connections).",
        s -> Long.toString(s.retries()));
    aiFamily(
        out,
        usage,
        "z8_ai_requests_in_flight",
        GAUGE,
        "Provider calls in flight now.",
        s -> Integer.toString(s.inFlight()));
    header(
        out,
        "z8_ai_tokens_total",
        COUNTER,
        "Tokens providers reported, by kind (prompt, completion).");
    for (AiUsage.Snapshot s : usage) {
      for (String kind : List.of("prompt", "completion")) {
        labels(out, "z8_ai_tokens_total", aiLabels(s.key()));
        out.append(",kind=\"")
            .append(kind)
            .append("\"} ")
            .append(kind.equals("prompt") ? s.promptTokens() : s.completionTokens())
            .append('\n');
      }
    }
  }

  private static void aiFamily(
      StringBuilder out,
      List<AiUsage.Snapshot> usage,
      String name,
      String type,
      String help,
      Function<AiUsage.Snapshot, String> value) {
    family(out, usage, name, type, help, s -> aiLabels(s.key()), value);
  }

  private static String[] aiLabels(AiUsage.Key key) {
    return new String[] {"flow", key.flowId(), "provider", key.provider(), "model", key.model()};
  }

  private void jvm(StringBuilder out) {
    header(out, "z8_jvm_memory_used_bytes", GAUGE, "JVM memory in use, by area.");
    out.append("z8_jvm_memory_used_bytes{area=\"heap\"} ")
        .append(memory.getHeapMemoryUsage().getUsed())
        .append('\n');
    out.append("z8_jvm_memory_used_bytes{area=\"nonheap\"} ")
        .append(memory.getNonHeapMemoryUsage().getUsed())
        .append('\n');
    header(
        out,
        "z8_jvm_direct_memory_used_bytes",
        GAUGE,
        "Direct (off-heap) buffer memory in use: inbox rings and event buffers.");
    // the engine's rings and tables come from calloc and are reserved in the JVM's direct-memory
    // account, so the pool counts them, unless java.nio is not open (then they are added here);
    // reserved, resident only where written
    sample(
        out,
        "z8_jvm_direct_memory_used_bytes",
        Long.toString(
            (directPool == null ? 0 : directPool.getMemoryUsed())
                + (LazyZeroedMemory.inJvmAccount() && directPool != null
                    ? 0
                    : LazyZeroedMemory.reserved())));
    header(
        out,
        "z8_engine_memory_reserved_bytes",
        GAUGE,
        "Off-heap memory the deployed flows' inboxes and execution tables reserve together.");
    sample(out, "z8_engine_memory_reserved_bytes", Long.toString(engine.reservedBytes()));
    header(
        out,
        "z8_engine_memory_budget_bytes",
        GAUGE,
        "The most the deployed flows and the bodies in flight may reserve (Z8_MEMORY_BUDGET_MB); a"
            + " deploy beyond is 507.");
    sample(out, "z8_engine_memory_budget_bytes", Long.toString(engine.memoryBudget()));
    header(
        out,
        "z8_engine_memory_block_bytes",
        GAUGE,
        "Off-heap memory large message bodies in flight hold, counted in the same budget.");
    sample(out, "z8_engine_memory_block_bytes", Long.toString(engine.blockBytes()));
    header(
        out,
        "z8_engine_memory_share_bytes",
        GAUGE,
        "The most one user who is not an admin may hold (Z8_MEMORY_SHARE_PERCENT of the budget).");
    sample(out, "z8_engine_memory_share_bytes", Long.toString(engine.memoryShare()));
    header(out, "z8_jvm_threads", GAUGE, "Live platform threads (virtual threads not included).");
    sample(out, "z8_jvm_threads", Integer.toString(threads.getThreadCount()));
  }

  private static void nodeFamily(
      StringBuilder out,
      List<FlowMetrics> flows,
      String name,
      String type,
      String help,
      Function<NodeMetrics, String> value) {
    List<FlowNode> nodes = new ArrayList<>();
    for (FlowMetrics flow : flows) {
      for (NodeMetrics node : flow.nodes()) {
        nodes.add(new FlowNode(flow.flowId(), node));
      }
    }
    family(
        out,
        nodes,
        name,
        type,
        help,
        n -> new String[] {"flow", n.flowId(), "node", n.node().nodeId(), "type", n.node().type()},
        n -> value.apply(n.node()));
  }

  private record FlowNode(String flowId, NodeMetrics node) {}

  private static void flowFamily(
      StringBuilder out,
      List<FlowMetrics> flows,
      String name,
      String type,
      String help,
      Function<FlowMetrics, String> value) {
    family(out, flows, name, type, help, f -> new String[] {"flow", f.flowId()}, value);
  }

  /** A family's header, then a sample a row: {@code name{label="value",...} value}. */
  private static <T> void family(
      StringBuilder out,
      List<T> rows,
      String name,
      String type,
      String help,
      Function<T, String[]> labels,
      Function<T, String> value) {
    header(out, name, type, help);
    for (T row : rows) {
      labels(out, name, labels.apply(row));
      out.append("} ").append(value.apply(row)).append('\n');
    }
  }

  /**
   * {@code name{label="value",...} without its closing brace; {@code pairs} alternates names and
   * values (values escaped here).
   */
  private static void labels(StringBuilder out, String name, String[] pairs) {
    out.append(name).append('{');
    for (int i = 0; i < pairs.length; i += 2) {
      if (i > 0) {
        out.append(',');
      }
      out.append(pairs[i]).append("=\"");
      escapeLabelValue(out, pairs[i + 1]);
      out.append('"');
    }
  }

  /** {@code # HELP} and {@code # TYPE}; help texts here are constants without \ or newlines. */
  private static void header(StringBuilder out, String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void sample(StringBuilder out, String name, String value) {
    out.append(name).append(' ').append(value).append('\n');
  }

  /** Appends a label value escaped as the format says: backslash, double quote and line feed. */
  static void escapeLabelValue(StringBuilder out, String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '\n' -> out.append("\\n");
        default -> out.append(c);
      }
    }
  }

  /** Nanoseconds as exact decimal seconds, without an exponent: 1500 -> "0.0000015". */
  static String seconds(long nanos) {
    return BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString();
  }

  private static BufferPoolMXBean directBufferPool() {
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if (pool.getName().equals("direct")) {
        return pool;
      }
    }
    return null;
  }
}
