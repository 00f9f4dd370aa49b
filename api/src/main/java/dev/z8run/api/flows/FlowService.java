package dev.z8run.api.flows;

import dev.z8run.api.auth.Authenticator;
import dev.z8run.api.http.ApiException;
import dev.z8run.api.http.RequestBodies;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowCodec;
import dev.z8run.core.runtime.StopResult;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.store.ExecutionRecord;
import dev.z8run.store.FlowRecord;
import dev.z8run.store.RevisionInfo;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code /api/v1/flows}: the flows of the signed-in user. Another user's flow answers 404 like a
 * missing one. Shapes follow z8run's API (list items carry node and edge counts; create answers
 * {@code {"id","name","description","status","created_at"}}); see docs/api.md.
 */
public final class FlowService implements HttpService {
  private final FlowManager flows;
  private final FlowDocuments documents;
  private final int maxBodyBytes;

  public FlowService(FlowManager flows, int maxBodyBytes) {
    this.flows = flows;
    this.documents = flows.documents();
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public void routing(HttpRules rules) {
    rules
        .get("/", this::list)
        .post("/", this::create)
        .post("/import", this::importFlow)
        .post("/validate", this::validate)
        .get("/{id}", this::get)
        .put("/{id}", this::update)
        .delete("/{id}", this::delete)
        .post("/{id}/start", this::start)
        .post("/{id}/stop", this::stop)
        .get("/{id}/export", this::export)
        .get("/{id}/revisions", this::revisions)
        .get("/{id}/revisions/{n}", this::revision)
        .post("/{id}/rollback/{n}", this::rollback)
        .get("/{id}/executions", this::executions);
  }

  private void list(ServerRequest request, ServerResponse response) {
    List<Object> items = new ArrayList<>();
    for (FlowRecord record : flows.list(owner(request))) {
      items.add(FlowViews.listItem(record));
    }
    send(response, Status.OK_200, Map.of("flows", items, "total", items.size()));
  }

  private void create(ServerRequest request, ServerResponse response) {
    FlowRecord record =
        flows.createDocument(owner(request), RequestBodies.object(request, maxBodyBytes));
    send(response, Status.CREATED_201, FlowViews.created(record));
  }

  private void importFlow(ServerRequest request, ServerResponse response) {
    Object body = RequestBodies.json(request, maxBodyBytes);
    if (NodeRedImport.isNodeRed(body)) {
      importNodeRed(request, response, (List<?>) body);
      return;
    }
    Flow flow = documents.importDocument(body, UUID.randomUUID().toString());
    FlowRecord record = flows.create(owner(request), flow);
    Map<String, Object> imported;
    if (body instanceof Map<?, ?> document && document.containsKey("export_format")) {
      // z8run's import_flow answer (routes.rs): counts, not documents
      imported = new LinkedHashMap<>(FlowViews.created(record));
      imported.put("nodes", record.flow().nodes().size());
      imported.put("edges", record.flow().wires().size());
    } else {
      imported = new LinkedHashMap<>(detail(record));
    }
    imported.put("problems", flows.problems(record.flow()));
    send(response, Status.CREATED_201, imported);
  }

  /**
   * A Node-RED flows.json: every tab becomes a flow (a new id each), with a report line per node;
   * 201 {"flows":[...],"total","disabled","warnings"}. Nothing is refused unless {@code
   * strict=true}.
   */
  private void importNodeRed(ServerRequest request, ServerResponse response, List<?> export) {
    boolean strict = "true".equalsIgnoreCase(request.query().first("strict").orElse("false"));
    NodeRedImport.Result result = NodeRedImport.convert(export, strict);
    for (Flow tab : result.flows()) {
      FlowManager.requireName(tab); // all or nothing: no tab is created when one is refused
    }
    List<Object> created = new ArrayList<>();
    for (Flow tab : result.flows()) {
      FlowRecord record = flows.create(owner(request), tab.withId(UUID.randomUUID().toString()));
      Map<String, Object> item = new LinkedHashMap<>(detail(record));
      item.put("node_red_tab", tab.id());
      item.put("problems", flows.problems(record.flow()));
      List<Object> report = new ArrayList<>();
      for (NodeRedImport.ReportEntry entry : result.reportOf(tab)) {
        report.add(entry.toMap());
      }
      item.put("report", report);
      created.add(item);
    }
    List<Object> disabled = new ArrayList<>();
    for (NodeRedImport.Unsupported node : result.unsupported()) {
      disabled.add(Map.of("node_id", node.nodeId(), "type", node.type(), "tab", node.tab()));
    }
    send(
        response,
        Status.CREATED_201,
        Map.of(
            "flows",
            created,
            "total",
            created.size(),
            "disabled",
            disabled,
            "warnings",
            result.warnings()));
  }

  private void validate(ServerRequest request, ServerResponse response) {
    Map<String, Object> body =
        new LinkedHashMap<>(
            flows.documents().withGraphFromCanvas(RequestBodies.object(request, maxBodyBytes)));
    body.putIfAbsent("id", "unsaved");
    List<Map<String, Object>> problems = flows.problems(parse(body));
    send(response, Status.OK_200, Map.of("valid", problems.isEmpty(), "problems", problems));
  }

  private void get(ServerRequest request, ServerResponse response) {
    send(response, Status.OK_200, detail(found(request)));
  }

  /** A whole document or only some fields (z8run's editor saves its canvas): see FlowPatch. */
  private void update(ServerRequest request, ServerResponse response) {
    String id = id(request);
    Map<String, Object> body = RequestBodies.object(request, maxBodyBytes);
    FlowRecord record = flows.patch(owner(request), id, body).orElseThrow(() -> missing(id));
    send(response, Status.OK_200, detail(record));
  }

  /** z8run's answer: 200 {@code {"deleted": id}}. */
  private void delete(ServerRequest request, ServerResponse response) {
    String id = id(request);
    if (!flows.delete(owner(request), id)) {
      throw missing(id);
    }
    send(response, Status.OK_200, Map.of("deleted", id));
  }

  private void start(ServerRequest request, ServerResponse response) {
    String id = id(request);
    FlowRecord record = flows.start(owner(request), id).orElseThrow(() -> missing(id));
    send(response, Status.OK_200, FlowViews.started(record));
  }

  private void stop(ServerRequest request, ServerResponse response) {
    String id = id(request);
    StopResult result = flows.stop(owner(request), id).orElseThrow(() -> missing(id));
    send(response, Status.OK_200, FlowViews.stopped(id, result));
  }

  private void export(ServerRequest request, ServerResponse response) {
    FlowRecord record = found(request);
    response.header("Content-Disposition", "attachment; filename=\"" + record.id() + ".json\"");
    send(response, Status.OK_200, documents.export(record.flow(), record.revision()));
  }

  private void revisions(ServerRequest request, ServerResponse response) {
    String id = id(request);
    List<RevisionInfo> revisions = flows.revisions(owner(request), id);
    if (revisions.isEmpty()) {
      throw missing(id);
    }
    List<Object> items = new ArrayList<>();
    for (RevisionInfo info : revisions) {
      items.add(
          Map.of(
              "revision", info.revision(),
              "created_at", time(info.createdAtMs()),
              "nodes", info.nodeCount()));
    }
    send(response, Status.OK_200, Map.of("revisions", items, "total", items.size()));
  }

  private void revision(ServerRequest request, ServerResponse response) {
    String id = id(request);
    int n = revisionNumber(request);
    Flow flow =
        flows
            .revision(owner(request), id, n)
            .orElseThrow(() -> ApiException.notFound("flow '" + id + "' has no revision " + n));
    Map<String, Object> body = new LinkedHashMap<>(FlowCodec.toMap(flow));
    body.put("revision", n);
    send(response, Status.OK_200, body);
  }

  private void rollback(ServerRequest request, ServerResponse response) {
    String id = id(request);
    int n = revisionNumber(request);
    FlowRecord record =
        flows
            .rollback(owner(request), id, n)
            .orElseThrow(() -> ApiException.notFound("flow '" + id + "' has no revision " + n));
    send(response, Status.OK_200, detail(record));
  }

  private void executions(ServerRequest request, ServerResponse response) {
    String id = id(request);
    String owner = owner(request);
    if (flows.get(owner, id).isEmpty()) {
      throw missing(id);
    }
    int limit = 50;
    String requested = request.query().first("limit").orElse(null);
    if (requested != null) {
      try {
        limit = Math.max(1, Math.min(500, Integer.parseInt(requested)));
      } catch (NumberFormatException notNumber) {
        throw ApiException.badRequest("limit: expected a number, got '" + requested + "'");
      }
    }
    List<ExecutionRecord> records = flows.executions(owner, id, limit);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes("{\"executions\":[".getBytes(StandardCharsets.UTF_8));
    for (int i = 0; i < records.size(); i++) {
      if (i > 0) {
        out.write(',');
      }
      out.writeBytes(records.get(i).json());
    }
    out.writeBytes(("],\"total\":" + records.size() + "}").getBytes(StandardCharsets.UTF_8));
    response.headers().contentType(MediaTypes.APPLICATION_JSON);
    response.send(out.toByteArray());
  }

  private Map<String, Object> detail(FlowRecord record) {
    return FlowViews.detail(record, flows.engine().isRunning(record.id()), documents);
  }

  private FlowRecord found(ServerRequest request) {
    String id = id(request);
    return flows.get(owner(request), id).orElseThrow(() -> missing(id));
  }

  private static Flow parse(Map<String, Object> body) {
    return FlowViews.parse(body);
  }

  private static int revisionNumber(ServerRequest request) {
    String n = request.path().pathParameters().get("n");
    try {
      return Integer.parseInt(n);
    } catch (NumberFormatException notNumber) {
      throw ApiException.badRequest("revision: expected a number, got '" + n + "'");
    }
  }

  /**
   * The flow id of the path. One with a control character ({@code %00}) can name no stored flow
   * (the store refuses such keys): it is a flow nobody has, 404, as for any unknown id.
   */
  private static String id(ServerRequest request) {
    String id = request.path().pathParameters().get("id");
    for (int i = 0; i < id.length(); i++) {
      if (Character.isISOControl(id.charAt(i))) {
        throw missing(id);
      }
    }
    return id;
  }

  private static String owner(ServerRequest request) {
    return Authenticator.user(request).userId();
  }

  private static ApiException missing(String id) {
    return ApiException.notFound("no flow '" + id + "'");
  }

  private static String time(long epochMs) {
    return FlowViews.time(epochMs);
  }

  private static void send(ServerResponse response, Status status, Object body) {
    response.status(status);
    response.headers().contentType(MediaTypes.APPLICATION_JSON);
    response.send(JsonCodec.write(body));
  }
}
