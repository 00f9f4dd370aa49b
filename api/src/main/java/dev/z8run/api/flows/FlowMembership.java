package dev.z8run.api.flows;

import dev.z8run.core.flow.Flow;
import dev.z8run.store.FlowRecord;

/**
 * What membership of a cluster adds to the {@link FlowManager}: every change it makes is told to
 * the other members, and a flow's sources run only where the cluster says. {@link #NONE}, a single
 * process, adds nothing. Called inside the manager's lock: implementations must not call back into
 * it on the same thread.
 */
public interface FlowMembership {
  /** A single process: no one to tell, every source runs here. */
  FlowMembership NONE = new FlowMembership() {};

  /**
   * The flow's new stored state (created, saved, started, stopped, rolled back), to be published.
   *
   * @throws dev.z8run.api.http.ApiException 503 when the other members cannot be told
   */
  default void onSaved(FlowRecord record) {}

  /** The flow was deleted. */
  default void onDeleted(String ownerId, String flowId) {}

  /**
   * The flow as this member deploys it: the same, or with its source nodes disabled when another
   * member runs them.
   */
  default Flow gate(Flow flow) {
    return flow;
  }

  /** The flow no longer runs here. */
  default void onStopped(String flowId) {}
}
