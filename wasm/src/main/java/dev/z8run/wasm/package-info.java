/**
 * WebAssembly plugins on Chicory: the manifest ({@link dev.z8run.wasm.PluginManifest}), the checked
 * and compiled module ({@link dev.z8run.wasm.PluginModule}), z8run's ABI and the {@code z8} host
 * functions granted by capability, the enforced limits (memory pages, time per call, result size,
 * calls in flight) and the plugin node type ({@link dev.z8run.wasm.Plugins} registers it).
 *
 * <p>Owns nothing of the engine: a plugin is a blocking node type like any other. Must not touch
 * storage or HTTP; the server persists plugins and exposes them.
 */
package dev.z8run.wasm;
