package dev.z8run.wasm;

/** How a plugin's code runs. */
public enum ExecutionMode {
  /**
   * Chicory's compiler turns each wasm function into JVM bytecode; a function the compiler refuses
   * (too large for one JVM method) is interpreted.
   */
  COMPILED,
  /** Chicory's interpreter for every function: slower, kept for comparison and diagnosis. */
  INTERPRETED
}
