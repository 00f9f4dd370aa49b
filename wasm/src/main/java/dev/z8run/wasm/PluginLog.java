package dev.z8run.wasm;

/**
 * Receives the lines plugins log through {@code z8.log}. A server may install one as an engine
 * service ({@code Engine.registerService(PluginLog.class, ...)}); without one, lines go to the
 * server log at INFO. Thread-safe.
 */
@FunctionalInterface
public interface PluginLog {
  void onLog(String flowId, String nodeId, String plugin, String line);
}
