package dev.z8run.core.runtime;

import java.util.Locale;

/**
 * Where a deployed flow is in its life: built, then running, then draining when it is stopped
 * (triggers refused, in-flight executions finishing), then stopped.
 *
 * <pre>
 *  STARTING --deploy done--> RUNNING --stop--> DRAINING --drained or timed out--> STOPPED
 * </pre>
 */
public enum FlowState {
  /** Being built: nodes may still register observers; triggers are refused. */
  STARTING,
  /** Triggers start executions. */
  RUNNING,
  /** Stopping: triggers are refused, in-flight messages still move. */
  DRAINING,
  /** Torn down: nothing moves. */
  STOPPED;

  /** Whether messages may still move. */
  public boolean isActive() {
    return this == RUNNING || this == DRAINING;
  }

  /** The name the API shows: {@code running}. */
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
