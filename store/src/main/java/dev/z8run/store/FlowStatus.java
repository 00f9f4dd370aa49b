package dev.z8run.store;

import java.util.Locale;

/**
 * Whether a stored flow should be deployed: a restarted server starts the {@link #RUNNING} ones
 * again. Not the engine's view of a deployed flow (that is {@code core.runtime.FlowState}).
 */
public enum FlowStatus {
  /** Saved, not deployed. */
  IDLE,
  /** Deployed, and deployed again at start. */
  RUNNING;

  /** The name the API shows: {@code idle}, {@code running}. */
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
