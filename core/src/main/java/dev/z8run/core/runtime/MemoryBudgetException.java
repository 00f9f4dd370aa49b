package dev.z8run.core.runtime;

/**
 * A deploy refused because the flow's inboxes and execution table would take the off-heap memory
 * reserved by all deployed flows past the engine's budget ({@link
 * dev.z8run.core.config.EngineConfig#memoryBudgetBytes}). Nothing of the flow was allocated, and a
 * version of it already running keeps running.
 */
public final class MemoryBudgetException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String flowId;
  private final long neededBytes;
  private final long inUseBytes;
  private final long budgetBytes;

  /**
   * @param neededBytes what the flow would reserve
   * @param inUseBytes what the other deployed flows reserve (a running version of this flow, which
   *     the deploy would replace, not included)
   * @param budgetBytes the engine's budget
   */
  public MemoryBudgetException(String flowId, long neededBytes, long inUseBytes, long budgetBytes) {
    super(
        "flow '"
            + flowId
            + "' needs "
            + mib(neededBytes)
            + " of off-heap memory for its inboxes and execution table, and the deployed flows"
            + " already hold "
            + mib(inUseBytes)
            + " of the engine's memory budget of "
            + mib(budgetBytes));
    this.flowId = flowId;
    this.neededBytes = neededBytes;
    this.inUseBytes = inUseBytes;
    this.budgetBytes = budgetBytes;
  }

  private static String mib(long bytes) {
    return String.format(java.util.Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
  }

  public String flowId() {
    return flowId;
  }

  public long neededBytes() {
    return neededBytes;
  }

  public long inUseBytes() {
    return inUseBytes;
  }

  public long budgetBytes() {
    return budgetBytes;
  }
}
