package dev.z8run.core.runtime;

/**
 * A snapshot of one node's counters.
 *
 * @param queuedBytes bytes waiting in its inbox
 * @param blocked times its output found a full inbox and had to wait
 */
public record NodeMetrics(
    String nodeId,
    String type,
    int worker,
    long messagesIn,
    long messagesOut,
    long errors,
    long drops,
    long busyNs,
    long blocked,
    int queuedBytes) {}
