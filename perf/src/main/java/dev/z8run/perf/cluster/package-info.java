/**
 * The cluster benchmark ({@code perf/cluster.sh}): distributed-flow throughput and latency with 1,
 * 2 and 3 member processes on one NATS JetStream server.
 */
package dev.z8run.perf.cluster;
