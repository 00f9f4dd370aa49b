package dev.z8run.core.runtime;

import dev.z8run.io.message.MemoryBudget;

/**
 * A deploy refused because the flow's inboxes and execution table would take the off-heap memory
 * its owner reserves past the owner's share ({@link #shareExceeded()}), or the memory reserved by
 * all deployed flows and their bodies in flight past the engine's budget ({@link
 * dev.z8run.core.config.EngineConfig#memoryBudgetBytes}, {@link
 * dev.z8run.core.config.EngineConfig#memorySharePercent}). Nothing of the flow was allocated, and a
 * version of it already running keeps running.
 */
public final class MemoryBudgetException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String flowId;
  private final String owner;
  private final boolean shareExceeded;
  private final long neededBytes;
  private final long inUseBytes;
  private final long limitBytes;
  private final long budgetBytes;

  /**
   * @param owner the flow's owner, or null (deployed without one)
   * @param shareExceeded whether the owner's share was the limit passed (else the budget)
   * @param neededBytes what the flow would reserve
   * @param inUseBytes what is reserved already against the limit passed: the owner's other flows
   *     and bodies in flight for the share, everyone's for the budget (a running version of this
   *     flow, which the deploy would replace, not included)
   * @param limitBytes the limit passed: the owner's share, or the budget
   * @param budgetBytes the engine's budget
   */
  public MemoryBudgetException(
      String flowId,
      String owner,
      boolean shareExceeded,
      long neededBytes,
      long inUseBytes,
      long limitBytes,
      long budgetBytes) {
    super(
        "flow '"
            + flowId
            + "' needs "
            + MemoryBudget.mib(neededBytes)
            + " of off-heap memory for its inboxes and execution table, and "
            + (shareExceeded
                ? "owner '"
                    + owner
                    + "' already holds "
                    + MemoryBudget.mib(inUseBytes)
                    + " of its"
                    + " share of "
                    + MemoryBudget.mib(limitBytes)
                    + " (the engine's budget is "
                    + MemoryBudget.mib(budgetBytes)
                    + ")"
                : "the deployed flows already hold "
                    + MemoryBudget.mib(inUseBytes)
                    + " of the engine's memory budget of "
                    + MemoryBudget.mib(budgetBytes)));
    this.flowId = flowId;
    this.owner = owner;
    this.shareExceeded = shareExceeded;
    this.neededBytes = neededBytes;
    this.inUseBytes = inUseBytes;
    this.limitBytes = limitBytes;
    this.budgetBytes = budgetBytes;
  }

  public String flowId() {
    return flowId;
  }

  /** The flow's owner, or null. */
  public String owner() {
    return owner;
  }

  /** Whether the owner's share was the limit passed; false: the engine's budget. */
  public boolean shareExceeded() {
    return shareExceeded;
  }

  public long neededBytes() {
    return neededBytes;
  }

  /** What is reserved already against {@link #limitBytes()}. */
  public long inUseBytes() {
    return inUseBytes;
  }

  /** The limit passed: the owner's share, or the engine's budget. */
  public long limitBytes() {
    return limitBytes;
  }

  public long budgetBytes() {
    return budgetBytes;
  }
}
