package dev.z8run.core.registry;

/**
 * What a node of a type costs per message, as far as the planner cares: whether a chain of such
 * nodes is cheaper on one worker than spread over several.
 */
public enum NodeCost {
  /**
   * The default: the node may do real work per message (a script, a parse, a render), so a chain of
   * such nodes is cut into runs spread over the workers, which then work on it in parallel.
   */
  NORMAL,
  /**
   * A few hundred nanoseconds per message at most, no script, no I/O, no blocking (change, switch,
   * junction, range, inject, counter): a hand-over between workers (a ring write, a wake-up) costs
   * about as much as the node itself, so the planner keeps a linear run of such nodes on one
   * worker, where every hop can be fused.
   */
  LIGHT
}
