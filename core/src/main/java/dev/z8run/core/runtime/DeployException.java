package dev.z8run.core.runtime;

/** A node could not be built from its config; names the node. */
public final class DeployException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final String nodeId;

  public DeployException(String message, String nodeId, Throwable cause) {
    super(message, cause);
    this.nodeId = nodeId;
  }

  /** The id of the node whose factory failed. */
  public String nodeId() {
    return nodeId;
  }
}
