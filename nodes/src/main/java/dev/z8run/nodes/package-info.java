/**
 * The built-in node library, one small class per node type, each declaring its {@link
 * dev.z8run.core.registry.NodeType} (ports, config schema) beside its logic, grouped by family:
 *
 * <ul>
 *   <li>{@link dev.z8run.nodes.timing}: sources that start executions on their own (inject, timer)
 *       and nodes that hold messages in time (delay);
 *   <li>{@link dev.z8run.nodes.function}: the JavaScript function node and its sandbox;
 *   <li>{@link dev.z8run.nodes.transform}: nodes that rewrite a message (change, template, json,
 *       range);
 *   <li>{@link dev.z8run.nodes.routing}: nodes that choose where a message goes, split it or join
 *       it (switch, filter, split, join, link, junction);
 *   <li>{@link dev.z8run.nodes.network}: HTTP in and out, webhooks, outbound requests;
 *   <li>{@link dev.z8run.nodes.observe}: sinks and observers (debug, counter, catch, status,
 *       complete) and comments;
 *   <li>{@code dev.z8run.nodes.data} (databases, files, CSV) and {@code dev.z8run.nodes.ai} (the AI
 *       node types) as those families arrive;
 *   <li>{@link dev.z8run.nodes.support}: message access shared by the families (path readers, JSON
 *       value tests, bodies as maps).
 * </ul>
 *
 * <p>{@link dev.z8run.nodes.BuiltinNodes} is the one registration point: a new node type is added
 * to its list and nowhere else. Families depend on {@code support} and the core's node SPI, never
 * on each other; nodes see messages only through the SPI and must not touch rings or workers.
 */
package dev.z8run.nodes;
