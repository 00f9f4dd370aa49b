/**
 * The built-in node library: one small class per node type, each declaring its {@link
 * dev.z8run.core.registry.NodeType} (ports, config schema) beside its logic. {@link
 * dev.z8run.nodes.BuiltinNodes} registers them all. Nodes see messages only through the core's node
 * SPI; nothing here touches rings or workers.
 */
package dev.z8run.nodes;
