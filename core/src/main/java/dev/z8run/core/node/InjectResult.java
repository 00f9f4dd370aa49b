package dev.z8run.core.node;

/** What became of a trigger's attempt to start an execution. */
public enum InjectResult {
  /** The execution started. */
  ACCEPTED,
  /** The node's inbox or the flow's execution table is full: slow down or refuse the client. */
  BACK_PRESSURED,
  /**
   * The message's body travels by reference and finds no room: the flow owner's memory share or the
   * engine's memory budget is held by the bodies in flight. Like {@link #BACK_PRESSURED}, room
   * comes back as they are consumed: slow down or refuse the client, saying why.
   */
  NO_MEMORY,
  /** The flow is not deployed or is stopping. */
  NOT_RUNNING,
  /** No enabled node with that id in the flow. */
  UNKNOWN_NODE,
  /** The message is larger than the node's inbox accepts. */
  TOO_LARGE;

  /** Whether the same trigger may succeed later without any change: back-pressure or memory. */
  public boolean isTransient() {
    return this == BACK_PRESSURED || this == NO_MEMORY;
  }
}
