/**
 * The node SPI: what a node implementation sees ({@link dev.z8run.core.node.Node}, {@link
 * dev.z8run.core.node.Output}, {@link dev.z8run.core.node.NodeContext}), how it is built ({@link
 * dev.z8run.core.node.NodeFactory}), and the handles and answers it gets back from the engine
 * ({@link dev.z8run.core.node.Cancellable} for deferred messages and scheduled tasks, {@link
 * dev.z8run.core.node.Observed} for what it may observe of other nodes, {@link
 * dev.z8run.core.node.InjectResult} for a trigger's outcome). Implementations live in the nodes and
 * wasm modules.
 *
 * <p>Interfaces and small values only: must not depend on any other package of the engine (the
 * registry, the runtime and the validator depend on this one), so that a node sees nothing but this
 * contract.
 */
package dev.z8run.core.node;
