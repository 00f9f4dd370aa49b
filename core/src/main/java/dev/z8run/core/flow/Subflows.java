package dev.z8run.core.flow;

import dev.z8run.io.json.JsonCodec;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands subflow instances into the nodes they stand for, as the flow is deployed: the engine, the
 * validator and the planner see plain nodes and wires.
 *
 * <p>Each instance {@code I} of subflow {@code S} becomes:
 *
 * <ul>
 *   <li>a copy of each of {@code S}'s inner nodes, with the id {@code I/<inner id>} (nested
 *       instances: {@code I/J/<inner id>});
 *   <li>a {@code junction} {@code I/#in} where the wires into {@code I} now end, wired to {@code
 *       S}'s input targets, and a {@code junction} {@code I/#out<k>} per output {@code k}, fed by
 *       the inner ports {@code S} lists for it and wired to whatever {@code I}'s port {@code k} was
 *       wired to.
 * </ul>
 *
 * <p>Env properties: the instance's scope is its parent's scope, then {@code S}'s env defaults,
 * then the instance's own env (each evaluated in the parent's scope, so that an {@code env} typed
 * value can name an outer variable). In the copies, a string {@code ${NAME}} (whole or embedded) of
 * a variable in scope is replaced by its value, a typed value whose type is {@code env} (a pair
 * such as {@code v}/{@code vt}, {@code to}/{@code tot}, {@code payload}/{@code payloadType}) naming
 * a variable in scope becomes that value with its own type, and node types that {@code acceptsEnv}
 * get the whole scope in their {@code env} config field (what a function node's {@code env.get}
 * reads first). Names not in scope are left as they are, for the node to read from the server's
 * environment.
 *
 * <p>Refused, with a message naming the instance: an instance of a subflow the flow does not
 * define, a subflow that contains itself (directly or not), nesting deeper than {@link #MAX_DEPTH},
 * and links or wires to nodes the subflow does not have.
 */
public final class Subflows {
  /** The deepest nesting of instances inside subflows. */
  public static final int MAX_DEPTH = 8;

  private static final Pattern VARIABLE = Pattern.compile("\\$\\{([^}]+)}");
  private static final List<String[]> TYPED_PAIRS =
      List.of(
          new String[] {"v", "vt"},
          new String[] {"v2", "v2t"},
          new String[] {"to", "tot"},
          new String[] {"from", "fromt"},
          new String[] {"payload", "payloadType"},
          new String[] {"value", "type"});

  private Subflows() {}

  /** Whether the flow holds a subflow instance. */
  public static boolean hasInstances(Flow flow) {
    for (FlowNode node : flow.nodes()) {
      if (node.type().startsWith(Subflow.TYPE_PREFIX)) {
        return true;
      }
    }
    return false;
  }

  /**
   * The flow with every instance replaced by its nodes; the flow itself when it has none.
   *
   * @param acceptsEnv node types that get the instance's env in their {@code env} config field
   * @throws IllegalArgumentException naming the instance and what is wrong
   */
  public static Flow expand(Flow flow, Predicate<String> acceptsEnv) {
    if (!hasInstances(flow)) {
      return flow;
    }
    Expansion expansion = new Expansion(flow, acceptsEnv);
    expansion.level(flow.nodes(), flow.wires(), Map.of(), "", null, new ArrayList<>());
    return flow.withGraph(expansion.nodes, expansion.wires).withEditorState(null, flow.viewport());
  }

  /** One expansion's output and what it needs throughout. */
  private static final class Expansion {
    private final Flow flow;
    private final Predicate<String> acceptsEnv;
    private final List<FlowNode> nodes = new ArrayList<>();
    private final List<Wire> wires = new ArrayList<>();

    Expansion(Flow flow, Predicate<String> acceptsEnv) {
      this.flow = flow;
      this.acceptsEnv = acceptsEnv;
    }

    /**
     * Adds the nodes of one level (the flow, or a subflow inside instance {@code owner}) under
     * {@code prefix}. Inside an instance, the pseudo node ids {@code #in} and {@code #out} stand
     * for its boundary junctions.
     */
    void level(
        List<FlowNode> levelNodes,
        List<Wire> levelWires,
        Map<String, Object> scope,
        String prefix,
        Subflow owner,
        List<String> path) {
      Map<String, FlowNode> byId = new LinkedHashMap<>();
      for (FlowNode node : levelNodes) {
        byId.put(node.id(), node);
      }
      Set<String> instances = new HashSet<>();
      for (FlowNode node : levelNodes) {
        if (!node.type().startsWith(Subflow.TYPE_PREFIX)) {
          nodes.add(copy(node, prefix + node.id(), scope));
          continue;
        }
        if (node.disabled()) {
          continue; // a disabled instance is not deployed, and neither are its wires
        }
        instances.add(node.id());
        instance(node, scope, prefix, path);
      }
      for (Wire wire : levelWires) {
        FlowNode from = byId.get(wire.fromNode());
        FlowNode to = byId.get(wire.toNode());
        if ((from != null && from.disabled() && isInstance(from))
            || (to != null && to.disabled() && isInstance(to))) {
          continue;
        }
        String source;
        int sourcePort;
        if (instances.contains(wire.fromNode())) {
          source = prefix + wire.fromNode() + "/#out" + wire.fromPort();
          sourcePort = 0;
        } else {
          source = prefix + wire.fromNode();
          sourcePort = wire.fromPort();
        }
        String target =
            instances.contains(wire.toNode())
                ? prefix + wire.toNode() + "/#in"
                : prefix + wire.toNode();
        int targetPort = instances.contains(wire.toNode()) ? 0 : wire.toPort();
        wires.add(new Wire(source, sourcePort, target, targetPort));
      }
      if (owner != null) {
        boundary(owner, byId, instances, prefix);
      }
    }

    private static boolean isInstance(FlowNode node) {
      return node.type().startsWith(Subflow.TYPE_PREFIX);
    }

    /** Expands one instance: its junctions, then its subflow's nodes one level down. */
    private void instance(
        FlowNode instance, Map<String, Object> scope, String prefix, List<String> path) {
      String subflowId = instance.type().substring(Subflow.TYPE_PREFIX.length());
      String where = "node '" + prefix + instance.id() + "'";
      Subflow subflow = flow.subflow(subflowId);
      if (subflow == null) {
        throw new IllegalArgumentException(
            where
                + " is an instance of subflow '"
                + subflowId
                + "', which this flow does not hold");
      }
      if (path.contains(subflowId)) {
        throw new IllegalArgumentException(
            where
                + ": subflow '"
                + subflowId
                + "' contains itself ("
                + String.join(" > ", path)
                + " > "
                + subflowId
                + ")");
      }
      if (path.size() >= MAX_DEPTH) {
        throw new IllegalArgumentException(
            where + ": subflows are nested deeper than " + MAX_DEPTH + " levels");
      }
      String inner = prefix + instance.id() + "/";
      nodes.add(junction(inner + "#in", instance, subflow.name() + " input"));
      for (int k = 0; k < subflow.out().size(); k++) {
        nodes.add(junction(inner + "#out" + k, instance, subflow.name() + " output " + (k + 1)));
      }
      Map<String, Object> own = new LinkedHashMap<>(scope);
      for (Subflow.EnvProperty property : subflow.env()) {
        own.put(property.name(), value(property.type(), property.value(), scope, where));
      }
      for (Subflow.EnvProperty property : instanceEnv(instance, where)) {
        own.put(property.name(), value(property.type(), property.value(), scope, where));
      }
      List<String> deeper = new ArrayList<>(path);
      deeper.add(subflowId);
      level(subflow.nodes(), subflow.wires(), own, inner, subflow, deeper);
    }

    /** The wires between an instance's junctions and its inner nodes. */
    private void boundary(
        Subflow subflow, Map<String, FlowNode> byId, Set<String> instances, String prefix) {
      String where = "subflow '" + subflow.id() + "'";
      for (Subflow.PortLink link : subflow.in()) {
        requireInner(byId, link.node(), where + " input");
        boolean nested = instances.contains(link.node());
        wires.add(
            new Wire(
                prefix + "#in",
                0,
                nested ? prefix + link.node() + "/#in" : prefix + link.node(),
                nested ? 0 : link.port()));
      }
      for (int k = 0; k < subflow.out().size(); k++) {
        for (Subflow.PortLink link : subflow.out().get(k)) {
          String source;
          int port;
          if (link.node().equals(subflow.id())) {
            source = prefix + "#in";
            port = 0;
          } else {
            requireInner(byId, link.node(), where + " output " + (k + 1));
            boolean nested = instances.contains(link.node());
            source = nested ? prefix + link.node() + "/#out" + link.port() : prefix + link.node();
            port = nested ? 0 : link.port();
          }
          wires.add(new Wire(source, port, prefix + "#out" + k, 0));
        }
      }
    }

    private static void requireInner(Map<String, FlowNode> byId, String id, String where) {
      if (!byId.containsKey(id)) {
        throw new IllegalArgumentException(where + " links to node '" + id + "', which it lacks");
      }
    }

    private FlowNode copy(FlowNode node, String id, Map<String, Object> scope) {
      if (scope.isEmpty()) {
        return id.equals(node.id())
            ? node
            : new FlowNode(
                id, node.type(), node.name(), node.x(), node.y(), node.disabled(), node.config());
      }
      @SuppressWarnings("unchecked")
      Map<String, Object> config = (Map<String, Object>) substitute(node.config(), scope);
      if (acceptsEnv.test(node.type())) {
        Map<String, Object> env = new LinkedHashMap<>();
        for (Map.Entry<String, Object> variable : scope.entrySet()) {
          env.put(variable.getKey(), variable.getValue());
        }
        if (config.get("env") instanceof Map<?, ?> given) {
          given.forEach((key, value) -> env.put(String.valueOf(key), value));
        }
        config.put("env", env);
      }
      return new FlowNode(
          id, node.type(), node.name(), node.x(), node.y(), node.disabled(), config);
    }

    private static FlowNode junction(String id, FlowNode instance, String name) {
      return new FlowNode(id, "junction", name, instance.x(), instance.y(), false, Map.of());
    }
  }

  /** An instance's env: Node-RED's list of {@code {name, type, value}}, or an object. */
  private static List<Subflow.EnvProperty> instanceEnv(FlowNode instance, String where) {
    Object env = instance.config().get("env");
    List<Subflow.EnvProperty> properties = new ArrayList<>();
    if (env == null) {
      return properties;
    }
    if (env instanceof Map<?, ?> map) {
      map.forEach(
          (name, value) ->
              properties.add(
                  new Subflow.EnvProperty(
                      String.valueOf(name), value instanceof String ? "str" : "json", value)));
      return properties;
    }
    if (!(env instanceof List<?> list)) {
      throw new IllegalArgumentException(
          where + ": env must be a list of {name, type, value}, got " + JsonCodec.describe(env));
    }
    for (int i = 0; i < list.size(); i++) {
      if (!(list.get(i) instanceof Map<?, ?> item) || !(item.get("name") instanceof String name)) {
        throw new IllegalArgumentException(
            where + ": env[" + i + "] must be {name, type, value}, got " + list.get(i));
      }
      Object type = item.get("type");
      properties.add(
          new Subflow.EnvProperty(name, type == null ? "str" : type.toString(), item.get("value")));
    }
    return properties;
  }

  /** An env property's value in JSON's value model, read as its type says. */
  private static Object value(String type, Object raw, Map<String, Object> scope, String where) {
    String text = raw == null ? "" : raw instanceof String s ? s : JsonCodec.writeString(raw);
    return switch (type) {
      case "num" -> {
        if (raw instanceof Number) {
          yield raw;
        }
        try {
          BigDecimal number = new BigDecimal(text.strip());
          yield number.scale() <= 0 && number.abs().compareTo(BigDecimal.valueOf(1L << 53)) < 0
              ? (Object) number.longValueExact()
              : (Object) number.doubleValue();
        } catch (NumberFormatException | ArithmeticException notNumber) {
          throw new IllegalArgumentException(
              where + ": env value '" + text + "' is not a number", notNumber);
        }
      }
      case "bool" -> raw instanceof Boolean ? raw : Boolean.valueOf("true".equals(text.strip()));
      case "json" -> {
        if (!(raw instanceof String)) {
          yield raw;
        }
        try {
          yield JsonCodec.parse(text);
        } catch (RuntimeException notJson) {
          throw new IllegalArgumentException(
              where + ": env value is not JSON: " + notJson.getMessage(), notJson);
        }
      }
      case "env" -> scope.containsKey(text) ? scope.get(text) : "${" + text + "}";
      default -> substituteText(text, scope);
    };
  }

  /** Replaces {@code ${NAME}} and env-typed values of names in scope, recursively. */
  private static Object substitute(Object value, Map<String, Object> scope) {
    if (value instanceof String text) {
      Matcher whole = VARIABLE.matcher(text);
      if (whole.matches() && scope.containsKey(whole.group(1).strip())) {
        return scope.get(whole.group(1).strip());
      }
      return substituteText(text, scope);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      for (Object item : list) {
        copy.add(substitute(item, scope));
      }
      return copy;
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> copy = new LinkedHashMap<>();
      map.forEach((key, item) -> copy.put(String.valueOf(key), substitute(item, scope)));
      for (String[] pair : TYPED_PAIRS) {
        if ("env".equals(copy.get(pair[1]))
            && copy.get(pair[0]) instanceof String name
            && scope.containsKey(name.strip())) {
          Object resolved = scope.get(name.strip());
          copy.put(
              pair[0], resolved instanceof String ? resolved : JsonCodec.writeString(resolved));
          copy.put(pair[1], typeOf(resolved));
        }
      }
      return copy;
    }
    return value;
  }

  private static String typeOf(Object value) {
    return switch (value) {
      case Number number -> "num";
      case Boolean bool -> "bool";
      case String text -> "str";
      default -> "json";
    };
  }

  private static String substituteText(String text, Map<String, Object> scope) {
    if (text.indexOf("${") < 0) {
      return text;
    }
    Matcher matcher = VARIABLE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String name = matcher.group(1).strip();
      String replacement;
      if (scope.containsKey(name)) {
        Object value = scope.get(name);
        replacement = value instanceof String s ? s : JsonCodec.writeString(value);
      } else {
        replacement = matcher.group();
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    matcher.appendTail(out);
    return out.toString();
  }
}
