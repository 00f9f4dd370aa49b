package dev.z8run.nodes.timing;

import dev.z8run.core.node.Node;
import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.core.registry.ConfigField;
import dev.z8run.core.registry.FieldType;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.PortSpec;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.MessageBodies;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code timer}: starts an execution on a schedule for as long as its flow is deployed — every
 * {@code interval} {@code unit}s, or at the times of a cron expression in a time zone. See {@link
 * Ticker} for how late and refused ticks are counted.
 *
 * <p>As z8run's timer ({@code crates/z8run-core/src/nodes/timer.rs}): {@code unit} defaults to
 * {@code ms}, an interval below 100 ms is refused (a unit given explicitly allows down to 1 ms),
 * and without a configured {@code payload} the message's payload is z8run's tick object {@code
 * {"tick": n, "timestamp": ISO-8601, "interval_ms": ms}} ({@code interval_ms} null on a cron
 * schedule). {@code msg.tick} and {@code msg.missed} count ticks and ticks that could not start.
 */
public final class TimerNode implements Node {
  public static final NodeType TYPE =
      NodeType.builder("timer")
          .category("common")
          .description("Starts the flow at a fixed interval or on a cron schedule.")
          .inputs()
          .outputs(PortSpec.any("tick"))
          .field(
              ConfigField.optional(
                  "interval", FieldType.NUMBER, 5000, "Time between ticks, in unit."))
          .field(
              ConfigField.optional(
                  "unit",
                  FieldType.STRING,
                  null,
                  "Unit of interval: ms, s, m or h; ms when absent (as z8run), then at least 100"
                      + " ms."))
          .field(
              ConfigField.optional(
                  "cron",
                  FieldType.STRING,
                  "",
                  "A cron expression (5 fields, or 6 with seconds); replaces the interval."))
          .field(
              ConfigField.optional(
                  "timezone", FieldType.STRING, "", "Time zone of the cron expression (IANA id)."))
          .field(
              ConfigField.optional(
                  "payload",
                  FieldType.ANY,
                  null,
                  "msg.payload; when absent z8run's {tick, timestamp, interval_ms}."))
          .field(ConfigField.optional("topic", FieldType.STRING, "", "msg.topic."))
          .factory(TimerNode::new)
          .build();

  /** z8run's smallest interval (its validate): below it a unit must be given. */
  static final long MIN_Z8RUN_INTERVAL_MS = 100;

  private final NodeContext context;
  private final Object payload;
  private final String topic;
  private final Long intervalMs;
  private final Ticker ticker;

  private TimerNode(NodeContext context) {
    this.context = context;
    this.payload = context.config().get("payload");
    this.topic = context.configString("topic", "");
    this.intervalMs = context.configString("cron", "").isBlank() ? intervalMs(context) : null;
    this.ticker = new Ticker(context, schedule(context), this::fire);
  }

  /** The configured schedule: the cron expression when there is one, else the interval. */
  static Ticker.Schedule schedule(NodeContext context) {
    String cron = context.configString("cron", "").trim();
    if (!cron.isEmpty()) {
      return Ticker.cron(new CronSchedule(cron, zone(context, "timezone")));
    }
    return Ticker.every(intervalMs(context), context.epochClock().time());
  }

  private static long intervalMs(NodeContext context) {
    double interval = MessageBodies.number(context, "interval", 5000);
    String unit = context.configString("unit", "ms");
    if (!List.of("ms", "s", "m", "h").contains(unit)) {
      throw new IllegalArgumentException("unit: '" + unit + "' is not ms, s, m or h");
    }
    long unitMs =
        switch (unit) {
          case "ms" -> 1;
          case "s" -> 1_000;
          case "m" -> 60_000;
          case "h" -> 3_600_000;
          default ->
              throw new IllegalArgumentException("unit: '" + unit + "' is not ms, s, m or h");
        };
    long intervalMs = Math.round(interval * unitMs);
    if (intervalMs < 1) {
      throw new IllegalArgumentException(
          "interval: " + interval + " " + unit + " is less than 1 ms");
    }
    if (intervalMs < MIN_Z8RUN_INTERVAL_MS && context.config().get("unit") == null) {
      throw new IllegalArgumentException(
          "interval: "
              + interval
              + " ms is below "
              + MIN_Z8RUN_INTERVAL_MS
              + " ms (the unit is ms when none is given, as in z8run); give unit \"s\" if you"
              + " meant seconds, or \"ms\" to allow it");
    }
    return intervalMs;
  }

  static ZoneId zone(NodeContext context, String field) {
    String id = context.configString(field, "").trim();
    try {
      return id.isEmpty() ? ZoneId.systemDefault() : ZoneId.of(id);
    } catch (DateTimeException unknown) {
      throw new IllegalArgumentException(field + ": unknown time zone '" + id + "'");
    }
  }

  @Override
  public void onStart() {
    ticker.start();
  }

  private boolean fire(long tick, long missed) {
    Map<String, Object> message = new LinkedHashMap<>();
    if (payload == null) {
      Map<String, Object> z8run = new LinkedHashMap<>();
      z8run.put("tick", tick);
      z8run.put("timestamp", Instant.ofEpochMilli(context.epochClock().time()).toString());
      z8run.put("interval_ms", intervalMs);
      message.put("payload", z8run);
    } else {
      message.put("payload", payload);
    }
    message.put("topic", topic);
    message.put("tick", tick);
    message.put("missed", missed);
    return context.tryTrigger(JsonCodec.write(message));
  }

  @Override
  public void onMessage(MessageFlyweight msg, Output out) {
    out.forward(0, msg);
  }

  @Override
  public void onStop() {
    ticker.stop();
  }
}
