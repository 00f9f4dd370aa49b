package dev.z8run.core.node;

/**
 * Which {@code global} store (Node-RED's global context) the nodes of a flow share. Installed as an
 * engine service by a server with several users, so that one user's flows never read or change
 * another's global values: {@link NodeContext#globalContext()} answers the store this gives for the
 * node's flow, looked up once when the node is built. Without it every flow shares the engine's one
 * store, as in Node-RED. Implementations are thread-safe.
 */
@FunctionalInterface
public interface GlobalContexts {
  /**
   * The global store of flow {@code flowId}'s nodes: the same instance for every flow of one owner.
   */
  ContextStore of(String flowId);
}
