package dev.z8run.api.flows;

import dev.z8run.api.http.ApiException;
import dev.z8run.core.flow.ConfigNode;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowGroup;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Subflow;
import dev.z8run.core.flow.Wire;
import dev.z8run.io.json.JsonCodec;
import io.helidon.http.Status;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Turns a Node-RED {@code flows.json} export (a JSON array of nodes, tabs, groups, subflows and
 * config nodes) into flows: each tab becomes a flow, each node's {@code wires} (an array per output
 * port) become wires, and the node types this server has are mapped to ours. Nothing is refused:
 *
 * <ul>
 *   <li>a node whose type (or option) has no counterpart here is kept switched off, with its
 *       Node-RED type and every setting, so that the rest of the flow runs and an export back to
 *       Node-RED gives it back (unless the caller asks for a strict import, which then fails);
 *   <li>groups are kept with their members and style ({@code type: "group"});
 *   <li>config nodes (nodes without a tab, such as {@code mqtt-broker} or {@code tls-config}) are
 *       kept with each flow whose nodes refer to them, else with the first flow;
 *   <li>subflows ({@code type: "subflow"} and the nodes inside them) are kept as definitions with
 *       each flow that uses them, and their instances ({@code subflow:<id>}) with their env
 *       properties; {@link dev.z8run.core.flow.Subflows} expands them when the flow is deployed.
 * </ul>
 *
 * <p>Every Node-RED node gets a line in the {@linkplain Result#report() report}, worded for the
 * person importing: imported, imported with a changed option (which, and why), disabled (why), kept
 * as a group, config node or subflow.
 *
 * <p>Mapped: {@code change}, {@code function}, {@code debug}, {@code junction}, {@code http in} (in
 * Node-RED's message mode), {@code http response}, {@code switch}, {@code json}, {@code template},
 * {@code http request}, {@code split}, {@code range}, {@code comment}, {@code rbe}, {@code
 * trigger}, the parser and sequence nodes of {@link NodeRedParsers} ({@code csv}, {@code xml},
 * {@code html}, {@code yaml}, {@code sort}, {@code batch}), the flow-control nodes of {@link
 * NodeRedFlowControl} ({@code inject}, {@code delay}, {@code join}, {@code catch}, {@code status},
 * {@code complete}, {@code link in/out/call}), and the data nodes of {@link NodeRedDataNodes}
 * ({@code mqtt in/out}, {@code sqlite}, {@code mysql}, {@code postgresql}); Node-RED's field names
 * become ours as each node's reference page (docs/nodes) lists them.
 */
public final class NodeRedImport {
  /** A node that could not be mapped and was kept switched off. */
  public record Unsupported(String nodeId, String type, String tab) {}

  /**
   * What became of one Node-RED node.
   *
   * @param tab the Node-RED tab (flow) it was on; the subflow's id inside a subflow; empty for a
   *     config node
   * @param nodeRedType its type in Node-RED
   * @param type ours: a node type, {@code group}, {@code config} or {@code subflow}; its Node-RED
   *     type when it was kept switched off
   * @param outcome {@code imported}, {@code changed} (imported with an option changed, see note),
   *     {@code disabled} (kept switched off), {@code group}, {@code config} or {@code subflow}
   * @param note for the person importing: what changed or why it is switched off; empty when
   *     imported as it was
   */
  public record ReportEntry(
      String tab,
      String nodeId,
      String name,
      String nodeRedType,
      String type,
      String outcome,
      String note) {
    /** As the API answers it. */
    public Map<String, Object> toMap() {
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("node_id", nodeId);
      line.put("name", name);
      line.put("node_red_type", nodeRedType);
      line.put("type", type);
      line.put("outcome", outcome);
      line.put("note", note);
      return line;
    }
  }

  /**
   * The flows found (with their groups, config nodes and subflows), the nodes kept switched off,
   * what mapped nodes lost on the way (one sentence naming the node each), and a line per node.
   */
  public record Result(
      List<Flow> flows,
      List<Unsupported> unsupported,
      List<String> warnings,
      List<ReportEntry> report) {
    /** The report lines of one flow (by its Node-RED tab id): its nodes and what it keeps. */
    public List<ReportEntry> reportOf(Flow tab) {
      Set<String> kept = new HashSet<>();
      tab.configNodes().forEach(config -> kept.add(config.id()));
      tab.subflows().forEach(subflow -> kept.add(subflow.id()));
      List<ReportEntry> lines = new ArrayList<>();
      for (ReportEntry entry : report) {
        if (entry.tab().equals(tab.id())
            || kept.contains(entry.nodeId())
            || kept.contains(entry.tab())) {
          lines.add(entry);
        }
      }
      return lines;
    }
  }

  /** Node-RED fields every node has, which are not settings. */
  private static final Set<String> NOT_SETTINGS =
      Set.of("id", "type", "z", "g", "x", "y", "w", "h", "wires", "name", "d");

  private NodeRedImport() {}

  /** Whether {@code body} looks like a Node-RED export. */
  public static boolean isNodeRed(Object body) {
    return body instanceof List<?> list
        && !list.isEmpty()
        && list.stream().allMatch(item -> item instanceof Map<?, ?> map && map.get("type") != null);
  }

  /** As {@link #convert(List, boolean)} without strictness: nothing is refused. */
  public static Result convert(List<?> export) {
    return convert(export, false);
  }

  /**
   * Converts the export.
   *
   * @param strict refuse the whole import when a node would be kept switched off
   * @throws ApiException 422 listing every node without a counterpart, when strict
   */
  public static Result convert(List<?> export, boolean strict) {
    Map<String, Map<?, ?>> tabs = new LinkedHashMap<>();
    Map<String, Map<?, ?>> subflowDefs = new LinkedHashMap<>();
    Map<String, List<Map<?, ?>>> nodesByTab = new LinkedHashMap<>();
    List<Map<?, ?>> configs = new ArrayList<>();
    for (Object item : export) {
      Map<?, ?> node = (Map<?, ?>) item;
      String type = String.valueOf(node.get("type"));
      String id = String.valueOf(node.get("id"));
      if (type.equals("tab")) {
        tabs.put(id, node);
        nodesByTab.computeIfAbsent(id, key -> new ArrayList<>());
      } else if (type.equals("subflow")) {
        subflowDefs.put(id, node);
      } else if (node.get("z") == null || "".equals(node.get("z"))) {
        if (!type.equals("group")) {
          configs.add(node);
        }
      } else {
        nodesByTab
            .computeIfAbsent(String.valueOf(node.get("z")), key -> new ArrayList<>())
            .add(node);
      }
    }
    List<Unsupported> unsupported = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    List<ReportEntry> report = new ArrayList<>();
    // subflows first: their nodes convert like a tab's
    Map<String, Subflow> subflows = new LinkedHashMap<>();
    for (Map.Entry<String, Map<?, ?>> definition : subflowDefs.entrySet()) {
      String id = definition.getKey();
      Converted inner =
          convertNodes(id, nodesByTab.getOrDefault(id, List.of()), unsupported, warnings, report);
      subflows.put(id, subflow(definition.getValue(), inner));
      report.add(
          new ReportEntry(
              id,
              id,
              str(definition.getValue().get("name")),
              "subflow",
              "subflow",
              "subflow",
              "kept as a subflow: its "
                  + inner.nodes.size()
                  + " node(s) run in each instance, with the instance's env properties"));
    }
    List<Flow> flows = new ArrayList<>();
    for (Map.Entry<String, List<Map<?, ?>>> tab : nodesByTab.entrySet()) {
      if (subflowDefs.containsKey(tab.getKey())) {
        continue;
      }
      Map<?, ?> tabNode = tabs.getOrDefault(tab.getKey(), Map.of());
      Converted converted =
          convertNodes(tab.getKey(), tab.getValue(), unsupported, warnings, report);
      String name =
          tabNode.get("label") instanceof String label ? label : "Node-RED flow " + tab.getKey();
      String info = tabNode.get("info") instanceof String text ? text : "";
      List<Subflow> used = usedSubflows(converted.nodes, subflows);
      Set<String> referenced = new HashSet<>(converted.references);
      used.forEach(subflow -> referenced.addAll(subflowReferences(subflow, nodesByTab)));
      flows.add(
          new Flow(
              tab.getKey(),
              name,
              info,
              converted.nodes,
              converted.wires,
              converted.groups,
              configNodesFor(referenced, configs, flows.isEmpty()),
              used,
              null,
              null));
    }
    for (Map<?, ?> config : configs) {
      String type = String.valueOf(config.get("type"));
      report.add(
          new ReportEntry(
              "",
              String.valueOf(config.get("id")),
              str(config.get("name")),
              type,
              "config",
              "config",
              "kept with the flow as shared settings ('"
                  + type
                  + "'); the nodes that use them are listed separately"));
    }
    if (!unsupported.isEmpty() && strict) {
      List<Map<String, Object>> problems = new ArrayList<>();
      for (Unsupported node : unsupported) {
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("node_id", node.nodeId());
        problem.put("field", "type");
        problem.put("code", "UNSUPPORTED_NODE_RED_TYPE");
        problem.put(
            "message",
            "Node-RED node '"
                + node.nodeId()
                + "' ("
                + node.type()
                + ") has no counterpart here yet");
        problems.add(problem);
      }
      throw new ApiException(
          Status.create(422, "Unprocessable Entity"),
          unsupported.size()
              + " Node-RED node(s) have no counterpart here yet; they can be imported switched"
              + " off, with their settings, while the rest of the flow runs",
          problems);
    }
    return new Result(flows, unsupported, warnings, report);
  }

  /** One tab's (or subflow's) nodes converted. */
  private static final class Converted {
    final List<FlowNode> nodes = new ArrayList<>();
    final List<Wire> wires = new ArrayList<>();
    final List<FlowGroup> groups = new ArrayList<>();
    final Set<String> references = new HashSet<>();
  }

  private static Converted convertNodes(
      String tab,
      List<Map<?, ?>> nodes,
      List<Unsupported> unsupported,
      List<String> warnings,
      List<ReportEntry> report) {
    Converted converted = new Converted();
    for (Map<?, ?> node : nodes) {
      String id = String.valueOf(node.get("id"));
      String type = String.valueOf(node.get("type"));
      collectReferences(node, converted.references);
      if (type.equals("group")) {
        converted.groups.add(group(node, id));
        report.add(
            new ReportEntry(
                tab,
                id,
                str(node.get("name")),
                type,
                "group",
                "group",
                "kept with its members and style"));
        continue;
      }
      List<String> notes = new ArrayList<>();
      FlowNode mapped;
      String outcome;
      if (type.startsWith(Subflow.TYPE_PREFIX)) {
        mapped = instance(node, id, type);
        outcome = "imported";
      } else {
        mapped = map(node, id, type, notes);
        outcome = notes.isEmpty() ? "imported" : "changed";
      }
      String note = String.join("; ", notes);
      if (mapped == null) {
        unsupported.add(new Unsupported(id, type, tab));
        mapped = keptDisabled(node, id, type);
        outcome = "disabled";
        note =
            notes.isEmpty()
                ? "Node-RED's '"
                    + type
                    + "' node has no counterpart here yet: it was kept switched off, with its"
                    + " settings, and the rest of the flow runs without it"
                : String.join("; ", notes)
                    + ": it was kept switched off, with its settings, and the rest of the flow"
                    + " runs without it";
      }
      for (String line : notes) {
        warnings.add("Node-RED node '" + id + "' (" + type + "): " + line);
      }
      converted.nodes.add(mapped);
      report.add(new ReportEntry(tab, id, mapped.name(), type, mapped.type(), outcome, note));
      if (node.get("wires") instanceof List<?> ports) {
        for (int port = 0; port < ports.size(); port++) {
          if (ports.get(port) instanceof List<?> targets) {
            for (Object target : targets) {
              String to = wireTarget(target);
              if (to != null) {
                converted.wires.add(new Wire(id, port, to, 0));
              } else {
                warnings.add(
                    "Node-RED node '"
                        + id
                        + "' ("
                        + type
                        + "): wires["
                        + port
                        + "] has a target that is not a node id ("
                        + JsonCodec.describe(target)
                        + "); that wire was left out, as Node-RED sends nothing along it");
              }
            }
          }
        }
      }
    }
    return converted;
  }

  /**
   * The node id a Node-RED wire leads to: a non-empty string (or an integer, which Node-RED looks
   * up as its text); null for anything else ({@code null}, an object), which leads nowhere.
   */
  private static String wireTarget(Object target) {
    if (target instanceof String id && !id.isEmpty()) {
      return id;
    }
    if (target instanceof Long || target instanceof Integer) {
      return String.valueOf(target);
    }
    return null;
  }

  /** A node without a counterpart: switched off, with its Node-RED type and settings. */
  private static FlowNode keptDisabled(Map<?, ?> node, String id, String type) {
    Map<String, Object> config = new LinkedHashMap<>();
    node.forEach(
        (key, value) -> {
          if (!NOT_SETTINGS.contains(String.valueOf(key))) {
            config.put(String.valueOf(key), value);
          }
        });
    return new FlowNode(id, type, label(node, type), x(node), y(node), true, config);
  }

  private static FlowGroup group(Map<?, ?> node, String id) {
    List<String> members = new ArrayList<>();
    if (node.get("nodes") instanceof List<?> list) {
      list.forEach(member -> members.add(String.valueOf(member)));
    }
    Map<String, Object> style = new LinkedHashMap<>();
    if (node.get("style") instanceof Map<?, ?> given) {
      given.forEach((key, value) -> style.put(String.valueOf(key), value));
    }
    return new FlowGroup(id, str(node.get("name")), members, style);
  }

  /** A subflow instance: its type kept, its env properties in config {@code env}. */
  private static FlowNode instance(Map<?, ?> node, String id, String type) {
    Map<String, Object> config = new LinkedHashMap<>();
    if (node.get("env") instanceof List<?> env) {
      config.put("env", env);
    }
    return new FlowNode(
        id, type, label(node, type), x(node), y(node), Boolean.TRUE.equals(node.get("d")), config);
  }

  private static Subflow subflow(Map<?, ?> definition, Converted inner) {
    String id = String.valueOf(definition.get("id"));
    List<Subflow.PortLink> in = new ArrayList<>();
    int inputs = 0;
    if (definition.get("in") instanceof List<?> ports && !ports.isEmpty()) {
      inputs = 1;
      if (ports.get(0) instanceof Map<?, ?> port && port.get("wires") instanceof List<?> wires) {
        for (Object wire : wires) {
          if (wire instanceof Map<?, ?> link) {
            in.add(new Subflow.PortLink(String.valueOf(link.get("id")), 0));
          }
        }
      }
    }
    List<List<Subflow.PortLink>> out = new ArrayList<>();
    if (definition.get("out") instanceof List<?> ports) {
      for (Object raw : ports) {
        List<Subflow.PortLink> links = new ArrayList<>();
        if (raw instanceof Map<?, ?> port && port.get("wires") instanceof List<?> wires) {
          for (int w = 0; w < wires.size(); w++) {
            if (wires.get(w) instanceof Map<?, ?> link) {
              int portNumber =
                  linkPort(link.get("port"), id, "out[" + out.size() + "].wires[" + w + "].port");
              links.add(new Subflow.PortLink(String.valueOf(link.get("id")), portNumber));
            }
          }
        }
        out.add(links);
      }
    }
    List<Subflow.EnvProperty> env = new ArrayList<>();
    if (definition.get("env") instanceof List<?> properties) {
      for (Object raw : properties) {
        if (raw instanceof Map<?, ?> property && property.get("name") instanceof String name) {
          env.add(
              new Subflow.EnvProperty(
                  name,
                  property.get("type") == null ? "str" : String.valueOf(property.get("type")),
                  property.get("value")));
        }
      }
    }
    return new Subflow(
        id,
        str(definition.get("name")),
        str(definition.get("info")),
        inputs,
        in,
        out,
        env,
        inner.nodes,
        inner.wires);
  }

  /**
   * A subflow output's wire's {@code port}: absent (or null) is 0; else a non-negative integer.
   *
   * @throws ApiException 400 naming the field ({@code field}) otherwise
   */
  private static int linkPort(Object port, String subflowId, String field) {
    if (port == null) {
      return 0;
    }
    if (port instanceof Number number) {
      double value = number.doubleValue();
      if (value >= 0 && value <= Integer.MAX_VALUE && value == Math.rint(value)) {
        return (int) value;
      }
    }
    throw ApiException.badRequest(
        "Node-RED subflow '"
            + subflowId
            + "': "
            + field
            + ": expected a non-negative integer, got "
            + JsonCodec.describe(port));
  }

  /** The subflows the nodes use, nested ones included, in definition order. */
  private static List<Subflow> usedSubflows(List<FlowNode> nodes, Map<String, Subflow> subflows) {
    Set<String> used = new java.util.LinkedHashSet<>();
    java.util.ArrayDeque<List<FlowNode>> pending = new java.util.ArrayDeque<>();
    pending.add(nodes);
    while (!pending.isEmpty()) {
      for (FlowNode node : pending.poll()) {
        if (node.type().startsWith(Subflow.TYPE_PREFIX)) {
          String id = node.type().substring(Subflow.TYPE_PREFIX.length());
          Subflow subflow = subflows.get(id);
          if (subflow != null && used.add(id)) {
            pending.add(subflow.nodes());
          }
        }
      }
    }
    List<Subflow> result = new ArrayList<>();
    for (Subflow subflow : subflows.values()) {
      if (used.contains(subflow.id())) {
        result.add(subflow);
      }
    }
    return result;
  }

  private static Set<String> subflowReferences(
      Subflow subflow, Map<String, List<Map<?, ?>>> nodesByTab) {
    Set<String> references = new HashSet<>();
    for (Map<?, ?> node : nodesByTab.getOrDefault(subflow.id(), List.of())) {
      collectReferences(node, references);
    }
    return references;
  }

  /** Every string value of a node's settings: config node ids among them. */
  private static void collectReferences(Map<?, ?> node, Set<String> into) {
    node.forEach(
        (key, value) -> {
          if (value instanceof String text && !NOT_SETTINGS.contains(String.valueOf(key))) {
            into.add(text);
          }
        });
  }

  /** The config nodes a flow refers to; every unreferenced one goes with the first flow. */
  private static List<ConfigNode> configNodesFor(
      Set<String> referenced, List<Map<?, ?>> configs, boolean first) {
    List<ConfigNode> kept = new ArrayList<>();
    for (Map<?, ?> config : configs) {
      String id = String.valueOf(config.get("id"));
      if (referenced.contains(id) || first) {
        Map<String, Object> settings = new LinkedHashMap<>();
        config.forEach(
            (key, value) -> {
              if (!NOT_SETTINGS.contains(String.valueOf(key))) {
                settings.put(String.valueOf(key), value);
              }
            });
        kept.add(
            new ConfigNode(
                id, String.valueOf(config.get("type")), str(config.get("name")), settings));
      }
    }
    return kept;
  }

  private static FlowNode map(Map<?, ?> node, String id, String type, List<String> warnings) {
    Map<String, Object> config = new LinkedHashMap<>();
    String ours;
    switch (type) {
      case "change" -> {
        ours = "change";
        config.put("rules", node.get("rules") == null ? List.of() : node.get("rules"));
      }
      case "debug" -> {
        ours = "debug";
        Object complete = node.get("complete");
        if ("jsonata".equals(node.get("targetType")) && complete instanceof String expression) {
          config.put("expression", expression);
        } else if ("true".equals(String.valueOf(complete))) {
          config.put("complete", true);
        } else if (complete instanceof String property
            && !property.isBlank()
            && !property.equals("false")) {
          config.put("property", property);
        }
        config.put("active", !Boolean.FALSE.equals(node.get("active")));
        config.put("console", Boolean.TRUE.equals(node.get("console")));
      }
      case "function" -> {
        ours = "function";
        mapFunction(node, id, config, warnings);
      }
      case "junction" -> ours = "junction";
      case "http in" -> {
        ours = "http-in";
        Object method = node.get("method");
        Object url = node.get("url");
        config.put("method", (method == null ? "get" : method.toString()).toUpperCase(Locale.ROOT));
        config.put("path", url == null ? "/" : url.toString());
        config.put("mode", "node-red");
        if (Boolean.TRUE.equals(node.get("upload"))) {
          warnings.add(
              "'accept file uploads' is not supported: a multipart body arrives as text in"
                  + " msg.payload, without msg.req.files");
        }
      }
      case "http response" -> {
        ours = "http-out";
        Object status = node.get("statusCode");
        if (status != null && !String.valueOf(status).isBlank()) {
          try {
            config.put("statusCode", Long.parseLong(String.valueOf(status).strip()));
          } catch (NumberFormatException notNumber) {
            throw ApiException.badRequest(
                "Node-RED node '"
                    + id
                    + "': statusCode "
                    + JsonCodec.describe(status)
                    + " is not a number");
          }
        }
        if (node.get("headers") instanceof Map<?, ?> headers && !headers.isEmpty()) {
          config.put("headers", headers);
        }
      }
      case "switch" -> {
        ours = "switch";
        copy(node, "property", config, "property");
        if (!isMsg(node.get("propertyType"))) {
          config.put("propertyType", node.get("propertyType"));
        }
        if (Boolean.TRUE.equals(node.get("repair"))) {
          config.put("repair", true);
        }
        config.put("rules", node.get("rules") == null ? List.of() : node.get("rules"));
        config.put("checkall", !"false".equals(String.valueOf(node.get("checkall"))));
      }
      case "json" -> {
        ours = "json";
        config.put(
            "action",
            switch (String.valueOf(node.get("action"))) {
              case "str" -> "stringify";
              case "obj" -> "parse";
              default -> "toggle";
            });
        copy(node, "property", config, "property");
        config.put("pretty", Boolean.TRUE.equals(node.get("pretty")));
      }
      case "template" -> {
        ours = "template";
        copy(node, "field", config, "field");
        copy(node, "syntax", config, "syntax");
        if (!isMsg(node.get("fieldType"))) {
          config.put("fieldType", node.get("fieldType"));
        }
        copy(node, "output", config, "output");
        config.put("template", node.get("template") == null ? "" : node.get("template"));
      }
      case "http request" -> {
        ours = "http-request";
        copy(node, "url", config, "url");
        Object method = node.get("method");
        config.put(
            "method",
            method == null || "use".equals(method)
                ? "use"
                : method.toString().toUpperCase(Locale.ROOT));
        config.put(
            "responseType",
            switch (String.valueOf(node.get("ret"))) {
              case "obj" -> "json";
              case "bin" -> "binary";
              default -> "text";
            });
        Map<String, Object> headers = headers(node.get("headers"));
        if (!headers.isEmpty()) {
          config.put("headers", headers);
        }
        if ("query".equals(node.get("paytoqs")) || Boolean.TRUE.equals(node.get("paytoqs"))) {
          config.put("payloadToQuery", true); // Node-RED before 1.1 wrote paytoqs: true
        } else if ("body".equals(node.get("paytoqs"))) {
          config.put("payloadAsBody", true);
        }
      }
      case "split" -> {
        ours = "split";
        String splitter = node.get("splt") == null ? "\\n" : node.get("splt").toString();
        if ("len".equals(node.get("spltType"))) {
          config.put("chunkLength", integer(id, "splt", splitter));
        } else {
          config.put(
              "delimiter", splitter.replace("\\n", "\n").replace("\\r", "\r").replace("\\t", "\t"));
        }
        if (node.get("arraySplt") != null && !"".equals(node.get("arraySplt"))) {
          config.put("arrayChunk", integer(id, "arraySplt", node.get("arraySplt")));
        }
        if (node.get("addname") instanceof String name && !name.isBlank()) {
          config.put("keyProperty", name);
        }
        copy(node, "property", config, "property");
      }
      case "range" -> {
        ours = "range";
        for (String field : List.of("minin", "maxin", "minout", "maxout")) {
          if (node.get(field) != null && !"".equals(node.get(field))) {
            config.put(field, typed(String.valueOf(node.get(field)), "num"));
          }
        }
        copy(node, "action", config, "action");
        config.put("round", Boolean.TRUE.equals(node.get("round")));
        copy(node, "property", config, "property");
      }
      case "comment" -> {
        ours = "comment";
        copy(node, "info", config, "info");
      }
      case "rbe" -> {
        ours = "rbe";
        for (String field : List.of("func", "gap", "start", "inout", "property", "topi")) {
          if (node.get(field) != null && !"".equals(node.get(field))) {
            config.put(field, String.valueOf(node.get(field)));
          }
        }
        if (node.get("septopics") instanceof Boolean separate) {
          config.put("septopics", separate);
        }
      }
      case "trigger" -> {
        ours = "trigger";
        for (String field :
            List.of(
                "op1",
                "op1type",
                "op2",
                "op2type",
                "duration",
                "units",
                "extend",
                "overrideDelay",
                "reset",
                "bytopic",
                "topic",
                "outputs")) {
          if (node.get(field) != null && !"".equals(node.get(field))) {
            config.put(field, node.get(field));
          }
        }
      }
      default -> {
        ours = NodeRedFlowControl.map(type, node, config, warnings);
        if (ours == null && warnings.isEmpty()) {
          ours = NodeRedParsers.map(type, node, config, warnings);
        }
        if (ours == null && warnings.isEmpty()) {
          ours = NodeRedDataNodes.map(type, node, config, warnings);
        }
        if (ours == null) {
          return null;
        }
      }
    }
    return new FlowNode(
        id, ours, label(node, type), x(node), y(node), Boolean.TRUE.equals(node.get("d")), config);
  }

  /**
   * Node-RED's function node: {@code func}, {@code outputs}, the On Start / On Stop code and its
   * {@code timeout} (seconds, 0 = none: ours then keeps its default CPU limit). {@code libs}
   * (modules loaded with require) cannot work in the sandbox and are dropped with a warning.
   */
  private static void mapFunction(
      Map<?, ?> node, String id, Map<String, Object> config, List<String> warnings) {
    config.put("func", node.get("func") instanceof String func ? func : "");
    long outputs = number(node, id, "outputs", 1);
    config.put("outputs", outputs);
    for (String code : List.of("initialize", "finalize")) {
      if (node.get(code) instanceof String text && !text.isBlank()) {
        config.put(code, text);
      }
    }
    long timeoutSeconds = number(node, id, "timeout", 0);
    if (timeoutSeconds > 0) {
      config.put("timeoutMs", timeoutSeconds * 1000);
    }
    if (node.get("libs") instanceof List<?> libs && !libs.isEmpty()) {
      List<String> modules = new ArrayList<>();
      for (Object lib : libs) {
        modules.add(
            lib instanceof Map<?, ?> entry
                ? String.valueOf(entry.get("module"))
                : String.valueOf(lib));
      }
      warnings.add(
          "the modules it loads ("
              + String.join(", ", modules)
              + ") are not available: function nodes cannot load modules here");
    }
  }

  /**
   * A whole number Node-RED may have written as a number or a string; blank is {@code fallback}.
   */
  private static long number(Map<?, ?> node, String id, String field, long fallback) {
    Object value = node.get(field);
    if (value == null || String.valueOf(value).isBlank()) {
      return fallback;
    }
    return value instanceof Number number
        ? number.longValue()
        : parseLong(id, field, value, "a number");
  }

  /**
   * Whether a Node-RED property type is absent or {@code msg} (flow and global context are not).
   */
  private static boolean isMsg(Object type) {
    return type == null || "".equals(type) || "msg".equals(type);
  }

  /** Copies a non-blank string field under our name. */
  private static void copy(Map<?, ?> node, String theirs, Map<String, Object> config, String ours) {
    if (node.get(theirs) instanceof String value && !value.isBlank()) {
      config.put(ours, value);
    }
  }

  private static long integer(String id, String field, Object value) {
    return parseLong(id, field, value, "a whole number");
  }

  /** {@code value}'s text as a long; else a 400 saying it is not {@code expected}. */
  private static long parseLong(String id, String field, Object value, String expected) {
    try {
      return Long.parseLong(String.valueOf(value).strip());
    } catch (NumberFormatException notNumber) {
      throw ApiException.badRequest(
          "Node-RED node '"
              + id
              + "': "
              + field
              + " "
              + JsonCodec.describe(value)
              + " is not "
              + expected);
    }
  }

  /**
   * Node-RED 3's request headers ({@code [{keyType, keyValue, valueType, valueValue}]}, a type
   * other than {@code other} being the header name or value itself) or the older object form.
   */
  private static Map<String, Object> headers(Object raw) {
    Map<String, Object> headers = new LinkedHashMap<>();
    if (raw instanceof Map<?, ?> map) {
      map.forEach((name, value) -> headers.put(String.valueOf(name), String.valueOf(value)));
    } else if (raw instanceof List<?> list) {
      for (Object item : list) {
        if (item instanceof Map<?, ?> header) {
          String name =
              "other".equals(header.get("keyType"))
                  ? str(header.get("keyValue"))
                  : str(header.get("keyType"));
          String value =
              "other".equals(header.get("valueType"))
                  ? str(header.get("valueValue"))
                  : str(header.get("valueType"));
          if (!name.isBlank()) {
            headers.put(name, value);
          }
        }
      }
    }
    return headers;
  }

  private static String str(Object value) {
    return value == null ? "" : value.toString();
  }

  /** Node-RED's typed input: the string as the JSON value its type names. */
  private static Object typed(String value, String type) {
    return switch (type) {
      case "num" -> {
        try {
          yield new java.math.BigDecimal(value.strip());
        } catch (NumberFormatException notNumber) {
          yield value;
        }
      }
      case "bool" -> Boolean.parseBoolean(value);
      case "json" -> {
        try {
          yield JsonCodec.parse(value);
        } catch (RuntimeException notJson) {
          yield value;
        }
      }
      default -> value;
    };
  }

  private static String label(Map<?, ?> node, String type) {
    return node.get("name") instanceof String name && !name.isBlank() ? name : type;
  }

  private static double x(Map<?, ?> node) {
    return node.get("x") instanceof Number x ? x.doubleValue() : 0;
  }

  private static double y(Map<?, ?> node) {
    return node.get("y") instanceof Number y ? y.doubleValue() : 0;
  }
}
