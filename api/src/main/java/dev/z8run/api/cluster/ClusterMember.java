package dev.z8run.api.cluster;

import dev.z8run.api.flows.FlowManager;
import dev.z8run.api.flows.FlowMembership;
import dev.z8run.api.http.ApiException;
import dev.z8run.cluster.Cluster;
import dev.z8run.cluster.ClusterConfig;
import dev.z8run.cluster.ClusterReplies;
import dev.z8run.cluster.SourceLeases;
import dev.z8run.cluster.StateLog;
import dev.z8run.cluster.WorkNodes;
import dev.z8run.cluster.WorkQueues;
import dev.z8run.core.flow.Flow;
import dev.z8run.core.flow.FlowCodec;
import dev.z8run.core.flow.FlowNode;
import dev.z8run.core.node.Replies;
import dev.z8run.core.runtime.Engine;
import dev.z8run.io.json.JsonCodec;
import dev.z8run.store.FlowRecord;
import dev.z8run.store.FlowStatus;
import dev.z8run.store.UserRecord;
import dev.z8run.store.UserStore;
import io.helidon.http.Status;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Joins this server to a cluster: publishes what its {@link FlowManager} changes as records of the
 * state log ({@code flow/<id>}: owner, revision, status, times and document), applies every record
 * of the log in order (its own too: the log's order decides between members that wrote at once),
 * competes for the lease of each running flow that has sources and runs them only while it holds
 * it, and installs the {@code work-out}/{@code work-in} node types with the {@link WorkQueues} and
 * the {@link ClusterReplies} (an {@code http-out} on this member answers a request held by
 * another).
 *
 * <p>Threading: records are applied on the state log's thread and lease changes on the leases'
 * thread, each through the flow manager's lock.
 */
public final class ClusterMember implements FlowMembership, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(ClusterMember.class.getName());
  private static final String FLOW = "flow";
  private static final String USER = "user";

  /** Node types that start executions by themselves: they run on the lease holder only. */
  public static final Set<String> SOURCE_TYPES = Set.of("timer", "inject");

  private final Cluster cluster;
  private final FlowManager flows;
  private final UserStore users;
  private final WorkQueues work;
  private final ClusterReplies replies;
  private final StateLog log;
  private final SourceLeases leases;
  private volatile boolean closed;

  private ClusterMember(
      Cluster cluster, Engine engine, FlowManager flows, UserStore users, Replies localReplies) {
    this.cluster = cluster;
    this.flows = flows;
    this.users = users;
    this.replies = new ClusterReplies(cluster, localReplies);
    this.work = new WorkQueues(cluster, engine, replies);
    this.log = cluster.stateLog();
    this.leases = cluster.sourceLeases(this::onLeaseChanged);
  }

  /**
   * Connects, installs the work-queue node types and becomes {@code flows}' membership, then
   * applies the state log until it has caught up.
   *
   * @throws IOException when NATS cannot be reached or the log not read in {@code catchUp}
   */
  public static ClusterMember join(
      ClusterConfig config,
      Engine engine,
      FlowManager flows,
      UserStore users,
      Replies localReplies,
      Duration catchUp)
      throws IOException {
    Cluster cluster = Cluster.connect(config);
    ClusterMember member;
    try {
      member = new ClusterMember(cluster, engine, flows, users, localReplies);
      WorkNodes.register(engine.registry());
      engine.registerService(Replies.class, member.replies);
      engine.registerService(WorkQueues.class, member.work);
      flows.membership(member);
      users.onCreated(member::onUserCreated);
      member.log.start(member::onRecord, catchUp);
    } catch (IOException | RuntimeException failed) {
      cluster.close();
      throw failed;
    } catch (TimeoutException slow) {
      cluster.close();
      throw new IOException("the cluster's state log did not catch up: " + slow.getMessage());
    }
    LOG.log(
        Level.INFO,
        "cluster member '"
            + config.memberId()
            + "' joined "
            + config.natsUrl()
            + " (prefix "
            + config.prefix()
            + "), state log applied up to "
            + member.log.applied());
    return member;
  }

  public WorkQueues work() {
    return work;
  }

  public String memberId() {
    return cluster.memberId();
  }

  /** Whether this member runs the sources of flow {@code flowId} now. */
  public boolean runsSources(String flowId) {
    return leases.holds(flowId);
  }

  @Override
  public void onSaved(FlowRecord record) {
    try {
      log.publish(FLOW, record.id(), encode(record));
    } catch (IOException unreachable) {
      throw new ApiException(
          Status.SERVICE_UNAVAILABLE_503,
          "saved here, but the cluster's state log did not take it: " + unreachable.getMessage());
    }
  }

  @Override
  public void onDeleted(String ownerId, String flowId) {
    try {
      log.delete(FLOW, flowId);
    } catch (IOException unreachable) {
      throw new ApiException(
          Status.SERVICE_UNAVAILABLE_503,
          "deleted here, but the cluster's state log did not take it: " + unreachable.getMessage());
    }
  }

  @Override
  public Flow gate(Flow flow) {
    boolean hasSources = false;
    for (FlowNode node : flow.nodes()) {
      hasSources |= !node.disabled() && SOURCE_TYPES.contains(node.type());
    }
    if (!hasSources) {
      return flow;
    }
    if (!closed) {
      leases.want(flow.id());
      if (leases.holds(flow.id())) {
        return flow;
      }
    }
    List<FlowNode> nodes = new ArrayList<>(flow.nodes().size());
    for (FlowNode node : flow.nodes()) {
      nodes.add(
          SOURCE_TYPES.contains(node.type())
              ? new FlowNode(
                  node.id(), node.type(), node.name(), node.x(), node.y(), true, node.config())
              : node);
    }
    return flow.withNodes(nodes);
  }

  @Override
  public void onStopped(String flowId) {
    leases.release(flowId);
  }

  private void onUserCreated(UserRecord user) {
    try {
      log.publish(USER, user.id(), encodeUser(user));
    } catch (IOException unreachable) {
      LOG.log(
          Level.WARNING,
          "user '"
              + user.username()
              + "' registered here only: the state log did not take it: "
              + unreachable.getMessage());
    }
  }

  static byte[] encodeUser(UserRecord user) {
    return JsonCodec.write(user.storedFields());
  }

  @SuppressWarnings("unchecked")
  static UserRecord decodeUser(String id, byte[] content) {
    Map<String, Object> map = (Map<String, Object>) JsonCodec.parse(content);
    List<String> roles = new ArrayList<>();
    for (Object role : (List<Object>) map.get("roles")) {
      roles.add(String.valueOf(role));
    }
    return new UserRecord(
        id,
        (String) map.get("username"),
        (String) map.get("email"),
        roles,
        (String) map.get("passwordHash"),
        ((Number) map.get("createdAtMs")).longValue());
  }

  private void onLeaseChanged(String flowId, boolean held) {
    if (!closed) {
      flows.redeploy(flowId);
    }
  }

  private void onRecord(String kind, String key, byte[] content, String member) {
    if (USER.equals(kind)) {
      if (content != null) {
        users.replicate(decodeUser(key, content));
      }
      return;
    }
    if (!FLOW.equals(kind)) {
      return;
    }
    if (content == null) {
      flows.applyReplicatedDelete(key);
    } else {
      flows.applyReplicated(decode(key, content));
    }
  }

  static byte[] encode(FlowRecord record) {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("owner", record.ownerId());
    map.put("revision", record.revision());
    map.put("status", record.status().jsonName());
    map.put("createdAtMs", record.createdAtMs());
    map.put("updatedAtMs", record.updatedAtMs());
    map.put("flow", FlowCodec.toMap(record.flow()));
    return JsonCodec.write(map);
  }

  @SuppressWarnings("unchecked")
  static FlowRecord decode(String flowId, byte[] content) {
    Map<String, Object> map = (Map<String, Object>) JsonCodec.parse(content);
    return new FlowRecord(
        flowId,
        (String) map.get("owner"),
        ((Number) map.get("revision")).intValue(),
        FlowStatus.valueOf(((String) map.get("status")).toUpperCase(Locale.ROOT)),
        ((Number) map.get("createdAtMs")).longValue(),
        ((Number) map.get("updatedAtMs")).longValue(),
        FlowCodec.fromMap((Map<String, Object>) map.get("flow")));
  }

  /**
   * Gives up this member's leases (other members take the sources over at their next try), stops
   * the work consumers and the state log, and disconnects.
   */
  @Override
  public void close() {
    closed = true;
    users.onCreated(null);
    leases.close();
    work.close();
    replies.close();
    log.close();
    cluster.close();
  }
}
