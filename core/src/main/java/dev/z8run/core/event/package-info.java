/**
 * Engine events: what the message path reports (executions started and finished, node errors,
 * statuses, debug previews). Writers publish fixed-layout records ({@link
 * dev.z8run.core.event.EventDescriptor}) into one off-heap ring ({@link
 * dev.z8run.core.event.EngineEvents}) without blocking; the event thread ({@link
 * dev.z8run.core.event.EventDispatcher}) resolves flow and node ids, calls the {@link
 * dev.z8run.core.event.EngineListener}s and copies each record into a broadcast buffer that every
 * {@link dev.z8run.core.event.EventSubscription} (an editor socket) reads at its own pace.
 *
 * <p>Owns the event ring and the broadcast buffer. Must not reach into the runtime: it knows a flow
 * only by its handle and its {@link dev.z8run.core.plan.ExecutionPlan}, and a slow reader must
 * never slow a writer.
 */
package dev.z8run.core.event;
