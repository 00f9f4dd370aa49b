package dev.z8run.core.node;

/** What became of a trigger's attempt to start an execution. */
public enum InjectResult {
  /** The execution started. */
  ACCEPTED,
  /** The node's inbox or the flow's execution table is full: slow down or refuse the client. */
  BACK_PRESSURED,
  /** The flow is not deployed or is stopping. */
  NOT_RUNNING,
  /** No enabled node with that id in the flow. */
  UNKNOWN_NODE,
  /** The message is larger than the node's inbox accepts. */
  TOO_LARGE
}
