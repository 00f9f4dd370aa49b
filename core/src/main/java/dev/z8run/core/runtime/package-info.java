/**
 * The runtime: worker agents draining per-node inbox rings, the emitter that copies messages into
 * downstream inboxes and splits execution credit, back-pressure through pending queues, blocking
 * nodes on virtual threads, execution tracking and the event ring. {@link
 * dev.z8run.core.runtime.Engine} is the only entry point for the control plane; nothing here knows
 * about HTTP, storage or plugins.
 */
package dev.z8run.core.runtime;
