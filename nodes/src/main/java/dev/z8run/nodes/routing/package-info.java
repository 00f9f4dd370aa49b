/**
 * Routing and sequences: nodes that choose where a message goes without rewriting it ({@code
 * switch}, {@code filter}, {@code junction}, {@code link-in}, {@code link-out}, {@code link-call}),
 * and nodes that cut a message into a sequence or assemble one ({@code split}, {@code join}).
 * {@link dev.z8run.nodes.routing.PropertyTest} is the rule language of switch and filter, matched
 * on the message bytes in place. Must not depend on another node family.
 */
package dev.z8run.nodes.routing;
