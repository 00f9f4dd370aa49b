package dev.z8run.wasm;

/**
 * A plugin was refused (at install or deploy) or failed a call. The message names the plugin and
 * says what was wrong with it; the node that ran it reports the message as its error.
 */
public final class PluginException extends Exception {
  private static final long serialVersionUID = 1L;

  public PluginException(String message) {
    super(message);
  }

  public PluginException(String message, Throwable cause) {
    super(message, cause);
  }
}
