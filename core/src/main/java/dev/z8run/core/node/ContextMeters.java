package dev.z8run.core.node;

/**
 * The {@linkplain ContextStore.Meter meter} of each deployed flow's {@code flow} store. Installed
 * as an engine service by a server that bounds what its users' flows keep in context: the engine
 * asks it once per deploy, when it makes the flow's store, and gives everything back when the flow
 * stops. Without it flow stores are not metered. Implementations are thread-safe.
 */
@FunctionalInterface
public interface ContextMeters {
  /** The meter of flow {@code flowId}'s {@code flow} store, or null for none. */
  ContextStore.Meter flowStore(String flowId);
}
