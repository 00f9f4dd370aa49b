package dev.z8run.core.node;

/** Builds the runtime instance of a node when its flow is deployed. */
@FunctionalInterface
public interface NodeFactory {
  /**
   * Creates the node; called on the control plane, may allocate and read config.
   *
   * @throws Exception with a message naming the config field at fault; the deploy then fails
   */
  Node create(NodeContext context) throws Exception;
}
