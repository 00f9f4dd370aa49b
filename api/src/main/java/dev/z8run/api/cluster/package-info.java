/**
 * This server as a cluster member ({@code Z8_CLUSTER_NATS}): the flow manager's changes go onto the
 * cluster's state log and the log's records come back into the store and the engine; flows' sources
 * run where the cluster's leases say; the work-queue node types are installed. Absent (a single
 * process), nothing here runs. Uses {@code dev.z8run.cluster} for NATS; must not touch HTTP
 * routing.
 */
package dev.z8run.api.cluster;
