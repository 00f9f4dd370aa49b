package dev.z8run.nodes.support;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Link In nodes of the running flows, by id and by name: how a dynamic Link Call ({@code
 * msg.target}) and a function's {@code node.linkcall(target, ...)} find the Link In they call, as
 * Node-RED's {@code linkcallTargets}: a target is a Link In's id, or its name, looked up in the
 * caller's flow first, then in every flow, where it must be unique. One per engine, shared through
 * {@link dev.z8run.core.node.NodeContext#service(Class, java.util.function.Supplier)}. Thread-safe.
 */
public final class LinkTargets {
  /** A Link In as registered: its flow, id and name. */
  public record Target(String flowId, String nodeId, String name) {}

  private final Map<String, Target> byId = new ConcurrentHashMap<>();

  /** Registers a Link In (at deploy); the handle {@link #remove} takes. */
  public Target register(String flowId, String nodeId, String name) {
    Target target = new Target(flowId, nodeId, name == null ? "" : name);
    byId.put(nodeId, target);
    return target;
  }

  /** Forgets a Link In (its flow stopped), unless a newer deployment registered it again. */
  public void remove(Target target) {
    byId.remove(target.nodeId(), target);
  }

  /**
   * The id of the Link In {@code target} names, seen from flow {@code callerFlowId}.
   *
   * @throws IllegalArgumentException when none is found, or the name is shared by several
   */
  public String resolve(String callerFlowId, String target) {
    if (byId.containsKey(target)) {
      return target;
    }
    List<Target> local = new ArrayList<>();
    List<Target> everywhere = new ArrayList<>();
    for (Target candidate : byId.values()) {
      if (candidate.name().equals(target)) {
        everywhere.add(candidate);
        if (candidate.flowId().equals(callerFlowId)) {
          local.add(candidate);
        }
      }
    }
    List<Target> found = local.isEmpty() ? everywhere : local;
    if (found.isEmpty()) {
      throw new IllegalArgumentException("target link-in node '" + target + "' not found");
    }
    if (found.size() > 1) {
      throw new IllegalArgumentException(
          "multiple link-in nodes named '" + target + "' found: give its id instead");
    }
    return found.get(0).nodeId();
  }
}
