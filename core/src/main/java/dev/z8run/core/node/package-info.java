/**
 * The node SPI: what a node implementation sees ({@link dev.z8run.core.node.Node}, {@link
 * dev.z8run.core.node.Output}, {@link dev.z8run.core.node.NodeContext}) and how it is built ({@link
 * dev.z8run.core.node.NodeFactory}). Implementations live in the nodes and wasm modules.
 */
package dev.z8run.core.node;
