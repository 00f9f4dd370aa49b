/**
 * The node SPI: what a node implementation sees ({@link dev.z8run.core.node.Node}, {@link
 * dev.z8run.core.node.Output}, {@link dev.z8run.core.node.NodeContext}), how it is built ({@link
 * dev.z8run.core.node.NodeFactory}), and the handles it gets back from the engine ({@link
 * dev.z8run.core.node.Cancellable} for deferred messages and scheduled tasks, {@link
 * dev.z8run.core.node.Observed} for what it may observe of other nodes). Implementations live in
 * the nodes and wasm modules.
 */
package dev.z8run.core.node;
