/**
 * Many z8run processes as one, on NATS JetStream ({@code Z8_CLUSTER_NATS}): {@link Cluster} holds
 * the connection and the JetStream resources; {@link StateLog} is the replicated log of the shared
 * state (flows), which every member applies in order to its own store; {@link SourceLeases}
 * decides, through a key-value bucket, which one member runs a flow's sources (timers, injects);
 * {@link WorkQueues} carries the messages of distributed wires ({@code work-out} to {@code
 * work-in}) through a work-queue stream, acknowledged only when the execution they started has
 * ended.
 *
 * <p>Knows the engine (core) and NATS; must not know HTTP, LMDB or the API: the api module wires
 * the state log to its store and flow manager.
 */
package dev.z8run.cluster;
