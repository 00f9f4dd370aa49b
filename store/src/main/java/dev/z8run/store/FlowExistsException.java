package dev.z8run.store;

/** {@link FlowStore#create} was given a flow id that is taken; flow ids are unique store-wide. */
public final class FlowExistsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String flowId;

  public FlowExistsException(String flowId) {
    super("a flow with id '" + flowId + "' already exists");
    this.flowId = flowId;
  }

  public String flowId() {
    return flowId;
  }
}
