package dev.z8run.perf.harness;

import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The benchmark scenarios, shaped like the Node-RED peer's flows in {@code
 * shared/peers/node-red/flows}: a source node fed by the harness, the nodes under test, and a
 * counting sink. {@code fan} is how many copies of each source message reach the sink.
 */
public enum Scenario {
  /** Source, 10 function nodes each doing {@code return msg;}, sink; payload {n:i}; window 1000. */
  A_PIPELINE_FN10("a_pipeline_fn10", 1, 1000, 0),
  /** Source, 10 change nodes each setting msg.hop, sink; small payload {n:i}; window 1000. */
  A2_PIPELINE_CHANGE10("a2_pipeline_change10", 1, 1000, 0),
  /** Source wired to 8 junctions, all wired to one sink; window 1000 (source messages). */
  B_FANOUT8("b_fanout8", 8, 1000, 0),
  /** Source, 5 junctions, sink; a 64 KiB binary payload per message; window 128. */
  D_PAYLOAD64K("d_payload64k_fn5", 1, 128, 65536),
  /** Source, 5 junctions, sink; a 4 MiB binary payload per message; window 8 (z8run only). */
  D4M_PAYLOAD4M("d4m_payload4m_fn5", 1, 8, 4 * 1024 * 1024);

  private final String id;
  private final int fan;
  private final int window;
  private final int binaryBytes;

  Scenario(String id, int fan, int window, int binaryBytes) {
    this.id = id;
    this.fan = fan;
    this.window = window;
    this.binaryBytes = binaryBytes;
  }

  /** The scenario's name as the Node-RED peer's bench prints it. */
  public String id() {
    return id;
  }

  public int fan() {
    return fan;
  }

  public int window() {
    return window;
  }

  public int binaryBytes() {
    return binaryBytes;
  }

  /** Deliveries a source message makes on its way to the sink, one per wire it crosses. */
  public int hops() {
    Flow flow = flow();
    return fan == 1 ? flow.wires().size() : 2;
  }

  /** Finds a scenario by its peer name or a prefix such as {@code a2}, {@code b}, {@code d}. */
  public static Scenario find(String name) {
    String wanted = name.toLowerCase(Locale.ROOT);
    for (Scenario scenario : values()) {
      if (scenario.id.equals(wanted) || scenario.id.startsWith(wanted + "_")) {
        return scenario;
      }
    }
    throw new IllegalArgumentException(
        "unknown scenario '"
            + name
            + "' (known: a_pipeline_fn10, a2_pipeline_change10, b_fanout8, d_payload64k_fn5,"
            + " d4m_payload4m_fn5)");
  }

  /** The flow: node "src" (inject) is fed by the harness, node "sink" (counter) counts. */
  public Flow flow() {
    List<FlowNode> nodes = new ArrayList<>();
    List<Wire> wires = new ArrayList<>();
    nodes.add(node("src", "inject", Map.of()));
    nodes.add(node("sink", "counter", Map.of()));
    switch (this) {
      case A_PIPELINE_FN10 -> chain(nodes, wires, 10, "function");
      case A2_PIPELINE_CHANGE10 -> chain(nodes, wires, 10, "change");
      case D_PAYLOAD64K, D4M_PAYLOAD4M -> chain(nodes, wires, 5, "junction");
      case B_FANOUT8 -> {
        for (int b = 1; b <= 8; b++) {
          nodes.add(node("b" + b, "junction", Map.of()));
          wires.add(new Wire("src", 0, "b" + b, 0));
          wires.add(new Wire("b" + b, 0, "sink", 0));
        }
      }
    }
    return new Flow("bench-" + id, id, "benchmark scenario " + id, nodes, wires);
  }

  private static void chain(List<FlowNode> nodes, List<Wire> wires, int length, String type) {
    String previous = "src";
    for (int i = 1; i <= length; i++) {
      String id = "p" + i;
      Map<String, Object> config =
          switch (type) {
            case "change" ->
                Map.of(
                    "rules",
                    List.of(
                        Map.of("t", "set", "p", "hop", "pt", "msg", "to", "" + i, "tot", "num")));
            case "function" -> Map.of("func", "return msg;", "outputs", 1L);
            default -> Map.of();
          };
      nodes.add(node(id, type, config));
      wires.add(new Wire(previous, 0, id, 0));
      previous = id;
    }
    wires.add(new Wire(previous, 0, "sink", 0));
  }

  private static FlowNode node(String id, String type, Map<String, Object> config) {
    return new FlowNode(id, type, id, 0, 0, false, config);
  }
}
