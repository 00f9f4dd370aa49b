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
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code timer}: starts an execution on a schedule for as long as its flow is deployed — every
 * {@code interval} {@code unit}s, or at the times of a cron expression in a time zone. See {@link
 * Ticker} for how late and refused ticks are counted.
 */
public final class TimerNode implements Node {
  public static final NodeType TYPE =
      NodeType.builder("timer")
          .category("common")
          .description("Starts the flow at a fixed interval or on a cron schedule.")
          .inputs()
          .outputs(PortSpec.any("tick"))
          .field(
              ConfigField.optional("interval", FieldType.NUMBER, 1, "Time between ticks, in unit."))
          .field(ConfigField.choice("unit", "s", List.of("ms", "s", "m", "h"), "Unit of interval."))
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
                  "payload", FieldType.ANY, null, "msg.payload; the time in ms when absent."))
          .field(ConfigField.optional("topic", FieldType.STRING, "", "msg.topic."))
          .factory(TimerNode::new)
          .build();

  private final NodeContext context;
  private final Object payload;
  private final String topic;
  private final Ticker ticker;

  private TimerNode(NodeContext context) {
    this.context = context;
    this.payload = context.config().get("payload");
    this.topic = context.configString("topic", "");
    this.ticker = new Ticker(context, schedule(context), this::fire);
  }

  /** The configured schedule: the cron expression when there is one, else the interval. */
  static Ticker.Schedule schedule(NodeContext context) {
    String cron = context.configString("cron", "").trim();
    if (!cron.isEmpty()) {
      return Ticker.cron(new CronSchedule(cron, zone(context, "timezone")));
    }
    double interval = MessageBodies.number(context, "interval", 1);
    String unit = context.configString("unit", "s");
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
    return Ticker.every(intervalMs, context.epochClock().time());
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
    message.put("payload", payload == null ? context.epochClock().time() : payload);
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
