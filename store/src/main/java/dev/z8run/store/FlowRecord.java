package dev.z8run.store;

import dev.z8run.core.flow.Flow;
import java.util.Objects;

/**
 * A flow as stored: its current revision's document and what the store knows about it. An immutable
 * copy; changing the store does not change it.
 *
 * @param id the flow id, equal to {@code flow.id()}
 * @param ownerId the user the flow belongs to
 * @param revision the current revision, 1 for a new flow, +1 for each update or rollback
 * @param status whether the flow should be deployed, so that a restarted server starts it again
 * @param createdAtMs when the flow was created (epoch milliseconds)
 * @param updatedAtMs when its current revision was written
 * @param flow the current revision's document
 */
public record FlowRecord(
    String id,
    String ownerId,
    int revision,
    FlowStatus status,
    long createdAtMs,
    long updatedAtMs,
    Flow flow) {
  public FlowRecord {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(ownerId, "ownerId");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(flow, "flow");
  }
}
