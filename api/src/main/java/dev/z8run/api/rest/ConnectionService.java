package dev.z8run.api.rest;

import dev.z8run.api.auth.Authenticator;
import dev.z8run.api.auth.LoginRateLimiter;
import dev.z8run.api.http.ApiException;
import dev.z8run.api.http.ErrorResponses;
import dev.z8run.api.http.JsonBody;
import dev.z8run.api.http.NoContent;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.nodes.data.ConnectionKinds;
import dev.z8run.nodes.data.SqliteFiles;
import dev.z8run.nodes.support.ConnectionSettings;
import dev.z8run.nodes.support.LiveConnections;
import dev.z8run.nodes.support.OutboundPolicy;
import dev.z8run.store.ConnectionStore;
import dev.z8run.store.vault.Vault;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.http.NotFoundException;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code /api/v1/connections}: the signed-in user's shared connections (database servers, MQTT
 * brokers), which nodes name in their {@code connection} field.
 *
 * <pre>
 *   GET    /api/v1/connections            -&gt; 200 {"connections":[...],"total":N}
 *   GET    /api/v1/connections/kinds      -&gt; 200 {"kinds":[{kind,label,node_types,default_port,fields,options}]}
 *   GET    /api/v1/connections/live       -&gt; 200 {"live":[{kind,host,...,"users":N}]}  open clients
 *   POST   /api/v1/connections            {kind, host, ...} -&gt; 201 the connection
 *   GET    /api/v1/connections/{id}       -&gt; 200, 404
 *   PUT    /api/v1/connections/{id}       {kind, host, ...} -&gt; 200 replaced, 201 new
 *   DELETE /api/v1/connections/{id}       -&gt; 204, 404
 *   POST   /api/v1/connections/{id}/test  -&gt; 200 {"ok","message","ms"}; 429 + Retry-After past
 *                                           the limit (10 tests a minute per user)
 * </pre>
 *
 * <p>A connection is {@code id} ({@code [A-Za-z0-9_.-]}, at most 64), {@code name}, {@code kind}
 * (one of {@code /kinds}), {@code host}, {@code port}, {@code database} (the client id for MQTT),
 * {@code user}, {@code password}, {@code tls} and the kind's options. The password never comes
 * back: a plain one goes into the vault and the answer says {@code "password":"set"}; a {@code
 * vault:<key>} reference is kept and shown as it is. Tests run against the server's outbound
 * policy, like the nodes. Another user's connections do not exist for the caller (404).
 */
public final class ConnectionService implements HttpService {
  private static final int MAX_ID_CHARS = 64;
  private static final long TEST_TIMEOUT_MS = 5_000;

  private final ConnectionStore store;
  private final Vault vault;
  private final LiveConnections live;
  private final OutboundPolicy policy;
  private final SqliteFiles sqliteFiles;
  private final LoginRateLimiter testLimit;
  private final int maxBodyBytes;

  public ConnectionService(
      ConnectionStore store,
      Vault vault,
      LiveConnections live,
      OutboundPolicy policy,
      SqliteFiles sqliteFiles,
      LoginRateLimiter testLimit,
      int maxBodyBytes) {
    this.store = store;
    this.vault = vault;
    this.live = live;
    this.policy = policy;
    this.sqliteFiles = sqliteFiles;
    this.testLimit = testLimit;
    this.maxBodyBytes = maxBodyBytes;
  }

  /** The limit on tests: 10 a minute per user. */
  public static LoginRateLimiter defaultTestLimit() {
    return new LoginRateLimiter(10, Duration.ofMinutes(1), 10_000, System::nanoTime);
  }

  @Override
  public void routing(HttpRules rules) {
    rules
        .get("/", this::list)
        .post("/", this::create)
        .get("/kinds", this::kinds)
        .get("/live", this::liveClients)
        .get("/{id}", this::get)
        .put("/{id}", this::replace)
        .delete("/{id}", this::delete)
        .post("/{id}/test", this::test);
  }

  private void list(ServerRequest request, ServerResponse response) {
    List<Map<String, Object>> shown = new ArrayList<>();
    for (Map<String, Object> connection : store.list(owner(request))) {
      shown.add(shown(connection));
    }
    send(response, Map.of("connections", shown, "total", shown.size()));
  }

  private void kinds(ServerRequest request, ServerResponse response) {
    List<Map<String, Object>> kinds = new ArrayList<>();
    ConnectionKinds.ALL.forEach(kind -> kinds.add(kind.toMap()));
    send(response, Map.of("kinds", kinds));
  }

  private void liveClients(ServerRequest request, ServerResponse response) {
    send(response, Map.of("live", live.describe(owner(request))));
  }

  private void create(ServerRequest request, ServerResponse response) {
    Map<String, Object> body = body(request);
    Object given = body.get("id");
    String id =
        given == null ? UUID.randomUUID().toString() : requireValidId(String.valueOf(given));
    if (store.get(owner(request), id).isPresent()) {
      throw new ApiException(Status.CONFLICT_409, "a connection with id '" + id + "' exists");
    }
    response.status(Status.CREATED_201);
    send(response, shown(store.put(owner(request), id, body)));
  }

  private void get(ServerRequest request, ServerResponse response) {
    send(response, shown(find(request)));
  }

  private void replace(ServerRequest request, ServerResponse response) {
    String id = requireValidId(request.path().pathParameters().get("id"));
    Map<String, Object> body = body(request);
    body.remove("id");
    boolean existed = store.get(owner(request), id).isPresent();
    response.status(existed ? Status.OK_200 : Status.CREATED_201);
    send(response, shown(store.put(owner(request), id, body)));
  }

  private void delete(ServerRequest request, ServerResponse response) {
    String id = requireValidId(request.path().pathParameters().get("id"));
    if (!store.delete(owner(request), id)) {
      throw new NotFoundException("no connection '" + id + "'");
    }
    response.status(Status.NO_CONTENT_204);
    NoContent.send(response);
  }

  private void test(ServerRequest request, ServerResponse response) {
    Map<String, Object> connection = find(request);
    LoginRateLimiter.Decision decision = testLimit.tryAcquire(owner(request));
    if (!decision.allowed()) {
      response.header(HeaderNames.RETRY_AFTER, String.valueOf(decision.retryAfterSeconds()));
      ErrorResponses.send(
          response,
          Status.TOO_MANY_REQUESTS_429,
          "too many connection tests; retry in " + decision.retryAfterSeconds() + " s");
      return;
    }
    Map<String, Object> fields = new LinkedHashMap<>(connection);
    fields.remove("id");
    fields.remove("name");
    Object password = fields.get("password");
    if (password instanceof String reference && reference.startsWith("vault:")) {
      fields.put(
          "password", vault.get(owner(request), reference.substring("vault:".length())).orElse(""));
    }
    ConnectionKinds.TestResult result =
        ConnectionKinds.test(
            ConnectionSettings.fromMap(fields), policy, sqliteFiles, TEST_TIMEOUT_MS);
    send(response, result.toMap());
  }

  private Map<String, Object> find(ServerRequest request) {
    String id = requireValidId(request.path().pathParameters().get("id"));
    Optional<Map<String, Object>> found = store.get(owner(request), id);
    return found.orElseThrow(() -> new NotFoundException("no connection '" + id + "'"));
  }

  /** The body as a connection: a known kind, the kind's fields and options only. */
  private Map<String, Object> body(ServerRequest request) {
    List<String> allowed = new ArrayList<>(List.of("id", "name"));
    allowed.addAll(ConnectionSettings.FIELDS);
    ConnectionKinds.ALL.forEach(
        kind ->
            kind.options()
                .forEach(
                    option -> {
                      if (!allowed.contains(option)) {
                        allowed.add(option);
                      }
                    }));
    JsonBody body = JsonBody.read(request, maxBodyBytes, allowed);
    Map<String, Object> fields = new LinkedHashMap<>();
    for (String field : allowed) {
      Object value = body.value(field);
      if (value != null) {
        fields.put(field, value);
      }
    }
    String kind = body.requiredString("kind");
    if (ConnectionKinds.find(kind) == null) {
      List<String> names = new ArrayList<>();
      ConnectionKinds.ALL.forEach(known -> names.add(known.name()));
      throw JsonBody.badRequest(
          "field 'kind': '" + kind + "' is not one of " + String.join(", ", names));
    }
    try {
      ConnectionSettings.fromMap(fields);
    } catch (IllegalArgumentException invalid) {
      throw JsonBody.badRequest(invalid.getMessage());
    }
    return fields;
  }

  /** What the API shows of a stored connection: a plain password only as {@code "set"}. */
  private static Map<String, Object> shown(Map<String, Object> stored) {
    Map<String, Object> shown = new LinkedHashMap<>(stored);
    Object password = shown.get("password");
    if (password instanceof String reference
        && reference.equals(
            "vault:" + ConnectionStore.passwordEntry(String.valueOf(stored.get("id"))))) {
      shown.put("password", "set");
    }
    return shown;
  }

  private static String requireValidId(String id) {
    if (id == null || id.isEmpty() || id.length() > MAX_ID_CHARS) {
      throw JsonBody.badRequest("field 'id' must be 1.." + MAX_ID_CHARS + " characters");
    }
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (!(Character.isLetterOrDigit(c) && c < 128) && c != '_' && c != '.' && c != '-') {
        throw JsonBody.badRequest(
            "field 'id': '" + id + "' has '" + c + "'; allowed are A-Z a-z 0-9 _ . -");
      }
    }
    return id;
  }

  private static String owner(ServerRequest request) {
    return Authenticator.user(request).userId();
  }

  private static void send(ServerResponse response, Object body) {
    response.headers().contentType(MediaTypes.APPLICATION_JSON);
    response.send(JsonCodec.write(body));
  }
}
