package dev.z8run.wasm;

/**
 * What a plugin instance's host functions reach outside the sandbox on behalf of one node: its log
 * and its persistent context. Implementations are thread-safe.
 */
interface PluginHost {
  /** A line the plugin logged through {@code z8.log}. */
  void log(String line);

  /** The JSON value under {@code key} in the node's persistent context, or null. */
  byte[] contextGet(String key);

  /** Stores a JSON value under {@code key} in the node's persistent context. */
  void contextSet(String key, byte[] json);

  /**
   * Environment variable {@code name} as flows see it ({@link
   * dev.z8run.core.node.NodeEnvironment}), or null; the caller has checked the grant.
   */
  String env(String name);
}
