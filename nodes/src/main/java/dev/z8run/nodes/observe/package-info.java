/**
 * Sinks and observers: {@code debug} (previews to the editor), {@code counter}, {@code catch},
 * {@code status} and {@code complete} (which receive what happens to other nodes of their flow
 * through {@link dev.z8run.core.node.NodeContext#observe}), and {@code comment}. Must not depend on
 * another node family.
 */
package dev.z8run.nodes.observe;
