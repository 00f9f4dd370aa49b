/**
 * The message path: the {@link dev.z8run.core.runtime.Engine} (the control plane's only entry:
 * deploy, stop, inject, metrics) and what it runs. A trigger claims a record in a node's inbox ring
 * ({@code FlowRuntime.trigger}); a {@code WorkerAgent} drains the inboxes it owns in duty cycles
 * and hands each record to its {@code NodeInstance}, which calls the node; the node writes to the
 * {@code Emitter}, which copies each message into the downstream inboxes (or runs it next on the
 * same worker), splits the execution's credit, and queues what does not fit (back-pressure; a
 * message on a wire that closes a loop goes to a bounded loop queue instead, which never stops its
 * sender, and is dropped with an error past its budget); blocking nodes run on virtual threads
 * ({@code BlockingDispatch}); the {@link dev.z8run.core.runtime.ExecutionTable} sees each execution
 * complete when its credit comes back. Catch, Status and Complete nodes are fed by {@code
 * FlowObservers}.
 *
 * <p>Owns the rings, the workers and every per-flow counter; everything but the engine's command
 * interface and its snapshots is package-private. Must not know about HTTP, storage or plugins, nor
 * about any node type: it reaches nodes only through the SPI in {@link dev.z8run.core.node},
 * publishes events through {@link dev.z8run.core.event} and schedules through {@link
 * dev.z8run.core.timer}.
 */
package dev.z8run.core.runtime;
