package dev.z8run.nodes.routing;

import dev.z8run.core.node.NodeContext;
import dev.z8run.core.node.Output;
import dev.z8run.io.json.JsonScanner;
import dev.z8run.io.message.MessageFlyweight;
import dev.z8run.nodes.support.MessageBodies;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Switch's "recreate message sequences" (Node-RED's {@code repair}): the messages of a {@code
 * msg.parts} sequence are held, with the ports each was routed to, until all {@code parts.count}
 * have arrived; then the messages of each port go out as a sequence of their own, with a new {@code
 * parts.id} and {@code parts.index}/{@code count} counted within that port, in arrival order. Held
 * messages are bounded by {@code maxKept} (past it every held sequence is dropped, as Node-RED
 * does, with a warning).
 */
final class SequenceRepair {
  private static final byte[][] PARTS = {"parts".getBytes(StandardCharsets.US_ASCII)};

  private record Held(Map<String, Object> body, int[] ports) {}

  private final NodeContext context;
  private final long maxKept;
  private final Map<String, List<Held>> groups = new LinkedHashMap<>();
  private long held;
  private long sequences;

  SequenceRepair(NodeContext context, long maxKept) {
    this.context = context;
    this.maxKept = maxKept;
  }

  /** Whether the message carries {@code msg.parts} (repair applies to it). */
  boolean isPart(MessageFlyweight msg) {
    return JsonScanner.find(msg.buffer(), msg.jsonOffset(), msg.jsonLength(), PARTS)
        != JsonScanner.NOT_FOUND;
  }

  void onPart(MessageFlyweight msg, int portCount, int[] ports, Output out) {
    Map<String, Object> body = MessageBodies.parse(msg);
    if (!(body.get("parts") instanceof Map<?, ?> parts)
        || parts.get("id") == null
        || !(parts.get("index") instanceof Number)) {
      for (int i = 0; i < portCount; i++) {
        out.forward(ports[i], msg);
      }
      return;
    }
    String id = String.valueOf(parts.get("id"));
    List<Held> group = groups.computeIfAbsent(id, k -> new ArrayList<>());
    group.add(new Held(body, Arrays.copyOf(ports, portCount)));
    held++;
    if (parts.get("count") instanceof Number count && group.size() >= count.longValue()) {
      groups.remove(id);
      held -= group.size();
      send(group, out);
    } else if (held > maxKept) {
      groups.clear();
      held = 0;
      context.warn("switch holds more than maxKept=" + maxKept + " messages: sequences dropped");
    }
  }

  private void send(List<Held> group, Output out) {
    int portCount = out.portCount();
    long[] counts = new long[portCount];
    for (Held message : group) {
      for (int port : message.ports()) {
        counts[port]++;
      }
    }
    String[] ids = new String[portCount];
    for (int port = 0; port < portCount; port++) {
      ids[port] = context.nodeId() + "." + Long.toHexString(++sequences);
    }
    long[] indexes = new long[portCount];
    for (Held message : group) {
      for (int port : message.ports()) {
        Map<String, Object> copy = new LinkedHashMap<>(message.body());
        Map<String, Object> parts = new LinkedHashMap<>();
        ((Map<?, ?>) copy.get("parts")).forEach((k, v) -> parts.put(String.valueOf(k), v));
        parts.put("id", ids[port]);
        parts.put("index", indexes[port]++);
        parts.put("count", counts[port]);
        copy.put("parts", parts);
        MessageBodies.send(out, port, copy, null);
      }
    }
  }
}
