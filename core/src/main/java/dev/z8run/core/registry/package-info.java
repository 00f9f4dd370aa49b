/**
 * The node-type catalogue: each type's ports, config schema, blocking flag and factory. Read by the
 * palette, the validator and the planner; depends only on the node SPI and knows nothing about the
 * runtime's rings.
 */
package dev.z8run.core.registry;
