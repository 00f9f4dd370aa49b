package dev.z8run.core.validate;

import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Wire;
import dev.z8run.core.registry.NodeType;
import dev.z8run.core.registry.PortSpec;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The phrases {@link FlowValidator}'s messages are built from, so that they read alike. */
final class Messages {
  private static final String[] SMALL_COUNTS = {
    "no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"
  };
  private static final int MAX_LISTED_PORTS = 10;

  private Messages() {}

  /** {@code node 'n3'}, or {@code node 'n3' (Delay)} when the node has a name. */
  static String node(FlowNode node) {
    return node.name().isEmpty()
        ? "node '" + node.id() + "'"
        : "node '" + node.id() + "' (" + node.name() + ")";
  }

  /** {@code the wire from node 'a' output 0 to node 'b' (Log) input 0}. */
  static String wire(Wire wire, FlowNode from, FlowNode to) {
    return "the wire from "
        + (from == null ? "node '" + wire.fromNode() + "'" : node(from))
        + " output "
        + wire.fromPort()
        + " to "
        + (to == null ? "node '" + wire.toNode() + "'" : node(to))
        + " input "
        + wire.toPort();
  }

  /**
   * {@code node type 'filter' has 2 output ports: 0 'pass', 1 'reject'}, or {@code with this
   * config, node type 'switch' has ...} for a type whose output count depends on the config.
   */
  static String outputs(NodeType type, Map<String, Object> config, int count) {
    List<PortSpec> ports = new ArrayList<>();
    for (int port = 0; port < Math.min(count, MAX_LISTED_PORTS); port++) {
      ports.add(type.output(port, config));
    }
    return (type.dynamicOutputs() ? "with this config, node type '" : "node type '")
        + type.name()
        + "' has "
        + portList(ports, count, "output");
  }

  /** {@code node type 'debug' has 1 input port: 0 'input'}. */
  static String inputs(NodeType type) {
    List<PortSpec> ports = type.inputs();
    return "node type '"
        + type.name()
        + "' has "
        + portList(
            ports.subList(0, Math.min(ports.size(), MAX_LISTED_PORTS)), ports.size(), "input");
  }

  private static String portList(List<PortSpec> listed, int count, String kind) {
    if (count == 0) {
      return "no " + kind + " ports";
    }
    StringBuilder text =
        new StringBuilder()
            .append(count)
            .append(' ')
            .append(kind)
            .append(count == 1 ? " port: " : " ports: ");
    for (int port = 0; port < listed.size(); port++) {
      text.append(port == 0 ? "" : ", ")
          .append(port)
          .append(" '")
          .append(listed.get(port).name())
          .append('\'');
    }
    return text.append(count > listed.size() ? ", ..." : "").toString();
  }

  /** "two", "three", ... up to ten, then digits. */
  static String count(int n) {
    return n >= 0 && n < SMALL_COUNTS.length ? SMALL_COUNTS[n] : Integer.toString(n);
  }

  /** {@code a number}, {@code an object}. */
  static String article(String word) {
    return ("aeiou".indexOf(word.charAt(0)) >= 0 ? "an " : "a ") + word;
  }

  /**
   * Helps with an unknown type name: the installed names within {@code maxDistance} edits of it, or
   * else the first {@code maxListed} installed names.
   */
  static String knownTypes(
      String unknown, Collection<String> installed, int maxDistance, int maxListed) {
    if (installed.isEmpty()) {
      return "no node types are installed";
    }
    String lower = unknown.toLowerCase(Locale.ROOT);
    List<String> close = new ArrayList<>();
    for (String name : installed) {
      if (distance(lower, name.toLowerCase(Locale.ROOT)) <= maxDistance) {
        close.add(name);
      }
    }
    if (!close.isEmpty()) {
      close.sort(
          Comparator.comparingInt((String name) -> distance(lower, name.toLowerCase(Locale.ROOT)))
              .thenComparing(Comparator.naturalOrder()));
      return "did you mean '" + String.join("' or '", close) + "'?";
    }
    List<String> sorted = new ArrayList<>(installed);
    sorted.sort(null);
    String listed =
        "'" + String.join("', '", sorted.subList(0, Math.min(maxListed, sorted.size()))) + "'";
    return sorted.size() > maxListed
        ? "installed types include " + listed + " (" + sorted.size() + " in all)"
        : "installed types are " + listed;
  }

  /** Levenshtein distance. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }
}
