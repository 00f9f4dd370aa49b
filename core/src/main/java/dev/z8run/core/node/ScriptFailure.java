package dev.z8run.core.node;

/**
 * A node's failure that came from a user's script and says more than its message: what a flow's
 * Catch nodes receive in {@code msg.error} besides {@code message} and {@code source}, as Node-RED
 * copies an {@code Error}'s {@code stack} and {@code code} there.
 *
 * <p>Both are the script's, in terms its author reads: never a Java stack, class name or a path of
 * the server.
 */
public interface ScriptFailure {
  /**
   * The script's stack ({@code "Error: boom\n at check (function 'f1':3)"}), or null when the
   * thrown value was not an error (a thrown string has none, as in Node-RED).
   */
  String scriptStack();

  /** The thrown error's {@code code} (a string or a number), or null. */
  Object code();
}
