package dev.z8run.api.flows;

import dev.z8run.api.http.ApiException;
import dev.z8run.core.flow.ConfigNode;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.flow.Subflows;
import dev.z8run.core.runtime.DeployException;
import dev.z8run.core.runtime.Engine;
import dev.z8run.core.runtime.MemoryBudgetException;
import dev.z8run.core.runtime.StopResult;
import dev.z8run.core.validate.FlowValidator;
import dev.z8run.core.validate.Problem;
import dev.z8run.store.FlowExistsException;
import dev.z8run.store.FlowRecord;
import dev.z8run.store.FlowStatus;
import dev.z8run.store.Store;
import dev.z8run.store.UserRecord;
import dev.z8run.store.vault.VaultException;
import io.helidon.http.Status;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The control plane of flows: what the REST API asks for, done against the store and the engine
 * together. A flow is stored first and deployed on start; a running flow that is updated is
 * redeployed before the new revision is stored, so a version that does not deploy leaves both the
 * running flow and the stored revision as they were.
 *
 * <p>Secrets: string config values {@code vault:<key>} are replaced by the owner's vault entry when
 * the flow is deployed; the store keeps the references, never the values.
 *
 * <p>Thread-safe; starts, stops and redeploys are serialised.
 */
public final class FlowManager {
  /** The default of {@code Z8_STOP_DRAIN_MS}: how long a stop lets in-flight executions finish. */
  public static final long DRAIN_MS = 5_000;

  /**
   * The longest flow name, in UTF-16 chars: a create, save or import with a longer one is refused
   * (422), never truncated.
   */
  public static final int MAX_FLOW_NAME_CHARS = 256;

  /** The default of {@code Z8_MAX_FLOW_NODES}. */
  public static final int DEFAULT_MAX_FLOW_NODES = 2_000;

  /**
   * What a flow id may be: it is a path segment of {@code /api/v1/flows/{id}} and {@code
   * /hook/{id}/...}, so nothing that a URL would split or resolve ({@code /}, {@code ..}, {@code
   * %}, spaces).
   */
  public static final java.util.regex.Pattern FLOW_ID =
      java.util.regex.Pattern.compile("(?!\\.{1,2}$)[A-Za-z0-9._~:@-]{1,128}");

  private static final String VAULT_PREFIX = "vault:";
  private static final String CONNECTION_FIELD = "connection";
  private static final System.Logger LOG = System.getLogger(FlowManager.class.getName());

  private final Store store;
  private final Engine engine;
  private final FlowValidator validator;
  private final java.util.Map<String, String> deployedOwners =
      new java.util.concurrent.ConcurrentHashMap<>();
  private final FlowDocuments documents;
  private final int maxFlowNodes;
  private final SecretRedactor redactor;
  private final long drainMs;
  private volatile FlowMembership membership = FlowMembership.NONE;

  /**
   * @param version the server's version, written into exports
   * @param maxFlowNodes the most nodes a flow may have (422 beyond)
   * @param redactor told the secrets each deployed flow uses, so that its samples mask them
   * @param drainMs how long a stop, a delete or a redeploy lets in-flight executions finish
   */
  public FlowManager(
      Store store,
      Engine engine,
      String version,
      int maxFlowNodes,
      SecretRedactor redactor,
      long drainMs) {
    this.drainMs = drainMs;
    this.redactor = redactor;
    this.maxFlowNodes = maxFlowNodes;
    this.store = store;
    this.engine = engine;
    this.validator = new FlowValidator(engine.registry());
    this.documents = new FlowDocuments(engine.registry(), version);
  }

  public Engine engine() {
    return engine;
  }

  /** What masks the vault's values in samples of deployed flows. */
  public SecretRedactor redactor() {
    return redactor;
  }

  /** Makes this manager a cluster member's: set once, before {@link #restoreRunning}. */
  public void membership(FlowMembership membership) {
    this.membership = membership;
  }

  /** Conversions to and from z8run's documents (canvas, export). */
  public FlowDocuments documents() {
    return documents;
  }

  public List<FlowRecord> list(String owner) {
    return store.flows().list(owner);
  }

  public Optional<FlowRecord> get(String owner, String flowId) {
    return store.flows().get(owner, flowId);
  }

  /**
   * Stores a new flow.
   *
   * @throws ApiException 400 for an id outside {@link #FLOW_ID}, 422 for more nodes than the limit
   *     or a name longer than {@link #MAX_FLOW_NAME_CHARS}
   */
  public FlowRecord create(String owner, Flow flow) {
    requireValidId(flow.id());
    requireSize(flow);
    FlowRecord created = store.flows().create(owner, flow);
    membership.onSaved(created);
    return created;
  }

  private static void requireValidId(String id) {
    if (!FLOW_ID.matcher(id).matches()) {
      throw ApiException.badRequest(
          "flow id '"
              + (id.length() > 140 ? id.substring(0, 140) + "..." : id)
              + "' must be 1..128 characters of A-Z a-z 0-9 . _ ~ : @ - (not . or ..): it is"
              + " part of URLs");
    }
  }

  /**
   * Refuses a name longer than {@link #MAX_FLOW_NAME_CHARS}: for imports that check every flow
   * before creating any.
   *
   * @throws ApiException 422 naming the flow and the length
   */
  static void requireName(Flow flow) {
    String name = flow.name();
    if (name != null && name.length() > MAX_FLOW_NAME_CHARS) {
      throw new ApiException(
          Status.create(422, "Unprocessable Entity"),
          "flow '"
              + flow.id()
              + "' has a name of "
              + name.length()
              + " characters, more than the limit of "
              + MAX_FLOW_NAME_CHARS
              + " (it is shown in lists and tabs; shorten it, it is never cut silently)");
    }
  }

  private void requireSize(Flow flow) {
    requireName(flow);
    if (flow.nodes().size() > maxFlowNodes) {
      throw new ApiException(
          Status.create(422, "Unprocessable Entity"),
          "flow '"
              + flow.id()
              + "' has "
              + flow.nodes().size()
              + " nodes, more than the limit Z8_MAX_FLOW_NODES="
              + maxFlowNodes);
    }
  }

  /**
   * Creates a flow from a request's document, no nodes when it lists none (the HTTP API's POST and
   * the editor socket's FLOW_CREATE). Its id is a new random UUID, whatever id the document names,
   * unless the owner {@link #mayNameFlows may name flows}: flow ids are server-wide (they are the
   * {@code /hook/<flow id>} URLs), so keeping a user's chosen id would answer differently when
   * another user's flow has it, and tell them it exists. z8run's server always makes the id.
   *
   * @throws ApiException 400 when it is not a flow document, 409 when an admin's chosen id is taken
   */
  public FlowRecord createDocument(String owner, Map<String, Object> document) {
    FlowPatch.requireKnownFields(document);
    Map<String, Object> body = new LinkedHashMap<>(documents.withGraphFromCanvas(document));
    if (body.get("id") instanceof String named) {
      requireValidId(named); // the same refusal for everyone: it depends on the text alone
    }
    if (body.get("id") == null || !mayNameFlows(owner)) {
      body.put("id", UUID.randomUUID().toString());
    }
    body.putIfAbsent("nodes", List.of());
    Flow flow = FlowViews.parse(body);
    try {
      return create(owner, flow);
    } catch (FlowExistsException taken) {
      throw new ApiException(Status.CONFLICT_409, "a flow with id '" + flow.id() + "' exists");
    } catch (IllegalArgumentException invalid) {
      throw ApiException.badRequest(invalid.getMessage());
    }
  }

  /**
   * Whether {@code owner}'s flows are limited by the whole memory budget only, not by the share
   * ({@code Z8_MEMORY_SHARE_PERCENT}): admins, who run the server and may need all of it (a server
   * with one user is its admin's), and principals the store does not know (tokens an embedding
   * program signs itself), as for {@link #mayNameFlows}; and flows of no owner, which the server's
   * operator deploys through the engine itself (the AOT training run). Every other user holds at
   * most the share.
   */
  public boolean exemptFromMemoryShare(String owner) {
    return owner == null || owner.isEmpty() || mayNameFlows(owner);
  }

  /**
   * Whether a create keeps the id its document names: only for an admin, who manages the server and
   * already sees every deployed flow's id in {@code /metrics}, so that a taken id (409) tells them
   * nothing new. Every registered user who is not an admin gets ids the server makes (see {@link
   * #createDocument}). A principal the store does not know (tokens that an embedding program or a
   * test signs itself) keeps its ids, as before.
   */
  public boolean mayNameFlows(String owner) {
    return store.users().find(owner).map(user -> user.hasRole(UserRecord.ADMIN)).orElse(true);
  }

  /**
   * Saves {@code body} over the stored flow: a whole document, or only some fields, as {@link
   * FlowPatch} says; then as {@link #update}.
   *
   * @return empty when the owner has no such flow
   * @throws ApiException 400 for a body that is not a save, 422 when a running flow's new version
   *     does not deploy
   */
  public synchronized Optional<FlowRecord> patch(
      String owner, String flowId, Map<String, Object> body) {
    Optional<FlowRecord> current = store.flows().get(owner, flowId);
    if (current.isEmpty()) {
      return current;
    }
    return update(owner, FlowPatch.apply(current.get().flow(), body, documents));
  }

  /** Stores a new revision; a running flow is redeployed with it first. */
  public synchronized Optional<FlowRecord> update(String owner, Flow flow) {
    requireSize(flow);
    Optional<FlowRecord> current = store.flows().get(owner, flow.id());
    if (current.isEmpty()) {
      return current;
    }
    if (current.get().status() == FlowStatus.RUNNING) {
      deploy(owner, flow);
    }
    return saved(store.flows().update(owner, flow));
  }

  private Optional<FlowRecord> saved(Optional<FlowRecord> record) {
    record.ifPresent(membership::onSaved);
    return record;
  }

  public synchronized boolean delete(String owner, String flowId) {
    Optional<FlowRecord> current = store.flows().get(owner, flowId);
    if (current.isEmpty()) {
      return false;
    }
    engine.stop(flowId, drainMs);
    membership.onStopped(flowId);
    boolean deleted = store.flows().delete(owner, flowId);
    if (deleted) {
      membership.onDeleted(owner, flowId);
    }
    return deleted;
  }

  /** Validates, resolves secrets, deploys, and records the flow as running. */
  public synchronized Optional<FlowRecord> start(String owner, String flowId) {
    Optional<FlowRecord> current = store.flows().get(owner, flowId);
    if (current.isEmpty()) {
      return current;
    }
    deploy(owner, current.get().flow());
    return saved(store.flows().setStatus(owner, flowId, FlowStatus.RUNNING));
  }

  /** Stops the flow (draining for up to the manager's drain time) and records it as idle. */
  public synchronized Optional<StopResult> stop(String owner, String flowId) {
    if (store.flows().get(owner, flowId).isEmpty()) {
      return Optional.empty();
    }
    StopResult result = engine.stop(flowId, drainMs);
    membership.onStopped(flowId);
    saved(store.flows().setStatus(owner, flowId, FlowStatus.IDLE));
    return Optional.of(result == null ? new StopResult(true, 0, 0) : result);
  }

  public List<dev.z8run.store.RevisionInfo> revisions(String owner, String flowId) {
    return store.flows().revisions(owner, flowId);
  }

  public Optional<Flow> revision(String owner, String flowId, int revision) {
    return store.flows().revision(owner, flowId, revision);
  }

  /** Writes revision {@code revision}'s content as a new revision (redeploying a running flow). */
  public synchronized Optional<FlowRecord> rollback(String owner, String flowId, int revision) {
    Optional<Flow> old = store.flows().revision(owner, flowId, revision);
    if (old.isEmpty()) {
      return Optional.empty();
    }
    Optional<FlowRecord> current = store.flows().get(owner, flowId);
    if (current.isPresent() && current.get().status() == FlowStatus.RUNNING) {
      deploy(owner, old.get());
    }
    return saved(store.flows().rollback(owner, flowId, revision));
  }

  public List<dev.z8run.store.ExecutionRecord> executions(String owner, String flowId, int limit) {
    return store.executions().recent(owner, flowId, limit);
  }

  /** Every problem of {@code flow} (its subflow instances expanded), as the API reports them. */
  public List<Map<String, Object>> problems(Flow flow) {
    Flow expanded;
    try {
      expanded = expand(flow);
    } catch (IllegalArgumentException broken) {
      return List.of(problem(null, null, "SUBFLOW_INVALID", broken.getMessage()));
    }
    return describe(validator.validate(expanded));
  }

  /**
   * The flow as deployed: every subflow instance replaced by its nodes ({@link Subflows}), node
   * types with an {@code env} config field given the instance's env.
   */
  Flow expand(Flow flow) {
    return Subflows.expand(
        flow,
        type ->
            engine.registry().find(type) != null
                && engine.registry().find(type).field("env") != null);
  }

  /**
   * Deploys the flows that were running when the server stopped. A flow that no longer deploys is
   * logged and left idle.
   */
  public synchronized int restoreRunning() {
    int restored = 0;
    for (FlowRecord record : store.flows().runningFlows()) {
      if (engine.isRunning(record.id())) {
        continue; // a cluster member's state log deployed it already
      }
      try {
        deploy(record.ownerId(), record.flow());
        restored++;
      } catch (ApiException refused) {
        LOG.log(
            System.Logger.Level.WARNING,
            "flow '"
                + record.id()
                + "' was running but does not deploy now: "
                + refused.getMessage());
        store.flows().setStatus(record.ownerId(), record.id(), FlowStatus.IDLE);
      }
    }
    return restored;
  }

  /**
   * Applies a flow's state another member (or this one) wrote to the cluster's state log: stores it
   * as it is and deploys or stops the flow to match. A record equal to the stored one changes
   * nothing but the flow's running state. A flow that does not deploy here is logged and stays
   * stopped here.
   */
  public synchronized void applyReplicated(FlowRecord incoming) {
    Optional<FlowRecord> local = store.flows().find(incoming.id());
    boolean same = local.isPresent() && sameState(local.get(), incoming);
    if (!same) {
      store.flows().replicate(incoming);
    }
    boolean running = engine.isRunning(incoming.id());
    if (incoming.status() == FlowStatus.RUNNING && (!same || !running)) {
      try {
        deploy(incoming.ownerId(), incoming.flow());
      } catch (ApiException refused) {
        LOG.log(
            System.Logger.Level.WARNING,
            "replicated flow '"
                + incoming.id()
                + "' does not deploy here: "
                + refused.getMessage());
      }
    } else if (incoming.status() != FlowStatus.RUNNING && running) {
      engine.stop(incoming.id(), drainMs);
      membership.onStopped(incoming.id());
    }
  }

  /** Applies a flow's deletion another member wrote to the state log. */
  public synchronized void applyReplicatedDelete(String flowId) {
    Optional<FlowRecord> local = store.flows().find(flowId);
    if (engine.isRunning(flowId)) {
      engine.stop(flowId, drainMs);
    }
    membership.onStopped(flowId);
    local.ifPresent(record -> store.flows().delete(record.ownerId(), flowId));
  }

  /**
   * Deploys a running flow again as it is stored: when this member took or gave up the lease of its
   * sources.
   */
  public synchronized void redeploy(String flowId) {
    Optional<FlowRecord> local = store.flows().find(flowId);
    if (local.isPresent()
        && local.get().status() == FlowStatus.RUNNING
        && engine.isRunning(flowId)) {
      try {
        deploy(local.get().ownerId(), local.get().flow());
      } catch (ApiException refused) {
        LOG.log(
            System.Logger.Level.WARNING,
            "flow '" + flowId + "' does not deploy again: " + refused.getMessage());
      }
    }
  }

  private static boolean sameState(FlowRecord a, FlowRecord b) {
    return a.revision() == b.revision()
        && a.status() == b.status()
        && a.ownerId().equals(b.ownerId())
        && java.util.Arrays.equals(
            dev.z8run.core.flow.FlowCodec.write(a.flow()),
            dev.z8run.core.flow.FlowCodec.write(b.flow()));
  }

  /**
   * The owner of a flow this manager deployed (or is deploying), or null: how services installed
   * for nodes (the vector store) find whose data a node may see.
   */
  public String ownerOf(String flowId) {
    return deployedOwners.get(flowId);
  }

  private void deploy(String owner, Flow document) {
    Flow flow;
    try {
      flow = expand(document);
    } catch (IllegalArgumentException broken) {
      throw new ApiException(
          Status.create(422, "Unprocessable Entity"),
          broken.getMessage(),
          List.of(problem(null, null, "SUBFLOW_INVALID", broken.getMessage())));
    }
    List<Problem> problems = validator.validate(flow);
    if (!problems.isEmpty()) {
      throw new ApiException(
          Status.create(422, "Unprocessable Entity"),
          "flow '"
              + flow.id()
              + "' has "
              + problems.size()
              + " problem(s): "
              + problems.get(0).message(),
          describe(problems));
    }
    deployedOwners.put(flow.id(), owner);
    try {
      List<String> secrets = new ArrayList<>();
      Flow resolved = resolveSecrets(owner, membership.gate(flow), secrets);
      redactor.register(flow.id(), secrets); // before the first message can be sampled
      engine.deploy(resolved, owner, exemptFromMemoryShare(owner));
    } catch (OutOfMemoryError noDirectMemory) {
      // the inboxes live in direct memory: a flow larger than what is left is refused, not a 500
      redactor.forget(flow.id());
      throw new ApiException(
          Status.create(507, "Insufficient Storage"),
          "flow '"
              + flow.id()
              + "' with "
              + flow.nodes().size()
              + " nodes needs more direct memory than the server has left ("
              + noDirectMemory.getMessage()
              + "); stop other flows, or raise -XX:MaxDirectMemorySize");
    } catch (MemoryBudgetException overBudget) {
      redactor.forget(flow.id());
      throw overBudget(overBudget);
    } catch (DeployException refused) {
      throw new ApiException(
          Status.create(422, "Unprocessable Entity"),
          refused.getMessage(),
          List.of(problem(refused.nodeId(), null, "DEPLOY_FAILED", refused.getMessage())));
    } catch (FlowValidator.ValidationException invalid) {
      throw new ApiException(
          Status.create(422, "Unprocessable Entity"),
          invalid.getMessage(),
          describe(invalid.problems()));
    }
  }

  /**
   * The 507 for a deploy past the owner's share (naming what the owner holds and may hold) or past
   * the server's budget (naming only totals: never another user's flows or use).
   */
  private static ApiException overBudget(MemoryBudgetException refused) {
    if (refused.shareExceeded()) {
      return new ApiException(
          Status.create(507, "Insufficient Storage"),
          refused.getMessage()
              + " (Z8_MEMORY_SHARE_PERCENT of Z8_MEMORY_BUDGET_MB); stop some of your flows, or"
              + " ask an admin to raise Z8_MEMORY_SHARE_PERCENT",
          List.of(
              problem(
                  null,
                  null,
                  "MEMORY_SHARE",
                  "needs "
                      + refused.neededBytes()
                      + " bytes; your flows and messages hold "
                      + refused.inUseBytes()
                      + " of your share of "
                      + refused.limitBytes()
                      + " (Z8_MEMORY_SHARE_PERCENT of Z8_MEMORY_BUDGET_MB)")));
    }
    return new ApiException(
        Status.create(507, "Insufficient Storage"),
        refused.getMessage()
            + " (Z8_MEMORY_BUDGET_MB); stop other flows, or raise Z8_MEMORY_BUDGET_MB",
        List.of(
            problem(
                null,
                null,
                "MEMORY_BUDGET",
                "needs "
                    + refused.neededBytes()
                    + " bytes; deployed flows hold "
                    + refused.inUseBytes()
                    + " of "
                    + refused.budgetBytes()
                    + " (Z8_MEMORY_BUDGET_MB)")));
  }

  /**
   * The flow with every {@code connection} id in node configs replaced by that connection's
   * settings (a config node of the flow, else one of the owner's stored connections), and every
   * {@code vault:<key>} string replaced by its secret.
   */
  Flow resolveSecrets(String owner, Flow flow) {
    return resolveSecrets(owner, flow, new ArrayList<>());
  }

  /** As {@link #resolveSecrets(String, Flow)}, adding every secret used to {@code secrets}. */
  private Flow resolveSecrets(String owner, Flow flow, List<String> secrets) {
    List<FlowNode> nodes = new ArrayList<>(flow.nodes().size());
    for (FlowNode node : flow.nodes()) {
      Map<String, Object> config = new LinkedHashMap<>();
      for (Map.Entry<String, Object> field : node.config().entrySet()) {
        Object value = field.getValue();
        if (field.getKey().equals(CONNECTION_FIELD)
            && value instanceof String id
            && !id.isBlank()) {
          value = connection(owner, flow, id);
        }
        config.put(field.getKey(), resolve(owner, node, field.getKey(), value, secrets));
      }
      nodes.add(
          new FlowNode(
              node.id(), node.type(), node.name(), node.x(), node.y(), node.disabled(), config));
    }
    return flow.withNodes(nodes);
  }

  /** The settings of connection {@code id}: a config node of the flow, else a stored one. */
  private Object connection(String owner, Flow flow, String id) {
    for (ConfigNode configNode : flow.configNodes()) {
      if (configNode.id().equals(id)) {
        Map<String, Object> settings = NodeRedDataNodes.connection(configNode);
        return settings == null ? id : settings;
      }
    }
    Optional<Map<String, Object>> stored = store.connections().get(owner, id);
    if (stored.isEmpty()) {
      return id; // the node says that there is no such connection
    }
    Map<String, Object> settings = new LinkedHashMap<>(stored.get());
    settings.remove("id");
    settings.remove("name");
    return settings;
  }

  private Object resolve(
      String owner, FlowNode node, String field, Object value, List<String> secrets) {
    if (value instanceof String text && text.startsWith(VAULT_PREFIX)) {
      String key = text.substring(VAULT_PREFIX.length());
      Optional<String> secret;
      try {
        secret = store.vault().get(owner, key);
      } catch (VaultException | IllegalArgumentException unreadable) {
        throw unresolved(node, field, key, unreadable.getMessage());
      }
      String found =
          secret.orElseThrow(() -> unresolved(node, field, key, "there is no such entry"));
      secrets.add(found);
      return found;
    }
    if (value instanceof Map<?, ?> map) {
      Map<String, Object> resolved = new LinkedHashMap<>();
      for (Map.Entry<?, ?> entry : map.entrySet()) {
        resolved.put(
            String.valueOf(entry.getKey()), resolve(owner, node, field, entry.getValue(), secrets));
      }
      return resolved;
    }
    if (value instanceof List<?> list) {
      List<Object> resolved = new ArrayList<>(list.size());
      for (Object item : list) {
        resolved.add(resolve(owner, node, field, item, secrets));
      }
      return resolved;
    }
    return value;
  }

  private static ApiException unresolved(FlowNode node, String field, String key, String why) {
    String message =
        "node '"
            + node.id()
            + "' field '"
            + field
            + "' refers to vault entry '"
            + key
            + "': "
            + why;
    return new ApiException(
        Status.create(422, "Unprocessable Entity"),
        message,
        List.of(problem(node.id(), field, "VAULT_ENTRY_MISSING", message)));
  }

  private static List<Map<String, Object>> describe(List<Problem> problems) {
    List<Map<String, Object>> described = new ArrayList<>();
    for (Problem problem : problems) {
      described.add(problem(problem.nodeId(), problem.field(), problem.code(), problem.message()));
    }
    return described;
  }

  private static Map<String, Object> problem(
      String nodeId, String field, String code, String message) {
    Map<String, Object> problem = new LinkedHashMap<>();
    problem.put("node_id", nodeId);
    problem.put("field", field);
    problem.put("code", code);
    problem.put("message", message);
    return problem;
  }
}
