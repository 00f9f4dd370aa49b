package dev.z8run.api.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.z8run.api.auth.Tokens;
import dev.z8run.core.config.EngineConfig;
import dev.z8run.core.flow.FlowCodec;
import dev.z8run.core.node.InjectResult;
import dev.z8run.core.runtime.Engine;
import dev.z8run.nodes.BuiltinNodes;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.agrona.concurrent.SystemNanoClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MetricsService} through real HTTP, over a real engine that runs real flows; every scrape
 * is checked line by line against the text exposition format 0.0.4.
 */
class MetricsServiceTest {
  private static final String ORDERS =
      """
      {"id": "orders",
       "nodes": [{"id": "in", "type": "inject"}, {"id": "sink", "type": "counter"}],
       "wires": [{"from": "in", "to": "sink"}]}
      """;

  /** A flow whose ids need every escape the format has: quote, backslash, line feed. */
  private static final String ODD_IDS =
      """
      {"id": "we\\"ird\\\\flow",
       "nodes": [{"id": "line\\nbreak", "type": "inject"}, {"id": "sink", "type": "counter"}],
       "wires": [{"from": "line\\nbreak", "to": "sink"}]}
      """;

  private static final List<String> FAMILIES =
      List.of(
          "z8_node_messages_in_total",
          "z8_node_messages_out_total",
          "z8_node_errors_total",
          "z8_node_drops_total",
          "z8_node_busy_seconds_total",
          "z8_node_blocked_total",
          "z8_node_queue_bytes",
          "z8_flow_executions_started_total",
          "z8_flow_executions_completed_total",
          "z8_flow_executions_failed_total",
          "z8_flow_triggers_rejected_total",
          "z8_flow_triggers_inline_queued_total",
          "z8_flow_executions_live",
          "z8_events_dropped_total",
          "z8_jvm_memory_used_bytes",
          "z8_jvm_direct_memory_used_bytes",
          "z8_engine_memory_reserved_bytes",
          "z8_engine_memory_budget_bytes",
          "z8_jvm_threads");

  private final Tokens tokens = Tokens.withRandomSecret();
  private Engine engine;
  private RestServer server;

  @BeforeEach
  void start() {
    engine =
        new Engine(
            EngineConfig.builder().workers(2).manualWorkers(new SystemNanoClock()).build(),
            BuiltinNodes.registry());
    MetricsService metrics = new MetricsService(engine);
    server = new RestServer(tokens, routing -> routing.register("/metrics", metrics));
  }

  @AfterEach
  void stop() {
    server.close();
    engine.close();
  }

  @Test
  void shouldCountTheMessagesAndExecutionsOfARealFlowWithoutAToken() throws Exception {
    engine.deploy(FlowCodec.read(ORDERS.getBytes(StandardCharsets.UTF_8)));
    int executions = 5;
    for (int i = 0; i < executions; i++) {
      assertEquals(InjectResult.ACCEPTED, engine.inject("orders", "in", bytes("{}")));
    }
    runUntilCompleted("orders", executions);

    HttpResponse<String> response = server.send("GET", "/metrics", null, null);

    assertEquals(200, response.statusCode());
    assertEquals(
        "text/plain; version=0.0.4; charset=utf-8",
        response.headers().firstValue("content-type").orElse(""));
    Map<String, String> samples = Exposition.parse(response.body());
    String in = "{flow=\"orders\",node=\"in\",type=\"inject\"}";
    String sink = "{flow=\"orders\",node=\"sink\",type=\"counter\"}";
    assertEquals("5", samples.get("z8_node_messages_in_total" + in));
    assertEquals("5", samples.get("z8_node_messages_out_total" + in));
    assertEquals("5", samples.get("z8_node_messages_in_total" + sink));
    assertEquals("0", samples.get("z8_node_messages_out_total" + sink));
    assertEquals("0", samples.get("z8_node_errors_total" + sink));
    assertEquals("0", samples.get("z8_node_drops_total" + sink));
    assertEquals("0", samples.get("z8_node_blocked_total" + sink));
    assertEquals("0", samples.get("z8_node_queue_bytes" + sink));
    assertTrue(Double.parseDouble(samples.get("z8_node_busy_seconds_total" + sink)) >= 0);
    assertEquals("5", samples.get("z8_flow_executions_started_total{flow=\"orders\"}"));
    assertEquals("5", samples.get("z8_flow_executions_completed_total{flow=\"orders\"}"));
    assertEquals("0", samples.get("z8_flow_executions_failed_total{flow=\"orders\"}"));
    assertEquals("0", samples.get("z8_flow_triggers_rejected_total{flow=\"orders\"}"));
    assertEquals("0", samples.get("z8_flow_triggers_inline_queued_total{flow=\"orders\"}"));
    assertEquals("0", samples.get("z8_flow_executions_live{flow=\"orders\"}"));
    assertTrue(samples.containsKey("z8_events_dropped_total"));
    assertTrue(Long.parseLong(samples.get("z8_jvm_memory_used_bytes{area=\"heap\"}")) > 0);
    assertTrue(Long.parseLong(samples.get("z8_jvm_memory_used_bytes{area=\"nonheap\"}")) > 0);
    long direct = Long.parseLong(samples.get("z8_jvm_direct_memory_used_bytes"));
    long reserved = Long.parseLong(samples.get("z8_engine_memory_reserved_bytes"));
    assertEquals(engine.reservedBytes(), reserved);
    assertTrue(reserved > 0, "the deployed flow's inboxes and execution table");
    assertTrue(direct >= reserved, "the direct memory in use includes the flows' " + reserved);
    assertTrue(Long.parseLong(samples.get("z8_engine_memory_budget_bytes")) > reserved);
    assertTrue(Long.parseLong(samples.get("z8_jvm_threads")) > 0);
  }

  @Test
  void shouldEscapeQuotesBackslashesAndNewlinesInLabelValues() throws Exception {
    engine.deploy(FlowCodec.read(ODD_IDS.getBytes(StandardCharsets.UTF_8)));
    assertEquals(InjectResult.ACCEPTED, engine.inject("we\"ird\\flow", "line\nbreak", bytes("{}")));
    runUntilCompleted("we\"ird\\flow", 1);

    String body = server.send("GET", "/metrics", null, null).body();

    Map<String, String> samples = Exposition.parse(body);
    assertEquals(
        "1",
        samples.get(
            "z8_node_messages_out_total{flow=\"we\\\"ird\\\\flow\",node=\"line\\nbreak\","
                + "type=\"inject\"}"));
    assertEquals(
        "1", samples.get("z8_flow_executions_completed_total{flow=\"we\\\"ird\\\\flow\"}"));
  }

  @Test
  void shouldDeclareEveryFamilyEvenWithoutDeployedFlows() throws Exception {
    String body = server.send("GET", "/metrics", null, null).body();

    Map<String, String> samples = Exposition.parse(body);
    for (String family : FAMILIES) {
      assertTrue(body.contains("# TYPE " + family + " "), family);
      assertTrue(body.contains("# HELP " + family + " "), family);
    }
    assertFalse(samples.keySet().stream().anyMatch(series -> series.startsWith("z8_node_")));
  }

  @Test
  void shouldEscapeLabelValuesAsTheFormatSays() {
    StringBuilder out = new StringBuilder();
    MetricsService.escapeLabelValue(out, "a\\b\"c\nd\te");
    assertEquals("a\\\\b\\\"c\\nd\te", out.toString());
  }

  @Test
  void shouldWriteBusyTimeAsPlainDecimalSeconds() {
    assertEquals("0", MetricsService.seconds(0));
    assertEquals("0.0000015", MetricsService.seconds(1_500));
    assertEquals("2", MetricsService.seconds(2_000_000_000L));
    assertEquals("9223372036.854775807", MetricsService.seconds(Long.MAX_VALUE));
  }

  /** Runs the manual engine's duty cycles until {@code flowId} has completed its executions. */
  private void runUntilCompleted(String flowId, int executions) {
    for (int cycle = 0; cycle < 10_000; cycle++) {
      if (engine.metrics(flowId).completed() == executions) {
        return;
      }
      engine.doWork();
    }
    throw new AssertionError(
        "flow " + flowId + " did not complete " + executions + ": " + engine.metrics(flowId));
  }

  private static byte[] bytes(String json) {
    return json.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * A strict reader of the text exposition format 0.0.4 as this server writes it: comment lines
   * {@code # HELP} and {@code # TYPE}, samples {@code name{label="value",...} value}; each family
   * declared once with both lines before its samples, which follow contiguously; counters named
   * {@code _total} and never negative; no duplicate series.
   */
  static final class Exposition {
    private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
    private static final String LABEL_VALUE = "\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\"";
    private static final String LABEL = "[a-zA-Z_][a-zA-Z0-9_]*=" + LABEL_VALUE;
    private static final String VALUE =
        "[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?";
    private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") [^\\n]*");
    private static final Pattern TYPE =
        Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
    private static final Pattern SAMPLE =
        Pattern.compile(
            "(" + NAME + ")((?:\\{" + LABEL + "(?:," + LABEL + ")*\\})?) (" + VALUE + ")");

    /** The samples, series ({@code name{labels}}) to value; fails on any break of the format. */
    static Map<String, String> parse(String text) {
      assertTrue(text.endsWith("\n"), "exposition ends with a line feed");
      Map<String, String> samples = new LinkedHashMap<>();
      Map<String, String> types = new HashMap<>();
      Set<String> helped = new HashSet<>();
      Set<String> finished = new HashSet<>();
      String current = null;
      int lineNumber = 0;
      for (String line : text.substring(0, text.length() - 1).split("\n", -1)) {
        lineNumber++;
        String where = "line " + lineNumber + ": " + line;
        Matcher help = HELP.matcher(line);
        Matcher type = TYPE.matcher(line);
        Matcher sample = SAMPLE.matcher(line);
        if (help.matches() || type.matches()) {
          String family = help.matches() ? help.group(1) : type.group(1);
          if (!family.equals(current)) {
            assertFalse(finished.contains(family), "family declared twice, " + where);
            if (current != null) {
              finished.add(current);
            }
            current = family;
          }
          if (help.matches()) {
            assertTrue(helped.add(family), "second HELP, " + where);
          } else {
            assertFalse(types.containsKey(family), "second TYPE, " + where);
            types.put(family, type.group(2));
            if (type.group(2).equals("counter")) {
              assertTrue(family.endsWith("_total"), "counter not named _total, " + where);
            }
          }
        } else if (sample.matches()) {
          String family = sample.group(1);
          assertEquals(current, family, "sample outside its family's block, " + where);
          assertTrue(types.containsKey(family) && helped.contains(family), "undeclared, " + where);
          if (types.get(family).equals("counter")) {
            assertFalse(sample.group(3).startsWith("-"), "negative counter, " + where);
          }
          String previous = samples.put(family + sample.group(2), sample.group(3));
          assertEquals(null, previous, "duplicate series, " + where);
        } else {
          throw new AssertionError("not exposition format 0.0.4, " + where);
        }
      }
      assertEquals(helped, types.keySet(), "every family has HELP and TYPE");
      return samples;
    }
  }
}
