package dev.z8run.core.runtime;

/**
 * What stopping a flow left behind.
 *
 * @param drained whether every in-flight execution finished before the drain timeout
 * @param abandonedExecutions executions still live when the flow was torn down
 * @param abandonedMessages messages still in inboxes or held for full inboxes at tear-down
 */
public record StopResult(boolean drained, int abandonedExecutions, long abandonedMessages) {}
