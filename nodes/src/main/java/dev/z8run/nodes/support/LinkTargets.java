package dev.z8run.nodes.support;

import dev.z8run.core.node.NodeContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Link In nodes of the running flows, by flow, id and name: how Link Out, Link Call and a
 * function's {@code node.linkcall(target, ...)} find the Link In they send to, as Node-RED's {@code
 * linkcallTargets}: a target is a Link In's id, or its name, looked up in the caller's flow first,
 * then in the other flows of the caller's owner ({@link FlowOwners}), where it must be unique.
 * Another owner's Link In is never found, whatever its id or name: node ids are unique within a
 * flow, not across flows (two users may import the same Node-RED export), and a link must not carry
 * one user's messages into another's flow. One per engine ({@link #of}). Thread-safe.
 */
public final class LinkTargets {
  /** A Link In as registered: its flow, id and name. */
  public record Target(String flowId, String nodeId, String name) {}

  private final Map<String, Target> byFlowAndId = new ConcurrentHashMap<>();
  private final FlowOwners owners;

  /**
   * Bumped after every register and remove (a flow with Link In nodes deployed or stopped): a
   * sender caches what it resolved with the version it read first, and resolves again once it
   * changes. Read before the map, written after it, so a cache is never newer than its version.
   */
  private final AtomicLong version = new AtomicLong();

  private final AtomicLong resolutions = new AtomicLong();

  /**
   * @param owners who owns each flow; null: every flow has one owner (an engine without users)
   */
  public LinkTargets(FlowOwners owners) {
    this.owners = owners;
  }

  /** The engine's one instance, shared through {@link NodeContext#service}. */
  public static LinkTargets of(NodeContext context) {
    return context.service(
        LinkTargets.class, () -> new LinkTargets(context.service(FlowOwners.class)));
  }

  private static String key(String flowId, String nodeId) {
    return flowId + "\u0000" + nodeId;
  }

  /** Registers a Link In (at deploy); the handle {@link #remove} takes. */
  public Target register(String flowId, String nodeId, String name) {
    Target target = new Target(flowId, nodeId, name == null ? "" : name);
    byFlowAndId.put(key(flowId, nodeId), target);
    version.incrementAndGet();
    return target;
  }

  /**
   * The registrations' version: it changes whenever a Link In is registered or removed, so a {@link
   * #resolve} result is still right while it is unchanged (flow owners never change).
   */
  public long version() {
    return version.get();
  }

  /** How many times {@link #resolve} ran: a measure for tests of the senders' caches. */
  public long resolutions() {
    return resolutions.get();
  }

  /** Forgets a Link In (its flow stopped), unless a newer deployment registered it again. */
  public void remove(Target target) {
    if (byFlowAndId.remove(key(target.flowId(), target.nodeId()), target)) {
      version.incrementAndGet();
    }
  }

  /**
   * The Link In {@code target} (an id or a name) names, seen from flow {@code callerFlowId}: by id
   * in the caller's flow, then by id in the owner's other flows, then by name the same way.
   *
   * @throws IllegalArgumentException when none of the owner's flows has it, or several do
   */
  public Target resolve(String callerFlowId, String target) {
    resolutions.incrementAndGet();
    Target local = byFlowAndId.get(key(callerFlowId, target));
    if (local != null) {
      return local;
    }
    List<Target> byId = new ArrayList<>();
    List<Target> namedHere = new ArrayList<>();
    List<Target> named = new ArrayList<>();
    for (Target candidate : byFlowAndId.values()) {
      if (!sameOwner(callerFlowId, candidate.flowId())) {
        continue;
      }
      if (candidate.nodeId().equals(target)) {
        byId.add(candidate);
      }
      if (candidate.name().equals(target)) {
        named.add(candidate);
        if (candidate.flowId().equals(callerFlowId)) {
          namedHere.add(candidate);
        }
      }
    }
    List<Target> found = !byId.isEmpty() ? byId : namedHere.isEmpty() ? named : namedHere;
    if (found.isEmpty()) {
      throw new IllegalArgumentException("target link-in node '" + target + "' not found");
    }
    if (found.size() > 1) {
      throw new IllegalArgumentException(
          "multiple link-in nodes "
              + (byId.isEmpty() ? "named" : "with id")
              + " '"
              + target
              + "' found in different flows: give the id of one in this flow instead");
    }
    return found.get(0);
  }

  /** Whether flows {@code a} and {@code b} have one owner (always without {@link FlowOwners}). */
  public boolean sameOwner(String a, String b) {
    if (a.equals(b) || owners == null) {
      return true;
    }
    String owner = owners.ownerOf(a);
    return owner != null && owner.equals(owners.ownerOf(b));
  }
}
