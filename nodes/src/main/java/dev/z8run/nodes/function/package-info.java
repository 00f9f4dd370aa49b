/**
 * The {@code function} node: Node-RED function bodies run by Rhino in a locked-down, limited
 * sandbox ({@link dev.z8run.nodes.function.Sandbox}), with {@code msg} a lazy view over the
 * message's JSON bytes ({@link dev.z8run.nodes.function.MessageView}) and Node-RED's helpers
 * ({@link dev.z8run.nodes.function.NodeApi}). Owns nothing outside the script's own objects: it
 * reaches the engine only through the node SPI.
 */
package dev.z8run.nodes.function;
