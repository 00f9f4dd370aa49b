package dev.z8run.core.node;

/**
 * What a node may observe of the other nodes of its flow ({@link NodeContext#observe}); the engine
 * delivers each observed event to the observer's inbox as a new execution.
 */
public enum Observed {
  /**
   * A node threw while handling a message: the observer receives that message with {@code error =
   * {message, source: {id, type, name, count}}} added, and the {@code code} and {@code stack} of a
   * {@link ScriptFailure} (Node-RED's Catch).
   */
  ERROR,
  /**
   * As {@link #ERROR}, for errors that no {@code ERROR} observer of the flow received (Node-RED's
   * Catch with "uncaught only").
   */
  UNCAUGHT_ERROR,
  /**
   * A node published a status: the observer receives {@code {status: {text, source: {id, type,
   * name}}}} (Node-RED's Status).
   */
  STATUS,
  /**
   * A node finished handling a message without throwing: the observer receives that message as it
   * was (Node-RED's Complete).
   */
  COMPLETE
}
