/**
 * Checking a {@link dev.z8run.core.flow.Flow} against the {@link
 * dev.z8run.core.registry.NodeTypeRegistry} before it is saved or deployed: unique node ids, known
 * node types, wires between ports that exist and carry compatible types, node configs that match
 * their type's schema.
 *
 * <p>This package owns the list of {@link dev.z8run.core.validate.Problem} codes and the wording of
 * their messages, which people read in the editor and the CLI. It only reads flows and the
 * registry: it must not change a flow, fill in defaults, build nodes (it never calls a {@link
 * dev.z8run.core.node.NodeFactory}) or know about the planner and runtime that rely on its checks.
 */
package dev.z8run.core.validate;
