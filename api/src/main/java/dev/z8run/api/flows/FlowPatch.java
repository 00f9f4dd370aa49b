package dev.z8run.api.flows;

import dev.z8run.api.http.ApiException;
import dev.z8run.core.flow.Canvas;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowCodec;
import dev.z8run.io.json.JsonCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a save ({@code PUT /api/v1/flows/{id}}, the socket's FLOW_UPDATE) does to a stored flow:
 * every field the body carries replaces the stored one, and every field it leaves out is kept, so
 * that z8run's editor (which sends {@code name}, {@code canvas_nodes}, {@code canvas_edges} and
 * {@code viewport}) and this server's editor (which sends the whole document) both save what they
 * mean and nothing else is lost.
 *
 * <ul>
 *   <li>{@code nodes} and {@code wires} go together: {@code nodes} without {@code wires} means a
 *       flow without wires, {@code wires} alone rewires the stored nodes. Either drops a stored
 *       z8run canvas (it is made again from the new nodes when asked for).
 *   <li>{@code canvas_nodes} / {@code canvas_edges} (z8run's editor state) become the nodes and
 *       wires ({@link FlowDocuments#fromCanvas}) and are kept as sent; one without the other keeps
 *       the other as it was.
 *   <li>A body with both kinds is accepted only when its canvas is the one the flow already has (a
 *       document read with GET and sent back): otherwise which one is meant cannot be told.
 *   <li>{@code name}, {@code description}, {@code groups}, {@code config_nodes}, {@code subflows}
 *       and {@code viewport} replace the stored ones; JSON {@code null} resets one to its default.
 *   <li>{@code id} may be given when it is the flow's own; {@code status}, {@code revision}, {@code
 *       running}, {@code created_at}, {@code updated_at} and {@code version} (what GET adds) are
 *       read-only and ignored. Any other field is a 400 naming it.
 * </ul>
 */
public final class FlowPatch {
  /** Fields GET answers that a save may carry back unchanged; they are not the save's to set. */
  public static final Set<String> READ_ONLY =
      Set.of("status", "revision", "running", "created_at", "updated_at", "version");

  private static final Set<String> GRAPH = Set.of("nodes", "wires");
  private static final Set<String> CANVAS = Set.of("canvas_nodes", "canvas_edges");

  private FlowPatch() {}

  /**
   * Throws 400 naming the first field that is neither a flow document's ({@link
   * FlowCodec#TOP_LEVEL_FIELDS}) nor a read-only one GET answers.
   */
  public static void requireKnownFields(Map<String, Object> body) {
    for (String field : body.keySet()) {
      if (!FlowCodec.TOP_LEVEL_FIELDS.contains(field) && !READ_ONLY.contains(field)) {
        throw ApiException.badRequest(
            "unknown field '"
                + field
                + "'; a flow has "
                + String.join(", ", FlowCodec.TOP_LEVEL_FIELDS)
                + " (and the read-only "
                + String.join(", ", READ_ONLY.stream().sorted().toList())
                + ")");
      }
    }
  }

  /**
   * The flow {@code current} becomes with {@code body} saved over it.
   *
   * @throws ApiException 400 naming an unknown, mistyped or contradictory field
   */
  public static Flow apply(Flow current, Map<String, Object> body, FlowDocuments documents) {
    requireKnownFields(body);
    Object id = body.get("id");
    if (id != null && !id.equals(current.id())) {
      throw ApiException.badRequest(
          "id: the body's id "
              + JsonCodec.describe(id)
              + " differs from the flow's '"
              + current.id()
              + "'");
    }
    boolean graph = body.keySet().stream().anyMatch(GRAPH::contains);
    boolean canvas = body.keySet().stream().anyMatch(CANVAS::contains);
    Canvas stored = documents.canvas(current);
    if (graph && canvas) {
      if (!sameJson(body.get("canvas_nodes"), stored.nodes())
          || !sameJson(body.get("canvas_edges"), stored.edges())) {
        throw ApiException.badRequest(
            "canvas_nodes/canvas_edges (z8run's editor state) and nodes/wires both describe the"
                + " flow's nodes, and they differ here: save one or the other");
      }
      canvas = false; // the document as read, sent back: its nodes and wires are what counts
    }
    Map<String, Object> merged = FlowCodec.toMap(current);
    if (graph
        && equal(
            body.containsKey("nodes") ? body.get("nodes") : merged.get("nodes"),
            merged.get("nodes"))
        && equal(body.get("wires") == null ? List.of() : body.get("wires"), merged.get("wires"))) {
      graph = false; // the nodes and wires as they are: a kept canvas still matches them
    }
    if (graph) {
      merged.remove("canvas_nodes");
      merged.remove("canvas_edges");
      if (body.containsKey("nodes")) {
        merged.put("nodes", body.get("nodes"));
        merged.put("wires", body.get("wires"));
      } else {
        merged.put("wires", body.get("wires"));
      }
    }
    if (canvas) {
      List<?> nodes =
          body.containsKey("canvas_nodes")
              ? list(body.get("canvas_nodes"), "canvas_nodes")
              : stored.nodes();
      List<?> edges =
          body.containsKey("canvas_edges")
              ? list(body.get("canvas_edges"), "canvas_edges")
              : stored.edges();
      FlowDocuments.Graph derived = documents.fromCanvas(nodes, edges, "");
      Map<String, Object> graphMap =
          FlowCodec.toMap(new Flow(current.id(), "", "", derived.nodes(), derived.wires()));
      merged.put("nodes", graphMap.get("nodes"));
      merged.put("wires", graphMap.get("wires"));
      merged.put("canvas_nodes", new ArrayList<>(nodes));
      merged.put("canvas_edges", new ArrayList<>(edges));
    }
    for (String field :
        List.of("name", "description", "groups", "config_nodes", "subflows", "viewport")) {
      if (body.containsKey(field)) {
        merged.put(field, body.get(field));
      }
    }
    merged.put("id", current.id());
    Flow flow;
    try {
      flow = FlowCodec.fromMap(merged);
    } catch (RuntimeException invalid) {
      throw ApiException.badRequest(invalid.getMessage());
    }
    return FlowDocuments.checkViewport(flow, "");
  }

  private static List<?> list(Object value, String field) {
    if (value instanceof List<?> list) {
      return list;
    }
    throw ApiException.badRequest(field + ": expected an array, got " + JsonCodec.describe(value));
  }

  /** JSON equality with numbers compared by value (100 and 100.0 are equal). */
  private static boolean sameJson(Object sent, Object kept) {
    if (sent == null) {
      return true; // not sent: nothing to contradict
    }
    return equal(sent, kept);
  }

  private static boolean equal(Object a, Object b) {
    if (a instanceof Number x && b instanceof Number y) {
      return x.doubleValue() == y.doubleValue();
    }
    if (a instanceof Map<?, ?> x && b instanceof Map<?, ?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (Map.Entry<?, ?> entry : x.entrySet()) {
        if (!y.containsKey(entry.getKey()) || !equal(entry.getValue(), y.get(entry.getKey()))) {
          return false;
        }
      }
      return true;
    }
    if (a instanceof List<?> x && b instanceof List<?> y) {
      if (x.size() != y.size()) {
        return false;
      }
      for (int i = 0; i < x.size(); i++) {
        if (!equal(x.get(i), y.get(i))) {
          return false;
        }
      }
      return true;
    }
    return a == null ? b == null : a.equals(b);
  }
}
