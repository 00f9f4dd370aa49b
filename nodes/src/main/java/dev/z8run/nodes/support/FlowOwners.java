package dev.z8run.nodes.support;

/**
 * Who owns a deployed flow: the server installs it as a service so that what is kept per owner (the
 * live connections, the vector collections) is never shared between users. Without it every flow
 * belongs to one owner, the empty string.
 */
@FunctionalInterface
public interface FlowOwners {
  /** The owner of flow {@code flowId}, or null when unknown. */
  String ownerOf(String flowId);
}
